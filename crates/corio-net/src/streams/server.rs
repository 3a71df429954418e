//! [`Server`]: asyncio's `start_server` — an accept loop handing each connection, as a
//! [`StreamReader`] and a [`StreamWriter`], to a handler task — and its shutdown.
//!
//! The accept loop is a task that owns the listener; each connection runs in a task of its
//! own. The server keeps a list of the live connections (their tasks, and a weak reference
//! to their sockets) so that it can wait for them, close them (shut their sockets down:
//! handlers read end of file and their writes fail) or abort them (cancel their tasks).

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::path::Path;
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::task::{Context, Poll};
use std::time::Duration;

use corio_executor::{Builder, Task};
use event_listener::{Event, listener};

use super::{StreamReader, StreamWriter};
use crate::addr::ToSocketAddrs;
use crate::split::{OwnedReadHalf, OwnedWriteHalf};
use crate::{TcpListener, TcpStream, UnixListener, UnixStream};

/// The reading side of a TCP connection, as [`start_server`] and
/// [`open_connection`](super::open_connection) give it.
///
/// ```
/// async fn first_line(reader: &mut corio_net::TcpReader) -> std::io::Result<Vec<u8>> {
///     Ok(reader.readline().await?)
/// }
/// ```
pub type TcpReader = StreamReader<OwnedReadHalf<TcpStream>>;
/// The writing side of a TCP connection, as [`start_server`] and
/// [`open_connection`](super::open_connection) give it.
///
/// ```
/// async fn greet(writer: &corio_net::TcpWriter) -> std::io::Result<()> {
///     writer.write(b"hello\n")?;
///     writer.drain().await
/// }
/// ```
pub type TcpWriter = StreamWriter<OwnedWriteHalf<TcpStream>>;
/// The reading side of a Unix-domain connection.
///
/// ```
/// let (a, _b) = corio::run(async { corio_net::UnixStream::pair() })?;
/// let (read, _write) = a.into_split();
/// let reader: corio_net::UnixReader = corio_net::StreamReader::new(read);
/// # std::io::Result::Ok(())
/// ```
pub type UnixReader = StreamReader<OwnedReadHalf<UnixStream>>;
/// The writing side of a Unix-domain connection.
///
/// ```
/// let (a, _b) = corio::run(async { corio_net::UnixStream::pair() })?;
/// let (_read, write) = a.into_split();
/// let writer: corio_net::UnixWriter = corio_net::StreamWriter::new(write);
/// # std::io::Result::Ok(())
/// ```
pub type UnixWriter = StreamWriter<OwnedWriteHalf<UnixStream>>;

/// The first pause after an accept error that is not about one connection (out of
/// descriptors, memory or buffers); it doubles up to [`MAX_ACCEPT_PAUSE`] while the errors
/// last, so a server out of descriptors neither spins nor gives up.
const FIRST_ACCEPT_PAUSE: Duration = Duration::from_millis(10);
const MAX_ACCEPT_PAUSE: Duration = Duration::from_secs(1);

/// What a connection handler may return: nothing, or a `Result` whose error is reported on
/// standard error (asyncio logs an exception escaping `client_connected_cb` the same way).
///
/// ```
/// use corio_net::{TcpReader, TcpWriter};
///
/// async fn fallible(mut r: TcpReader, w: TcpWriter) -> std::io::Result<()> {
///     let line = r.readline().await?;
///     w.write(&line)?;
///     w.drain().await
/// }
/// # let _ = corio::run(async { corio_net::start_server(fallible, "127.0.0.1:0").await });
/// ```
pub trait HandlerOutput: Send + 'static {
    /// Reports a failure, if this is one. The server calls it with each handler's output;
    /// implement the trait for an outcome type of your own to report failures your way.
    ///
    /// ```
    /// use corio_net::HandlerOutput;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    ///
    /// static FAILED: AtomicUsize = AtomicUsize::new(0);
    ///
    /// /// A handler's outcome that is counted instead of printed.
    /// struct Counted(Result<(), String>);
    ///
    /// impl HandlerOutput for Counted {
    ///     fn report(self) {
    ///         if self.0.is_err() {
    ///             FAILED.fetch_add(1, Ordering::Relaxed);
    ///         }
    ///     }
    /// }
    ///
    /// Counted(Ok(())).report();
    /// Counted(Err("peer sent garbage".into())).report();
    /// assert_eq!(FAILED.load(Ordering::Relaxed), 1);
    /// ```
    fn report(self);
}

impl HandlerOutput for () {
    fn report(self) {}
}

impl<E: fmt::Display + Send + 'static> HandlerOutput for Result<(), E> {
    fn report(self) {
        if let Err(e) = self {
            eprintln!("corio-net: a connection handler failed: {e}");
        }
    }
}

/// A listening socket a [`Server`] can accept from: [`TcpListener`] or [`UnixListener`]
/// (see [`serve`]). Sealed: corio implements it.
///
/// ```
/// fn serves<L: corio_net::Listener>(_: &L) {}
/// corio::run(async {
///     serves(&corio_net::TcpListener::bind("127.0.0.1:0").await?);
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub trait Listener: Send + Sync + 'static + sealed::Sealed {}
impl Listener for TcpListener {}
impl Listener for UnixListener {}

mod sealed {
    use super::*;

    pub trait Sealed: std::os::fd::AsRawFd {
        type Stream: Send + Sync + 'static;
        fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<Self::Stream>>;
        /// Prepares an accepted or opened connection (asyncio sets `TCP_NODELAY`).
        fn prepare(stream: &Self::Stream) -> io::Result<()>;
        fn shutdown(stream: &Self::Stream, how: Shutdown) -> io::Result<()>;
        fn addr(&self) -> io::Result<ServerAddr>;
        /// Stops listening now: new connections are refused, queued ones reset (asyncio's
        /// `close` closes the listening socket at once; the descriptor itself closes with
        /// the accept loop).
        fn stop_listening(&self) {
            // SAFETY: `shutdown` takes a descriptor this listener keeps open for the call.
            let _ = unsafe { libc::shutdown(self.as_raw_fd(), libc::SHUT_RDWR) };
        }
        fn split(
            stream: Self::Stream,
        ) -> (OwnedReadHalf<Self::Stream>, OwnedWriteHalf<Self::Stream>);
    }

    impl Sealed for TcpListener {
        type Stream = TcpStream;
        fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<TcpStream>> {
            TcpListener::poll_accept(self, cx).map(|r| r.map(|(s, _)| s))
        }
        fn prepare(stream: &TcpStream) -> io::Result<()> {
            stream.set_nodelay(true)
        }
        fn shutdown(stream: &TcpStream, how: Shutdown) -> io::Result<()> {
            stream.shutdown(how)
        }
        fn addr(&self) -> io::Result<ServerAddr> {
            self.local_addr().map(ServerAddr::Tcp)
        }
        fn split(stream: TcpStream) -> (OwnedReadHalf<TcpStream>, OwnedWriteHalf<TcpStream>) {
            stream.into_split()
        }
    }

    impl Sealed for UnixListener {
        type Stream = UnixStream;
        fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<UnixStream>> {
            UnixListener::poll_accept(self, cx).map(|r| r.map(|(s, _)| s))
        }
        fn prepare(_: &UnixStream) -> io::Result<()> {
            Ok(())
        }
        fn shutdown(stream: &UnixStream, how: Shutdown) -> io::Result<()> {
            stream.shutdown(how)
        }
        fn addr(&self) -> io::Result<ServerAddr> {
            self.local_addr().map(ServerAddr::Unix)
        }
        fn split(stream: UnixStream) -> (OwnedReadHalf<UnixStream>, OwnedWriteHalf<UnixStream>) {
            stream.into_split()
        }
    }
}

/// Where a [`Server`] listens.
///
/// ```
/// corio::run(async {
///     let server = corio_net::start_server(|_r, _w| async {}, "127.0.0.1:0").await?;
///     match server.addr() {
///         corio_net::ServerAddr::Tcp(addr) => assert!(addr.ip().is_loopback()),
///         corio_net::ServerAddr::Unix(_) => unreachable!(),
///     }
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
#[derive(Debug, Clone)]
pub enum ServerAddr {
    /// A TCP server's address.
    Tcp(SocketAddr),
    /// A Unix-domain server's address.
    Unix(std::os::unix::net::SocketAddr),
}

/// Starts a TCP server on `addr`: every connection is handed to `handler` as a
/// [`StreamReader`] and a [`StreamWriter`], in a task of its own (asyncio's
/// `start_server(client_connected_cb, host, port)`). Connections get `TCP_NODELAY`, as in
/// asyncio. The server serves at once; [`Server::serve_forever`] waits until it is closed.
///
/// Accept errors that concern one connection (it was reset before being accepted) are
/// skipped; others — out of descriptors (`EMFILE`), memory or buffers — are reported on
/// standard error and accepting pauses (10 ms, doubling up to 1 s while they last), so the
/// server keeps serving the connections it has and never spins.
///
/// # Errors
///
/// The address cannot be resolved or bound; `Other` outside a corio runtime (the server's
/// tasks need one).
///
/// ```
/// corio::run(async {
///     // An echo server, line by line.
///     let server = corio_net::start_server(
///         |mut reader: corio_net::TcpReader, writer: corio_net::TcpWriter| async move {
///             while let Ok(line) = reader.readline().await {
///                 if line.is_empty() {
///                     break; // end of file
///                 }
///                 writer.write(&line)?;
///                 writer.drain().await?;
///             }
///             std::io::Result::Ok(())
///         },
///         "127.0.0.1:0",
///     )
///     .await?;
///
///     let addr = server.local_addr()?;
///     let (mut reader, writer) = corio_net::open_connection(addr).await?;
///     writer.write(b"hello\n")?;
///     writer.drain().await?;
///     assert_eq!(reader.readline().await?, b"hello\n");
///
///     server.close();
///     writer.close();
///     writer.wait_closed().await?;
///     server.wait_closed().await;
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn start_server<F, Fut>(handler: F, addr: impl ToSocketAddrs) -> io::Result<Server>
where
    F: Fn(TcpReader, TcpWriter) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: HandlerOutput,
{
    serve(TcpListener::bind(addr).await?, handler)
}

/// Starts a Unix-domain server on a new socket file at `path`; see [`start_server`]. The
/// socket file stays after the server closes: remove it.
///
/// # Errors
///
/// The path cannot be bound (`AddrInUse` if the file exists); `Other` outside a corio
/// runtime.
///
/// ```
/// corio::run(async {
///     let path = std::env::temp_dir().join(format!("corio-doc-srv-{}", std::process::id()));
///     let _ = std::fs::remove_file(&path);
///     let server = corio_net::start_unix_server(
///         |_reader: corio_net::UnixReader, writer: corio_net::UnixWriter| async move {
///             writer.write(b"welcome\n")?;
///             writer.drain().await
///         },
///         &path,
///     )?;
///     let (mut reader, _writer) = corio_net::open_unix_connection(&path).await?;
///     assert_eq!(reader.readline().await?, b"welcome\n");
///     server.close();
///     server.wait_closed().await;
///     std::fs::remove_file(&path)
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub fn start_unix_server<F, Fut>(handler: F, path: impl AsRef<Path>) -> io::Result<Server>
where
    F: Fn(UnixReader, UnixWriter) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: HandlerOutput,
{
    serve(UnixListener::bind(path)?, handler)
}

/// Serves connections from a listener made by hand — for options [`start_server`] does not
/// set, such as `SO_REUSEPORT` or the backlog through [`TcpSocket`](crate::TcpSocket).
///
/// # Errors
///
/// `Other` outside a corio runtime; the listener's address cannot be read.
///
/// ```
/// corio::run(async {
///     let socket = corio_net::TcpSocket::new_v4()?;
///     socket.set_reuseport(true)?;
///     socket.bind("127.0.0.1:0".parse().unwrap())?;
///     let server = corio_net::serve(socket.listen(4096)?, |_r, w: corio_net::TcpWriter| async move {
///         w.write(b"hi\n")?;
///         w.drain().await
///     })?;
///     let (mut r, _w) = corio_net::open_connection(server.local_addr()?).await?;
///     assert_eq!(r.readline().await?, b"hi\n");
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub fn serve<L, F, Fut>(listener: L, handler: F) -> io::Result<Server>
where
    L: Listener,
    F: Fn(StreamReader<OwnedReadHalf<L::Stream>>, StreamWriter<OwnedWriteHalf<L::Stream>>) -> Fut
        + Send
        + Sync
        + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: HandlerOutput,
{
    let addr = listener.addr()?;
    let listener = Arc::new(listener);
    let shared = Arc::new(Shared::default());
    {
        let mut state = shared.lock();
        state.serving = true;
        let listening: Weak<L> = Arc::downgrade(&listener);
        state.stop_listening = Some(Box::new(move || {
            if let Some(listener) = listening.upgrade() {
                listener.stop_listening();
            }
        }));
    }
    let accept = spawn(
        "corio-net accept loop",
        accept_loop(Accepting {
            listener,
            handler,
            serving: Serving(Arc::clone(&shared)),
        }),
    );
    let accept = match accept {
        Ok(task) => task,
        Err(e) => {
            shared.lock().serving = false;
            return Err(e);
        }
    };
    shared.lock().accept = Some(accept);
    Ok(Server { shared, addr })
}

fn spawn<F>(name: &str, fut: F) -> io::Result<Task<F::Output>>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    Builder::new()
        .name(name)
        .spawn(fut)
        .map_err(|e| io::Error::other(format!("a server needs a corio runtime: {e}")))
}

/// A listening server and its connections; see [`start_server`].
///
/// asyncio's shutdown vocabulary, with one addition:
///
/// * [`close`](Server::close) stops accepting at once (the listening socket is shut down;
///   connections carry on);
/// * [`wait_closed`](Server::wait_closed) waits until the server is closed *and* every
///   connection handler has finished (asyncio 3.12);
/// * [`close_clients`](Server::close_clients) shuts the connections' sockets down: handlers
///   read end of file and their writes fail, so they finish;
/// * [`abort_clients`](Server::abort_clients) cancels the handlers' tasks;
/// * [`shutdown`](Server::shutdown) is the bounded graceful shutdown: close, give the
///   handlers a grace period, then abort the rest and wait for their clean-up.
///
/// Dropping a `Server` leaves it serving (like dropping a task's handle); close it first.
///
/// ```
/// use std::time::Duration;
///
/// corio::run(async {
///     let server = corio_net::start_server(|_r, _w| async {}, "127.0.0.1:0").await?;
///     assert!(server.is_serving());
///     // Stop accepting, give the handlers a second, cancel the rest.
///     assert_eq!(server.shutdown(Duration::from_secs(1)).await, 0);
///     assert!(!server.is_serving());
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub struct Server {
    shared: Arc<Shared>,
    addr: ServerAddr,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    /// Notified when the accept loop stops and when a connection ends.
    changed: Event,
}

#[derive(Default)]
struct State {
    /// The accept loop is running (it owns the listener).
    serving: bool,
    /// `close` was called: an accept error now means the listener was shut down.
    closing: bool,
    accept: Option<Task<()>>,
    /// Shuts the listening socket down, if the accept loop still holds it.
    stop_listening: Option<Box<dyn FnOnce() + Send>>,
    next_id: u64,
    conns: HashMap<u64, Conn>,
}

/// A live connection: its handler's task (once spawned) and how to shut its socket down.
struct Conn {
    task: Option<Task<()>>,
    /// Aborted while its task was being spawned: cancel the task as soon as it is stored.
    aborted: bool,
    socket: Box<dyn Fn(Shutdown) + Send>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Plain bookkeeping: a panic elsewhere cannot leave it inconsistent.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until `done` holds for the state.
    async fn until(&self, done: impl Fn(&State) -> bool) {
        loop {
            if done(&self.lock()) {
                return;
            }
            listener!(self.changed => changed);
            if done(&self.lock()) {
                return;
            }
            changed.await;
        }
    }
}

/// Marks the accept loop stopped when it ends or is cancelled, once the listener is closed
/// (see [`Accepting`]).
struct Serving(Arc<Shared>);

impl Drop for Serving {
    fn drop(&mut self) {
        self.0.lock().serving = false;
        self.0.changed.notify(usize::MAX);
    }
}

/// Removes a connection from the list when its handler ends or is cancelled.
struct Registered {
    shared: Arc<Shared>,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.shared.lock().conns.remove(&self.id);
        self.shared.changed.notify(usize::MAX);
    }
}

/// What the accept loop owns, in one value so that it goes in one order however the loop
/// ends (cancelled before its first poll or while waiting, the parts of an `async fn` are
/// dropped in different orders). Fields drop in declaration order: the listening socket
/// closes first, then the handler goes, and only then does `serving` mark the server stopped
/// and wake `wait_closed` — so a server that says it stopped refuses connections, rather
/// than queueing them on a socket about to close (and resetting them).
struct Accepting<L, F> {
    listener: Arc<L>,
    handler: F,
    serving: Serving,
}

async fn accept_loop<L, F, Fut>(accepting: Accepting<L, F>)
where
    L: Listener,
    F: Fn(StreamReader<OwnedReadHalf<L::Stream>>, StreamWriter<OwnedWriteHalf<L::Stream>>) -> Fut
        + Send
        + Sync
        + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: HandlerOutput,
{
    let Accepting {
        listener,
        handler,
        serving,
    } = &accepting;
    let shared = &serving.0;
    let mut pause = FIRST_ACCEPT_PAUSE;
    loop {
        match std::future::poll_fn(|cx| listener.poll_accept(cx)).await {
            Ok(stream) => {
                pause = FIRST_ACCEPT_PAUSE;
                connection::<L, _, _>(stream, handler, shared);
            }
            Err(e) if about_one_connection(&e) => {}
            // The listening socket was shut down by `close`: stop without a report.
            Err(_) if shared.lock().closing => return,
            Err(e) => {
                eprintln!(
                    "corio-net: accept failed: {e}; accepting again in {} ms",
                    pause.as_millis()
                );
                corio_timer::sleep(pause).await;
                pause = (pause * 2).min(MAX_ACCEPT_PAUSE);
            }
        }
    }
}

/// Errors `accept(2)` reports for the connection it was about to return, not the listener.
fn about_one_connection(e: &io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(
            libc::ECONNABORTED
                | libc::ECONNRESET
                | libc::EINTR
                | libc::EPROTO
                | libc::EPERM
                | libc::ETIMEDOUT
                | libc::EHOSTUNREACH
                | libc::ENETUNREACH
                | libc::ENETDOWN
                | libc::EOPNOTSUPP
        )
    )
}

/// Registers an accepted connection and spawns its handler.
fn connection<L, F, Fut>(stream: L::Stream, handler: &F, shared: &Arc<Shared>)
where
    L: Listener,
    F: Fn(StreamReader<OwnedReadHalf<L::Stream>>, StreamWriter<OwnedWriteHalf<L::Stream>>) -> Fut,
    Fut: Future + Send + 'static,
    Fut::Output: HandlerOutput,
{
    if let Err(e) = L::prepare(&stream) {
        eprintln!("corio-net: dropped a new connection: {e}");
        return;
    }
    let (read, write) = L::split(stream);
    let socket: Weak<L::Stream> = read.downgrade();
    let id = {
        let mut state = shared.lock();
        let id = state.next_id;
        state.next_id += 1;
        state.conns.insert(
            id,
            Conn {
                task: None,
                aborted: false,
                socket: Box::new(move |how| {
                    if let Some(s) = socket.upgrade() {
                        let _ = L::shutdown(&s, how);
                    }
                }),
            },
        );
        id
    };
    let registered = Registered {
        shared: Arc::clone(shared),
        id,
    };
    let work = handler(StreamReader::new(read), StreamWriter::new(write));
    let task = spawn("corio-net connection", async move {
        let _registered = registered;
        work.await.report();
    });
    // On a spawn error the runtime is shutting down: the connection (and, with the dropped
    // future, its entry) are gone.
    if let Ok(task) = task {
        // Unless the handler already finished and removed its entry.
        if let Some(conn) = shared.lock().conns.get_mut(&id) {
            if conn.aborted {
                task.cancel();
            }
            conn.task = Some(task);
        }
    }
}

impl Server {
    /// Where the server listens.
    ///
    /// ```
    /// corio::run(async {
    ///     let server = corio_net::start_server(|_r, _w| async {}, "127.0.0.1:0").await?;
    ///     assert!(matches!(server.addr(), corio_net::ServerAddr::Tcp(_)));
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn addr(&self) -> &ServerAddr {
        &self.addr
    }

    /// The TCP address the server listens on (with the port the system chose for port 0).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a Unix-domain server (see [`addr`](Server::addr)).
    ///
    /// ```
    /// corio::run(async {
    ///     let server = corio_net::start_server(|_r, _w| async {}, "127.0.0.1:0").await?;
    ///     assert!(server.local_addr()?.port() != 0);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        match &self.addr {
            ServerAddr::Tcp(addr) => Ok(*addr),
            ServerAddr::Unix(_) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a Unix-domain server has no TCP address",
            )),
        }
    }

    /// Whether the server still accepts connections.
    ///
    /// ```
    /// corio::run(async {
    ///     let server = corio_net::start_server(|_r, _w| async {}, "127.0.0.1:0").await?;
    ///     assert!(server.is_serving());
    ///     server.close();
    ///     server.wait_closed().await;
    ///     assert!(!server.is_serving());
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn is_serving(&self) -> bool {
        self.shared.lock().serving
    }

    /// How many connections are being handled.
    ///
    /// ```
    /// corio::run(async {
    ///     let server = corio_net::start_server(|_r, _w| async {}, "127.0.0.1:0").await?;
    ///     assert_eq!(server.connections(), 0);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn connections(&self) -> usize {
        self.shared.lock().conns.len()
    }

    /// Stops accepting at once, as asyncio's `close` does: the listening socket is shut down
    /// (new connections are refused, those queued but not yet accepted are reset) and the
    /// accept loop is cancelled; the descriptor closes with the loop, at its next turn
    /// ([`wait_closed`](Server::wait_closed) waits for that). The connections carry on.
    /// Closing twice does nothing.
    ///
    /// ```
    /// corio::run(async {
    ///     let server = corio_net::start_server(|_r, _w| async {}, "127.0.0.1:0").await?;
    ///     let addr = server.local_addr()?;
    ///     server.close();
    ///     assert!(corio_net::TcpStream::connect(addr).await.is_err()); // refused at once
    ///     server.wait_closed().await;
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn close(&self) {
        let (accept, stop_listening) = {
            let mut state = self.shared.lock();
            state.closing = true;
            (state.accept.take(), state.stop_listening.take())
        };
        if let Some(stop_listening) = stop_listening {
            stop_listening();
        }
        if let Some(accept) = accept {
            accept.cancel();
        }
    }

    /// Shuts every connection's socket down both ways: their handlers read end of file and
    /// their writes fail, so they finish on their own (asyncio's `close_clients`). Call
    /// [`close`](Server::close) too, or new connections keep coming.
    ///
    /// ```
    /// corio::run(async {
    ///     let server = corio_net::start_server(
    ///         |mut r: corio_net::TcpReader, _w| async move {
    ///             let _ = r.read_to_end().await; // until the server closes the socket
    ///         },
    ///         "127.0.0.1:0",
    ///     )
    ///     .await?;
    ///     let (_r, _w) = corio_net::open_connection(server.local_addr()?).await?;
    ///     while server.connections() == 0 {
    ///         corio::task::yield_now().await;
    ///     }
    ///     server.close();
    ///     server.close_clients();
    ///     server.wait_closed().await;
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn close_clients(&self) {
        for conn in self.shared.lock().conns.values() {
            (conn.socket)(Shutdown::Both);
        }
    }

    /// Cancels every connection handler (asyncio's `abort_clients`); each is stopped at its
    /// next await point and its destructors run. Returns how many were cancelled.
    ///
    /// ```
    /// corio::run(async {
    ///     let server = corio_net::start_server(
    ///         |_r, _w| std::future::pending::<()>(),
    ///         "127.0.0.1:0",
    ///     )
    ///     .await?;
    ///     let (_r, _w) = corio_net::open_connection(server.local_addr()?).await?;
    ///     while server.connections() == 0 {
    ///         corio::task::yield_now().await;
    ///     }
    ///     server.close();
    ///     assert_eq!(server.abort_clients(), 1);
    ///     server.wait_closed().await;
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn abort_clients(&self) -> usize {
        let mut state = self.shared.lock();
        let mut aborted = 0;
        for conn in state.conns.values_mut() {
            let cancelled = match &conn.task {
                Some(task) => task.cancel(),
                // Still being spawned: cancelled as soon as its task is stored.
                None => !std::mem::replace(&mut conn.aborted, true),
            };
            aborted += usize::from(cancelled);
        }
        aborted
    }

    /// Waits until the server is closed and every connection handler has finished.
    ///
    /// Cancel safety: cancel safe.
    ///
    /// ```
    /// corio::run(async {
    ///     let server = corio_net::start_server(|_r, _w| async {}, "127.0.0.1:0").await?;
    ///     server.close();
    ///     server.wait_closed().await;
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn wait_closed(&self) {
        self.shared
            .until(|s| !s.serving && s.conns.is_empty())
            .await;
    }

    /// Serves until the server is closed (by [`close`](Server::close), from another task).
    /// Cancelling it closes the server, as in asyncio.
    ///
    /// Cancel safety: cancelling closes the server.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// corio::run(async {
    ///     let server = corio_net::start_server(|_r, _w| async {}, "127.0.0.1:0").await?;
    ///     // Serve for a while: the timeout cancels serve_forever, which closes the server.
    ///     let served = corio::timeout(Duration::from_millis(10), server.serve_forever()).await;
    ///     assert!(served.is_err());
    ///     server.wait_closed().await;
    ///     assert!(!server.is_serving());
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn serve_forever(&self) {
        struct CloseOnCancel<'a>(&'a Server);
        impl Drop for CloseOnCancel<'_> {
            fn drop(&mut self) {
                self.0.close();
            }
        }
        let guard = CloseOnCancel(self);
        self.shared.until(|s| !s.serving).await;
        drop(guard);
    }

    /// The bounded graceful shutdown: stops accepting, gives the connection handlers up to
    /// `grace` to finish, then cancels those still running and waits for their clean-up.
    /// Returns how many had to be cancelled.
    ///
    /// Cancel safety: cancelling stops the waiting; the server stays closed.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// corio::run(async {
    ///     let server = corio_net::start_server(
    ///         |_r, _w| std::future::pending::<()>(), // never finishes on its own
    ///         "127.0.0.1:0",
    ///     )
    ///     .await?;
    ///     let (_r, _w) = corio_net::open_connection(server.local_addr()?).await?;
    ///     while server.connections() == 0 {
    ///         corio::task::yield_now().await;
    ///     }
    ///     assert_eq!(server.shutdown(Duration::from_millis(10)).await, 1);
    ///     assert_eq!(server.connections(), 0);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn shutdown(&self, grace: Duration) -> usize {
        self.close();
        let finished = {
            let wait = pin!(self.wait_closed());
            corio_timer::timeout(grace, wait).await.is_ok()
        };
        if finished {
            return 0;
        }
        let aborted = self.abort_clients();
        self.wait_closed().await;
        aborted
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.lock();
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .field("serving", &state.serving)
            .field("connections", &state.conns.len())
            .finish()
    }
}
