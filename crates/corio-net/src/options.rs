//! Socket options std keeps unstable or leaves out, shared by the socket types.

use std::io;
use std::os::fd::BorrowedFd;
use std::time::Duration;

use crate::sys;

/// `SO_LINGER` counts whole seconds, and 0 means "reset on close": a fraction of a second is
/// rounded *up*, so that `Some(500 ms)` lingers (1 s) instead of becoming an abortive close.
pub(crate) fn set_linger(fd: BorrowedFd<'_>, linger: Option<Duration>) -> io::Result<()> {
    let value = libc::linger {
        l_onoff: libc::c_int::from(linger.is_some()),
        l_linger: linger.map_or(0, |d| {
            let secs = d.as_secs().saturating_add(u64::from(d.subsec_nanos() > 0));
            libc::c_int::try_from(secs).unwrap_or(libc::c_int::MAX)
        }),
    };
    sys::set_opt(fd, libc::SOL_SOCKET, libc::SO_LINGER, value)
}

pub(crate) fn linger(fd: BorrowedFd<'_>) -> io::Result<Option<Duration>> {
    let value: libc::linger = sys::get_opt(fd, libc::SOL_SOCKET, libc::SO_LINGER)?;
    Ok((value.l_onoff != 0)
        .then(|| Duration::from_secs(value.l_linger.max(0).unsigned_abs().into())))
}

pub(crate) fn set_buffer_size(fd: BorrowedFd<'_>, name: libc::c_int, size: u32) -> io::Result<()> {
    let size = libc::c_int::try_from(size).unwrap_or(libc::c_int::MAX);
    sys::set_opt(fd, libc::SOL_SOCKET, name, size)
}

pub(crate) fn buffer_size(fd: BorrowedFd<'_>, name: libc::c_int) -> io::Result<u32> {
    let size: libc::c_int = sys::get_opt(fd, libc::SOL_SOCKET, name)?;
    Ok(size.max(0).unsigned_abs())
}

/// `SO_KEEPALIVE`, and with `Some(idle)` the idle time before the first probe
/// (`TCP_KEEPIDLE`, whole seconds, at least one).
pub(crate) fn set_keepalive(fd: BorrowedFd<'_>, idle: Option<Duration>) -> io::Result<()> {
    sys::set_flag(fd, libc::SOL_SOCKET, libc::SO_KEEPALIVE, idle.is_some())?;
    if let Some(idle) = idle {
        let secs = libc::c_int::try_from(idle.as_secs().max(1)).unwrap_or(libc::c_int::MAX);
        sys::set_opt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPIDLE, secs)?;
    }
    Ok(())
}

pub(crate) fn keepalive(fd: BorrowedFd<'_>) -> io::Result<Option<Duration>> {
    if !sys::flag(fd, libc::SOL_SOCKET, libc::SO_KEEPALIVE)? {
        return Ok(None);
    }
    let secs: libc::c_int = sys::get_opt(fd, libc::IPPROTO_TCP, libc::TCP_KEEPIDLE)?;
    Ok(Some(Duration::from_secs(secs.max(0).unsigned_abs().into())))
}
