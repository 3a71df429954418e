//! The poller the reactor waits in: a small enum over the backends, so that the hot path is
//! a `match`, never a virtual call.

use std::io;
#[cfg(unix)]
use std::os::fd::{BorrowedFd, RawFd};
use std::time::Duration;

#[cfg(any(target_os = "linux", target_os = "android"))]
use super::epoll;
use super::portable;

/// One readiness event of a registered descriptor, as every backend reports it.
///
/// Errors and hang-ups count in both directions, so that the next system call reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Event {
    /// The key the descriptor was registered with.
    pub(crate) key: usize,
    pub(crate) readable: bool,
    pub(crate) writable: bool,
    /// A hang-up or an error — or a backend that cannot tell one from data.
    pub(crate) hung_up: bool,
}

/// A poller: descriptors registered once, edge-triggered, for both directions; waits; and
/// notifications that end a wait from any thread.
#[derive(Debug)]
pub(crate) enum Poller {
    /// Our epoll backend: one `epoll_wait` per wait.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    Epoll(epoll::Poller),
    /// The `polling` crate.
    Portable(portable::Poller),
}

impl Poller {
    /// The platform's best backend: epoll on Linux and Android unless `portable` is set,
    /// `polling` everywhere else.
    pub(crate) fn new(portable: bool) -> io::Result<Poller> {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if !portable {
            return epoll::Poller::new().map(Poller::Epoll);
        }
        #[cfg(not(any(target_os = "linux", target_os = "android")))]
        let _ = portable;
        portable::Poller::new().map(Poller::Portable)
    }

    /// The backend's name, for `Debug` output.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            Poller::Epoll(_) => "epoll",
            Poller::Portable(_) => "polling",
        }
    }

    /// A reusable buffer of events, for [`Poller::wait`].
    pub(crate) fn events(&self) -> Events {
        match self {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            Poller::Epoll(_) => Events::Epoll(epoll::Events::new()),
            Poller::Portable(_) => Events::Portable(portable::Events::new()),
        }
    }

    /// Registers `fd` under `key`, edge-triggered, for both directions.
    ///
    /// # Safety
    ///
    /// `fd` must stay open until it is passed to [`Poller::delete`] (`polling` requires it).
    #[cfg(unix)]
    pub(crate) unsafe fn add(&self, fd: RawFd, key: usize) -> io::Result<()> {
        match self {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            Poller::Epoll(poller) => poller.add(fd, key),
            // SAFETY: our caller keeps `fd` open until it deletes it.
            Poller::Portable(poller) => unsafe { poller.add(fd, key) },
        }
    }

    /// Removes `fd` from the poller: it produces no more events.
    #[cfg(unix)]
    pub(crate) fn delete(&self, fd: BorrowedFd<'_>) -> io::Result<()> {
        match self {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            Poller::Epoll(poller) => poller.delete(fd),
            Poller::Portable(poller) => poller.delete(fd),
        }
    }

    /// Replaces the content of `events` with the events that arrive until the first one,
    /// a notification, or `timeout` (`None`: no limit). A wait interrupted by a signal goes
    /// on for what is left of `timeout`.
    pub(crate) fn wait(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
        match (self, &mut *events) {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            (Poller::Epoll(poller), Events::Epoll(buffer)) => poller.wait(buffer, timeout),
            (Poller::Portable(poller), Events::Portable(buffer)) => poller.wait(buffer, timeout),
            // A buffer made by the other backend is only scratch space: replace it.
            #[cfg(any(target_os = "linux", target_os = "android"))]
            _ => {
                *events = self.events();
                self.wait(events, timeout)
            }
        }
    }

    /// Ends the wait in progress, or the next one if none is.
    pub(crate) fn notify(&self) -> io::Result<()> {
        match self {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            Poller::Epoll(poller) => poller.notify(),
            Poller::Portable(poller) => poller.notify(),
        }
    }
}

/// The events of the last [`Poller::wait`], in the backend's own format.
#[derive(Debug)]
pub(crate) enum Events {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    Epoll(epoll::Events),
    Portable(portable::Events),
}

impl Events {
    /// Calls `f` with each I/O event (notifications are not I/O events).
    pub(crate) fn for_each(&self, f: impl FnMut(Event)) {
        match self {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            Events::Epoll(events) => events.iter().for_each(f),
            Events::Portable(events) => events.iter().for_each(f),
        }
    }

    /// Whether the last wait saw no I/O event.
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            Events::Epoll(events) => events.iter().next().is_none(),
            Events::Portable(events) => events.iter().next().is_none(),
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;

    const LONG: Duration = Duration::from_secs(5);

    fn events_of(poller: &Poller, events: &mut Events) -> io::Result<Vec<Event>> {
        poller.wait(events, Some(LONG))?;
        let mut seen = Vec::new();
        events.for_each(|event| seen.push(event));
        Ok(seen)
    }

    #[test]
    fn both_backends_report_the_same_events() -> io::Result<()> {
        for portable in [false, true] {
            let poller = Poller::new(portable)?;
            let mut events = poller.events();
            let (mut a, b) = UnixStream::pair()?;
            b.set_nonblocking(true)?;
            // SAFETY: `b` stays open until it is deleted below.
            unsafe { poller.add(b.as_raw_fd(), 7) }?;
            // The first edge: writable, nothing to read yet.
            let first = events_of(&poller, &mut events)?;
            let expected = Event {
                key: 7,
                readable: false,
                writable: true,
                hung_up: false,
            };
            assert_eq!(first, [expected], "{}", poller.name());

            a.write_all(b"x")?;
            let second = events_of(&poller, &mut events)?;
            assert!(
                second.iter().all(|e| e.key == 7 && e.readable),
                "{}: {second:?}",
                poller.name()
            );
            assert!(!events.is_empty());

            // The peer goes away: a hang-up, reported in both directions.
            drop(a);
            let third = events_of(&poller, &mut events)?;
            assert!(
                third.iter().any(|e| e.readable && e.writable),
                "{}: {third:?}",
                poller.name()
            );
            poller.delete(std::os::fd::AsFd::as_fd(&b))?;
        }
        Ok(())
    }

    #[test]
    fn notification_alone_is_no_io_event() -> io::Result<()> {
        for portable in [false, true] {
            let poller = Poller::new(portable)?;
            let mut events = poller.events();
            poller.notify()?;
            poller.wait(&mut events, Some(LONG))?;
            assert!(events.is_empty(), "{}", poller.name());
        }
        Ok(())
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn a_buffer_of_the_other_backend_is_replaced() -> io::Result<()> {
        let epoll = Poller::new(false)?;
        let portable = Poller::new(true)?;
        let mut events = portable.events();
        epoll.notify()?;
        epoll.wait(&mut events, Some(LONG))?;
        assert!(matches!(events, Events::Epoll(_)));
        Ok(())
    }
}
