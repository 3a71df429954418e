//! Unix-domain sockets: listener and streams, pairs, owned halves, datagrams (bound,
//! unbound, paired), and what happens to the socket file. Under both schedulers.

mod common;

use std::io::{self, ErrorKind};
use std::os::unix::fs::FileTypeExt;

use common::{Scratch, expect_err, on_both, pattern};
use corio_net::{UnixDatagram, UnixListener, UnixStream};
use futures_lite::{AsyncReadExt, AsyncWriteExt};

#[test]
fn listener_and_stream_echo() {
    on_both("unix echo", || async {
        let dir = Scratch::new("echo");
        let path = dir.join("sock");
        let listener = UnixListener::bind(&path)?;
        assert_eq!(listener.local_addr()?.as_pathname(), Some(path.as_path()));

        let server = corio::spawn(async move {
            let (mut conn, peer) = listener.accept().await?;
            assert!(peer.is_unnamed(), "a client that did not bind has no name");
            let mut buf = vec![0; 32 * 1024];
            loop {
                let n = conn.read(&mut buf).await?;
                if n == 0 {
                    return io::Result::Ok(());
                }
                conn.write_all(&buf[..n]).await?;
            }
        });
        let client = UnixStream::connect(&path).await?;
        assert_eq!(client.peer_addr()?.as_pathname(), Some(path.as_path()));
        assert!(client.local_addr()?.is_unnamed());

        let data = pattern(1 << 20);
        let (mut rd, mut wr) = (&client, &client);
        let (sent, got) = futures_lite::future::zip(
            async {
                wr.write_all(&data).await?;
                wr.close().await
            },
            async {
                let mut got = Vec::new();
                rd.read_to_end(&mut got).await?;
                io::Result::Ok(got)
            },
        )
        .await;
        sent?;
        assert!(got? == data);
        server.await.unwrap()?;
        assert!(client.take_error()?.is_none());
        Ok(())
    });
}

#[test]
fn pair_talks_both_ways() {
    on_both("unix pair", || async {
        let (mut a, mut b) = UnixStream::pair()?;
        assert!(a.peer_addr()?.is_unnamed() && b.local_addr()?.is_unnamed());
        a.write_all(b"ping").await?;
        let mut buf = [0; 4];
        b.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"ping");
        b.write_all(b"pong").await?;
        a.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"pong");
        drop(a);
        assert_eq!(b.read(&mut buf).await?, 0, "the peer is gone: end of file");
        // Writing to it fails with EPIPE (SIGPIPE is not raised).
        expect_err(b.write_all(b"x").await, ErrorKind::BrokenPipe);
        Ok(())
    });
}

#[test]
fn split_halves_in_different_tasks_and_half_close() {
    on_both("unix split", || async {
        let (a, b) = UnixStream::pair()?;
        let (mut read, mut write) = a.into_split();
        let data = pattern(300 * 1024);
        let to_send = data.clone();
        let writer = corio::spawn(async move {
            write.write_all(&to_send).await?;
            write.close().await?; // the peer sees end of file; we can still read
            io::Result::Ok(write)
        });
        let peer = corio::spawn(async move {
            let mut b = b;
            let mut got = Vec::new();
            b.read_to_end(&mut got).await?;
            b.write_all(b"got it all").await?;
            io::Result::Ok(got)
        });
        let mut answer = Vec::new();
        read.read_to_end(&mut answer).await?;
        assert_eq!(answer, b"got it all");
        assert!(peer.await.unwrap()? == data);
        let write = writer.await.unwrap()?;
        let whole = read.reunite(write).expect("one stream's halves");
        assert!(whole.peer_addr()?.is_unnamed());
        Ok(())
    });
}

#[test]
fn datagrams_between_bound_sockets() {
    on_both("unix datagram bound", || async {
        let dir = Scratch::new("dgram");
        let (pa, pb) = (dir.join("a"), dir.join("b"));
        let a = UnixDatagram::bind(&pa)?;
        let b = UnixDatagram::bind(&pb)?;
        assert_eq!(a.local_addr()?.as_pathname(), Some(pa.as_path()));

        assert_eq!(a.send_to(b"to b", &pb).await?, 4);
        let mut buf = [0; 32];
        let (n, from) = b.recv_from(&mut buf).await?;
        assert_eq!(&buf[..n], b"to b");
        assert_eq!(from.as_pathname(), Some(pa.as_path()));

        // Connected: send / recv with the peer.
        b.connect(&pa)?;
        assert_eq!(b.peer_addr()?.as_pathname(), Some(pa.as_path()));
        b.send(b"back").await?;
        let n = a.recv(&mut buf).await?;
        assert_eq!(&buf[..n], b"back");

        // An unbound sender is anonymous.
        let anon = UnixDatagram::unbound()?;
        assert!(anon.local_addr()?.is_unnamed());
        anon.send_to(b"who?", &pa).await?;
        let (n, from) = a.recv_from(&mut buf).await?;
        assert_eq!(&buf[..n], b"who?");
        assert!(from.is_unnamed());

        // Message boundaries are kept; a short buffer truncates one message only.
        anon.send_to(&pattern(100), &pa).await?;
        anon.send_to(b"next", &pa).await?;
        let mut small = [0; 8];
        assert_eq!(a.recv(&mut small).await?, 8);
        let n = a.recv(&mut buf).await?;
        assert_eq!(&buf[..n], b"next");

        // Sending to a path nobody is bound to fails.
        expect_err(
            anon.send_to(b"x", dir.join("nobody")).await,
            ErrorKind::NotFound,
        );
        Ok(())
    });
}

#[test]
fn datagram_pair_and_shutdown() {
    on_both("unix datagram pair", || async {
        let (a, b) = UnixDatagram::pair()?;
        a.send(b"one").await?;
        a.send(b"two").await?;
        let mut buf = [0; 8];
        let n = b.recv(&mut buf).await?;
        assert_eq!(&buf[..n], b"one");
        let n = b.recv(&mut buf).await?;
        assert_eq!(&buf[..n], b"two");

        // A receive waiting in another task is woken by the send.
        let receiver = corio::spawn(async move {
            let mut buf = [0; 8];
            let n = b.recv(&mut buf).await?;
            io::Result::Ok((buf[..n].to_vec(), b))
        });
        corio::yield_now().await;
        a.send(b"three").await?;
        let (got, b) = receiver.await.unwrap()?;
        assert_eq!(got, b"three");

        a.shutdown(std::net::Shutdown::Write)?;
        expect_err(a.send(b"late").await, ErrorKind::BrokenPipe);
        drop(b);
        Ok(())
    });
}

#[test]
fn the_socket_file_outlives_the_listener_and_blocks_a_new_bind() {
    // As in std and asyncio: dropping a listener does not remove its file. Whoever binds
    // the path again removes the stale file first.
    on_both("socket file", || async {
        let dir = Scratch::new("file");
        let path = dir.join("sock");
        let listener = UnixListener::bind(&path)?;
        // While it listens, the path is in use.
        expect_err(UnixListener::bind(&path), ErrorKind::AddrInUse);
        expect_err(UnixDatagram::bind(&path), ErrorKind::AddrInUse);
        drop(listener);

        let meta = std::fs::symlink_metadata(&path)?;
        assert!(
            meta.file_type().is_socket(),
            "the socket file is still there"
        );
        // Nobody listens: a connect is refused, not "not found".
        expect_err(
            UnixStream::connect(&path).await,
            ErrorKind::ConnectionRefused,
        );
        // And binding it again fails until the file is removed.
        expect_err(UnixListener::bind(&path), ErrorKind::AddrInUse);
        std::fs::remove_file(&path)?;
        let again = UnixListener::bind(&path)?;
        let _c = UnixStream::connect(&path).await?;
        let _ = again.accept().await?;

        // Any existing file blocks a bind: a regular file too.
        let plain = dir.join("plain");
        std::fs::write(&plain, b"not a socket")?;
        expect_err(UnixListener::bind(&plain), ErrorKind::AddrInUse);
        // Connecting to a path with nothing at all is NotFound.
        expect_err(
            UnixStream::connect(dir.join("missing")).await,
            ErrorKind::NotFound,
        );
        // The same holds for datagram sockets' files.
        let d = UnixDatagram::bind(dir.join("d"))?;
        drop(d);
        assert!(dir.join("d").exists());
        Ok(())
    });
}

#[test]
fn from_std_wraps_std_unix_sockets() {
    on_both("unix from_std", || async {
        let dir = Scratch::new("std");
        let path = dir.join("s");
        let listener = UnixListener::from_std(std::os::unix::net::UnixListener::bind(&path)?)?;
        let mut client = UnixStream::from_std(std::os::unix::net::UnixStream::connect(&path)?)?;
        let (mut server, _) = listener.accept().await?;
        client.write_all(b"std").await?;
        let mut buf = [0; 3];
        server.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"std");
        let (x, y) = std::os::unix::net::UnixDatagram::pair()?;
        let (x, y) = (UnixDatagram::from_std(x)?, UnixDatagram::from_std(y)?);
        x.send(b"d").await?;
        assert_eq!(y.recv(&mut buf).await?, 1);
        Ok(())
    });
}
