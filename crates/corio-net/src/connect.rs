//! A non-blocking `connect(2)` awaited on the reactor, for every stream socket type.

use std::io;
use std::os::fd::{AsFd, OwnedFd};

use corio_reactor::Async;

use crate::sys::{self, RawAddr};

/// Connects `fd` to `addr`, registers it with the current reactor and waits until the
/// handshake is over: writable either way, then `SO_ERROR` says how it went.
pub(crate) async fn connect<S>(fd: OwnedFd, addr: &RawAddr) -> io::Result<Async<S>>
where
    S: AsFd + From<OwnedFd>,
{
    let done = sys::start_connect(fd.as_fd(), addr)?;
    let socket = Async::new(S::from(fd))?;
    if !done {
        socket.writable().await?;
        if let Some(e) = sys::take_error(socket.as_fd())? {
            return Err(e);
        }
    }
    Ok(socket)
}
