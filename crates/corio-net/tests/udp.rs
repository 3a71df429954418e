//! UDP over loopback: datagrams to and from addresses, connected sockets, peeking,
//! truncation, options, and the ICMP "port unreachable" a connected socket reports.
//! Under both schedulers. (Loopback loses no datagram and keeps their order.)

mod common;

use std::io::ErrorKind;
use std::net::{Ipv6Addr, SocketAddr};

use common::{expect_err, on_both, pattern};
use corio_net::UdpSocket;

#[test]
fn send_to_and_recv_from() {
    on_both("send_to/recv_from", || async {
        let a = UdpSocket::bind("127.0.0.1:0").await?;
        let b = UdpSocket::bind("127.0.0.1:0").await?;
        let (a_addr, b_addr) = (a.local_addr()?, b.local_addr()?);
        assert!(a_addr.port() != 0 && a_addr != b_addr);

        assert_eq!(a.send_to(b"one", b_addr).await?, 3);
        assert_eq!(a.send_to(b"two", b_addr).await?, 3);
        let mut buf = [0; 64];
        let (n, from) = b.recv_from(&mut buf).await?;
        assert_eq!((&buf[..n], from), (&b"one"[..], a_addr));
        let (n, from) = b.recv_from(&mut buf).await?;
        assert_eq!((&buf[..n], from), (&b"two"[..], a_addr));

        // Back the other way, addressed as a string.
        b.send_to(b"reply", format!("127.0.0.1:{}", a_addr.port()))
            .await?;
        let (n, from) = a.recv_from(&mut buf).await?;
        assert_eq!((&buf[..n], from), (&b"reply"[..], b_addr));

        // An empty datagram is a datagram.
        a.send_to(b"", b_addr).await?;
        let (n, from) = b.recv_from(&mut buf).await?;
        assert_eq!((n, from), (0, a_addr));

        // A big one (64 KiB minus headers is the limit) arrives whole.
        let big = pattern(60_000);
        a.send_to(&big, b_addr).await?;
        let mut large = vec![0; 65_536];
        let (n, _) = b.recv_from(&mut large).await?;
        assert!(large[..n] == big[..]);
        Ok(())
    });
}

#[test]
fn a_task_waiting_in_recv_from_is_woken_by_a_datagram() {
    on_both("recv wakes", || async {
        let a = UdpSocket::bind("127.0.0.1:0").await?;
        let b = UdpSocket::bind("127.0.0.1:0").await?;
        let b_addr = b.local_addr()?;
        let receiver = corio::spawn(async move {
            let mut buf = [0; 16];
            let (n, from) = b.recv_from(&mut buf).await?;
            std::io::Result::Ok((buf[..n].to_vec(), from))
        });
        corio::yield_now().await;
        a.send_to(b"wake", b_addr).await?;
        let (got, from) = receiver.await.unwrap()?;
        assert_eq!((got.as_slice(), from), (&b"wake"[..], a.local_addr()?));
        Ok(())
    });
}

#[test]
fn connected_sockets_send_and_recv_with_their_peer_only() {
    on_both("connect", || async {
        let a = UdpSocket::bind("127.0.0.1:0").await?;
        let b = UdpSocket::bind("127.0.0.1:0").await?;
        let stranger = UdpSocket::bind("127.0.0.1:0").await?;
        expect_err(a.peer_addr(), ErrorKind::NotConnected);
        // send without a destination: an error, not a panic.
        assert!(a.send(b"nowhere").await.is_err());

        a.connect(b.local_addr()?).await?;
        b.connect(a.local_addr()?).await?;
        assert_eq!(a.peer_addr()?, b.local_addr()?);

        // A connected socket drops datagrams from anyone but its peer.
        stranger.send_to(b"intruder", b.local_addr()?).await?;
        assert_eq!(a.send(b"hello").await?, 5);
        let mut buf = [0; 16];
        let n = b.recv(&mut buf).await?;
        assert_eq!(&buf[..n], b"hello");

        b.send(b"back").await?;
        let n = a.recv(&mut buf).await?;
        assert_eq!(&buf[..n], b"back");

        // Connecting by name works too (and re-connecting moves the peer).
        let port = stranger.local_addr()?.port();
        a.connect(("localhost", port)).await?;
        assert_eq!(a.peer_addr()?.port(), port);
        Ok(())
    });
}

#[test]
fn peek_from_leaves_the_datagram_queued() {
    on_both("peek_from", || async {
        let a = UdpSocket::bind("127.0.0.1:0").await?;
        let b = UdpSocket::bind("127.0.0.1:0").await?;
        a.send_to(b"first", b.local_addr()?).await?;
        a.send_to(b"second", b.local_addr()?).await?;
        let mut buf = [0; 16];
        for _ in 0..2 {
            let (n, from) = b.peek_from(&mut buf).await?;
            assert_eq!((&buf[..n], from), (&b"first"[..], a.local_addr()?));
        }
        // A short peek sees a prefix and still leaves the whole datagram.
        let mut two = [0; 2];
        assert_eq!(b.peek_from(&mut two).await?.0, 2);
        assert_eq!(&two, b"fi");
        let (n, _) = b.recv_from(&mut buf).await?;
        assert_eq!(&buf[..n], b"first");
        let (n, _) = b.recv_from(&mut buf).await?;
        assert_eq!(&buf[..n], b"second");
        Ok(())
    });
}

#[test]
fn a_datagram_larger_than_the_buffer_is_truncated() {
    on_both("truncation", || async {
        let a = UdpSocket::bind("127.0.0.1:0").await?;
        let b = UdpSocket::bind("127.0.0.1:0").await?;
        let data = pattern(1000);
        a.send_to(&data, b.local_addr()?).await?;
        a.send_to(b"next", b.local_addr()?).await?;
        let mut small = [0; 10];
        let (n, _) = b.recv_from(&mut small).await?;
        assert_eq!(n, 10, "the buffer's worth, not the datagram's length");
        assert_eq!(&small[..], &data[..10]);
        // The rest of that datagram is gone: the next receive is the next datagram.
        let mut buf = [0; 1000];
        let (n, _) = b.recv_from(&mut buf).await?;
        assert_eq!(&buf[..n], b"next");

        // The same through connected recv.
        a.connect(b.local_addr()?).await?;
        b.connect(a.local_addr()?).await?;
        a.send(&data).await?;
        a.send(b"after").await?;
        assert_eq!(b.recv(&mut small).await?, 10);
        let n = b.recv(&mut buf).await?;
        assert_eq!(&buf[..n], b"after");
        Ok(())
    });
}

#[test]
fn options_round_trip() {
    on_both("udp options", || async {
        let s = UdpSocket::bind("0.0.0.0:0").await?;
        assert!(!s.broadcast()?);
        s.set_broadcast(true)?;
        assert!(s.broadcast()?);
        s.set_broadcast(false)?;
        assert!(!s.broadcast()?);
        s.set_ttl(3)?;
        assert_eq!(s.ttl()?, 3);
        s.set_ttl(200)?;
        assert_eq!(s.ttl()?, 200);
        s.set_multicast_loop_v4(false)?;
        s.set_multicast_ttl_v4(4)?;
        // Leaving a group never joined is an error, not a panic.
        assert!(
            s.leave_multicast_v4("239.255.0.9".parse().unwrap(), "0.0.0.0".parse().unwrap())
                .is_err()
        );
        Ok(())
    });
}

#[test]
fn recv_on_a_socket_connected_to_a_dead_port_is_connection_refused() {
    on_both("ICMP refused", || async {
        // A port nobody is bound to: bind one, note it, free it. (Another test taking it in
        // the instant between is as unlikely as harmless: then it is not refused.)
        let dead = {
            let s = UdpSocket::bind("127.0.0.1:0").await?;
            s.local_addr()?
        };
        let s = UdpSocket::bind("127.0.0.1:0").await?;
        s.connect(dead).await?;
        s.send(b"anyone?").await?;
        // Linux queues the ICMP "port unreachable" as the socket's error; the waiting
        // receive is woken by it and returns it.
        let mut buf = [0; 16];
        expect_err(s.recv(&mut buf).await, ErrorKind::ConnectionRefused);

        // The error is reported once; the socket stays usable.
        let live = UdpSocket::bind("127.0.0.1:0").await?;
        s.connect(live.local_addr()?).await?;
        s.send(b"again").await?;
        let (n, _) = live.recv_from(&mut buf).await?;
        assert_eq!(&buf[..n], b"again");
        Ok(())
    });
}

#[test]
fn ipv6_datagrams() {
    if std::net::UdpSocket::bind((Ipv6Addr::LOCALHOST, 0)).is_err() {
        common::loud("SKIPPED ipv6_datagrams: this machine cannot bind [::1]");
        return;
    }
    on_both("udp v6", || async {
        let a = UdpSocket::bind("[::1]:0").await?;
        let b = UdpSocket::bind((Ipv6Addr::LOCALHOST, 0)).await?;
        a.send_to(b"six", b.local_addr()?).await?;
        let mut buf = [0; 8];
        let (n, from) = b.recv_from(&mut buf).await?;
        assert_eq!(&buf[..n], b"six");
        assert_eq!(from, a.local_addr()?);
        assert!(matches!(from, SocketAddr::V6(_)));
        Ok(())
    });
}
