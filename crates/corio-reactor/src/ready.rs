//! The future returned by [`Async::readable`](crate::Async::readable) and
//! [`Async::writable`](crate::Async::writable).

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::source::Direction;

/// Completes when one direction of an [`Async`](crate::Async) is ready.
///
/// Ready means an event announced readiness and no system call has returned `WouldBlock`
/// since, so an already-ready source completes at once. Any number of these futures may
/// wait on the same source; each keeps its own waker and all are woken by the next event.
///
/// ```
/// use corio_reactor::Async;
/// use std::io::Write;
/// use std::os::unix::net::UnixStream;
///
/// let (a, b) = UnixStream::pair()?;
/// let (a, b) = (Async::new(a)?, Async::new(b)?);
/// a.get_ref().write_all(b"x")?;
/// futures_lite::future::block_on(b.readable())?;
/// # std::io::Result::Ok(())
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Ready<'a> {
    dir: &'a Direction,
    /// This future's waker slot in the direction, held from its first `Pending` until ready.
    slot: Option<usize>,
}

impl<'a> Ready<'a> {
    pub(crate) fn new(dir: &'a Direction) -> Ready<'a> {
        Ready { dir, slot: None }
    }
}

impl Future for Ready<'_> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.dir.poll_waiter(&mut this.slot, cx).map(Ok)
    }
}

impl Drop for Ready<'_> {
    fn drop(&mut self) {
        if let Some(slot) = self.slot.take() {
            self.dir.release(slot);
        }
    }
}

impl fmt::Debug for Ready<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ready")
            .field("ready", &self.dir.is_ready())
            .finish_non_exhaustive()
    }
}
