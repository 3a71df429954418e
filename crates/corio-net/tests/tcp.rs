//! TCP over loopback: connecting, accepting, echoing, splitting, half-closing, peeking, the
//! listener's stream of connections and the socket options — each scenario under both
//! schedulers.

mod common;

use std::io::{self, ErrorKind};
use std::net::{Ipv6Addr, Shutdown, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use common::{expect_err, listen_queue, on_both, pattern, tcp_pair};
use corio_net::{TcpListener, TcpSocket, TcpStream};
use futures_lite::{AsyncReadExt, AsyncWriteExt, StreamExt, future};

#[test]
fn connect_accept_and_echo() {
    on_both("echo", || async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        assert!(addr.ip().is_loopback() && addr.port() != 0);
        let server = corio::spawn(async move {
            let (mut conn, peer) = listener.accept().await?;
            assert_eq!(conn.peer_addr()?, peer);
            assert_eq!(conn.local_addr()?, addr);
            let mut buf = vec![0; 64 * 1024];
            loop {
                let n = conn.read(&mut buf).await?;
                if n == 0 {
                    return io::Result::Ok(());
                }
                conn.write_all(&buf[..n]).await?;
            }
        });
        let mut client = TcpStream::connect(addr).await?;
        assert_eq!(client.peer_addr()?, addr);
        // Big enough that the echo has to flow while we are still writing.
        let data = pattern(1 << 20);
        let (mut rd, mut wr) = (&client, &client);
        let (wrote, got) = future::zip(
            async {
                wr.write_all(&data).await?;
                wr.close().await // half-close: the server sees end of file and finishes
            },
            async {
                let mut got = Vec::new();
                rd.read_to_end(&mut got).await?;
                io::Result::Ok(got)
            },
        )
        .await;
        wrote?;
        assert!(got? == data, "the echo differs from what was sent");
        server.await.unwrap()?;
        client.flush().await
    });
}

#[test]
fn owned_halves_work_from_different_tasks() {
    on_both("into_split", || async {
        let (client, mut server) = tcp_pair().await?;
        let (mut read, mut write) = client.into_split();
        assert_eq!(read.get_ref().peer_addr()?, server.local_addr()?);
        assert_eq!(write.get_ref().local_addr()?, server.peer_addr()?);

        let data = pattern(256 * 1024);
        let to_send = data.clone();
        let writer = corio::spawn(async move {
            write.write_all(&to_send).await?;
            io::Result::Ok(write)
        });
        let reader = corio::spawn(async move {
            let mut got = vec![0; 256 * 1024];
            read.read_exact(&mut got).await?;
            io::Result::Ok((read, got))
        });
        // The server echoes what the writer task sends to the reader task.
        let mut buf = vec![0; 256 * 1024];
        server.read_exact(&mut buf).await?;
        server.write_all(&buf).await?;

        let write = writer.await.unwrap()?;
        let (read, got) = reader.await.unwrap()?;
        assert!(got == data);

        // Back together, the stream works as one again.
        let mut client = read.reunite(write).expect("halves of one stream");
        client.write_all(b"whole").await?;
        let mut five = [0; 5];
        server.read_exact(&mut five).await?;
        assert_eq!(&five, b"whole");
        Ok(())
    });
}

#[test]
fn reunite_refuses_halves_of_different_streams_and_gives_them_back() {
    on_both("reunite", || async {
        let (a, _a_peer) = tcp_pair().await?;
        let (b, _b_peer) = tcp_pair().await?;
        let (a_addr, b_addr) = (a.local_addr()?, b.local_addr()?);
        let (a_read, a_write) = a.into_split();
        let (b_read, b_write) = b.into_split();
        let err = a_read.reunite(b_write).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the two halves belong to different sockets"
        );
        let corio_net::ReuniteError(a_read, b_write) = err;
        // Nothing was lost: each half finds its own again.
        let a = a_read.reunite(a_write).expect("a's halves");
        let b = b_write.reunite(b_read).expect("b's halves");
        assert_eq!((a.local_addr()?, b.local_addr()?), (a_addr, b_addr));
        Ok(())
    });
}

#[test]
fn a_shared_stream_reads_and_writes_concurrently() {
    on_both("&TcpStream", || async {
        let (client, server) = tcp_pair().await?;
        let client = Arc::new(client);
        let server = Arc::new(server);
        let len = 512 * 1024;

        // Each side writes while it reads, from two tasks sharing the stream: neither write
        // can finish unless the other side's reads run at the same time.
        let mut tasks = Vec::new();
        for (me, tag) in [(&client, 1u8), (&server, 2u8)] {
            let w = Arc::clone(me);
            tasks.push(corio::spawn(async move {
                let mut s: &TcpStream = &w;
                s.write_all(&vec![tag; len]).await?;
                io::Result::Ok(Vec::new())
            }));
            let r = Arc::clone(me);
            tasks.push(corio::spawn(async move {
                let mut s: &TcpStream = &r;
                let mut got = vec![0; len];
                s.read_exact(&mut got).await?;
                io::Result::Ok(got)
            }));
        }
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.unwrap()?);
        }
        // Task order: client write, client read, server write, server read.
        assert!(
            results[1].iter().all(|&b| b == 2),
            "the client read the server's bytes"
        );
        assert!(
            results[3].iter().all(|&b| b == 1),
            "the server read the client's bytes"
        );

        // And within one task, by borrowing twice.
        let (mut r, mut w) = (&*client, &*client);
        let mut srv = &*server;
        let (sent, echoed) = future::zip(w.write_all(b"ping"), async {
            let mut four = [0; 4];
            srv.read_exact(&mut four).await?;
            srv.write_all(&four).await?;
            let mut back = [0; 4];
            r.read_exact(&mut back).await?;
            io::Result::Ok(back)
        })
        .await;
        sent?;
        assert_eq!(&echoed?, b"ping");
        Ok(())
    });
}

#[test]
fn half_close_the_peer_reads_eof_and_can_still_answer() {
    on_both("half-close", || async {
        let (client, server) = tcp_pair().await?;
        let (mut read, mut write) = client.into_split();
        write.write_all(b"request").await?;
        write.close().await?;

        let mut server = server;
        let mut got = Vec::new();
        server.read_to_end(&mut got).await?; // ends: the client shut its side down
        assert_eq!(got, b"request");
        server.write_all(b"response after your FIN").await?;
        server.close().await?;

        let mut answer = Vec::new();
        read.read_to_end(&mut answer).await?;
        assert_eq!(answer, b"response after your FIN");

        // Writing after the half-close is an error (EPIPE), not a panic.
        let err = write.write_all(b"late").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe, "{err}");
        Ok(())
    });
}

#[test]
fn closing_the_whole_stream_half_closes_too() {
    on_both("close(TcpStream)", || async {
        let (mut client, mut server) = tcp_pair().await?;
        client.write_all(b"x").await?;
        client.close().await?;
        let mut got = Vec::new();
        server.read_to_end(&mut got).await?;
        assert_eq!(got, b"x");
        server.write_all(b"y").await?;
        let mut y = [0; 1];
        client.read_exact(&mut y).await?;
        assert_eq!(&y, b"y");

        // `shutdown(Read)` / `shutdown(Both)` on the other end, through the method.
        server.shutdown(Shutdown::Both)?;
        assert_eq!(client.read(&mut y).await?, 0);
        Ok(())
    });
}

#[test]
fn peek_leaves_the_bytes_for_the_next_read() {
    on_both("peek", || async {
        let (mut client, server) = tcp_pair().await?;
        client.write_all(b"hello world").await?;
        // One small write arrives as one segment: a peek sees all of it or waits.
        let mut head = [0; 5];
        assert_eq!(server.peek(&mut head).await?, 5);
        assert_eq!(&head, b"hello");
        let mut again = [0; 32];
        assert_eq!(server.peek(&mut again).await?, 11);
        assert_eq!(&again[..11], b"hello world");
        let mut all = [0; 11];
        (&server).read_exact(&mut all).await?;
        assert_eq!(&all, b"hello world");

        // After end of file, peek reports 0.
        client.close().await?;
        assert_eq!(server.peek(&mut head).await?, 0);
        Ok(())
    });
}

#[test]
fn incoming_yields_each_connection() {
    on_both("incoming", || async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let mut clients = Vec::new();
        for _ in 0..3 {
            clients.push(TcpStream::connect(addr).await?);
        }
        let mut want: Vec<SocketAddr> = clients
            .iter()
            .map(TcpStream::local_addr)
            .collect::<io::Result<_>>()?;
        let mut got = Vec::new();
        let mut incoming = listener.incoming();
        for _ in 0..3 {
            let conn = incoming.next().await.expect("never ends")?;
            got.push(conn.peer_addr()?);
        }
        want.sort();
        got.sort();
        assert_eq!(got, want);
        Ok(())
    });
}

#[test]
fn stream_options_round_trip() {
    on_both("stream options", || async {
        let (client, server) = tcp_pair().await?;

        assert!(!client.nodelay()?);
        client.set_nodelay(true)?;
        assert!(client.nodelay()?);
        client.set_nodelay(false)?;
        assert!(!client.nodelay()?);

        client.set_ttl(17)?;
        assert_eq!(client.ttl()?, 17);

        assert_eq!(client.linger()?, None);
        client.set_linger(Some(Duration::ZERO))?;
        assert_eq!(client.linger()?, Some(Duration::ZERO));
        client.set_linger(Some(Duration::from_secs(3)))?;
        assert_eq!(client.linger()?, Some(Duration::from_secs(3)));
        client.set_linger(None)?;
        assert_eq!(client.linger()?, None);

        assert_eq!(server.keepalive()?, None);
        server.set_keepalive(Some(Duration::from_secs(75)))?;
        assert_eq!(server.keepalive()?, Some(Duration::from_secs(75)));
        server.set_keepalive(None)?;
        assert_eq!(server.keepalive()?, None);

        assert!(client.take_error()?.is_none());

        let listener = TcpListener::bind("127.0.0.1:0").await?;
        listener.set_ttl(33)?;
        assert_eq!(listener.ttl()?, 33);
        Ok(())
    });
}

#[test]
fn linger_rounds_a_sub_second_timeout_up_not_down_to_an_abortive_close() {
    // `SO_LINGER` counts whole seconds; 0 means "reset the connection on close". A caller
    // asking to linger 500 ms wants a graceful close that waits a little, not a reset.
    on_both("linger rounding", || async {
        let (client, _server) = tcp_pair().await?;
        client.set_linger(Some(Duration::from_millis(500)))?;
        assert_eq!(client.linger()?, Some(Duration::from_secs(1)));
        client.set_linger(Some(Duration::from_millis(1500)))?;
        assert_eq!(client.linger()?, Some(Duration::from_secs(2)));
        client.set_linger(Some(Duration::ZERO))?;
        assert_eq!(client.linger()?, Some(Duration::ZERO));

        // What it means on close: lingering ends in a FIN (the peer reads all, then end of
        // file), zero in a reset (the peer reads an error).
        for (linger, graceful) in [(Duration::from_millis(200), true), (Duration::ZERO, false)] {
            let (mut client, mut server) = tcp_pair().await?;
            client.write_all(b"last words").await?;
            client.set_linger(Some(linger))?;
            drop(client); // the peer acknowledges at once: closing lingers microseconds
            let mut got = Vec::new();
            let read = server.read_to_end(&mut got).await;
            if graceful {
                read?;
                assert_eq!(got, b"last words", "linger {linger:?}");
            } else {
                expect_err(read, ErrorKind::ConnectionReset);
            }
        }
        Ok(())
    });
}

#[test]
fn socket_options_before_bind() {
    on_both("TcpSocket options", || async {
        let s = TcpSocket::new_v4()?;
        assert!(!s.reuseaddr()?);
        s.set_reuseaddr(true)?;
        assert!(s.reuseaddr()?);
        assert!(!s.reuseport()?);
        s.set_reuseport(true)?;
        assert!(s.reuseport()?);

        // Linux doubles the value asked for (room for its bookkeeping).
        // (Linux doubles the value asked for, for its bookkeeping.)
        s.set_send_buffer_size(64 * 1024)?;
        assert!(s.send_buffer_size()? >= 64 * 1024);
        s.set_recv_buffer_size(96 * 1024)?;
        assert!(s.recv_buffer_size()? >= 96 * 1024);
        let small = TcpSocket::new_v4()?;
        small.set_recv_buffer_size(4 * 1024)?;
        assert!(small.recv_buffer_size()? < s.recv_buffer_size()?);

        s.set_linger(Some(Duration::ZERO))?;
        s.bind("127.0.0.1:0".parse().unwrap())?;
        let addr = s.local_addr()?;
        assert!(addr.port() != 0);

        // Options set before `listen` carry over to the listener and to accepted sockets.
        let listener = s.listen(16)?;
        let client = TcpStream::connect(addr).await?;
        let (conn, _) = listener.accept().await?;
        assert_eq!(conn.linger()?, Some(Duration::ZERO));
        drop(client);
        Ok(())
    });
}

#[test]
fn listen_uses_the_backlog_asked_for() {
    on_both("backlog", || async {
        let s = TcpSocket::new_v4()?;
        s.bind("127.0.0.1:0".parse().unwrap())?;
        let listener = s.listen(7)?;
        assert_eq!(listen_queue(&listener), (0, 7));

        // `bind` asks for 1024 (the kernel would cap it at somaxconn).
        let default = TcpListener::bind("127.0.0.1:0").await?;
        let somaxconn: u32 = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(4096);
        assert_eq!(listen_queue(&default).1, 1024.min(somaxconn));

        // Connections wait in the queue until accepted.
        let addr = listener.local_addr()?;
        let a = TcpStream::connect(addr).await?;
        let b = TcpStream::connect(addr).await?;
        let (x, _) = listener.accept().await?;
        let (y, _) = listener.accept().await?;
        let mut peers = [x.peer_addr()?, y.peer_addr()?];
        let mut want = [a.local_addr()?, b.local_addr()?];
        peers.sort();
        want.sort();
        assert_eq!(peers, want);
        assert_eq!(listen_queue(&listener), (0, 7));
        Ok(())
    });
}

#[test]
fn two_listeners_share_a_port_with_reuseport() {
    on_both("reuseport", || async {
        let a = TcpSocket::new_v4()?;
        a.set_reuseport(true)?;
        a.bind("127.0.0.1:0".parse().unwrap())?;
        let addr = a.local_addr()?;
        let a = a.listen(64)?;

        // Without SO_REUSEPORT the second bind is refused…
        let plain = TcpSocket::new_v4()?;
        expect_err(plain.bind(addr), ErrorKind::AddrInUse);

        // …with it, both listen on the port and the kernel spreads connections.
        let b = TcpSocket::new_v4()?;
        b.set_reuseport(true)?;
        b.bind(addr)?;
        let b = b.listen(64)?;
        assert_eq!(b.local_addr()?, addr);

        // Every connection lands on exactly one of the two; connect until each got one
        // (the kernel hashes the four-tuple, so a few tries suffice).
        let (mut on_a, mut on_b) = (0, 0);
        let mut clients = Vec::new();
        for _ in 0..200 {
            let c = TcpStream::connect(addr).await?;
            // Accept from whichever listener queued it (a losing accept is cancel safe).
            let (on_first, peer) =
                future::or(async { a.accept().await.map(|(_, p)| (true, p)) }, async {
                    b.accept().await.map(|(_, p)| (false, p))
                })
                .await?;
            assert_eq!(peer, c.local_addr()?);
            if on_first {
                on_a += 1;
            } else {
                on_b += 1;
            }
            clients.push(c);
            if on_a > 0 && on_b > 0 {
                break;
            }
        }
        assert!(on_a > 0 && on_b > 0, "a got {on_a}, b got {on_b} of 200");
        Ok(())
    });
}

#[test]
fn binding_an_address_in_use_is_addr_in_use() {
    on_both("AddrInUse", || async {
        let first = TcpListener::bind("127.0.0.1:0").await?;
        let addr = first.local_addr()?;
        // SO_REUSEADDR (which bind sets) does not let two listeners share a port.
        let err = expect_err(TcpListener::bind(addr).await, ErrorKind::AddrInUse);
        assert_eq!(err.raw_os_error(), Some(libc::EADDRINUSE));
        // Once the first is gone, the port is free again (SO_REUSEADDR: even with
        // connections of the old listener in TIME_WAIT).
        let c = TcpStream::connect(addr).await?;
        let (s, _) = first.accept().await?;
        drop(s); // the server closes first: TIME_WAIT on the listener's port
        drop(c);
        drop(first);
        let again = TcpListener::bind(addr).await?;
        assert_eq!(again.local_addr()?, addr);
        Ok(())
    });
}

#[test]
fn from_std_wraps_std_sockets() {
    on_both("from_std", || async {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let addr = std_listener.local_addr()?;
        let listener = TcpListener::from_std(std_listener)?;
        let std_client = std::net::TcpStream::connect(addr)?;
        let mut client = TcpStream::from_std(std_client)?;
        let (mut server, _) = listener.accept().await?;
        client.write_all(b"std").await?;
        let mut buf = [0; 3];
        server.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"std");
        Ok(())
    });
}

#[test]
fn ipv6_loopback() {
    let probe = std::net::TcpListener::bind((Ipv6Addr::LOCALHOST, 0));
    if let Err(e) = probe {
        common::loud(&format!(
            "SKIPPED ipv6_loopback: this machine cannot bind [::1] ({e})"
        ));
        return;
    }
    drop(probe);
    on_both("IPv6", || async {
        let listener = TcpListener::bind("[::1]:0").await?;
        let addr = listener.local_addr()?;
        assert!(addr.is_ipv6() && addr.ip().is_loopback());
        let mut client = TcpStream::connect(addr).await?;
        let (mut server, peer) = listener.accept().await?;
        assert!(peer.is_ipv6());
        assert_eq!(peer, client.local_addr()?);
        client.write_all(b"v6").await?;
        let mut buf = [0; 2];
        server.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"v6");

        // A v6 TcpSocket too, and the (ip, port) form.
        let s = TcpSocket::new_v6()?;
        s.bind(SocketAddr::from((Ipv6Addr::LOCALHOST, 0)))?;
        let l2 = s.listen(8)?;
        let port = l2.local_addr()?.port();
        let c2 = TcpStream::connect((Ipv6Addr::LOCALHOST, port)).await?;
        assert_eq!(c2.peer_addr()?, l2.local_addr()?);
        // A v4 socket cannot bind a v6 address.
        let v4 = TcpSocket::new_v4()?;
        assert!(v4.bind(SocketAddr::from((Ipv6Addr::LOCALHOST, 0))).is_err());
        Ok(())
    });
}
