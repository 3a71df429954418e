//! `accept` when the process is out of descriptors (`EMFILE`): the listener reports the
//! error, leaves the connections queued, and accepts them once descriptors are freed — also
//! when the error met an accept that was waiting for readiness (an edge-triggered reactor
//! must not forget that the listener is still readable).
//!
//! A test binary of its own: it lowers the process-wide `RLIMIT_NOFILE`.

mod common;

use std::io;
use std::net::SocketAddr;
use std::pin::pin;

use common::{LIMIT, LoweredLimit, exhaust, highest_fd, listen_queue, nofile, wait_readable};
use corio_net::{TcpListener, TcpSocket};
use futures_lite::{AsyncReadExt, AsyncWriteExt, StreamExt, future};

#[track_caller]
fn assert_emfile<T>(res: io::Result<T>, what: &str) {
    match res {
        Ok(_) => panic!("{what}: accepted although out of descriptors"),
        Err(e) => assert_eq!(e.raw_os_error(), Some(libc::EMFILE), "{what}: {e}"),
    }
}

/// Queued connections, the descriptor table full, accept fails; some descriptors freed,
/// accept takes the queued connections.
async fn scenario() -> io::Result<()> {
    const PENDING: usize = 4;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let mut clients = Vec::new();
    for _ in 0..PENDING {
        clients.push(std::net::TcpStream::connect_timeout(&addr, LIMIT)?);
    }
    // Made before the table fills: connecting it needs no new descriptor.
    let late_client = TcpSocket::new_v4()?;
    wait_readable(&listener);

    let limit = LoweredLimit::to(highest_fd() + 1 + 16);
    let mut fillers = exhaust()?;
    assert!(
        fillers.len() >= PENDING,
        "room for {} fillers only",
        fillers.len()
    );

    // 1. Connections are queued; accept fails, again and again, without waiting.
    for attempt in 0..3 {
        assert_emfile(listener.accept().await, &format!("accept #{attempt}"));
    }
    assert_emfile(
        listener.incoming().next().await.expect("never ends"),
        "incoming",
    );
    // The kernel kept the connections queued: nothing was lost.
    let queued = listen_queue(&listener).0 as usize;
    assert!(queued >= 1, "the queued connections are gone");

    // 2. Descriptors freed: the queued connections are accepted.
    fillers.truncate(fillers.len() - PENDING);
    let mut peers = Vec::new();
    for _ in 0..PENDING {
        let (mut conn, peer) = listener.accept().await?;
        conn.write_all(b"welcome").await?;
        peers.push(peer);
        drop(conn);
    }
    let mut want: Vec<SocketAddr> = clients
        .iter()
        .map(std::net::TcpStream::local_addr)
        .collect::<io::Result<_>>()?;
    peers.sort();
    want.sort();
    assert_eq!(peers, want, "every pending connection was accepted, once");
    for c in &mut clients {
        let mut buf = [0; 7];
        io::Read::read_exact(c, &mut buf)?;
        assert_eq!(&buf, b"welcome");
    }
    assert_eq!(listen_queue(&listener).0, 0);

    // 3. An accept *waiting* for readiness meets EMFILE when a connection arrives; after
    //    that the listener must still count as readable (no new edge will come: the
    //    connection is already queued), so the next accept, with room, takes it.
    //    (With the table already full, accept(2) fails at once even with an empty queue:
    //    the accept starts waiting first, with room, and the table fills afterwards.)
    let mut accept = pin!(listener.accept());
    assert!(
        future::poll_once(&mut accept).await.is_none(),
        "nothing queued yet"
    );
    let mut fillers2 = exhaust()?;
    let (accepted, connected) = future::zip(accept, late_client.connect(addr)).await;
    assert_emfile(accepted, "a waiting accept");
    let mut late = connected?;
    fillers2.pop();
    let (mut conn, peer) = listener.accept().await?;
    assert_eq!(peer, late.local_addr()?);
    conn.write_all(b"late but in").await?;
    let mut buf = [0; 11];
    late.read_exact(&mut buf).await?;
    assert_eq!(&buf, b"late but in");

    drop((fillers, fillers2));
    drop(limit);
    Ok(())
}

#[test]
fn accept_reports_emfile_and_recovers_when_descriptors_are_freed() {
    // Runtimes (their epoll and eventfd descriptors) are made before the limit is lowered.
    let ct = common::current_thread();
    if let Err(e) = ct.block_on(common::bounded("emfile", scenario())) {
        panic!("under the current-thread runtime: {e}");
    }
    drop(ct);
    let mt = common::multi_thread();
    let task = mt
        .spawn(common::bounded("emfile", scenario()))
        .expect("the runtime runs");
    match mt.block_on(task) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("under the multi-thread runtime: {e}"),
        Err(e) => panic!("under the multi-thread runtime: the task failed: {e}"),
    }
    // The limit is back where it was.
    assert!(nofile().rlim_cur > highest_fd() + 100);
}
