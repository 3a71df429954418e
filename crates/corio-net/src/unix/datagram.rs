//! [`UnixDatagram`]: Unix-domain datagrams on the loop.

use std::fmt;
use std::io;
use std::net::Shutdown;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::SocketAddr;
use std::path::Path;

use corio_reactor::Async;

/// A Unix-domain datagram socket: message boundaries kept, delivery reliable and ordered on
/// the same machine.
///
/// ```
/// corio::run(async {
///     let (a, b) = corio_net::UnixDatagram::pair()?;
///     a.send(b"one").await?;
///     a.send(b"two").await?;
///     let mut buf = [0; 16];
///     let n = b.recv(&mut buf).await?;
///     assert_eq!(&buf[..n], b"one");
///     let n = b.recv(&mut buf).await?;
///     assert_eq!(&buf[..n], b"two");
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub struct UnixDatagram {
    inner: Async<std::os::unix::net::UnixDatagram>,
}

impl UnixDatagram {
    /// A socket bound to a new socket file at `path` (remove it when done).
    ///
    /// # Errors
    ///
    /// `AddrInUse` if the file exists; as `bind(2)`.
    ///
    /// ```
    /// corio::run(async {
    ///     let path = std::env::temp_dir().join(format!("corio-doc-ud-{}", std::process::id()));
    ///     let _ = std::fs::remove_file(&path);
    ///     let server = corio_net::UnixDatagram::bind(&path)?;
    ///     let client = corio_net::UnixDatagram::unbound()?;
    ///     client.send_to(b"hello", &path).await?;
    ///     let mut buf = [0; 16];
    ///     let (n, _from) = server.recv_from(&mut buf).await?;
    ///     assert_eq!(&buf[..n], b"hello");
    ///     std::fs::remove_file(&path)
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixDatagram> {
        UnixDatagram::from_std(std::os::unix::net::UnixDatagram::bind(path)?)
    }

    /// A socket bound to no address (it can send, and receive replies only if connected).
    ///
    /// # Errors
    ///
    /// Out of descriptors, or the reactor refuses it.
    ///
    /// ```
    /// let s = corio::run(async { corio_net::UnixDatagram::unbound() })?;
    /// assert!(s.local_addr()?.is_unnamed());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn unbound() -> io::Result<UnixDatagram> {
        UnixDatagram::from_std(std::os::unix::net::UnixDatagram::unbound()?)
    }

    /// Two connected sockets.
    ///
    /// # Errors
    ///
    /// Out of descriptors, or the reactor refuses them.
    ///
    /// ```
    /// let (a, b) = corio::run(async { corio_net::UnixDatagram::pair() })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = std::os::unix::net::UnixDatagram::pair()?;
        Ok((UnixDatagram::from_std(a)?, UnixDatagram::from_std(b)?))
    }

    /// Wraps a socket made by std (made non-blocking and registered with the reactor).
    ///
    /// # Errors
    ///
    /// If the reactor refuses the descriptor.
    ///
    /// ```
    /// corio::run(async {
    ///     let std = std::os::unix::net::UnixDatagram::unbound()?;
    ///     let _s = corio_net::UnixDatagram::from_std(std)?;
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn from_std(socket: std::os::unix::net::UnixDatagram) -> io::Result<UnixDatagram> {
        Ok(UnixDatagram {
            inner: Async::new(socket)?,
        })
    }

    /// Sets the default destination (for [`send`](UnixDatagram::send)) and accepts datagrams
    /// from it only.
    ///
    /// # Errors
    ///
    /// As `connect(2)`: `NotFound`, `ConnectionRefused`.
    ///
    /// ```
    /// corio::run(async {
    ///     let path = std::env::temp_dir().join(format!("corio-doc-uc2-{}", std::process::id()));
    ///     let _ = std::fs::remove_file(&path);
    ///     let server = corio_net::UnixDatagram::bind(&path)?;
    ///     let client = corio_net::UnixDatagram::unbound()?;
    ///     client.connect(&path)?;
    ///     client.send(b"hi").await?;
    ///     let mut buf = [0; 2];
    ///     server.recv(&mut buf).await?;
    ///     std::fs::remove_file(&path)
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        self.inner.get_ref().connect(path)
    }

    /// Sends one datagram to the connected peer.
    ///
    /// # Errors
    ///
    /// `NotConnected` if not connected; as `send(2)`.
    ///
    /// Cancel safety: cancel safe; a datagram is sent whole or not at all.
    ///
    /// ```
    /// let n = corio::run(async {
    ///     let (a, _b) = corio_net::UnixDatagram::pair()?;
    ///     a.send(b"abc").await
    /// })?;
    /// assert_eq!(n, 3);
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write_with(|s| s.send(buf)).await
    }

    /// Receives one datagram from the connected peer; the rest of a datagram longer than
    /// `buf` is discarded.
    ///
    /// # Errors
    ///
    /// As `recv(2)`.
    ///
    /// Cancel safety: cancel safe; a datagram is received whole or not at all.
    ///
    /// ```
    /// corio::run(async {
    ///     let (a, b) = corio_net::UnixDatagram::pair()?;
    ///     a.send(b"abc").await?;
    ///     let mut buf = [0; 8];
    ///     assert_eq!(b.recv(&mut buf).await?, 3);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read_with(|s| s.recv(buf)).await
    }

    /// Sends one datagram to the socket bound at `path`.
    ///
    /// # Errors
    ///
    /// As `sendto(2)`: `NotFound`, `ConnectionRefused`.
    ///
    /// Cancel safety: cancel safe.
    ///
    /// ```
    /// corio::run(async {
    ///     let s = corio_net::UnixDatagram::unbound()?;
    ///     assert!(s.send_to(b"x", "/nonexistent/corio.sock").await.is_err());
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn send_to(&self, buf: &[u8], path: impl AsRef<Path>) -> io::Result<usize> {
        let path = path.as_ref();
        self.inner.write_with(|s| s.send_to(buf, path)).await
    }

    /// Receives one datagram and the address it came from.
    ///
    /// # Errors
    ///
    /// As `recvfrom(2)`.
    ///
    /// Cancel safety: cancel safe.
    ///
    /// ```
    /// corio::run(async {
    ///     let (a, b) = corio_net::UnixDatagram::pair()?;
    ///     a.send(b"abc").await?;
    ///     let mut buf = [0; 8];
    ///     let (n, from) = b.recv_from(&mut buf).await?;
    ///     assert_eq!((n, from.is_unnamed()), (3, true));
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.read_with(|s| s.recv_from(buf)).await
    }

    /// The local address.
    ///
    /// # Errors
    ///
    /// As `getsockname(2)`.
    ///
    /// ```
    /// let s = corio::run(async { corio_net::UnixDatagram::unbound() })?;
    /// assert!(s.local_addr()?.is_unnamed());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }

    /// The connected peer's address.
    ///
    /// # Errors
    ///
    /// `NotConnected` if not connected.
    ///
    /// ```
    /// let s = corio::run(async { corio_net::UnixDatagram::unbound() })?;
    /// assert!(s.peer_addr().is_err());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().peer_addr()
    }

    /// Shuts down receiving, sending or both.
    ///
    /// # Errors
    ///
    /// As `shutdown(2)`.
    ///
    /// ```
    /// let (a, _b) = corio::run(async { corio_net::UnixDatagram::pair() })?;
    /// a.shutdown(std::net::Shutdown::Both)?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.inner.get_ref().shutdown(how)
    }
}

impl AsFd for UnixDatagram {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl AsRawFd for UnixDatagram {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl fmt::Debug for UnixDatagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnixDatagram")
            .field("local", &self.local_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}
