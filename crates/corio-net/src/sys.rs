//! The few socket system calls `std::net` does not offer: non-blocking `socket` and `connect`,
//! and the options that must be set before `bind` or that std keeps unstable.

use std::io;
use std::mem::{size_of, zeroed};
use std::net::{SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// A new socket, non-blocking and close-on-exec from its first instant (so a child spawned
/// concurrently never inherits it).
pub(crate) fn socket(domain: libc::c_int, ty: libc::c_int) -> io::Result<OwnedFd> {
    // SAFETY: `socket` takes plain integers and returns a new descriptor or -1.
    let fd = unsafe { libc::socket(domain, ty | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC, 0) };
    if fd == -1 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just returned by `socket`, so it is open and owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// The address family of `addr`.
pub(crate) fn domain_of(addr: &SocketAddr) -> libc::c_int {
    match addr {
        SocketAddr::V4(_) => libc::AF_INET,
        SocketAddr::V6(_) => libc::AF_INET6,
    }
}

/// A `sockaddr` for a system call: storage big enough for any family, and the length used.
pub(crate) struct RawAddr {
    storage: libc::sockaddr_storage,
    len: libc::socklen_t,
}

impl RawAddr {
    fn ptr(&self) -> *const libc::sockaddr {
        (&raw const self.storage).cast()
    }
}

impl From<&SocketAddr> for RawAddr {
    fn from(addr: &SocketAddr) -> RawAddr {
        // SAFETY: `sockaddr_storage` is plain old data; all zeroes is a valid value.
        let mut storage: libc::sockaddr_storage = unsafe { zeroed() };
        let len = match addr {
            SocketAddr::V4(a) => {
                let sin = libc::sockaddr_in {
                    sin_family: libc::AF_INET as libc::sa_family_t,
                    sin_port: a.port().to_be(),
                    sin_addr: libc::in_addr {
                        s_addr: u32::from_ne_bytes(a.ip().octets()),
                    },
                    sin_zero: [0; 8],
                };
                // SAFETY: `sockaddr_storage` is larger than and aligned for `sockaddr_in`.
                unsafe { (&raw mut storage).cast::<libc::sockaddr_in>().write(sin) };
                size_of::<libc::sockaddr_in>()
            }
            SocketAddr::V6(a) => {
                let sin6 = libc::sockaddr_in6 {
                    sin6_family: libc::AF_INET6 as libc::sa_family_t,
                    sin6_port: a.port().to_be(),
                    sin6_flowinfo: a.flowinfo(),
                    sin6_addr: libc::in6_addr {
                        s6_addr: a.ip().octets(),
                    },
                    sin6_scope_id: a.scope_id(),
                };
                // SAFETY: `sockaddr_storage` is larger than and aligned for `sockaddr_in6`.
                unsafe { (&raw mut storage).cast::<libc::sockaddr_in6>().write(sin6) };
                size_of::<libc::sockaddr_in6>()
            }
        };
        RawAddr {
            storage,
            len: len as libc::socklen_t,
        }
    }
}

/// The `sockaddr_un` for `path`.
///
/// # Errors
///
/// `InvalidInput` if the path contains a NUL byte or does not fit (108 bytes on Linux,
/// including the terminating NUL).
pub(crate) fn unix_addr(path: &Path) -> io::Result<RawAddr> {
    let bytes = path.as_os_str().as_bytes();
    // SAFETY: `sockaddr_un` is plain old data; all zeroes is a valid value.
    let mut sun: libc::sockaddr_un = unsafe { zeroed() };
    sun.sun_family = libc::AF_UNIX as libc::sa_family_t;
    if bytes.contains(&0) {
        return Err(invalid("a Unix socket path must not contain a NUL byte"));
    }
    if bytes.len() >= sun.sun_path.len() {
        return Err(invalid(
            "a Unix socket path must be shorter than 108 bytes (sun_path)",
        ));
    }
    for (dst, &src) in sun.sun_path.iter_mut().zip(bytes) {
        *dst = src as libc::c_char;
    }
    // SAFETY: as above, `sockaddr_storage` is plain old data.
    let mut storage: libc::sockaddr_storage = unsafe { zeroed() };
    // SAFETY: `sockaddr_storage` is larger than and aligned for `sockaddr_un`.
    unsafe { (&raw mut storage).cast::<libc::sockaddr_un>().write(sun) };
    let len = size_of::<libc::sa_family_t>() + bytes.len() + 1;
    Ok(RawAddr {
        storage,
        len: len as libc::socklen_t,
    })
}

/// Converts what `getsockname` / `recvfrom` filled in back to a [`SocketAddr`].
fn to_socket_addr(storage: &libc::sockaddr_storage) -> io::Result<SocketAddr> {
    match libc::c_int::from(storage.ss_family) {
        libc::AF_INET => {
            // SAFETY: the family says the storage holds a `sockaddr_in`; storage is larger
            // and aligned for it.
            let sin = unsafe { &*(&raw const *storage).cast::<libc::sockaddr_in>() };
            Ok(SocketAddr::V4(SocketAddrV4::new(
                sin.sin_addr.s_addr.to_ne_bytes().into(),
                u16::from_be(sin.sin_port),
            )))
        }
        libc::AF_INET6 => {
            // SAFETY: the family says the storage holds a `sockaddr_in6`; storage is larger
            // and aligned for it.
            let sin6 = unsafe { &*(&raw const *storage).cast::<libc::sockaddr_in6>() };
            Ok(SocketAddr::V6(SocketAddrV6::new(
                sin6.sin6_addr.s6_addr.into(),
                u16::from_be(sin6.sin6_port),
                sin6.sin6_flowinfo,
                sin6.sin6_scope_id,
            )))
        }
        _ => Err(invalid("not an IP socket address")),
    }
}

/// The local address of an IP socket.
pub(crate) fn local_addr(fd: BorrowedFd<'_>) -> io::Result<SocketAddr> {
    // SAFETY: plain old data, as above.
    let mut storage: libc::sockaddr_storage = unsafe { zeroed() };
    let mut len = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    // SAFETY: `storage` and `len` describe a writable buffer of `len` bytes; `fd` is open.
    let rc = unsafe { libc::getsockname(fd.as_raw_fd(), (&raw mut storage).cast(), &mut len) };
    cvt(rc)?;
    to_socket_addr(&storage)
}

/// `bind(2)`.
pub(crate) fn bind(fd: BorrowedFd<'_>, addr: &RawAddr) -> io::Result<()> {
    // SAFETY: `addr` points to `addr.len` initialised bytes of a socket address; `fd` is open.
    cvt(unsafe { libc::bind(fd.as_raw_fd(), addr.ptr(), addr.len) })
}

/// `listen(2)`.
pub(crate) fn listen(fd: BorrowedFd<'_>, backlog: u32) -> io::Result<()> {
    let backlog = libc::c_int::try_from(backlog).unwrap_or(libc::c_int::MAX);
    // SAFETY: plain integers; `fd` is open.
    cvt(unsafe { libc::listen(fd.as_raw_fd(), backlog) })
}

/// Starts a non-blocking `connect(2)`: `Ok(true)` if it completed at once, `Ok(false)` if it
/// is in progress (wait until the socket is writable, then read `SO_ERROR`).
pub(crate) fn start_connect(fd: BorrowedFd<'_>, addr: &RawAddr) -> io::Result<bool> {
    loop {
        // SAFETY: `addr` points to `addr.len` initialised bytes of a socket address; `fd` is
        // open.
        let rc = unsafe { libc::connect(fd.as_raw_fd(), addr.ptr(), addr.len) };
        if rc == 0 {
            return Ok(true);
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EINPROGRESS) => return Ok(false),
            Some(libc::EINTR) => continue,
            _ => return Err(e),
        }
    }
}

/// Sets a socket option whose value is a plain C type.
pub(crate) fn set_opt<T: Copy>(
    fd: BorrowedFd<'_>,
    level: libc::c_int,
    name: libc::c_int,
    value: T,
) -> io::Result<()> {
    // SAFETY: `value` is a live `T` of the size passed; `fd` is open. Callers pass the C type
    // the option expects.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (&raw const value).cast(),
            size_of::<T>() as libc::socklen_t,
        )
    };
    cvt(rc)
}

/// Reads a socket option whose value is a plain C type.
pub(crate) fn get_opt<T: Copy>(
    fd: BorrowedFd<'_>,
    level: libc::c_int,
    name: libc::c_int,
) -> io::Result<T> {
    let mut value = std::mem::MaybeUninit::<T>::zeroed();
    let mut len = size_of::<T>() as libc::socklen_t;
    // SAFETY: `value` is a writable buffer of `len` bytes; `fd` is open.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            level,
            name,
            value.as_mut_ptr().cast(),
            &mut len,
        )
    };
    cvt(rc)?;
    // SAFETY: zero-initialised and then (partly) written by the kernel; callers only use
    // integer-like C types, for which every bit pattern is valid.
    Ok(unsafe { value.assume_init() })
}

/// A boolean option (`int` 0 / 1).
pub(crate) fn set_flag(
    fd: BorrowedFd<'_>,
    level: libc::c_int,
    name: libc::c_int,
    on: bool,
) -> io::Result<()> {
    set_opt(fd, level, name, libc::c_int::from(on))
}

/// A boolean option (`int` 0 / 1).
pub(crate) fn flag(fd: BorrowedFd<'_>, level: libc::c_int, name: libc::c_int) -> io::Result<bool> {
    get_opt::<libc::c_int>(fd, level, name).map(|v| v != 0)
}

/// The pending error of a socket (`SO_ERROR`), which reading clears.
pub(crate) fn take_error(fd: BorrowedFd<'_>) -> io::Result<Option<io::Error>> {
    let code: libc::c_int = get_opt(fd, libc::SOL_SOCKET, libc::SO_ERROR)?;
    Ok((code != 0).then(|| io::Error::from_raw_os_error(code)))
}

fn cvt(rc: libc::c_int) -> io::Result<()> {
    if rc == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

pub(crate) fn invalid(msg: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}
