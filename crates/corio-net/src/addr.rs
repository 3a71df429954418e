//! Socket addresses, resolved off the loop: literal addresses are parsed in place, host
//! names are looked up on the blocking pool (`getaddrinfo` blocks, sometimes for seconds).

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use corio_executor::try_spawn_blocking;

/// Anything that names one or more socket addresses: a [`SocketAddr`], an `(ip, port)` pair,
/// a `"host:port"` string or a `(host, port)` pair, or a slice of addresses.
///
/// Like [`std::net::ToSocketAddrs`], except that host names are resolved on the blocking
/// pool, so a slow DNS server never stalls the event loop. Literal IP addresses never leave
/// the calling thread.
///
/// The trait is sealed: its method is corio's business; pass any of the listed types.
///
/// ```
/// corio::run(async {
///     // A literal, resolved in place…
///     let l = corio_net::TcpListener::bind("127.0.0.1:0").await?;
///     // …or a host name, looked up on the blocking pool.
///     let port = l.local_addr()?.port();
///     let _c = corio_net::TcpStream::connect(("localhost", port)).await?;
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub trait ToSocketAddrs: sealed::Sealed {}

mod sealed {
    use std::net::SocketAddr;

    pub trait Sealed {
        /// The addresses, or the name to look up.
        fn to_addrs(&self) -> Addrs;
    }

    /// What an address argument turned into before any lookup.
    pub enum Addrs {
        /// Parsed in place.
        Ready(Vec<SocketAddr>),
        /// A host name and port to resolve on the blocking pool.
        Lookup(String, u16),
        /// A `"host:port"` string to resolve on the blocking pool.
        LookupStr(String),
    }
}

use sealed::Addrs;

/// Resolves `addr` to its addresses (at least one).
pub(crate) async fn resolve(addr: impl ToSocketAddrs) -> io::Result<Vec<SocketAddr>> {
    let addrs = match addr.to_addrs() {
        Addrs::Ready(addrs) => addrs,
        Addrs::Lookup(host, port) => {
            lookup(move || (host.as_str(), port).to_socket_addrs_std()).await?
        }
        Addrs::LookupStr(s) => lookup(move || s.as_str().to_socket_addrs_std()).await?,
    };
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the address resolved to no socket address",
        ));
    }
    Ok(addrs)
}

/// Runs a blocking lookup on the pool.
async fn lookup(
    f: impl FnOnce() -> io::Result<Vec<SocketAddr>> + Send + 'static,
) -> io::Result<Vec<SocketAddr>> {
    let shut_down = || io::Error::other("the runtime is shutting down; no host name lookup");
    let task = try_spawn_blocking(f).map_err(|_| shut_down())?;
    task.await.map_err(|_| shut_down())?
}

/// Resolves a host name (or literal) and port on the blocking pool: asyncio's
/// `loop.getaddrinfo`, as socket addresses.
///
/// # Errors
///
/// The resolver's error (an unknown host, a malformed string), or `InvalidInput` if the
/// name resolved to nothing.
///
/// ```
/// corio::run(async {
///     let addrs = corio_net::lookup_host(("localhost", 80)).await?;
///     assert!(addrs.iter().all(|a| a.ip().is_loopback() && a.port() == 80));
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn lookup_host(addr: impl ToSocketAddrs) -> io::Result<Vec<SocketAddr>> {
    resolve(addr).await
}

/// std's blocking resolution, collected.
trait StdResolve {
    fn to_socket_addrs_std(self) -> io::Result<Vec<SocketAddr>>;
}

impl<T: std::net::ToSocketAddrs> StdResolve for T {
    fn to_socket_addrs_std(self) -> io::Result<Vec<SocketAddr>> {
        Ok(std::net::ToSocketAddrs::to_socket_addrs(&self)?.collect())
    }
}

macro_rules! literal {
    ($($ty:ty),*) => {$(
        impl ToSocketAddrs for $ty {}
        impl sealed::Sealed for $ty {
            fn to_addrs(&self) -> Addrs {
                Addrs::Ready(vec![SocketAddr::from(*self)])
            }
        }
    )*};
}

literal!(
    SocketAddr,
    SocketAddrV4,
    SocketAddrV6,
    (IpAddr, u16),
    (Ipv4Addr, u16),
    (Ipv6Addr, u16)
);

impl ToSocketAddrs for &[SocketAddr] {}
impl sealed::Sealed for &[SocketAddr] {
    fn to_addrs(&self) -> Addrs {
        Addrs::Ready(self.to_vec())
    }
}

impl ToSocketAddrs for str {}
impl sealed::Sealed for str {
    fn to_addrs(&self) -> Addrs {
        match self.parse::<SocketAddr>() {
            Ok(addr) => Addrs::Ready(vec![addr]),
            Err(_) => Addrs::LookupStr(self.to_owned()),
        }
    }
}

impl ToSocketAddrs for (&str, u16) {}
impl sealed::Sealed for (&str, u16) {
    fn to_addrs(&self) -> Addrs {
        let (host, port) = *self;
        match host.parse::<IpAddr>() {
            Ok(ip) => Addrs::Ready(vec![SocketAddr::new(ip, port)]),
            Err(_) => Addrs::Lookup(host.to_owned(), port),
        }
    }
}

impl ToSocketAddrs for String {}
impl sealed::Sealed for String {
    fn to_addrs(&self) -> Addrs {
        self.as_str().to_addrs()
    }
}

impl ToSocketAddrs for (String, u16) {}
impl sealed::Sealed for (String, u16) {
    fn to_addrs(&self) -> Addrs {
        (self.0.as_str(), self.1).to_addrs()
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}
impl<T: sealed::Sealed + ?Sized> sealed::Sealed for &T {
    fn to_addrs(&self) -> Addrs {
        (**self).to_addrs()
    }
}

#[cfg(test)]
mod tests {
    use super::sealed::Sealed as _;
    use super::*;

    fn block_on<T>(f: impl Future<Output = T>) -> T {
        futures_lite::future::block_on(f)
    }

    #[test]
    fn literals_are_parsed_in_place() {
        assert!(matches!("127.0.0.1:80".to_addrs(), Addrs::Ready(a) if a.len() == 1));
        assert!(matches!(("::1", 80).to_addrs(), Addrs::Ready(a) if a[0].is_ipv6()));
        assert!(matches!("localhost:80".to_addrs(), Addrs::LookupStr(_)));
        assert!(matches!(("localhost", 80).to_addrs(), Addrs::Lookup(..)));
    }

    #[test]
    fn host_names_resolve_on_the_pool() {
        let addrs = block_on(resolve(("localhost", 7))).unwrap();
        assert!(addrs.iter().all(|a| a.ip().is_loopback() && a.port() == 7));
    }

    #[test]
    fn malformed_addresses_are_errors() {
        assert!(block_on(resolve("no port here")).is_err());
        assert!(block_on(resolve("127.0.0.1:99999")).is_err());
        let empty: &[SocketAddr] = &[];
        let e = block_on(resolve(empty)).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
    }
}
