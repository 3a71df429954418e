//! [`TcpSocket`]: a TCP socket not yet bound or connected, for the options that must be set
//! first.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::time::Duration;

use corio_reactor::Async;

use crate::connect::connect;
use crate::options;
use crate::sys;
use crate::tcp::{TcpListener, TcpStream};

/// A TCP socket before `bind` / `listen` / `connect`: where `SO_REUSEADDR`, `SO_REUSEPORT`,
/// buffer sizes and the listen backlog are chosen. Most programs never need it:
/// [`TcpListener::bind`] and [`TcpStream::connect`] do the usual thing.
///
/// The socket is non-blocking and close-on-exec from the moment it exists.
///
/// ```
/// use corio_net::TcpSocket;
///
/// corio::run(async {
///     // Two listeners sharing one port, the kernel spreading connections between them.
///     let a = TcpSocket::new_v4()?;
///     a.set_reuseport(true)?;
///     a.bind("127.0.0.1:0".parse().unwrap())?;
///     let addr = a.local_addr()?;
///     let _a = a.listen(1024)?;
///     let b = TcpSocket::new_v4()?;
///     b.set_reuseport(true)?;
///     b.bind(addr)?;
///     let _b = b.listen(1024)?;
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub struct TcpSocket {
    fd: OwnedFd,
}

impl TcpSocket {
    /// A new IPv4 TCP socket.
    ///
    /// # Errors
    ///
    /// As `socket(2)`: out of descriptors, for example.
    ///
    /// ```
    /// let s = corio_net::TcpSocket::new_v4()?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn new_v4() -> io::Result<TcpSocket> {
        TcpSocket::new(libc::AF_INET)
    }

    /// A new IPv6 TCP socket.
    ///
    /// # Errors
    ///
    /// As `socket(2)`; also when the machine has no IPv6.
    ///
    /// ```
    /// if let Ok(s) = corio_net::TcpSocket::new_v6() {
    ///     s.bind("[::1]:0".parse().unwrap()).ok();
    /// }
    /// ```
    pub fn new_v6() -> io::Result<TcpSocket> {
        TcpSocket::new(libc::AF_INET6)
    }

    /// A new TCP socket of the family of `addr`.
    pub(crate) fn for_addr(addr: &SocketAddr) -> io::Result<TcpSocket> {
        TcpSocket::new(sys::domain_of(addr))
    }

    fn new(domain: libc::c_int) -> io::Result<TcpSocket> {
        Ok(TcpSocket {
            fd: sys::socket(domain, libc::SOCK_STREAM)?,
        })
    }

    /// Allows binding to an address still in `TIME_WAIT` (`SO_REUSEADDR`).
    /// [`TcpListener::bind`] sets it, as std and asyncio do.
    ///
    /// # Errors
    ///
    /// As `setsockopt(2)`.
    ///
    /// ```
    /// let s = corio_net::TcpSocket::new_v4()?;
    /// s.set_reuseaddr(true)?;
    /// assert!(s.reuseaddr()?);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn set_reuseaddr(&self, on: bool) -> io::Result<()> {
        sys::set_flag(self.fd.as_fd(), libc::SOL_SOCKET, libc::SO_REUSEADDR, on)
    }

    /// Whether `SO_REUSEADDR` is set.
    ///
    /// # Errors
    ///
    /// As `getsockopt(2)`.
    ///
    /// ```
    /// assert!(!corio_net::TcpSocket::new_v4()?.reuseaddr()?);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn reuseaddr(&self) -> io::Result<bool> {
        sys::flag(self.fd.as_fd(), libc::SOL_SOCKET, libc::SO_REUSEADDR)
    }

    /// Lets several sockets bind the same address and port (`SO_REUSEPORT`); the kernel
    /// balances incoming connections between their listeners.
    ///
    /// # Errors
    ///
    /// As `setsockopt(2)`.
    ///
    /// ```
    /// let s = corio_net::TcpSocket::new_v4()?;
    /// s.set_reuseport(true)?;
    /// assert!(s.reuseport()?);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn set_reuseport(&self, on: bool) -> io::Result<()> {
        sys::set_flag(self.fd.as_fd(), libc::SOL_SOCKET, libc::SO_REUSEPORT, on)
    }

    /// Whether `SO_REUSEPORT` is set.
    ///
    /// # Errors
    ///
    /// As `getsockopt(2)`.
    ///
    /// ```
    /// assert!(!corio_net::TcpSocket::new_v4()?.reuseport()?);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn reuseport(&self) -> io::Result<bool> {
        sys::flag(self.fd.as_fd(), libc::SOL_SOCKET, libc::SO_REUSEPORT)
    }

    /// Sets the kernel's send buffer size (`SO_SNDBUF`; Linux doubles the value).
    ///
    /// # Errors
    ///
    /// As `setsockopt(2)`.
    ///
    /// ```
    /// let s = corio_net::TcpSocket::new_v4()?;
    /// s.set_send_buffer_size(64 * 1024)?;
    /// assert!(s.send_buffer_size()? >= 64 * 1024);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn set_send_buffer_size(&self, size: u32) -> io::Result<()> {
        options::set_buffer_size(self.fd.as_fd(), libc::SO_SNDBUF, size)
    }

    /// The kernel's send buffer size (`SO_SNDBUF`).
    ///
    /// # Errors
    ///
    /// As `getsockopt(2)`.
    ///
    /// ```
    /// assert!(corio_net::TcpSocket::new_v4()?.send_buffer_size()? > 0);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn send_buffer_size(&self) -> io::Result<u32> {
        options::buffer_size(self.fd.as_fd(), libc::SO_SNDBUF)
    }

    /// Sets the kernel's receive buffer size (`SO_RCVBUF`; Linux doubles the value).
    ///
    /// # Errors
    ///
    /// As `setsockopt(2)`.
    ///
    /// ```
    /// let s = corio_net::TcpSocket::new_v4()?;
    /// s.set_recv_buffer_size(64 * 1024)?;
    /// assert!(s.recv_buffer_size()? >= 64 * 1024);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn set_recv_buffer_size(&self, size: u32) -> io::Result<()> {
        options::set_buffer_size(self.fd.as_fd(), libc::SO_RCVBUF, size)
    }

    /// The kernel's receive buffer size (`SO_RCVBUF`).
    ///
    /// # Errors
    ///
    /// As `getsockopt(2)`.
    ///
    /// ```
    /// assert!(corio_net::TcpSocket::new_v4()?.recv_buffer_size()? > 0);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn recv_buffer_size(&self) -> io::Result<u32> {
        options::buffer_size(self.fd.as_fd(), libc::SO_RCVBUF)
    }

    /// Sets `SO_LINGER`; see [`TcpStream::set_linger`].
    ///
    /// # Errors
    ///
    /// As `setsockopt(2)`.
    ///
    /// ```
    /// let s = corio_net::TcpSocket::new_v4()?;
    /// s.set_linger(Some(std::time::Duration::ZERO))?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        options::set_linger(self.fd.as_fd(), linger)
    }

    /// Binds the socket to `addr`.
    ///
    /// # Errors
    ///
    /// As `bind(2)`: the address is in use (`AddrInUse`), not local (`AddrNotAvailable`), or
    /// of the other family.
    ///
    /// ```
    /// let s = corio_net::TcpSocket::new_v4()?;
    /// s.bind("127.0.0.1:0".parse().unwrap())?;
    /// assert!(s.local_addr()?.port() != 0);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        sys::bind(self.fd.as_fd(), &sys::RawAddr::from(&addr))
    }

    /// The address the socket is bound to.
    ///
    /// # Errors
    ///
    /// As `getsockname(2)`.
    ///
    /// ```
    /// let s = corio_net::TcpSocket::new_v4()?;
    /// assert_eq!(s.local_addr()?.port(), 0); // not bound yet
    /// # std::io::Result::Ok(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        sys::local_addr(self.fd.as_fd())
    }

    /// Starts listening, with room for `backlog` connections not yet accepted, and registers
    /// the listener with the current reactor.
    ///
    /// # Errors
    ///
    /// As `listen(2)`, or if the reactor refuses the descriptor.
    ///
    /// ```
    /// corio::run(async {
    ///     let s = corio_net::TcpSocket::new_v4()?;
    ///     s.bind("127.0.0.1:0".parse().unwrap())?;
    ///     let listener = s.listen(128)?;
    ///     assert!(listener.local_addr()?.ip().is_loopback());
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn listen(self, backlog: u32) -> io::Result<TcpListener> {
        sys::listen(self.fd.as_fd(), backlog)?;
        let std = std::net::TcpListener::from(self.fd);
        Ok(TcpListener::from_async(Async::new(std)?))
    }

    /// Connects to `addr`, waiting (on the loop) until the connection is established.
    ///
    /// # Errors
    ///
    /// `ConnectionRefused` when nothing listens there, `TimedOut`, `HostUnreachable`… as
    /// `connect(2)` reports them.
    ///
    /// Cancel safety: cancelling abandons the attempt and closes the socket.
    ///
    /// ```
    /// corio::run(async {
    ///     let listener = corio_net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let addr = listener.local_addr()?;
    ///     let socket = corio_net::TcpSocket::new_v4()?;
    ///     socket.set_linger(Some(std::time::Duration::ZERO))?;
    ///     let stream = socket.connect(addr).await?;
    ///     assert_eq!(stream.peer_addr()?, addr);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn connect(self, addr: SocketAddr) -> io::Result<TcpStream> {
        let stream = connect(self.fd, &sys::RawAddr::from(&addr)).await?;
        Ok(TcpStream::from_async(stream))
    }
}

impl AsFd for TcpSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for TcpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl fmt::Debug for TcpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpSocket")
            .field("fd", &self.fd.as_raw_fd())
            .finish()
    }
}
