//! What goes wrong, and how it is reported: a peer resetting the connection mid-write or
//! before a read, connecting to a port nobody listens on, and malformed or unusable
//! addresses — every one an `Err`, never a panic or a hang. Under both schedulers.

mod common;

use std::io::{self, ErrorKind};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::pin;
use std::time::Duration;

use common::{Scratch, expect_err, on_both, pattern};
use corio_net::{
    TcpListener, TcpSocket, TcpStream, UdpSocket, UnixDatagram, UnixListener, UnixStream,
    lookup_host,
};
use futures_lite::{AsyncReadExt, AsyncWriteExt, future};

/// Resets `stream`'s connection: `SO_LINGER` 0, then close.
fn reset(stream: TcpStream) -> io::Result<()> {
    stream.set_linger(Some(Duration::ZERO))?;
    drop(stream);
    Ok(())
}

#[test]
fn a_peer_resetting_mid_write_fails_the_write() {
    on_both("reset mid-write", || async {
        // Small buffers on both sides, so the writer blocks after a few hundred KiB.
        let socket = TcpSocket::new_v4()?;
        socket.set_send_buffer_size(32 * 1024)?;
        socket.bind("127.0.0.1:0".parse().unwrap())?;
        let listener = socket.listen(8)?;
        let peer_socket = TcpSocket::new_v4()?;
        peer_socket.set_recv_buffer_size(16 * 1024)?;
        let peer = peer_socket.connect(listener.local_addr()?).await?;
        let (ours, _) = listener.accept().await?;

        const TOTAL: usize = 32 << 20;
        let writer = corio::spawn(async move {
            let chunk = pattern(64 * 1024);
            let mut sent = 0;
            while sent < TOTAL {
                match (&ours).write(&chunk).await {
                    Ok(n) => sent += n,
                    Err(e) => return Ok((sent, e, ours)),
                }
            }
            Err(io::Error::other(
                "wrote 32 MiB: the reset never reached the writer",
            ))
        });

        // The writer has started once bytes arrive; the peer reads none of them and resets.
        peer.readable().await?;
        reset(peer)?;

        let (sent, err, ours) = writer.await.expect("the writer task ran")?;
        assert!(
            matches!(
                err.kind(),
                ErrorKind::ConnectionReset | ErrorKind::BrokenPipe
            ),
            "the write failed with {err} ({:?})",
            err.kind()
        );
        assert!(sent > 0 && sent < TOTAL, "{sent} bytes written");
        // The connection stays dead: further writes fail too (EPIPE), reads end.
        let again = (&ours).write(b"more").await;
        assert!(again.is_err(), "a write after the reset: {again:?}");
        let read = (&ours).read(&mut [0; 16]).await;
        assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
        Ok(())
    });
}

#[test]
fn reading_from_a_reset_connection_is_an_error() {
    on_both("read after reset", || async {
        // The reset arrives before the read.
        let (client, mut server) = common::tcp_pair().await?;
        reset(client)?;
        let mut buf = [0; 16];
        expect_err(server.read(&mut buf).await, ErrorKind::ConnectionReset);
        // The error is reported once; afterwards the connection reads as ended — at once,
        // without waiting for an event that will never come.
        assert_eq!(server.read(&mut buf).await?, 0);

        // The reset arrives while a read waits.
        let (client, server) = common::tcp_pair().await?;
        let mut buf = [0; 16];
        let mut reader = &server;
        let mut read = pin!(reader.read(&mut buf));
        assert!(
            future::poll_once(&mut read).await.is_none(),
            "nothing to read yet"
        );
        reset(client)?;
        expect_err(read.await, ErrorKind::ConnectionReset);

        // Data sent before the reset is still delivered first.
        let (mut client, mut server) = common::tcp_pair().await?;
        client.write_all(b"before").await?;
        server.readable().await?; // it has arrived, ahead of the reset
        reset(client)?;
        let mut six = [0; 6];
        server.read_exact(&mut six).await?;
        assert_eq!(&six, b"before");
        expect_err(server.read(&mut buf).await, ErrorKind::ConnectionReset);
        Ok(())
    });
}

#[test]
fn connecting_to_a_closed_port_is_refused() {
    on_both("refused", || async {
        // A socket bound but not listening keeps the port to ourselves: nobody else can
        // start listening there while the test runs, and a SYN to it is answered by a RST.
        let holder = TcpSocket::new_v4()?;
        holder.bind("127.0.0.1:0".parse().unwrap())?;
        let addr = holder.local_addr()?;

        expect_err(TcpStream::connect(addr).await, ErrorKind::ConnectionRefused);
        expect_err(
            TcpStream::connect(format!("127.0.0.1:{}", addr.port())).await,
            ErrorKind::ConnectionRefused,
        );
        expect_err(
            TcpSocket::new_v4()?.connect(addr).await,
            ErrorKind::ConnectionRefused,
        );
        // Several addresses, all refused: the last error.
        let both = [addr, addr];
        expect_err(
            TcpStream::connect(&both[..]).await,
            ErrorKind::ConnectionRefused,
        );

        // A listener that has gone away: the same.
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let gone = listener.local_addr()?;
        let early = TcpStream::connect(gone).await?;
        drop(listener);
        drop(early);
        let late = TcpStream::connect(gone).await;
        // (Another test could have taken the freed port in between; then it connects.)
        if let Err(e) = late {
            assert_eq!(e.kind(), ErrorKind::ConnectionRefused, "{e}");
        }
        Ok(())
    });
}

#[test]
fn malformed_addresses_are_errors_not_panics() {
    on_both("malformed addresses", || async {
        // Not of the form host:port, or a port out of range: refused before any lookup.
        let malformed = [
            "not an address",
            "127.0.0.1:99999",
            "127.0.0.1",
            "127.0.0.1:-1",
            "localhost:port",
        ];
        for addr in malformed {
            let e = TcpStream::connect(addr).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "connect({addr:?}): {e}");
            let e = TcpListener::bind(addr).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "bind({addr:?}): {e}");
            let e = UdpSocket::bind(addr).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "udp bind({addr:?}): {e}");
            let e = lookup_host(addr).await.unwrap_err();
            assert_eq!(
                e.kind(),
                ErrorKind::InvalidInput,
                "lookup_host({addr:?}): {e}"
            );
        }
        // Well-formed, but the host part is no name: the resolver's error.
        for addr in [":80", "[::1:80"] {
            assert!(TcpStream::connect(addr).await.is_err(), "{addr:?}");
            assert!(lookup_host(addr).await.is_err(), "{addr:?}");
        }
        // An empty host name resolves to nothing the resolver accepts.
        assert!(TcpStream::connect(("", 80)).await.is_err());
        assert!(lookup_host(("", 80)).await.is_err());
        assert!(TcpListener::bind(("", 0)).await.is_err());

        let udp = UdpSocket::bind("127.0.0.1:0").await?;
        assert!(udp.send_to(b"x", "not an address").await.is_err());
        assert!(udp.connect("127.0.0.1:99999").await.is_err());
        Ok(())
    });
}

#[test]
fn an_unknown_host_is_an_error() {
    // `.invalid` is reserved (RFC 2606): no resolver may answer it. The lookup runs on the
    // blocking pool; a slow DNS server makes it slow, never a hang past the bound.
    on_both("unknown host", || async {
        let e = TcpStream::connect("nonexistent.invalid:80")
            .await
            .unwrap_err();
        assert_ne!(e.kind(), ErrorKind::ConnectionRefused, "{e}");
        assert!(lookup_host(("nonexistent.invalid", 80)).await.is_err());
        assert!(TcpListener::bind("nonexistent.invalid:0").await.is_err());
        assert!(UdpSocket::bind("nonexistent.invalid:0").await.is_err());
        Ok(())
    });
}

#[test]
fn an_empty_address_list_is_invalid_input() {
    on_both("empty slice", || async {
        let none: &[SocketAddr] = &[];
        expect_err(TcpStream::connect(none).await, ErrorKind::InvalidInput);
        expect_err(TcpListener::bind(none).await, ErrorKind::InvalidInput);
        expect_err(UdpSocket::bind(none).await, ErrorKind::InvalidInput);
        expect_err(lookup_host(none).await, ErrorKind::InvalidInput);
        let udp = UdpSocket::bind("127.0.0.1:0").await?;
        expect_err(udp.connect(none).await, ErrorKind::InvalidInput);
        expect_err(udp.send_to(b"x", none).await, ErrorKind::InvalidInput);
        Ok(())
    });
}

#[test]
fn unix_paths_too_long_or_with_nul_are_invalid_input() {
    on_both("unix path", || async {
        let dir = Scratch::new("path");
        // sun_path holds 108 bytes including the terminating NUL: 107 fit, 108 do not.
        let fit = padded(dir.path(), 107);
        let too_long = padded(dir.path(), 108);
        let nul = dir.join("a\0b");

        for path in [&too_long, &nul] {
            let shown = path.display();
            expect_err(UnixListener::bind(path), ErrorKind::InvalidInput);
            expect_err(UnixStream::connect(path).await, ErrorKind::InvalidInput);
            expect_err(UnixDatagram::bind(path), ErrorKind::InvalidInput);
            let d = UnixDatagram::unbound()?;
            expect_err(d.connect(path), ErrorKind::InvalidInput);
            let e = d.send_to(b"x", path).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "send_to {shown}: {e}");
        }
        // Nothing was created for the refused paths.
        assert!(!too_long.exists());

        // The longest path that fits works end to end.
        let listener = UnixListener::bind(&fit)?;
        let mut client = UnixStream::connect(&fit).await?;
        let (mut server, _) = listener.accept().await?;
        client.write_all(b"fits").await?;
        let mut buf = [0; 4];
        server.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"fits");
        assert_eq!(listener.local_addr()?.as_pathname(), Some(fit.as_path()));
        Ok(())
    });
}

/// A path under `dir` exactly `len` bytes long.
fn padded(dir: &std::path::Path, len: usize) -> PathBuf {
    let base = dir.as_os_str().len() + 1;
    assert!(
        base < len,
        "the scratch directory's path is too long: {}",
        dir.display()
    );
    dir.join("x".repeat(len - base))
}
