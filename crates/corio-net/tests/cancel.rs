//! Cancelling a pending socket operation — `accept`, `read`, `connect`, `recv_from` — leaves
//! the socket usable, loses no data, and leaks nothing: the process has as many
//! descriptors, and the reactor as many registered sources, as before the operation.
//!
//! Each scenario runs twice: on a virtual-clock loop, cancelled by `corio::time::timeout`
//! (the clock jumps as soon as nothing else can happen: no real waiting), and on a
//! multi-thread loop, cancelled by dropping the future after one poll.
//!
//! The tests of this file count the process's descriptors, so they run one at a time.

mod common;

use std::future::Future;
use std::io;
use std::pin::pin;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use common::{LIMIT, Scratch, bounded, listen_queue, open_fds, registered_sources, wait_readable};
use corio_net::{TcpListener, TcpSocket, TcpStream, UdpSocket, UnixListener, UnixStream};
use futures_lite::{AsyncReadExt, AsyncWriteExt, future};

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[derive(Clone, Copy, Debug)]
enum Cancel {
    /// `corio::time::timeout` on a virtual clock.
    Timeout,
    /// Poll once, then drop.
    DropAfterOnePoll,
}

/// Runs `fut` until `how` cancels it; `Some` if it finished first (a test failure: every
/// operation here is one that cannot finish).
async fn cancelled<F: Future>(how: Cancel, fut: F) -> Option<F::Output> {
    match how {
        Cancel::Timeout => corio::time::timeout(Duration::from_secs(3600), fut)
            .await
            .ok(),
        Cancel::DropAfterOnePoll => future::poll_once(pin!(fut)).await,
    }
}

/// What a leak would change: the process's open descriptors and the reactor's sources.
#[derive(Debug, PartialEq, Eq)]
struct Footprint {
    fds: usize,
    sources: usize,
}

fn footprint() -> Footprint {
    Footprint {
        fds: open_fds(),
        sources: registered_sources(),
    }
}

/// Runs `scenario` on both loops (see the module's documentation), one test at a time.
fn on_both_cancels<F, Fut>(name: &str, scenario: F)
where
    F: Fn(Cancel) -> Fut,
    Fut: Future<Output = io::Result<()>> + Send + 'static,
{
    let _one_at_a_time = serial();
    let rt = common::virtual_clock();
    if let Err(e) = rt.block_on(scenario(Cancel::Timeout)) {
        panic!("{name}, cancelled by a timeout on the virtual clock: {e}");
    }
    drop(rt);

    let rt = common::multi_thread();
    let fut = scenario(Cancel::DropAfterOnePoll);
    let owned = name.to_owned();
    let task = rt
        .spawn(async move { bounded(&owned, fut).await })
        .expect("the runtime runs");
    match rt.block_on(task) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("{name}, dropped after one poll on the multi-thread loop: {e}"),
        Err(e) => panic!("{name}: the task failed: {e}"),
    }
}

#[test]
fn a_cancelled_accept_leaves_the_listener_usable() {
    on_both_cancels("accept", |how| async move {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let before = footprint();
        assert!(cancelled(how, listener.accept()).await.is_none());
        assert_eq!(footprint(), before, "cancelling accept leaked");

        // A connection made after the cancellation is accepted as usual.
        let c1 = TcpStream::connect(listener.local_addr()?).await?;
        let (s1, peer) = listener.accept().await?;
        assert_eq!(peer, c1.local_addr()?);
        drop((c1, s1));
        Ok(())
    });
}

#[test]
fn a_cancelled_unix_accept_leaves_the_listener_usable() {
    on_both_cancels("unix accept", |how| async move {
        let dir = Scratch::new("cancel");
        let path = dir.join("s");
        let listener = UnixListener::bind(&path)?;
        let before = footprint();
        assert!(cancelled(how, listener.accept()).await.is_none());
        assert_eq!(footprint(), before, "cancelling accept leaked");
        let mut client = UnixStream::connect(&path).await?;
        let (mut server, _) = listener.accept().await?;
        client.write_all(b"ok").await?;
        let mut buf = [0; 2];
        server.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"ok");
        Ok(())
    });
}

#[test]
fn a_cancelled_read_loses_no_data() {
    on_both_cancels("read", |how| async move {
        let (mut client, server) = common::tcp_pair().await?;
        let before = footprint();
        let mut buf = [0; 64];
        {
            let mut reader = &server;
            assert!(cancelled(how, reader.read(&mut buf)).await.is_none());
        }
        assert_eq!(footprint(), before, "cancelling read leaked");

        // Everything sent afterwards is read, from the first byte.
        client.write_all(b"after the cancel").await?;
        let mut got = [0; 16];
        (&server).read_exact(&mut got).await?;
        assert_eq!(&got, b"after the cancel");

        // Also with the read half of a split stream.
        let (mut read, write) = server.into_split();
        assert!(cancelled(how, read.read(&mut buf)).await.is_none());
        client.write_all(b"half").await?;
        let mut four = [0; 4];
        read.read_exact(&mut four).await?;
        assert_eq!(&four, b"half");
        drop(write);
        Ok(())
    });
}

#[test]
fn a_cancelled_connect_closes_its_socket() {
    on_both_cancels("connect", |how| async move {
        // A listener whose accept queue is full: backlog 0 queues one connection, and the
        // kernel drops the SYNs of the next ones, so their connect stays pending.
        let socket = TcpSocket::new_v4()?;
        socket.bind("127.0.0.1:0".parse().unwrap())?;
        let listener = socket.listen(0)?;
        let addr = listener.local_addr()?;
        let filler = std::net::TcpStream::connect_timeout(&addr, LIMIT)?;
        wait_readable(&listener);
        assert_eq!(listen_queue(&listener), (1, 0), "the queue is full");

        let before = footprint();
        assert!(cancelled(how, TcpStream::connect(addr)).await.is_none());
        assert_eq!(footprint(), before, "cancelling connect leaked its socket");
        let socket = TcpSocket::new_v4()?;
        let before = footprint();
        assert!(cancelled(how, socket.connect(addr)).await.is_none());
        assert_eq!(
            footprint().sources,
            before.sources,
            "TcpSocket::connect left a source"
        );
        assert_eq!(
            footprint().fds + 1,
            before.fds,
            "TcpSocket::connect's fd closed"
        );

        // The listener is fine: it hands out the queued connection, then takes new ones —
        // and none of the abandoned attempts ever shows up.
        let (_s, peer) = listener.accept().await?;
        assert_eq!(peer, filler.local_addr()?);
        let c = TcpStream::connect(addr).await?;
        let (_s2, peer) = listener.accept().await?;
        assert_eq!(peer, c.local_addr()?);
        Ok(())
    });
}

#[test]
fn a_cancelled_recv_from_loses_no_datagram() {
    on_both_cancels("recv_from", |how| async move {
        let a = UdpSocket::bind("127.0.0.1:0").await?;
        let b = UdpSocket::bind("127.0.0.1:0").await?;
        let before = footprint();
        let mut buf = [0; 16];
        assert!(cancelled(how, b.recv_from(&mut buf)).await.is_none());
        assert!(cancelled(how, b.peek_from(&mut buf)).await.is_none());
        assert_eq!(footprint(), before, "cancelling recv_from leaked");
        a.send_to(b"kept", b.local_addr()?).await?;
        let (n, from) = b.recv_from(&mut buf).await?;
        assert_eq!((&buf[..n], from), (&b"kept"[..], a.local_addr()?));
        Ok(())
    });
}

#[test]
fn dropping_sockets_deregisters_and_closes_them() {
    on_both_cancels("drop", |_| async move {
        let before = footprint();
        {
            let (c, s) = common::tcp_pair().await?;
            let u = UdpSocket::bind("127.0.0.1:0").await?;
            let (x, y) = UnixStream::pair()?;
            let (r, w) = c.into_split();
            assert!(footprint().sources > before.sources);
            drop((r, w, s, u, x, y));
        }
        assert_eq!(footprint(), before);
        Ok(())
    });
}
