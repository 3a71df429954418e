//! Non-blocking mode for the descriptors the reactor registers.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};

/// Puts `fd` in non-blocking mode (`O_NONBLOCK`), so that I/O on it returns `WouldBlock`.
pub(crate) fn set_nonblocking(fd: BorrowedFd<'_>) -> io::Result<()> {
    let raw = fd.as_raw_fd();
    // SAFETY: F_GETFL only reads the status flags of `raw`, which `fd` keeps open.
    let flags = unsafe { libc::fcntl(raw, libc::F_GETFL) };
    if flags == -1 {
        return Err(io::Error::last_os_error());
    }
    if flags & libc::O_NONBLOCK == 0 {
        // SAFETY: F_SETFL only changes the status flags of `raw`, which `fd` keeps open.
        let set = unsafe { libc::fcntl(raw, libc::F_SETFL, flags | libc::O_NONBLOCK) };
        if set == -1 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}
