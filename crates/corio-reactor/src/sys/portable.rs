//! The portable backend: the `polling` crate (kqueue, event ports, IOCP, and epoll when asked
//! for with `CORIO_POLLER=polling`), in edge-triggered mode.

use std::io;
#[cfg(unix)]
use std::os::fd::{BorrowedFd, RawFd};
use std::time::Duration;

use polling::PollMode;

use super::poller::Event;

/// A `polling::Poller`.
#[derive(Debug)]
pub(crate) struct Poller(polling::Poller);

impl Poller {
    pub(crate) fn new() -> io::Result<Poller> {
        polling::Poller::new().map(Poller)
    }

    /// Registers `fd` under `key`, edge-triggered, for both directions.
    ///
    /// # Safety
    ///
    /// `fd` must stay open until it is passed to [`Poller::delete`].
    #[cfg(unix)]
    pub(crate) unsafe fn add(&self, fd: RawFd, key: usize) -> io::Result<()> {
        // SAFETY: our caller keeps `fd` open until it deletes it from the poller.
        unsafe {
            self.0
                .add_with_mode(fd, polling::Event::all(key), PollMode::Edge)
        }
    }

    /// Removes `fd`: it produces no more events.
    #[cfg(unix)]
    pub(crate) fn delete(&self, fd: BorrowedFd<'_>) -> io::Result<()> {
        self.0.delete(fd)
    }

    /// Waits for events, a notification, or `timeout`; `polling` retries after a signal.
    pub(crate) fn wait(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
        events.0.clear();
        self.0.wait(&mut events.0, timeout).map(drop)
    }

    /// Ends the wait in progress, or the next one.
    pub(crate) fn notify(&self) -> io::Result<()> {
        self.0.notify()
    }
}

/// A `polling::Events` buffer.
#[derive(Debug)]
pub(crate) struct Events(polling::Events);

impl Events {
    pub(crate) fn new() -> Events {
        Events(polling::Events::new())
    }

    /// The I/O events of the last wait (`polling` leaves its notifications out).
    pub(crate) fn iter(&self) -> impl Iterator<Item = Event> + '_ {
        self.0.iter().map(|event| {
            // Errors and hang-ups end both directions: let the next system call report them.
            let broken = event.is_err() == Some(true) || event.is_interrupt();
            Event {
                key: event.key,
                readable: event.readable || broken,
                writable: event.writable || broken,
                // `polling` does not report a peer's shutdown on every platform.
                hung_up: event.readable || broken,
            }
        })
    }
}
