//! Host names: resolved on the blocking pool (`getaddrinfo` blocks), literals in place, and
//! the loop keeps running while a lookup is in flight.

mod common;

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use common::{LIMIT, on_both};
use corio_net::{TcpListener, TcpStream, UdpSocket, lookup_host};
use futures_lite::{AsyncReadExt, AsyncWriteExt};

fn all_loopback(addrs: &[SocketAddr], port: u16) -> bool {
    !addrs.is_empty()
        && addrs
            .iter()
            .all(|a| a.ip().is_loopback() && a.port() == port)
}

#[test]
fn lookup_host_resolves_localhost_in_every_form() {
    on_both("lookup_host", || async {
        assert!(all_loopback(&lookup_host("localhost:80").await?, 80));
        assert!(all_loopback(&lookup_host(("localhost", 443)).await?, 443));
        assert!(all_loopback(
            &lookup_host(String::from("localhost:8080")).await?,
            8080
        ));
        assert!(all_loopback(
            &lookup_host((String::from("localhost"), 1)).await?,
            1
        ));

        // Literals come back as they are.
        let v4: SocketAddr = "127.0.0.1:80".parse().unwrap();
        assert_eq!(lookup_host("127.0.0.1:80").await?, [v4]);
        assert_eq!(lookup_host(("127.0.0.1", 80)).await?, [v4]);
        assert_eq!(lookup_host((Ipv4Addr::LOCALHOST, 80)).await?, [v4]);
        assert_eq!(
            lookup_host((IpAddr::from(Ipv4Addr::LOCALHOST), 80)).await?,
            [v4]
        );
        assert_eq!(lookup_host(v4).await?, [v4]);
        let v6: SocketAddr = "[::1]:80".parse().unwrap();
        assert_eq!(lookup_host("[::1]:80").await?, [v6]);
        assert_eq!(lookup_host(&[v4, v6][..]).await?, [v4, v6]);
        Ok(())
    });
}

#[test]
fn connect_and_bind_by_host_name() {
    on_both("connect(localhost)", || async {
        let listener = TcpListener::bind("localhost:0").await?;
        let addr = listener.local_addr()?;
        assert!(addr.ip().is_loopback());
        let port = addr.port();

        // localhost may also name ::1, where nothing listens: connect tries each address.
        let mut by_pair = TcpStream::connect(("localhost", port)).await?;
        let by_string = TcpStream::connect(format!("localhost:{port}")).await?;
        assert_eq!(by_pair.peer_addr()?, addr);
        assert_eq!(by_string.peer_addr()?, addr);

        let (mut a, _) = listener.accept().await?;
        let (b, _) = listener.accept().await?;
        let mut peers = [a.peer_addr()?, b.peer_addr()?];
        let mut want = [by_pair.local_addr()?, by_string.local_addr()?];
        peers.sort();
        want.sort();
        assert_eq!(peers, want);
        if a.peer_addr()? != by_pair.local_addr()? {
            a = b;
        }
        by_pair.write_all(b"by name").await?;
        let mut buf = [0; 7];
        a.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"by name");

        let udp = UdpSocket::bind(("localhost", 0)).await?;
        assert!(udp.local_addr()?.ip().is_loopback());
        Ok(())
    });
}

#[test]
fn a_lookup_does_not_block_a_current_thread_loop() {
    // One blocking thread, held by a job that waits for the loop: the lookup queues behind
    // it and can only finish after a task *on the loop* releases the job. Resolving on the
    // loop's thread would finish before the release; blocking the loop while waiting for
    // the pool would never release it (the job gives up after the bound, and the assertion
    // below fails instead of hanging).
    let rt = corio::Builder::new()
        .current_thread()
        .max_blocking_threads(1)
        .build()
        .expect("a runtime");
    rt.block_on(async {
        let (release, gate) = mpsc::channel::<()>();
        let held = corio::task::spawn_blocking(move || gate.recv_timeout(LIMIT).is_ok());

        let released = Arc::new(AtomicBool::new(false));
        let ticks = Arc::new(AtomicUsize::new(0));
        let lookup = corio::spawn({
            let (released, ticks) = (released.clone(), ticks.clone());
            async move {
                let addrs = lookup_host(("localhost", 80)).await;
                (
                    addrs,
                    released.load(Ordering::SeqCst),
                    ticks.load(Ordering::SeqCst),
                )
            }
        });
        // Another task keeps making progress while the lookup waits…
        for _ in 0..100 {
            corio::yield_now().await;
            ticks.fetch_add(1, Ordering::SeqCst);
        }
        assert!(
            !lookup.is_finished(),
            "the lookup cannot run before the pool frees up"
        );
        // …and is the one that lets the pool go on.
        released.store(true, Ordering::SeqCst);
        release.send(()).expect("the held job waits");

        let (addrs, released_first, ticks_seen) = lookup.await.expect("the lookup task");
        assert!(all_loopback(&addrs.expect("localhost resolves"), 80));
        assert!(
            released_first,
            "the lookup finished before the loop released the pool"
        );
        assert_eq!(
            ticks_seen, 100,
            "the other task ran all its steps meanwhile"
        );
        assert!(
            held.await.expect("the held job"),
            "the held job was released, not timed out"
        );
    });
    // Nothing was left waiting.
    assert!(rt.shutdown_timeout(Duration::from_secs(5)));
}

#[test]
fn lookups_in_parallel_from_many_tasks() {
    on_both("parallel lookups", || async {
        let tasks: Vec<_> = (0..32u16)
            .map(|i| corio::spawn(async move { lookup_host(("localhost", 1000 + i)).await }))
            .collect();
        for (i, t) in tasks.into_iter().enumerate() {
            let addrs = t.await.expect("the task ran")?;
            assert!(all_loopback(&addrs, 1000 + i as u16));
        }
        io::Result::Ok(())
    });
}
