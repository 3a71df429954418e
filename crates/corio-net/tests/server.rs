//! `start_server` / `start_unix_server` / `serve` and `open_connection`, after CPython's
//! test_streams server tests: echo with many clients at once, the peer's address, the
//! shutdown vocabulary (`close`, `wait_closed`, `serve_forever`, `close_clients`,
//! `abort_clients`, `shutdown`), failing handlers, and bad input (a line that never ends, a
//! peer that resets, half-closed connections, a short `readexactly`).
//!
//! Every scenario runs under both schedulers, over TCP and, where the server code differs,
//! over Unix-domain sockets too; the grace periods of `shutdown` run on the virtual clock.

mod common;

use std::collections::HashMap;
use std::future::Future;
use std::io::{self, ErrorKind};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use common::{Scratch, on_both, on_virtual_clock, round_trip, until};
use corio_net::{
    HandlerOutput, IncompleteReadError, OwnedReadHalf, OwnedWriteHalf, ReadError, Server,
    ServerAddr, StreamReader, StreamWriter, TcpReader, TcpSocket, TcpStream, TcpWriter, UnixStream,
    open_connection, open_unix_connection, serve, start_server, start_unix_server,
};
use corio_sync::mpsc::unbounded;
use futures_io::{AsyncRead, AsyncWrite};
use futures_lite::future::poll_once;

// ---------------------------------------------------------------------------------------
// TCP and Unix-domain servers behind one interface, so a scenario is written once.

type Conn<T> = (
    StreamReader<<T as Transport>::R>,
    StreamWriter<<T as Transport>::W>,
);

trait Transport: Sized + Send + Sync + 'static {
    type R: AsyncRead + Unpin + Send + Sync + 'static;
    type W: AsyncWrite + Unpin + Send + Sync + 'static;
    /// What a client connects to: an address or a path.
    type Target: Clone + Send + Sync + 'static;

    fn new() -> Self;

    fn start<F, Fut>(&self, handler: F) -> impl Future<Output = io::Result<Server>> + Send
    where
        F: Fn(StreamReader<Self::R>, StreamWriter<Self::W>) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: HandlerOutput;

    fn target(&self, server: &Server) -> Self::Target;

    fn connect(target: Self::Target) -> impl Future<Output = io::Result<Conn<Self>>> + Send;
}

struct Tcp;

impl Transport for Tcp {
    type R = OwnedReadHalf<TcpStream>;
    type W = OwnedWriteHalf<TcpStream>;
    type Target = SocketAddr;

    fn new() -> Tcp {
        Tcp
    }

    fn start<F, Fut>(&self, handler: F) -> impl Future<Output = io::Result<Server>> + Send
    where
        F: Fn(TcpReader, TcpWriter) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: HandlerOutput,
    {
        start_server(handler, "127.0.0.1:0")
    }

    fn target(&self, server: &Server) -> SocketAddr {
        server.local_addr().expect("a TCP server")
    }

    fn connect(addr: SocketAddr) -> impl Future<Output = io::Result<Conn<Tcp>>> + Send {
        open_connection(addr)
    }
}

/// A Unix-domain server on a socket file in a scratch directory of its own.
struct Unix {
    _dir: Scratch,
    path: PathBuf,
}

impl Transport for Unix {
    type R = OwnedReadHalf<UnixStream>;
    type W = OwnedWriteHalf<UnixStream>;
    type Target = PathBuf;

    fn new() -> Unix {
        let dir = Scratch::new("srv");
        let path = dir.join("s");
        Unix { _dir: dir, path }
    }

    fn start<F, Fut>(&self, handler: F) -> impl Future<Output = io::Result<Server>> + Send
    where
        F: Fn(StreamReader<Self::R>, StreamWriter<Self::W>) -> Fut + Send + Sync + 'static,
        Fut: Future + Send + 'static,
        Fut::Output: HandlerOutput,
    {
        let started = start_unix_server(handler, &self.path);
        async move { started }
    }

    fn target(&self, _server: &Server) -> PathBuf {
        self.path.clone()
    }

    async fn connect(path: PathBuf) -> io::Result<Conn<Unix>> {
        open_unix_connection(path).await
    }
}

// ---------------------------------------------------------------------------------------
// Helpers.

/// The line-echo handler: echoes every line until end of file, then closes its writer.
async fn echo<R, W>(mut reader: StreamReader<R>, writer: StreamWriter<W>) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    loop {
        let line = reader.readline().await?;
        if line.is_empty() {
            break;
        }
        writer.write(&line)?;
        writer.drain().await?;
    }
    writer.close();
    writer.wait_closed().await
}

/// A task's outcome as an `io::Result`.
fn joined<T>(res: Result<T, corio::TaskError>) -> io::Result<T> {
    res.map_err(|e| io::Error::other(format!("a task failed: {e}")))
}

/// Asserts that a connection attempt was refused.
#[track_caller]
fn assert_refused<T>(res: io::Result<T>, what: &str) {
    match res {
        Ok(_) => panic!("{what}: connected, but the server is closed"),
        Err(e) => assert_eq!(e.kind(), ErrorKind::ConnectionRefused, "{what}: {e}"),
    }
}

/// Counts its drops: a handler's destructor that ran.
struct DropGuard(Arc<AtomicUsize>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

// ---------------------------------------------------------------------------------------
// Echo, many clients at once.

/// `clients` clients connect and all stay connected until the server holds every one of
/// them; then each sends its lines in one go, reads every echo, half-closes and reads the
/// end of the stream.
async fn echo_many<T: Transport>(clients: usize) -> io::Result<()> {
    const LINES: usize = 5;
    let transport = T::new();
    let served = Arc::new(AtomicUsize::new(0));
    let counted = served.clone();
    let server = transport
        .start(move |r, w| {
            counted.fetch_add(1, SeqCst);
            echo(r, w)
        })
        .await?;
    let target = transport.target(&server);
    let go = Arc::new(corio_sync::Event::new());
    let mut tasks = Vec::with_capacity(clients);
    for i in 0..clients {
        let (target, go) = (target.clone(), go.clone());
        tasks.push(corio::spawn(async move {
            let (mut reader, writer) = T::connect(target).await?;
            go.wait().await;
            let lines: Vec<String> = (0..LINES)
                .map(|j| format!("client {i} line {j}\n"))
                .collect();
            writer.writelines(lines.iter().map(String::as_bytes))?;
            writer.drain().await?;
            for line in &lines {
                assert_eq!(reader.readline().await?, line.as_bytes());
            }
            writer.write_eof().await?;
            assert_eq!(
                reader.read_to_end().await?,
                b"",
                "the server closes after EOF"
            );
            assert!(reader.at_eof());
            writer.close();
            writer.wait_closed().await
        }));
    }
    // Every client is connected and being handled at the same time.
    until(|| server.connections() == clients).await;
    go.set();
    for task in tasks {
        joined(task.await)??;
    }
    until(|| server.connections() == 0).await;
    assert_eq!(served.load(SeqCst), clients, "one handler per connection");
    assert!(server.is_serving());
    server.close();
    server.wait_closed().await;
    assert!(!server.is_serving());
    Ok(())
}

#[test]
fn line_echo_with_200_clients_at_once() {
    on_both("echo, 200 clients", || echo_many::<Tcp>(200));
}

#[test]
fn unix_line_echo_with_200_clients_at_once() {
    on_both("unix echo, 200 clients", || echo_many::<Unix>(200));
}

// ---------------------------------------------------------------------------------------
// Addresses.

/// The handler's writer gives the peer's address (asyncio's `get_extra_info('peername')`).
#[test]
fn the_handler_gets_the_peer_address_from_its_writer() {
    on_both("peer address", || async {
        let (tx, mut rx) = unbounded();
        let server = start_server(
            move |_r, w: TcpWriter| {
                let tx = tx.clone();
                async move {
                    let nodelay = w.with_inner(|w| w.get_ref().nodelay());
                    let _ = tx.send((w.peer_addr(), w.local_addr(), nodelay));
                    w.write(b"seen\n")?;
                    w.drain().await
                }
            },
            "127.0.0.1:0",
        )
        .await?;
        let addr = server.local_addr()?;
        assert!(matches!(server.addr(), ServerAddr::Tcp(a) if *a == addr));
        for _ in 0..3 {
            let (mut reader, writer) = open_connection(addr).await?;
            let (peer, local, nodelay) = rx.recv().await.expect("the handler ran");
            // The handler sees this client's own address (each client a port of its own)...
            assert_eq!(peer?, writer.local_addr()?);
            // ...and its end is the server's address; the client sees the reverse.
            assert_eq!(local?, addr);
            assert_eq!(writer.peer_addr()?, addr);
            // Both ends have TCP_NODELAY, as in asyncio.
            assert!(nodelay?, "the accepted connection");
            assert!(writer.with_inner(|w| w.get_ref().nodelay())?, "the client");
            assert_eq!(reader.readline().await?, b"seen\n");
        }
        server.close();
        server.wait_closed().await;
        Ok(())
    });
}

#[test]
fn a_unix_handler_gets_the_socket_path_as_its_address() {
    on_both("unix addresses", || async {
        let transport = Unix::new();
        let (tx, mut rx) = unbounded();
        let server = transport
            .start(move |_r, w: StreamWriter<OwnedWriteHalf<UnixStream>>| {
                let tx = tx.clone();
                async move {
                    let local = w.local_addr().map(|a| a.as_pathname().map(PathBuf::from));
                    let peer_unnamed = w.peer_addr().map(|a| a.is_unnamed());
                    let _ = tx.send((local, peer_unnamed));
                }
            })
            .await?;
        match server.addr() {
            ServerAddr::Unix(a) => assert_eq!(a.as_pathname(), Some(transport.path.as_path())),
            ServerAddr::Tcp(a) => panic!("a Unix server at {a}"),
        }
        assert_eq!(
            server.local_addr().unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        let (_reader, writer) = Unix::connect(transport.path.clone()).await?;
        let (local, peer_unnamed) = rx.recv().await.expect("the handler ran");
        assert_eq!(local?.as_deref(), Some(transport.path.as_path()));
        assert!(peer_unnamed?, "the client's socket is not bound");
        assert_eq!(
            writer.peer_addr()?.as_pathname(),
            Some(transport.path.as_path())
        );
        server.close();
        server.wait_closed().await;
        // The socket file stays (as documented): binding it again fails until it is removed.
        assert!(transport.path.exists());
        let again = start_unix_server(|_r, _w| async {}, &transport.path);
        assert_eq!(again.unwrap_err().kind(), ErrorKind::AddrInUse);
        std::fs::remove_file(&transport.path)?;
        let again = start_unix_server(|_r, _w| async {}, &transport.path)?;
        again.close();
        again.wait_closed().await;
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------
// serve_forever.

#[test]
fn serve_forever_returns_after_close_from_another_task() {
    on_both("serve_forever, close", || async {
        let server = Arc::new(start_server(echo, "127.0.0.1:0").await?);
        let addr = server.local_addr()?;
        let serving = server.clone();
        let forever = corio::spawn(async move {
            serving.serve_forever().await;
            serving.is_serving()
        });
        // It serves while serve_forever waits.
        let (mut reader, writer) = open_connection(addr).await?;
        round_trip(&mut reader, &writer, b"served\n").await?;
        assert!(!forever.is_finished());
        // Another task closes the server: serve_forever returns, the server has stopped.
        let closer = server.clone();
        joined(corio::spawn(async move { closer.close() }).await)?;
        assert!(
            !joined(forever.await)?,
            "still serving after serve_forever returned"
        );
        assert_refused(open_connection(addr).await, "after close");
        // The open connection was left alone.
        round_trip(&mut reader, &writer, b"still served\n").await?;
        writer.write_eof().await?;
        server.wait_closed().await;
        Ok(())
    });
}

#[test]
fn cancelling_serve_forever_closes_the_server() {
    on_both("serve_forever, cancelled", || async {
        let server = Arc::new(start_server(echo, "127.0.0.1:0").await?);
        let addr = server.local_addr()?;
        let (started_tx, started) = corio_sync::oneshot::channel();
        let serving = server.clone();
        let forever = corio::spawn(async move {
            let _ = started_tx.send(());
            serving.serve_forever().await;
        });
        started.await.expect("the task started");
        assert!(server.is_serving());
        assert!(forever.cancel());
        assert!(forever.await.unwrap_err().is_cancelled());
        server.wait_closed().await;
        assert!(!server.is_serving());
        assert_refused(
            open_connection(addr).await,
            "after cancelling serve_forever",
        );
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------
// close, wait_closed.

/// close(): new connections are refused; the open one keeps working, and wait_closed waits
/// until its handler has finished (including what the handler does after the connection
/// ended).
async fn close_then_wait_closed<T: Transport>() -> io::Result<()> {
    let transport = T::new();
    let finished = Arc::new(AtomicBool::new(false));
    let flag = finished.clone();
    let server = transport
        .start(move |r, w| {
            let flag = flag.clone();
            async move {
                let res = echo(r, w).await;
                // Some more work after the connection ended; wait_closed must wait for it.
                for _ in 0..10 {
                    corio::task::yield_now().await;
                }
                flag.store(true, SeqCst);
                res
            }
        })
        .await?;
    let target = transport.target(&server);
    let (mut reader, writer) = T::connect(target.clone()).await?;
    round_trip(&mut reader, &writer, b"before close\n").await?;
    assert_eq!(server.connections(), 1);

    server.close();
    let mut wait = pin!(server.wait_closed());
    until(|| !server.is_serving()).await;
    assert_refused(T::connect(target.clone()).await, "a new connection");
    assert!(poll_once(&mut wait).await.is_none(), "a connection is open");

    // The open connection works on.
    round_trip(&mut reader, &writer, b"after close\n").await?;
    round_trip(&mut reader, &writer, b"and again\n").await?;
    assert!(poll_once(&mut wait).await.is_none(), "a connection is open");
    assert_eq!(server.connections(), 1);
    assert!(!finished.load(SeqCst));

    // It ends; once its handler has finished, wait_closed returns.
    writer.write_eof().await?;
    wait.await;
    assert!(
        finished.load(SeqCst),
        "wait_closed returned before the handler finished"
    );
    assert_eq!(server.connections(), 0);
    assert_eq!(reader.read_to_end().await?, b"");
    // Closing again does nothing; wait_closed returns at once.
    server.close();
    server.wait_closed().await;
    Ok(())
}

#[test]
fn close_refuses_new_connections_and_wait_closed_waits_for_the_open_ones() {
    on_both("close / wait_closed", close_then_wait_closed::<Tcp>);
}

#[test]
fn unix_close_refuses_new_connections_and_wait_closed_waits_for_the_open_ones() {
    on_both("unix close / wait_closed", close_then_wait_closed::<Unix>);
}

/// Checks, when the accept loop lets go of its handler, that a server which no longer says
/// it is serving refuses connections.
struct ServingProbe {
    server: Arc<OnceLock<(Weak<Server>, SocketAddr)>>,
    violations: Arc<Mutex<Vec<String>>>,
}

impl Drop for ServingProbe {
    fn drop(&mut self) {
        let Some((server, addr)) = self.server.get() else {
            return;
        };
        let Some(server) = server.upgrade() else {
            return;
        };
        if !server.is_serving() {
            let probe = std::net::TcpStream::connect_timeout(addr, common::LIMIT);
            if probe.is_ok() {
                self.violations.lock().unwrap().push(format!(
                    "is_serving() was false while {addr} still accepted connections"
                ));
            }
        }
    }
}

/// Once `is_serving()` is false (and so once `wait_closed` returns), the listening socket is
/// closed: a client connecting then is refused, not queued on a socket about to close.
#[test]
fn the_listening_socket_is_closed_once_the_server_stops_serving() {
    on_both("not serving means closed", || async {
        let cell = Arc::new(OnceLock::new());
        let violations = Arc::new(Mutex::new(Vec::new()));
        let probe = ServingProbe {
            server: cell.clone(),
            violations: violations.clone(),
        };
        let server = Arc::new(
            start_server(
                move |_r: TcpReader, w: TcpWriter| {
                    let _keep = &probe;
                    async move {
                        w.write(b"hi\n")?;
                        w.drain().await
                    }
                },
                "127.0.0.1:0",
            )
            .await?,
        );
        let addr = server.local_addr()?;
        cell.set((Arc::downgrade(&server), addr)).unwrap();
        // A connection served: the accept loop has run and waits for the next one (a loop
        // cancelled before it ever ran is dropped differently).
        let (mut reader, _writer) = open_connection(addr).await?;
        assert_eq!(reader.readline().await?, b"hi\n");
        server.close();
        server.wait_closed().await;
        assert_refused(TcpStream::connect(addr).await, "after wait_closed");
        let violations = violations.lock().unwrap();
        assert!(violations.is_empty(), "{violations:?}");
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------
// close_clients, abort_clients.

async fn close_clients_ends_readline<T: Transport>() -> io::Result<()> {
    const N: usize = 3;
    let transport = T::new();
    let (ready_tx, mut ready) = unbounded();
    let (tx, mut outcomes) = unbounded();
    let server = transport
        .start(move |mut r, w| {
            let (ready_tx, tx) = (ready_tx.clone(), tx.clone());
            async move {
                let _ = ready_tx.send(());
                let line = r.readline().await.map_err(|e| e.to_string());
                // Writing fails too: the socket is shut down both ways.
                let write = match w.write(b"late\n") {
                    Ok(()) => w.drain().await,
                    Err(e) => Err(e),
                };
                let _ = tx.send((line, write.is_err()));
            }
        })
        .await?;
    let target = transport.target(&server);
    let mut clients = Vec::new();
    for _ in 0..N {
        clients.push(T::connect(target.clone()).await?);
    }
    for _ in 0..N {
        ready.recv().await.expect("a handler started");
    }
    assert_eq!(server.connections(), N);

    server.close();
    server.close_clients();
    server.wait_closed().await;
    assert_eq!(server.connections(), 0);
    for _ in 0..N {
        let (line, write_failed) = outcomes.recv().await.expect("a handler finished");
        assert_eq!(line, Ok(Vec::new()), "readline gives end of file");
        assert!(write_failed, "a write after close_clients succeeded");
    }
    // The clients see the end of the stream too.
    for (mut reader, _writer) in clients {
        assert_eq!(reader.readline().await?, b"");
    }
    Ok(())
}

#[test]
fn close_clients_gives_handlers_in_readline_end_of_file() {
    on_both("close_clients", close_clients_ends_readline::<Tcp>);
}

#[test]
fn unix_close_clients_gives_handlers_in_readline_end_of_file() {
    on_both("unix close_clients", close_clients_ends_readline::<Unix>);
}

async fn abort_clients_cancels_stuck_handlers<T: Transport>() -> io::Result<()> {
    const N: usize = 4;
    let transport = T::new();
    let dropped = Arc::new(AtomicUsize::new(0));
    let completed = Arc::new(AtomicUsize::new(0));
    let (d, c) = (dropped.clone(), completed.clone());
    let server = transport
        .start(move |r, w| {
            let guard = DropGuard(d.clone());
            let completed = c.clone();
            async move {
                let _guard = guard;
                let _conn = (r, w);
                std::future::pending::<()>().await; // stuck for good
                completed.fetch_add(1, SeqCst);
            }
        })
        .await?;
    let target = transport.target(&server);
    let mut clients = Vec::new();
    for _ in 0..N {
        clients.push(T::connect(target.clone()).await?);
    }
    until(|| server.connections() == N).await;

    server.close();
    assert_eq!(server.abort_clients(), N);
    server.wait_closed().await;
    // Every handler was dropped, its destructors run, before wait_closed returned.
    assert_eq!(dropped.load(SeqCst), N);
    assert_eq!(completed.load(SeqCst), 0);
    assert_eq!(server.connections(), 0);
    assert_eq!(server.abort_clients(), 0, "nothing left to abort");
    // Their connections are closed.
    for (mut reader, _writer) in clients {
        assert_eq!(reader.read_to_end().await?, b"");
    }
    Ok(())
}

#[test]
fn abort_clients_cancels_stuck_handlers_and_runs_their_destructors() {
    on_both("abort_clients", abort_clients_cancels_stuck_handlers::<Tcp>);
}

#[test]
fn unix_abort_clients_cancels_stuck_handlers_and_runs_their_destructors() {
    on_both(
        "unix abort_clients",
        abort_clients_cancels_stuck_handlers::<Unix>,
    );
}

// ---------------------------------------------------------------------------------------
// shutdown(grace), on the virtual clock.

/// A server whose handler reads one line — `quick` or `stuck` — reports it is ready, waits
/// for `go`, then finishes after a second (`quick`) or never (`stuck`). Counts handlers that
/// finished and handlers dropped.
struct GraceServer {
    server: Server,
    go: Arc<corio_sync::Event>,
    finished: Arc<AtomicUsize>,
    dropped: Arc<AtomicUsize>,
    clients: Vec<(TcpReader, TcpWriter)>,
}

const QUICK: Duration = Duration::from_secs(1);

async fn grace_server(kinds: &[&str]) -> io::Result<GraceServer> {
    let go = Arc::new(corio_sync::Event::new());
    let finished = Arc::new(AtomicUsize::new(0));
    let dropped = Arc::new(AtomicUsize::new(0));
    let (ready_tx, mut ready) = unbounded();
    let (g, f, d) = (go.clone(), finished.clone(), dropped.clone());
    let server = start_server(
        move |mut r: TcpReader, _w: TcpWriter| {
            let guard = DropGuard(d.clone());
            let (go, finished, ready_tx) = (g.clone(), f.clone(), ready_tx.clone());
            async move {
                let _guard = guard;
                let kind = r.readline().await?;
                let _ = ready_tx.send(());
                // No timer runs before `go`: the virtual clock cannot jump while the
                // connections are being set up.
                go.wait().await;
                match &kind[..] {
                    b"quick\n" => corio::sleep(QUICK).await,
                    _ => std::future::pending().await,
                }
                finished.fetch_add(1, SeqCst);
                io::Result::Ok(())
            }
        },
        "127.0.0.1:0",
    )
    .await?;
    let addr = server.local_addr()?;
    let mut clients = Vec::new();
    for kind in kinds {
        let (reader, writer) = open_connection(addr).await?;
        writer.write(format!("{kind}\n").as_bytes())?;
        writer.drain().await?;
        clients.push((reader, writer));
    }
    for _ in kinds {
        ready.recv().await.expect("a handler is ready");
    }
    assert_eq!(server.connections(), kinds.len());
    Ok(GraceServer {
        server,
        go,
        finished,
        dropped,
        clients,
    })
}

#[test]
fn shutdown_aborts_nothing_when_the_handlers_finish_within_the_grace_period() {
    on_virtual_clock("shutdown, all in time", || async {
        let s = grace_server(&["quick", "quick", "quick"]).await?;
        s.go.set();
        let t0 = corio::time::now();
        assert_eq!(s.server.shutdown(Duration::from_secs(10)).await, 0);
        // It returned as the handlers finished, not at the end of the grace period.
        assert_eq!(corio::time::now() - t0, QUICK);
        assert_eq!(s.finished.load(SeqCst), 3);
        assert_eq!(s.dropped.load(SeqCst), 3);
        assert_eq!(s.server.connections(), 0);
        assert!(!s.server.is_serving());
        for (mut reader, _writer) in s.clients {
            assert_eq!(reader.read_to_end().await?, b"");
        }
        Ok(())
    });
}

#[test]
fn shutdown_aborts_the_handlers_still_running_after_the_grace_period() {
    on_virtual_clock("shutdown, some stuck", || async {
        let grace = Duration::from_secs(5);
        let s = grace_server(&["quick", "stuck", "quick", "stuck", "stuck"]).await?;
        s.go.set();
        let t0 = corio::time::now();
        assert_eq!(s.server.shutdown(grace).await, 3, "the stuck handlers");
        assert_eq!(corio::time::now() - t0, grace);
        assert_eq!(s.finished.load(SeqCst), 2, "the quick handlers finished");
        assert_eq!(s.dropped.load(SeqCst), 5, "every handler's destructors ran");
        assert_eq!(s.server.connections(), 0);
        assert!(!s.server.is_serving());
        for (mut reader, _writer) in s.clients {
            assert_eq!(reader.read_to_end().await?, b"");
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------
// Failing handlers.

/// Echoes lines; `fail` makes it return an error, `panic` makes it panic.
async fn fragile(mut r: TcpReader, w: TcpWriter) -> io::Result<()> {
    loop {
        let line = r.readline().await?;
        match &line[..] {
            b"" => return Ok(()),
            b"fail\n" => return Err(io::Error::other("asked to fail")),
            b"panic\n" => panic!("asked to panic"),
            _ => {
                w.write(&line)?;
                w.drain().await?;
            }
        }
    }
}

async fn failing_handlers() -> io::Result<()> {
    let server = start_server(fragile, "127.0.0.1:0").await?;
    let addr = server.local_addr()?;
    let (mut ra, wa) = open_connection(addr).await?;
    round_trip(&mut ra, &wa, b"a, first\n").await?;
    for bad in [&b"fail\n"[..], b"panic\n"] {
        let (mut rb, wb) = open_connection(addr).await?;
        round_trip(&mut rb, &wb, b"b, first\n").await?;
        wb.write(bad)?;
        wb.drain().await?;
        // That connection is closed...
        assert_eq!(rb.read_to_end().await?, b"");
        until(|| server.connections() == 1).await;
        // ...and the other one is served as before.
        round_trip(&mut ra, &wa, b"a, still\n").await?;
    }
    // The server still accepts.
    assert!(server.is_serving());
    let (mut rc, wc) = open_connection(addr).await?;
    round_trip(&mut rc, &wc, b"c\n").await?;
    drop((rc, wc));
    wa.write_eof().await?;
    server.close();
    server.wait_closed().await;
    Ok(())
}

#[test]
fn a_failing_or_panicking_handler_is_reported_and_does_not_disturb_the_others() {
    const NAME: &str = "a_failing_or_panicking_handler_is_reported_and_does_not_disturb_the_others";
    if common::is_child(NAME) {
        on_both("failing handlers", failing_handlers);
        return;
    }
    // The reports go to standard error: run the scenario in a child process to read them.
    let out = common::run_child(NAME, Duration::from_secs(60));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the child failed ({}): {stdout}\n{stderr}",
        out.status
    );
    assert!(
        stdout.contains("1 passed"),
        "the child ran no test: {stdout}"
    );
    // Once per scheduler.
    assert_eq!(
        stderr
            .matches("corio-net: a connection handler failed: asked to fail")
            .count(),
        2,
        "{stderr}"
    );
    // "task 17 "corio-net connection" (spawned at …) panicked and nobody awaited it: …"
    let reports = stderr
        .lines()
        .filter(|l| l.contains("\"corio-net connection\" (spawned at "))
        .filter(|l| l.ends_with("panicked and nobody awaited it: asked to panic"))
        .count();
    assert_eq!(reports, 2, "{stderr}");
}

// ---------------------------------------------------------------------------------------
// serve() with a listener built by hand.

fn reuseport_listener(addr: SocketAddr) -> io::Result<corio_net::TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseport(true)?;
    socket.bind(addr)?;
    socket.listen(128)
}

#[test]
fn serve_shares_a_port_between_two_servers_with_reuseport() {
    on_both("serve, reuseport", || async {
        let first = reuseport_listener("127.0.0.1:0".parse().unwrap())?;
        let addr = first.local_addr()?;
        let second = reuseport_listener(addr)?;
        let named = |name: &'static [u8]| {
            move |_r: TcpReader, w: TcpWriter| async move {
                w.write(name)?;
                w.drain().await
            }
        };
        let a = serve(first, named(b"a\n"))?;
        let b = serve(second, named(b"b\n"))?;
        assert_eq!(a.local_addr()?, addr);
        assert_eq!(b.local_addr()?, addr);

        // The kernel spreads connections over both (by a hash of the addresses: with 64
        // client ports, all on one server has a chance of 2^-63).
        let mut seen: HashMap<Vec<u8>, usize> = HashMap::new();
        for _ in 0..64 {
            let (mut reader, _writer) = open_connection(addr).await?;
            *seen.entry(reader.readline().await?).or_default() += 1;
        }
        assert!(
            seen.len() == 2 && seen.values().sum::<usize>() == 64,
            "{seen:?}"
        );

        // One closes: the other takes every connection.
        a.close();
        a.wait_closed().await;
        for _ in 0..16 {
            let (mut reader, _writer) = open_connection(addr).await?;
            assert_eq!(reader.readline().await?, b"b\n");
        }
        b.close();
        b.wait_closed().await;
        assert_refused(open_connection(addr).await, "both closed");
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------
// Bad input.

/// What the handler of the never-ending line saw.
#[derive(Debug, Default)]
struct Overrun {
    first_overran: bool,
    buffered_after_first: usize,
    overruns: usize,
    consumed: usize,
    peak: usize,
    tail: usize,
}

#[test]
fn a_line_that_never_ends_overruns_the_limit_and_the_buffer_stays_bounded() {
    on_both("never a newline", || async {
        const JUNK: usize = 4 << 20;
        const ONE_READ: usize = 64 * 1024;
        let limit = corio_net::streams::DEFAULT_LIMIT;
        let (tx, mut rx) = unbounded();
        let server = start_server(
            move |mut r: TcpReader, w: TcpWriter| {
                let tx = tx.clone();
                async move {
                    let mut seen = Overrun::default();
                    // readline fails, and drops what it buffered.
                    let first = r.readline().await;
                    seen.first_overran = matches!(first, Err(ReadError::LimitOverrun(_)));
                    seen.buffered_after_first = r.buffer().len();
                    // readuntil fails the same way but leaves the buffer as it was: what it
                    // holds then is the most the reader buffered for the call.
                    let tail = loop {
                        match r.readuntil(b"\n").await {
                            Ok(tail) => break tail,
                            Err(ReadError::LimitOverrun(e)) => {
                                seen.overruns += 1;
                                seen.peak = seen.peak.max(r.buffer().len());
                                seen.consumed += r.read(e.consumed).await?.len();
                            }
                            Err(e) => return Err(e.into()),
                        }
                    };
                    seen.tail = tail.len();
                    // Past the overlong line, the connection goes on.
                    let line = r.readline().await?;
                    let _ = tx.send(seen);
                    w.write(&line)?;
                    w.drain().await
                }
            },
            "127.0.0.1:0",
        )
        .await?;
        let (mut reader, writer) = open_connection(server.local_addr()?).await?;
        let chunk = vec![b'x'; 64 * 1024];
        for _ in 0..JUNK / chunk.len() {
            writer.write(&chunk)?;
            writer.drain().await?;
        }
        writer.write(b"\nhello\n")?;
        writer.drain().await?;
        assert_eq!(reader.readline().await?, b"hello\n");

        let seen = rx.recv().await.expect("the handler reported");
        assert!(seen.first_overran, "{seen:?}");
        assert!(seen.buffered_after_first <= limit + ONE_READ, "{seen:?}");
        // Every byte of the line is accounted for: dropped by the first readline, skipped
        // after a readuntil overrun, or returned with the newline.
        let first_call = JUNK - seen.consumed - (seen.tail - 1);
        assert!(
            first_call > limit && first_call <= limit + ONE_READ,
            "readline buffered {first_call} bytes: {seen:?}"
        );
        assert!(
            seen.peak > limit && seen.peak <= limit + ONE_READ,
            "readuntil buffered {} bytes: {seen:?}",
            seen.peak
        );
        assert!(
            seen.overruns >= (JUNK - first_call) / (limit + ONE_READ),
            "{seen:?}"
        );
        server.close();
        server.wait_closed().await;
        Ok(())
    });
}

#[test]
fn a_peer_resetting_mid_write_fails_the_handlers_drain() {
    on_both("reset under the handler's writes", || async {
        const CAP: usize = 256 << 20;
        let (tx, mut rx) = unbounded();
        let server = start_server(
            move |_r: TcpReader, w: TcpWriter| {
                let tx = tx.clone();
                async move {
                    let chunk = vec![7; 64 * 1024];
                    let mut sent = 0;
                    let err = loop {
                        if sent >= CAP {
                            break None;
                        }
                        if let Err(e) = w.write(&chunk) {
                            break Some(e);
                        }
                        if let Err(e) = w.drain().await {
                            break Some(e);
                        }
                        sent += chunk.len();
                    };
                    // The error sticks.
                    let again = w.drain().await.err().map(|e| e.kind());
                    let _ = tx.send((sent, err.map(|e| e.kind()), again));
                }
            },
            "127.0.0.1:0",
        )
        .await?;
        let addr = server.local_addr()?;
        let (mut reader, writer) = open_connection(addr).await?;
        // The handler is writing; the client reads one byte and resets the connection.
        reader.readexactly(1).await?;
        writer.with_inner(|w| w.get_ref().set_linger(Some(Duration::ZERO)))?;
        drop((reader, writer));

        let (sent, err, again) = rx.recv().await.expect("the handler finished");
        let reset = |k: Option<ErrorKind>| {
            matches!(k, Some(ErrorKind::ConnectionReset | ErrorKind::BrokenPipe))
        };
        assert!(reset(err), "drain gave {err:?} after {sent} bytes");
        assert!(reset(again), "a second drain gave {again:?}");
        assert!(sent < CAP);
        // The server is unharmed.
        until(|| server.connections() == 0).await;
        server.close();
        server.wait_closed().await;
        Ok(())
    });
}

/// The client half-closes; the server reads to the end and still answers, and the client
/// reads the answer.
async fn half_close<T: Transport>() -> io::Result<()> {
    let transport = T::new();
    let server = transport
        .start(|mut r, w| async move {
            let data = r.read_to_end().await?;
            assert!(r.at_eof());
            let lines = data.iter().filter(|&&b| b == b'\n').count();
            w.write(format!("got {} bytes in {lines} lines\n", data.len()).as_bytes())?;
            w.drain().await?;
            w.close();
            w.wait_closed().await
        })
        .await?;
    let (mut reader, writer) = T::connect(transport.target(&server)).await?;
    writer.write(b"one\ntwo\nthree\ntail")?;
    writer.write_eof().await?;
    // Writing is over for the client...
    let late = writer.write(b"more").unwrap_err();
    assert_eq!(late.kind(), ErrorKind::BrokenPipe);
    // ...reading is not.
    assert_eq!(reader.readline().await?, b"got 18 bytes in 3 lines\n");
    assert_eq!(reader.read_to_end().await?, b"");
    assert!(reader.at_eof());
    server.close();
    server.wait_closed().await;
    Ok(())
}

#[test]
fn a_half_closed_connection_still_gets_its_answer() {
    on_both("half-close", half_close::<Tcp>);
}

#[test]
fn a_half_closed_unix_connection_still_gets_its_answer() {
    on_both("unix half-close", half_close::<Unix>);
}

#[test]
fn readexactly_at_end_of_file_in_a_handler_gives_the_partial_bytes() {
    on_both("readexactly at EOF", || async {
        let (tx, mut rx) = unbounded();
        let server = start_server(
            move |mut r: TcpReader, w: TcpWriter| {
                let tx = tx.clone();
                async move {
                    let res = r.readexactly(10).await;
                    let reply = match &res {
                        Err(ReadError::IncompleteRead(e)) => {
                            format!("partial {}\n", e.partial.len())
                        }
                        _ => "unexpected\n".to_owned(),
                    };
                    let incomplete = res.err().and_then(ReadError::into_incomplete_read);
                    let _ = tx.send((incomplete, r.at_eof()));
                    w.write(reply.as_bytes())?;
                    w.drain().await
                }
            },
            "127.0.0.1:0",
        )
        .await?;
        let (mut reader, writer) = open_connection(server.local_addr()?).await?;
        writer.write(b"12345")?;
        writer.write_eof().await?;
        assert_eq!(reader.readline().await?, b"partial 5\n");
        let (incomplete, at_eof) = rx.recv().await.expect("the handler reported");
        assert_eq!(
            incomplete,
            Some(IncompleteReadError {
                partial: b"12345".to_vec(),
                expected: Some(10),
            })
        );
        assert!(at_eof);
        server.close();
        server.wait_closed().await;
        Ok(())
    });
}
