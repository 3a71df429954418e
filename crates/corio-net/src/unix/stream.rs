//! [`UnixStream`]: a Unix-domain stream connection on the loop.

use std::fmt;
use std::io::{self, IoSlice, IoSliceMut};
use std::net::Shutdown;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use corio_reactor::Async;
use futures_io::{AsyncRead, AsyncWrite};

use crate::connect::connect;
use crate::split::{OwnedReadHalf, OwnedWriteHalf, split};
use crate::sys;
use crate::tcp::stream_io;

/// A Unix-domain stream socket, connected: [`AsyncRead`] and [`AsyncWrite`] (for
/// `UnixStream` and `&UnixStream`), split into owned halves with
/// [`into_split`](UnixStream::into_split). Closing the write side shuts it down for
/// writing.
///
/// ```
/// use futures_lite::{AsyncReadExt, AsyncWriteExt};
///
/// corio::run(async {
///     let (mut a, mut b) = corio_net::UnixStream::pair()?;
///     a.write_all(b"ping").await?;
///     let mut buf = [0; 4];
///     b.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"ping");
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub struct UnixStream {
    inner: Async<std::os::unix::net::UnixStream>,
}

impl UnixStream {
    /// Connects to the socket bound at `path`.
    ///
    /// # Errors
    ///
    /// `NotFound` if nothing is bound there, `ConnectionRefused` if nothing listens,
    /// `InvalidInput` for a path too long for `sun_path`, `WouldBlock` if the listener's
    /// backlog is full.
    ///
    /// Cancel safety: cancelling abandons the attempt and closes its socket.
    ///
    /// ```
    /// corio::run(async {
    ///     let path = std::env::temp_dir().join(format!("corio-doc-uc-{}", std::process::id()));
    ///     let _ = std::fs::remove_file(&path);
    ///     let listener = corio_net::UnixListener::bind(&path)?;
    ///     let client = corio_net::UnixStream::connect(&path).await?;
    ///     let (_server, _) = listener.accept().await?;
    ///     assert_eq!(client.peer_addr()?.as_pathname(), Some(path.as_path()));
    ///     std::fs::remove_file(&path)
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn connect(path: impl AsRef<Path>) -> io::Result<UnixStream> {
        let addr = sys::unix_addr(path.as_ref())?;
        let fd = sys::socket(libc::AF_UNIX, libc::SOCK_STREAM)?;
        Ok(UnixStream {
            inner: connect(fd, &addr).await?,
        })
    }

    /// Two connected sockets (`socketpair(2)`), for talking to oneself or to a child.
    ///
    /// # Errors
    ///
    /// Out of descriptors, or the reactor refuses them.
    ///
    /// ```
    /// use futures_lite::{AsyncReadExt, AsyncWriteExt};
    ///
    /// corio::run(async {
    ///     let (mut a, mut b) = corio_net::UnixStream::pair()?;
    ///     b.write_all(b"x").await?;
    ///     let mut buf = [0; 1];
    ///     a.read_exact(&mut buf).await?;
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = std::os::unix::net::UnixStream::pair()?;
        Ok((UnixStream::from_std(a)?, UnixStream::from_std(b)?))
    }

    /// Wraps a socket made by std (made non-blocking and registered with the reactor).
    ///
    /// # Errors
    ///
    /// If the descriptor cannot be made non-blocking or the reactor refuses it.
    ///
    /// ```
    /// corio::run(async {
    ///     let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    ///     let a = corio_net::UnixStream::from_std(a)?;
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        Ok(UnixStream {
            inner: Async::new(stream)?,
        })
    }

    /// Splits the socket into halves that can move to different tasks; see
    /// [`TcpStream::into_split`](crate::TcpStream::into_split).
    ///
    /// ```
    /// let (a, _b) = corio::run(async { corio_net::UnixStream::pair() })?;
    /// let (read, write) = a.into_split();
    /// # std::io::Result::Ok(())
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf<UnixStream>, OwnedWriteHalf<UnixStream>) {
        split(self)
    }

    /// The address of the peer (unnamed for a `pair` or an unbound client).
    ///
    /// # Errors
    ///
    /// As `getpeername(2)`.
    ///
    /// ```
    /// let (a, _b) = corio::run(async { corio_net::UnixStream::pair() })?;
    /// assert!(a.peer_addr()?.is_unnamed());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().peer_addr()
    }

    /// The local address (unnamed for a client).
    ///
    /// # Errors
    ///
    /// As `getsockname(2)`.
    ///
    /// ```
    /// let (a, _b) = corio::run(async { corio_net::UnixStream::pair() })?;
    /// assert!(a.local_addr()?.is_unnamed());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }

    /// Shuts down the reading side, the writing side or both.
    ///
    /// # Errors
    ///
    /// `NotConnected` if the peer is gone.
    ///
    /// ```
    /// use futures_lite::AsyncReadExt;
    ///
    /// corio::run(async {
    ///     let (a, mut b) = corio_net::UnixStream::pair()?;
    ///     a.shutdown(std::net::Shutdown::Write)?;
    ///     assert_eq!(b.read(&mut [0; 8]).await?, 0);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.get_ref().shutdown(how)
    }

    /// The socket's pending error (`SO_ERROR`), which reading clears.
    ///
    /// # Errors
    ///
    /// As `getsockopt(2)`.
    ///
    /// ```
    /// let (a, _b) = corio::run(async { corio_net::UnixStream::pair() })?;
    /// assert!(a.take_error()?.is_none());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        sys::take_error(self.as_fd())
    }
}

stream_io!(UnixStream);

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixStream")
            .field("local", &self.local_addr().ok())
            .field("peer", &self.peer_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}
