//! [`TcpStream`]: a TCP connection on the loop.

use std::fmt;
use std::io::{self, IoSlice, IoSliceMut};
use std::net::{Shutdown, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use corio_reactor::Async;
use futures_io::{AsyncRead, AsyncWrite};

use crate::addr::{ToSocketAddrs, resolve};
use crate::options;
use crate::split::{OwnedReadHalf, OwnedWriteHalf, split};
use crate::sys;
use crate::tcp::TcpSocket;

/// A TCP connection: [`AsyncRead`] and [`AsyncWrite`] (for `TcpStream` and `&TcpStream`, so
/// one task can read while another writes), split into owned halves with
/// [`into_split`](TcpStream::into_split).
///
/// Closing the write side (`AsyncWriteExt::close`) shuts the connection down for writing
/// (the peer reads end of file); dropping the stream closes it.
///
/// ```
/// use futures_lite::{AsyncReadExt, AsyncWriteExt};
///
/// corio::run(async {
///     let listener = corio_net::TcpListener::bind("127.0.0.1:0").await?;
///     let mut client = corio_net::TcpStream::connect(listener.local_addr()?).await?;
///     let (mut server, _) = listener.accept().await?;
///     client.write_all(b"ping").await?;
///     let mut buf = [0; 4];
///     server.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"ping");
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub struct TcpStream {
    inner: Async<std::net::TcpStream>,
}

impl TcpStream {
    pub(crate) fn from_async(inner: Async<std::net::TcpStream>) -> TcpStream {
        TcpStream { inner }
    }

    /// Connects to `addr`, trying each address it resolves to in turn (host names are
    /// looked up on the blocking pool).
    ///
    /// # Errors
    ///
    /// The resolution's error, or the last address's connect error: `ConnectionRefused` when
    /// nothing listens there.
    ///
    /// Cancel safety: cancelling abandons the attempt and closes its socket.
    ///
    /// ```
    /// corio::run(async {
    ///     let listener = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let addr = listener.local_addr()?;
    ///     let stream = corio_net::TcpStream::connect(addr).await?;
    ///     assert_eq!(stream.peer_addr()?, addr);
    ///     drop(listener);
    ///     let refused = corio_net::TcpStream::connect(addr).await.unwrap_err();
    ///     assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpStream> {
        let mut last = None;
        for addr in resolve(addr).await? {
            // A socket of the address's family may fail to exist (IPv6 disabled, say): that
            // address failed, the next may still work — as std and asyncio try them.
            let attempt = match TcpSocket::for_addr(&addr) {
                Ok(socket) => socket.connect(addr).await,
                Err(e) => Err(e),
            };
            match attempt {
                Ok(stream) => return Ok(stream),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::from(io::ErrorKind::AddrNotAvailable)))
    }

    /// Wraps a connection made by std (made non-blocking and registered with the reactor).
    ///
    /// # Errors
    ///
    /// If the descriptor cannot be made non-blocking or the reactor refuses it.
    ///
    /// ```
    /// corio::run(async {
    ///     let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let std = std::net::TcpStream::connect(l.local_addr()?)?;
    ///     let s = corio_net::TcpStream::from_std(std)?;
    ///     assert_eq!(s.peer_addr()?, l.local_addr()?);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream::from_async(Async::new(stream)?))
    }

    /// Splits the connection into a read half and a write half that can move to different
    /// tasks; [`OwnedReadHalf::reunite`] puts them back together. (To share it within one
    /// task, use `&TcpStream`, which reads and writes too.)
    ///
    /// ```
    /// use futures_lite::{AsyncReadExt, AsyncWriteExt};
    ///
    /// corio::run(async {
    ///     let listener = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let client = corio_net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let (mut server, _) = listener.accept().await?;
    ///     let (mut read, mut write) = client.into_split();
    ///     let writer = corio::spawn(async move { write.write_all(b"hello").await });
    ///     let mut buf = [0; 5];
    ///     server.read_exact(&mut buf).await?;
    ///     server.write_all(&buf).await?;
    ///     read.read_exact(&mut buf).await?;
    ///     assert_eq!(&buf, b"hello");
    ///     writer.await.unwrap()
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf<TcpStream>, OwnedWriteHalf<TcpStream>) {
        split(self)
    }

    /// The address of the peer.
    ///
    /// # Errors
    ///
    /// `NotConnected` once the connection is gone.
    ///
    /// ```
    /// corio::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let c = corio_net::TcpStream::connect(l.local_addr()?).await?;
    ///     assert_eq!(c.peer_addr()?, l.local_addr()?);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().peer_addr()
    }

    /// The local address of the connection.
    ///
    /// # Errors
    ///
    /// As `getsockname(2)`.
    ///
    /// ```
    /// corio::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let c = corio_net::TcpStream::connect(l.local_addr()?).await?;
    ///     assert!(c.local_addr()?.ip().is_loopback());
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }

    /// Shuts down the reading side, the writing side or both; the descriptor stays open.
    ///
    /// # Errors
    ///
    /// `NotConnected` if the connection is gone.
    ///
    /// ```
    /// use futures_lite::AsyncReadExt;
    ///
    /// corio::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let c = corio_net::TcpStream::connect(l.local_addr()?).await?;
    ///     let (mut s, _) = l.accept().await?;
    ///     c.shutdown(std::net::Shutdown::Write)?;
    ///     let mut rest = Vec::new();
    ///     assert_eq!(s.read_to_end(&mut rest).await?, 0); // end of file
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.get_ref().shutdown(how)
    }

    /// Reads without consuming: the bytes stay for the next read.
    ///
    /// # Errors
    ///
    /// As `recv(2)`.
    ///
    /// Cancel safety: cancel safe; nothing is consumed.
    ///
    /// ```
    /// use futures_lite::{AsyncReadExt, AsyncWriteExt};
    ///
    /// corio::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let mut c = corio_net::TcpStream::connect(l.local_addr()?).await?;
    ///     let (mut s, _) = l.accept().await?;
    ///     c.write_all(b"GET /").await?;
    ///     let mut head = [0; 3];
    ///     let n = s.peek(&mut head).await?;
    ///     assert_eq!(&head[..n], &b"GET"[..n]);
    ///     let mut all = [0; 5];
    ///     s.read_exact(&mut all).await?;
    ///     assert_eq!(&all, b"GET /");
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read_with(|s| s.peek(buf)).await
    }

    /// Whether `TCP_NODELAY` is set.
    ///
    /// # Errors
    ///
    /// As `getsockopt(2)`.
    ///
    /// ```
    /// corio::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let c = corio_net::TcpStream::connect(l.local_addr()?).await?;
    ///     assert!(!c.nodelay()?);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn nodelay(&self) -> io::Result<bool> {
        self.inner.get_ref().nodelay()
    }

    /// Sets `TCP_NODELAY`: small writes go out at once instead of waiting to be coalesced
    /// (Nagle's algorithm). Request–response protocols want it.
    ///
    /// # Errors
    ///
    /// As `setsockopt(2)`.
    ///
    /// ```
    /// corio::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let c = corio_net::TcpStream::connect(l.local_addr()?).await?;
    ///     c.set_nodelay(true)?;
    ///     assert!(c.nodelay()?);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.inner.get_ref().set_nodelay(on)
    }

    /// The IP time-to-live of outgoing packets.
    ///
    /// # Errors
    ///
    /// As `getsockopt(2)`.
    ///
    /// ```
    /// corio::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let c = corio_net::TcpStream::connect(l.local_addr()?).await?;
    ///     c.set_ttl(7)?;
    ///     assert_eq!(c.ttl()?, 7);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn ttl(&self) -> io::Result<u32> {
        self.inner.get_ref().ttl()
    }

    /// Sets the IP time-to-live of outgoing packets.
    ///
    /// # Errors
    ///
    /// As `setsockopt(2)`.
    ///
    /// ```
    /// corio::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let c = corio_net::TcpStream::connect(l.local_addr()?).await?;
    ///     c.set_ttl(64)?;
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.inner.get_ref().set_ttl(ttl)
    }

    /// `SO_LINGER`: what closing does with unsent data. `None` (the default): close returns
    /// at once and the kernel sends the rest in the background. `Some(Duration::ZERO)`: close
    /// discards it and resets the connection (no `TIME_WAIT`). Other values make close
    /// *block* up to that long — avoid them on an event loop. The kernel counts whole
    /// seconds: a fraction is rounded up (never down to an abortive zero).
    ///
    /// # Errors
    ///
    /// As `setsockopt(2)`.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// corio::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let c = corio_net::TcpStream::connect(l.local_addr()?).await?;
    ///     c.set_linger(Some(Duration::ZERO))?;
    ///     assert_eq!(c.linger()?, Some(Duration::ZERO));
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        options::set_linger(self.as_fd(), linger)
    }

    /// `SO_LINGER`; see [`set_linger`](TcpStream::set_linger).
    ///
    /// # Errors
    ///
    /// As `getsockopt(2)`.
    ///
    /// ```
    /// corio::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let c = corio_net::TcpStream::connect(l.local_addr()?).await?;
    ///     assert_eq!(c.linger()?, None);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        options::linger(self.as_fd())
    }

    /// TCP keep-alive: `Some(idle)` turns it on (`SO_KEEPALIVE`) with the first probe after
    /// `idle` of silence (`TCP_KEEPIDLE`, whole seconds); `None` turns it off. A dead peer
    /// is then detected even on a connection that never writes.
    ///
    /// # Errors
    ///
    /// As `setsockopt(2)`.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// corio::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let c = corio_net::TcpStream::connect(l.local_addr()?).await?;
    ///     c.set_keepalive(Some(Duration::from_secs(60)))?;
    ///     assert_eq!(c.keepalive()?, Some(Duration::from_secs(60)));
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn set_keepalive(&self, idle: Option<Duration>) -> io::Result<()> {
        options::set_keepalive(self.as_fd(), idle)
    }

    /// The keep-alive idle time, `None` when keep-alive is off; see
    /// [`set_keepalive`](TcpStream::set_keepalive).
    ///
    /// # Errors
    ///
    /// As `getsockopt(2)`.
    ///
    /// ```
    /// corio::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let c = corio_net::TcpStream::connect(l.local_addr()?).await?;
    ///     assert_eq!(c.keepalive()?, None);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn keepalive(&self) -> io::Result<Option<Duration>> {
        options::keepalive(self.as_fd())
    }

    /// The socket's pending error (`SO_ERROR`), which reading clears.
    ///
    /// # Errors
    ///
    /// As `getsockopt(2)`.
    ///
    /// ```
    /// corio::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let c = corio_net::TcpStream::connect(l.local_addr()?).await?;
    ///     assert!(c.take_error()?.is_none());
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        sys::take_error(self.as_fd())
    }

    /// Waits until the connection is readable (data, end of file or an error).
    ///
    /// # Errors
    ///
    /// None today; the `Result` leaves room for reactor failures.
    ///
    /// Cancel safety: cancel safe.
    ///
    /// ```
    /// use futures_lite::AsyncWriteExt;
    ///
    /// corio::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let mut c = corio_net::TcpStream::connect(l.local_addr()?).await?;
    ///     let (s, _) = l.accept().await?;
    ///     c.write_all(b"x").await?;
    ///     s.readable().await?;
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn readable(&self) -> io::Result<()> {
        self.inner.readable().await
    }

    /// Waits until the connection is writable (room in the send buffer, or an error).
    ///
    /// # Errors
    ///
    /// None today; the `Result` leaves room for reactor failures.
    ///
    /// Cancel safety: cancel safe.
    ///
    /// ```
    /// corio::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let c = corio_net::TcpStream::connect(l.local_addr()?).await?;
    ///     c.writable().await?;
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn writable(&self) -> io::Result<()> {
        self.inner.writable().await
    }
}

/// Reads and writes through the reactor (stream sockets: a short read or write settles the
/// readiness without a `WouldBlock` call). The work is done by `&Socket`'s impls, so that
/// one task can read while another writes; the owned socket delegates to them.
macro_rules! stream_io {
    ($name:ident) => {
        impl AsyncRead for &$name {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                self.inner.poll_read_stream(cx, buf)
            }

            fn poll_read_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &mut [IoSliceMut<'_>],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut &self.inner).poll_read_vectored(cx, bufs)
            }
        }

        impl AsyncWrite for &$name {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                self.inner.poll_write_stream(cx, buf)
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut &self.inner).poll_write_vectored(cx, bufs)
            }

            /// Sockets keep no buffer of their own: nothing to flush.
            fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(Ok(()))
            }

            /// Shuts the writing side down: the peer reads end of file.
            fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
                Poll::Ready(self.inner.get_ref().shutdown(Shutdown::Write))
            }
        }

        impl AsyncRead for $name {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut &*self).poll_read(cx, buf)
            }

            fn poll_read_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &mut [IoSliceMut<'_>],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut &*self).poll_read_vectored(cx, bufs)
            }
        }

        impl AsyncWrite for $name {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut &*self).poll_write(cx, buf)
            }

            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut &*self).poll_write_vectored(cx, bufs)
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Pin::new(&mut &*self).poll_flush(cx)
            }

            fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Pin::new(&mut &*self).poll_close(cx)
            }
        }

        impl AsFd for $name {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.inner.as_fd()
            }
        }

        impl AsRawFd for $name {
            fn as_raw_fd(&self) -> RawFd {
                self.inner.as_raw_fd()
            }
        }
    };
}
pub(crate) use stream_io;

stream_io!(TcpStream);

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpStream")
            .field("local", &self.local_addr().ok())
            .field("peer", &self.peer_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}
