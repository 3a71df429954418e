//! [`UdpSocket`]: UDP datagrams on the loop.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

use corio_reactor::Async;

use crate::addr::{ToSocketAddrs, resolve};

/// A UDP socket.
///
/// ```
/// corio::run(async {
///     let a = corio_net::UdpSocket::bind("127.0.0.1:0").await?;
///     let b = corio_net::UdpSocket::bind("127.0.0.1:0").await?;
///     a.send_to(b"ping", b.local_addr()?).await?;
///     let mut buf = [0; 16];
///     let (n, from) = b.recv_from(&mut buf).await?;
///     assert_eq!((&buf[..n], from), (&b"ping"[..], a.local_addr()?));
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub struct UdpSocket {
    inner: Async<std::net::UdpSocket>,
}

impl UdpSocket {
    /// A socket bound to `addr` (port 0: the system picks one). A name resolving to several
    /// addresses binds the first that works.
    ///
    /// # Errors
    ///
    /// The address cannot be resolved, is in use, or is not local.
    ///
    /// ```
    /// corio::run(async {
    ///     let s = corio_net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     assert!(s.local_addr()?.port() != 0);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
        let mut last = None;
        for addr in resolve(addr).await? {
            match std::net::UdpSocket::bind(addr) {
                Ok(s) => return UdpSocket::from_std(s),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::from(io::ErrorKind::AddrNotAvailable)))
    }

    /// Wraps a socket made by std (made non-blocking and registered with the reactor).
    ///
    /// # Errors
    ///
    /// If the reactor refuses the descriptor.
    ///
    /// ```
    /// corio::run(async {
    ///     let std = std::net::UdpSocket::bind("127.0.0.1:0")?;
    ///     let _s = corio_net::UdpSocket::from_std(std)?;
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        Ok(UdpSocket {
            inner: Async::new(socket)?,
        })
    }

    /// Sets the default destination (for [`send`](UdpSocket::send)) and accepts datagrams
    /// from it only. With several addresses, the first that works.
    ///
    /// # Errors
    ///
    /// The address cannot be resolved; as `connect(2)`.
    ///
    /// ```
    /// corio::run(async {
    ///     let a = corio_net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = corio_net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(b.local_addr()?).await?;
    ///     assert_eq!(a.peer_addr()?, b.local_addr()?);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn connect(&self, addr: impl ToSocketAddrs) -> io::Result<()> {
        let mut last = None;
        for addr in resolve(addr).await? {
            match self.inner.get_ref().connect(addr) {
                Ok(()) => return Ok(()),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::from(io::ErrorKind::AddrNotAvailable)))
    }

    /// Sends one datagram to the connected peer.
    ///
    /// # Errors
    ///
    /// `NotConnected` without [`connect`](UdpSocket::connect); `ConnectionRefused` when an
    /// earlier datagram drew an ICMP "port unreachable"; as `send(2)`.
    ///
    /// Cancel safety: cancel safe; a datagram is sent whole or not at all.
    ///
    /// ```
    /// corio::run(async {
    ///     let a = corio_net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = corio_net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(b.local_addr()?).await?;
    ///     assert_eq!(a.send(b"hey").await?, 3);
    ///     std::io::Result::Ok(())
    /// })?;
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
    ///     let a = corio_net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = corio_net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(b.local_addr()?).await?;
    ///     b.connect(a.local_addr()?).await?;
    ///     a.send(b"hey").await?;
    ///     let mut buf = [0; 8];
    ///     assert_eq!(b.recv(&mut buf).await?, 3);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read_with(|s| s.recv(buf)).await
    }

    /// Sends one datagram to `addr` (resolved first; the first address is used).
    ///
    /// # Errors
    ///
    /// The address cannot be resolved; as `sendto(2)`.
    ///
    /// Cancel safety: cancel safe.
    ///
    /// ```
    /// corio::run(async {
    ///     let a = corio_net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     assert_eq!(a.send_to(b"hey", "127.0.0.1:9").await?, 3);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn send_to(&self, buf: &[u8], addr: impl ToSocketAddrs) -> io::Result<usize> {
        let to = resolve(addr).await?[0];
        self.inner.write_with(|s| s.send_to(buf, to)).await
    }

    /// Receives one datagram and its sender's address.
    ///
    /// # Errors
    ///
    /// As `recvfrom(2)`.
    ///
    /// Cancel safety: cancel safe.
    ///
    /// ```
    /// corio::run(async {
    ///     let a = corio_net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = corio_net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.send_to(b"hey", b.local_addr()?).await?;
    ///     let mut buf = [0; 8];
    ///     let (n, from) = b.recv_from(&mut buf).await?;
    ///     assert_eq!((n, from), (3, a.local_addr()?));
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.read_with(|s| s.recv_from(buf)).await
    }

    /// Like [`recv_from`](UdpSocket::recv_from), leaving the datagram queued.
    ///
    /// # Errors
    ///
    /// As `recvfrom(2)`.
    ///
    /// Cancel safety: cancel safe.
    ///
    /// ```
    /// corio::run(async {
    ///     let a = corio_net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = corio_net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.send_to(b"hey", b.local_addr()?).await?;
    ///     let mut buf = [0; 8];
    ///     let (n, _) = b.peek_from(&mut buf).await?;
    ///     assert_eq!(b.recv_from(&mut buf).await?.0, n);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.inner.read_with(|s| s.peek_from(buf)).await
    }

    /// The local address.
    ///
    /// # Errors
    ///
    /// As `getsockname(2)`.
    ///
    /// ```
    /// corio::run(async {
    ///     let s = corio_net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     assert!(s.local_addr()?.ip().is_loopback());
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().local_addr()
    }

    /// The connected peer's address.
    ///
    /// # Errors
    ///
    /// `NotConnected` without [`connect`](UdpSocket::connect).
    ///
    /// ```
    /// corio::run(async {
    ///     let s = corio_net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     assert!(s.peer_addr().is_err());
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.inner.get_ref().peer_addr()
    }

    /// Allows sending to broadcast addresses (`SO_BROADCAST`).
    ///
    /// # Errors
    ///
    /// As `setsockopt(2)`.
    ///
    /// ```
    /// corio::run(async {
    ///     let s = corio_net::UdpSocket::bind("0.0.0.0:0").await?;
    ///     s.set_broadcast(true)?;
    ///     assert!(s.broadcast()?);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.inner.get_ref().set_broadcast(on)
    }

    /// Whether `SO_BROADCAST` is set.
    ///
    /// # Errors
    ///
    /// As `getsockopt(2)`.
    ///
    /// ```
    /// corio::run(async {
    ///     let s = corio_net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     assert!(!s.broadcast()?);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn broadcast(&self) -> io::Result<bool> {
        self.inner.get_ref().broadcast()
    }

    /// Sets the IP time-to-live of outgoing datagrams.
    ///
    /// # Errors
    ///
    /// As `setsockopt(2)`.
    ///
    /// ```
    /// corio::run(async {
    ///     let s = corio_net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     s.set_ttl(9)?;
    ///     assert_eq!(s.ttl()?, 9);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.inner.get_ref().set_ttl(ttl)
    }

    /// The IP time-to-live of outgoing datagrams.
    ///
    /// # Errors
    ///
    /// As `getsockopt(2)`.
    ///
    /// ```
    /// corio::run(async {
    ///     let s = corio_net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     assert!(s.ttl()? > 0);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn ttl(&self) -> io::Result<u32> {
        self.inner.get_ref().ttl()
    }

    /// Joins an IPv4 multicast group on the interface with address `interface`
    /// (`0.0.0.0`: the system's choice).
    ///
    /// # Errors
    ///
    /// As `setsockopt(2)`: not a multicast address, no such interface.
    ///
    /// ```
    /// use std::net::Ipv4Addr;
    ///
    /// corio::run(async {
    ///     let s = corio_net::UdpSocket::bind("0.0.0.0:0").await?;
    ///     let group = Ipv4Addr::new(239, 255, 0, 1);
    ///     if s.join_multicast_v4(group, Ipv4Addr::UNSPECIFIED).is_ok() {
    ///         s.leave_multicast_v4(group, Ipv4Addr::UNSPECIFIED)?;
    ///     }
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn join_multicast_v4(&self, group: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.inner.get_ref().join_multicast_v4(&group, &interface)
    }

    /// Leaves an IPv4 multicast group; see
    /// [`join_multicast_v4`](UdpSocket::join_multicast_v4).
    ///
    /// # Errors
    ///
    /// As `setsockopt(2)`.
    ///
    /// ```
    /// use std::net::Ipv4Addr;
    ///
    /// corio::run(async {
    ///     let s = corio_net::UdpSocket::bind("0.0.0.0:0").await?;
    ///     let group = Ipv4Addr::new(239, 255, 0, 2);
    ///     assert!(s.leave_multicast_v4(group, Ipv4Addr::UNSPECIFIED).is_err()); // not joined
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn leave_multicast_v4(&self, group: Ipv4Addr, interface: Ipv4Addr) -> io::Result<()> {
        self.inner.get_ref().leave_multicast_v4(&group, &interface)
    }

    /// Joins an IPv6 multicast group on interface number `interface` (0: the system's
    /// choice).
    ///
    /// # Errors
    ///
    /// As `setsockopt(2)`.
    ///
    /// ```
    /// use std::net::Ipv6Addr;
    ///
    /// corio::run(async {
    ///     if let Ok(s) = corio_net::UdpSocket::bind("[::]:0").await {
    ///         let group = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x1234);
    ///         if s.join_multicast_v6(group, 0).is_ok() {
    ///             s.leave_multicast_v6(group, 0)?;
    ///         }
    ///     }
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn join_multicast_v6(&self, group: Ipv6Addr, interface: u32) -> io::Result<()> {
        self.inner.get_ref().join_multicast_v6(&group, interface)
    }

    /// Leaves an IPv6 multicast group.
    ///
    /// # Errors
    ///
    /// As `setsockopt(2)`.
    ///
    /// ```
    /// use std::net::Ipv6Addr;
    ///
    /// corio::run(async {
    ///     if let Ok(s) = corio_net::UdpSocket::bind("[::]:0").await {
    ///         let group = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x1235);
    ///         assert!(s.leave_multicast_v6(group, 0).is_err()); // not joined
    ///     }
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn leave_multicast_v6(&self, group: Ipv6Addr, interface: u32) -> io::Result<()> {
        self.inner.get_ref().leave_multicast_v6(&group, interface)
    }

    /// Whether multicast datagrams this socket sends loop back to this host.
    ///
    /// # Errors
    ///
    /// As `setsockopt(2)`.
    ///
    /// ```
    /// corio::run(async {
    ///     let s = corio_net::UdpSocket::bind("0.0.0.0:0").await?;
    ///     s.set_multicast_loop_v4(false)?;
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn set_multicast_loop_v4(&self, on: bool) -> io::Result<()> {
        self.inner.get_ref().set_multicast_loop_v4(on)
    }

    /// The time-to-live of outgoing IPv4 multicast datagrams (1 by default: this network).
    ///
    /// # Errors
    ///
    /// As `setsockopt(2)`.
    ///
    /// ```
    /// corio::run(async {
    ///     let s = corio_net::UdpSocket::bind("0.0.0.0:0").await?;
    ///     s.set_multicast_ttl_v4(4)?;
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn set_multicast_ttl_v4(&self, ttl: u32) -> io::Result<()> {
        self.inner.get_ref().set_multicast_ttl_v4(ttl)
    }
}

impl AsFd for UdpSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inner.as_fd()
    }
}

impl AsRawFd for UdpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.inner.as_raw_fd()
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpSocket")
            .field("local", &self.local_addr().ok())
            .field("fd", &self.as_raw_fd())
            .finish()
    }
}
