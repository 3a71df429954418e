//! [`TcpListener`]: accepts TCP connections on the loop.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::pin::Pin;
use std::task::{Context, Poll};

use corio_reactor::Async;
use futures_core::Stream;

use crate::addr::{ToSocketAddrs, resolve};
use crate::tcp::{TcpSocket, TcpStream};

/// The listen backlog [`TcpListener::bind`] asks for; the kernel caps it at `somaxconn`.
const DEFAULT_BACKLOG: u32 = 1024;

/// A TCP socket listening for connections.
///
/// ```
/// use futures_lite::{AsyncReadExt, AsyncWriteExt};
///
/// corio::run(async {
///     let listener = corio_net::TcpListener::bind("127.0.0.1:0").await?;
///     let addr = listener.local_addr()?;
///     let client = corio::spawn(async move {
///         let mut s = corio_net::TcpStream::connect(addr).await?;
///         s.write_all(b"hello").await?;
///         std::io::Result::Ok(())
///     });
///     let (mut conn, peer) = listener.accept().await?;
///     let mut got = String::new();
///     conn.read_to_string(&mut got).await?;
///     assert_eq!(got, "hello");
///     assert!(peer.ip().is_loopback());
///     client.await.unwrap()
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub struct TcpListener {
    inner: Async<std::net::TcpListener>,
}

impl TcpListener {
    pub(crate) fn from_async(inner: Async<std::net::TcpListener>) -> TcpListener {
        TcpListener { inner }
    }

    /// Listens on `addr` (`SO_REUSEADDR` set, backlog 1024). A name resolving to several
    /// addresses binds the first that works.
    ///
    /// # Errors
    ///
    /// The address cannot be resolved or parsed, is in use (`AddrInUse`) or not local
    /// (`AddrNotAvailable`): the last address's error.
    ///
    /// ```
    /// corio::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     assert!(l.local_addr()?.port() != 0);
    ///     assert!(corio_net::TcpListener::bind("not an address").await.is_err());
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
        let mut last = None;
        for addr in resolve(addr).await? {
            match TcpListener::bind_one(addr) {
                Ok(l) => return Ok(l),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::from(io::ErrorKind::AddrNotAvailable)))
    }

    fn bind_one(addr: SocketAddr) -> io::Result<TcpListener> {
        let socket = TcpSocket::for_addr(&addr)?;
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        socket.listen(DEFAULT_BACKLOG)
    }

    /// Wraps a listener made by std (made non-blocking and registered with the reactor).
    ///
    /// # Errors
    ///
    /// If the reactor refuses the descriptor.
    ///
    /// ```
    /// corio::run(async {
    ///     let std = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let l = corio_net::TcpListener::from_std(std)?;
    ///     assert!(l.local_addr()?.ip().is_loopback());
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        Ok(TcpListener::from_async(Async::new(listener)?))
    }

    /// Waits for the next connection.
    ///
    /// # Errors
    ///
    /// As `accept(2)`. Some errors concern only the connection being accepted
    /// (`ConnectionAborted`: it was reset first) and some are passing (out of descriptors,
    /// `EMFILE`): a server should log them and go on accepting — after a pause for the
    /// latter, so as not to spin. [`start_server`](crate::start_server) does that.
    ///
    /// Cancel safety: cancel safe; a connection is either returned or left in the backlog.
    ///
    /// ```
    /// corio::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let c = corio_net::TcpStream::connect(l.local_addr()?).await?;
    ///     let (s, peer) = l.accept().await?;
    ///     assert_eq!(peer, c.local_addr()?);
    ///     assert_eq!(s.peer_addr()?, c.local_addr()?);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        std::future::poll_fn(|cx| self.poll_accept(cx)).await
    }

    /// The poll form of [`accept`](TcpListener::accept) (one waker: the latest caller's).
    ///
    /// # Errors
    ///
    /// As [`accept`](TcpListener::accept).
    ///
    /// ```
    /// corio::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let _c = corio_net::TcpStream::connect(l.local_addr()?).await?;
    ///     let (_s, _peer) = std::future::poll_fn(|cx| l.poll_accept(cx)).await?;
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(TcpStream, SocketAddr)>> {
        match self.inner.poll_read_with(cx, |l| l.accept()) {
            Poll::Ready(Ok((stream, peer))) => {
                Poll::Ready(TcpStream::from_std(stream).map(|s| (s, peer)))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }

    /// The connections, as a [`Stream`] that never ends (errors included, as `accept`
    /// returns them).
    ///
    /// ```
    /// use futures_lite::StreamExt;
    ///
    /// corio::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let _c = corio_net::TcpStream::connect(l.local_addr()?).await?;
    ///     let mut incoming = l.incoming();
    ///     let first = incoming.next().await.unwrap()?;
    ///     assert!(first.peer_addr()?.ip().is_loopback());
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn incoming(&self) -> Incoming<'_> {
        Incoming { listener: self }
    }

    /// The address the listener is bound to (with the port the system chose for port 0).
    ///
    /// # Errors
    ///
    /// As `getsockname(2)`.
    ///
    /// ```
    /// corio::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     assert!(l.local_addr()?.port() != 0);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }

    /// Sets the time-to-live of the IP packets the accepted sockets send.
    ///
    /// # Errors
    ///
    /// As `setsockopt(2)`.
    ///
    /// ```
    /// corio::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     l.set_ttl(42)?;
    ///     assert_eq!(l.ttl()?, 42);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.inner.get_ref().set_ttl(ttl)
    }

    /// The IP time-to-live; see [`set_ttl`](TcpListener::set_ttl).
    ///
    /// # Errors
    ///
    /// As `getsockopt(2)`.
    ///
    /// ```
    /// corio::run(async {
    ///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     assert!(l.ttl()? > 0);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn ttl(&self) -> io::Result<u32> {
        self.inner.get_ref().ttl()
    }
}

impl AsFd for TcpListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl AsRawFd for TcpListener {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener")
            .field("addr", &self.local_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}

/// The connections of a [`TcpListener`], from [`TcpListener::incoming`].
///
/// ```
/// use futures_lite::StreamExt;
///
/// corio::run(async {
///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
///     let _c = corio_net::TcpStream::connect(l.local_addr()?).await?;
///     let first: corio_net::TcpStream = l.incoming().next().await.unwrap()?;
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
#[must_use = "streams do nothing unless polled"]
#[derive(Debug)]
pub struct Incoming<'a> {
    listener: &'a TcpListener,
}

impl Stream for Incoming<'_> {
    type Item = io::Result<TcpStream>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.listener
            .poll_accept(cx)
            .map(|r| Some(r.map(|(s, _)| s)))
    }
}
