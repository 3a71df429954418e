//! [`UnixListener`]: accepts Unix-domain connections on the loop.

use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;
use std::task::{Context, Poll};

use corio_reactor::Async;

use crate::unix::UnixStream;

/// A Unix-domain socket listening for connections.
///
/// The socket file stays after the listener is dropped (as in asyncio and std): remove it
/// when done, and before binding again.
///
/// ```
/// use futures_lite::{AsyncReadExt, AsyncWriteExt};
///
/// corio::run(async {
///     let path = std::env::temp_dir().join(format!("corio-doc-ul-{}", std::process::id()));
///     let _ = std::fs::remove_file(&path);
///     let listener = corio_net::UnixListener::bind(&path)?;
///     let mut client = corio_net::UnixStream::connect(&path).await?;
///     let (mut conn, _) = listener.accept().await?;
///     client.write_all(b"hi").await?;
///     let mut buf = [0; 2];
///     conn.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"hi");
///     std::fs::remove_file(&path)
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub struct UnixListener {
    inner: Async<std::os::unix::net::UnixListener>,
}

impl UnixListener {
    /// Binds a new socket file at `path` and listens on it.
    ///
    /// # Errors
    ///
    /// `AddrInUse` if the file exists, `NotFound` / `PermissionDenied` for the directory,
    /// `InvalidInput` for a path too long for `sun_path`.
    ///
    /// ```
    /// corio::run(async {
    ///     let path = std::env::temp_dir().join(format!("corio-doc-ub-{}", std::process::id()));
    ///     let _ = std::fs::remove_file(&path);
    ///     let l = corio_net::UnixListener::bind(&path)?;
    ///     assert_eq!(l.local_addr()?.as_pathname(), Some(path.as_path()));
    ///     assert!(corio_net::UnixListener::bind(&path).is_err()); // in use
    ///     std::fs::remove_file(&path)
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        UnixListener::from_std(std::os::unix::net::UnixListener::bind(path)?)
    }

    /// Wraps a listener made by std (made non-blocking and registered with the reactor).
    ///
    /// # Errors
    ///
    /// If the reactor refuses the descriptor.
    ///
    /// ```
    /// corio::run(async {
    ///     let path = std::env::temp_dir().join(format!("corio-doc-us-{}", std::process::id()));
    ///     let _ = std::fs::remove_file(&path);
    ///     let std = std::os::unix::net::UnixListener::bind(&path)?;
    ///     let _l = corio_net::UnixListener::from_std(std)?;
    ///     std::fs::remove_file(&path)
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn from_std(listener: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        Ok(UnixListener {
            inner: Async::new(listener)?,
        })
    }

    /// Waits for the next connection.
    ///
    /// # Errors
    ///
    /// As `accept(2)`; see [`TcpListener::accept`](crate::TcpListener::accept) for which
    /// errors are passing.
    ///
    /// Cancel safety: cancel safe.
    ///
    /// ```
    /// corio::run(async {
    ///     let path = std::env::temp_dir().join(format!("corio-doc-ua-{}", std::process::id()));
    ///     let _ = std::fs::remove_file(&path);
    ///     let l = corio_net::UnixListener::bind(&path)?;
    ///     let _c = corio_net::UnixStream::connect(&path).await?;
    ///     let (_s, peer) = l.accept().await?;
    ///     assert!(peer.is_unnamed());
    ///     std::fs::remove_file(&path)
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        std::future::poll_fn(|cx| self.poll_accept(cx)).await
    }

    /// The poll form of [`accept`](UnixListener::accept) (one waker: the latest caller's).
    ///
    /// # Errors
    ///
    /// As [`accept`](UnixListener::accept).
    ///
    /// ```
    /// corio::run(async {
    ///     let path = std::env::temp_dir().join(format!("corio-doc-up-{}", std::process::id()));
    ///     let _ = std::fs::remove_file(&path);
    ///     let l = corio_net::UnixListener::bind(&path)?;
    ///     let _c = corio_net::UnixStream::connect(&path).await?;
    ///     let _ = std::future::poll_fn(|cx| l.poll_accept(cx)).await?;
    ///     std::fs::remove_file(&path)
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn poll_accept(&self, cx: &mut Context<'_>) -> Poll<io::Result<(UnixStream, SocketAddr)>> {
        match self.inner.poll_read_with(cx, |l| l.accept()) {
            Poll::Ready(Ok((stream, peer))) => {
                Poll::Ready(UnixStream::from_std(stream).map(|s| (s, peer)))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => Poll::Pending,
        }
    }

    /// The address the listener is bound to.
    ///
    /// # Errors
    ///
    /// As `getsockname(2)`.
    ///
    /// ```
    /// corio::run(async {
    ///     let path = std::env::temp_dir().join(format!("corio-doc-un-{}", std::process::id()));
    ///     let _ = std::fs::remove_file(&path);
    ///     let l = corio_net::UnixListener::bind(&path)?;
    ///     assert_eq!(l.local_addr()?.as_pathname(), Some(path.as_path()));
    ///     std::fs::remove_file(&path)
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }
}

impl AsFd for UnixListener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl AsRawFd for UnixListener {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixListener")
            .field("addr", &self.local_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}
