//! The reactor: one poller, the sources registered in it, and the timer wheel it waits for.

use std::fmt;
use std::io;
#[cfg(unix)]
use std::os::fd::{BorrowedFd, RawFd};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use corio_timer::{Clock, Timers, VirtualClock};

use crate::registry::Registry;
use crate::source::Source;
use crate::sys::{Events, Poller};
use crate::unparker::{Unparker, Wakeup};

/// The environment variable that selects the `polling` backend on Linux: see the crate docs.
const POLLER_VAR: &str = "CORIO_POLLER";

/// An I/O reactor with its timer wheel: the part of an event loop that waits.
///
/// A `Reactor` owns a poller (its own epoll backend on Linux and Android, [`polling`]'s
/// kqueue, event ports… elsewhere) in which every [`Async`](crate::Async) source is
/// registered once, edge-triggered, and a [`Timers`] wheel whose next deadline bounds each
/// wait. Whoever runs the loop calls [`park`](Reactor::park) when there is nothing left to
/// run; it returns after waking the tasks whose I/O became ready and the timers that fell
/// due.
///
/// Cloning is cheap and gives another handle to the same reactor. It is `Send + Sync`.
///
/// ```
/// use corio_reactor::{Async, Reactor};
/// use corio_timer::Clock;
/// use futures_lite::{AsyncReadExt, AsyncWriteExt};
/// use std::os::unix::net::UnixStream;
///
/// let reactor = Reactor::new(Clock::Real)?;
/// let (a, b) = UnixStream::pair()?;
/// let mut a = Async::with_reactor(a, &reactor)?;
/// let mut b = Async::with_reactor(b, &reactor)?;
///
/// // A hand-written loop: poll the task, park in the reactor while it waits.
/// let mut task = std::pin::pin!(async {
///     a.write_all(b"hi").await?;
///     let mut buf = [0; 2];
///     b.read_exact(&mut buf).await?;
///     std::io::Result::Ok(buf)
/// });
/// let waker = std::task::Waker::noop();
/// let mut cx = std::task::Context::from_waker(waker);
/// let buf = loop {
///     if let std::task::Poll::Ready(out) = task.as_mut().poll(&mut cx) {
///         break out?;
///     }
///     reactor.park(None)?;
/// };
/// assert_eq!(&buf, b"hi");
/// # std::io::Result::Ok(())
/// ```
#[derive(Clone)]
pub struct Reactor {
    inner: Arc<Inner>,
}

struct Inner {
    /// The poller, shared with the unparkers and the timer wheel's unpark hook.
    wakeup: Arc<Wakeup>,
    /// Live sources by key.
    registry: Mutex<Registry>,
    /// Buffers of the thread that waits; the lock also keeps waits one at a time.
    wait: Mutex<WaitState>,
    timers: Timers,
}

/// Reused across waits so that parking does not allocate once warm.
struct WaitState {
    events: Events,
    /// Sources found for this batch of events, woken after the registry lock is released.
    ready: Vec<(Arc<Source>, bool, bool, bool)>,
}

/// Bound on the cascade points one unbounded virtual park jumps through.
const MAX_JUMPS: usize = 16;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The guarded data stays consistent even if a waker panicked while it was held.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Reactor {
    /// Creates a reactor whose timers run on `clock`.
    ///
    /// On Linux and Android it waits with its own epoll backend, unless the environment
    /// variable `CORIO_POLLER` is `polling` when it is created (a diagnostic switch, see
    /// [the crate docs](crate#pollers)).
    ///
    /// Inserting a timer that is due before the current wait ends notifies the poller, so a
    /// parked loop wakes up in time.
    ///
    /// # Errors
    ///
    /// Fails if the operating system cannot create a poller (for instance when the process is
    /// out of file descriptors).
    ///
    /// ```
    /// use corio_reactor::Reactor;
    /// use corio_timer::Clock;
    ///
    /// let reactor = Reactor::new(Clock::new_virtual())?;
    /// assert!(reactor.timers().clock().is_virtual());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn new(clock: Clock) -> io::Result<Reactor> {
        let portable = std::env::var_os(POLLER_VAR).is_some_and(|name| name == "polling");
        Ok(Reactor::with_poller(clock, Poller::new(portable)?))
    }

    /// Creates a reactor that waits with the [`polling`] crate on every platform, as
    /// `CORIO_POLLER=polling` makes [`Reactor::new`] do. For tests that cover both backends.
    ///
    /// # Errors
    ///
    /// As for [`Reactor::new`].
    ///
    /// ```
    /// use corio_reactor::Reactor;
    /// use corio_timer::Clock;
    ///
    /// let reactor = Reactor::with_portable_poller(Clock::Real)?;
    /// assert!(format!("{reactor:?}").contains(r#"poller: "polling""#));
    /// reactor.unparker().unpark();
    /// reactor.park(None)?;
    /// # std::io::Result::Ok(())
    /// ```
    #[doc(hidden)]
    pub fn with_portable_poller(clock: Clock) -> io::Result<Reactor> {
        Ok(Reactor::with_poller(clock, Poller::new(true)?))
    }

    fn with_poller(clock: Clock, poller: Poller) -> Reactor {
        let events = poller.events();
        let wakeup = Arc::new(Wakeup::new(poller));
        let hook = wakeup.clone();
        let timers = Timers::with_unparker(clock, Arc::new(move || hook.unpark()));
        Reactor {
            inner: Arc::new(Inner {
                wakeup,
                registry: Mutex::new(Registry::default()),
                wait: Mutex::new(WaitState {
                    events,
                    ready: Vec::new(),
                }),
                timers,
            }),
        }
    }

    /// The timer wheel this reactor waits for.
    ///
    /// ```
    /// use corio_reactor::Reactor;
    /// use corio_timer::Clock;
    ///
    /// let reactor = Reactor::new(Clock::Real)?;
    /// assert!(!reactor.timers().clock().is_virtual());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn timers(&self) -> &Timers {
        &self.inner.timers
    }

    /// A handle that ends a [`park`](Reactor::park) from any thread.
    ///
    /// ```
    /// use corio_reactor::Reactor;
    /// use corio_timer::Clock;
    ///
    /// let reactor = Reactor::new(Clock::Real)?;
    /// let unparker = reactor.unparker();
    /// unparker.unpark();
    /// reactor.park(None)?; // returns at once
    /// # std::io::Result::Ok(())
    /// ```
    pub fn unparker(&self) -> Unparker {
        Unparker {
            wakeup: self.inner.wakeup.clone(),
        }
    }

    /// How many I/O sources are registered right now.
    ///
    /// ```
    /// use corio_reactor::{Async, Reactor};
    /// use corio_timer::Clock;
    /// use std::os::unix::net::UnixStream;
    ///
    /// let reactor = Reactor::new(Clock::Real)?;
    /// let (a, _b) = UnixStream::pair()?;
    /// let a = Async::with_reactor(a, &reactor)?;
    /// assert_eq!(reactor.registered_sources(), 1);
    /// drop(a);
    /// assert_eq!(reactor.registered_sources(), 0);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn registered_sources(&self) -> usize {
        lock(&self.inner.registry).len()
    }

    /// Blocks until I/O readiness, a timer deadline, an unpark, or `max` elapses, then wakes
    /// the tasks of ready sources and fires the timers that are due.
    ///
    /// `max` is `None` for no limit and `Some(Duration::ZERO)` to only look. Returns the
    /// number of I/O events delivered to registered sources. One thread waits at a time:
    /// a concurrent call blocks until the current one has returned. Do not call it from a
    /// waker, which may run while a park is in progress.
    ///
    /// On a virtual clock, time only moves here: when the wait is unbounded (`max` is `None`),
    /// a timer is pending, and a zero-timeout poll finds no I/O event and no unpark, the
    /// clock jumps to the next deadline instead of sleeping. A bounded `max` waits in real
    /// time and never moves the virtual clock.
    ///
    /// # Errors
    ///
    /// Returns the poller's error if waiting fails. A signal does not end the wait: it goes
    /// on for the rest of its timeout.
    ///
    /// ```
    /// use corio_reactor::Reactor;
    /// use corio_timer::Clock;
    /// use std::time::Duration;
    ///
    /// let reactor = Reactor::new(Clock::Real)?;
    /// // Nothing is registered: waits for the 1 ms limit, delivers nothing.
    /// assert_eq!(reactor.park(Some(Duration::from_millis(1)))?, 0);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn park(&self, max: Option<Duration>) -> io::Result<usize> {
        let inner = &*self.inner;
        let mut state = lock(&inner.wait);
        let state = &mut *state;

        let due = inner.timers.park_timeout();
        let (timeout, jump) = match inner.timers.clock() {
            Clock::Virtual(clock) => match (max, due) {
                // Virtual time never passes by itself: look, then jump if nothing happened.
                (None, Some(until)) => (Some(Duration::ZERO), Some((clock, until))),
                (_, Some(Duration::ZERO)) => (Some(Duration::ZERO), None),
                (max, _) => (max, None),
            },
            Clock::Real => (earliest(max, due), None),
        };

        let waited = inner.wakeup.poller.wait(&mut state.events, timeout);
        inner.timers.unparked();
        let unparked = inner.wakeup.take_unparked();
        waited?;

        let delivered = self.deliver(state);
        let fired = inner.timers.process();
        if let Some((clock, until)) = jump {
            if fired == 0 && state.events.is_empty() && !unparked {
                self.jump_to_next_deadline(clock, until);
            }
        }
        Ok(delivered)
    }

    /// Advances the virtual clock by `until`, then on to the next deadline if that was only
    /// a cascade point of the wheel, until a timer fires or someone unparks the loop.
    fn jump_to_next_deadline(&self, clock: &VirtualClock, mut until: Duration) {
        let timers = &self.inner.timers;
        // Each jump moves down one level of the wheel; the bound only guards against a loop.
        for _ in 0..MAX_JUMPS {
            clock.advance(until);
            if timers.process() > 0 {
                return;
            }
            let next = timers.park_timeout();
            timers.unparked();
            match next {
                // Left set, the flag also stops the next park from jumping.
                Some(next) if next > Duration::ZERO && !self.inner.wakeup.is_unparked() => {
                    until = next;
                }
                _ => return,
            }
        }
    }

    /// Marks the sources named by the events ready and wakes their waiters.
    fn deliver(&self, state: &mut WaitState) -> usize {
        state.ready.clear();
        {
            let registry = lock(&self.inner.registry);
            // Errors and hang-ups arrive as readiness in both directions: the next system
            // call reports them.
            state.events.for_each(|event| {
                // A stale key (source removed after this wait began) is skipped; a key reused
                // since then only gets a spurious readiness, which its next syscall corrects.
                if let Some(source) = registry.get(event.key) {
                    state.ready.push((
                        source.clone(),
                        event.readable,
                        event.writable,
                        event.hung_up,
                    ));
                }
            });
        }
        let delivered = state.ready.len();
        for (source, readable, writable, hung_up) in state.ready.drain(..) {
            source.deliver(readable, writable, hung_up);
        }
        delivered
    }

    /// Registers `raw` once, edge-triggered, for both directions.
    ///
    /// # Safety
    ///
    /// `raw` must stay open until it is passed to [`Reactor::deregister`].
    #[cfg(unix)]
    pub(crate) unsafe fn register(&self, raw: RawFd) -> io::Result<Arc<Source>> {
        // In the registry before the poller: the first edge may be delivered at once.
        let source = lock(&self.inner.registry).insert();
        // SAFETY: the caller keeps `raw` open until `deregister` deletes it from the poller.
        let added = unsafe { self.inner.wakeup.poller.add(raw, source.key) };
        if let Err(e) = added {
            lock(&self.inner.registry).remove(&source);
            return Err(e);
        }
        Ok(source)
    }

    /// Removes `source` from the poller and the registry; `fd` is the descriptor it was
    /// registered with, still open.
    #[cfg(unix)]
    pub(crate) fn deregister(&self, source: &Arc<Source>, fd: BorrowedFd<'_>) {
        // An error means the descriptor is already gone from the poller: nothing to undo.
        let _ = self.inner.wakeup.poller.delete(fd);
        lock(&self.inner.registry).remove(source);
    }
}

/// The earlier of two optional timeouts (`None` is "never").
fn earliest(a: Option<Duration>, b: Option<Duration>) -> Option<Duration> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

impl fmt::Debug for Reactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reactor")
            .field("poller", &self.inner.wakeup.poller.name())
            .field("clock", self.inner.timers.clock())
            .field("registered_sources", &self.registered_sources())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Reactor>();
        check::<Unparker>();
    }

    #[test]
    fn earliest_timeout() {
        let ms = Duration::from_millis;
        assert_eq!(earliest(None, None), None);
        assert_eq!(earliest(Some(ms(3)), None), Some(ms(3)));
        assert_eq!(earliest(None, Some(ms(2))), Some(ms(2)));
        assert_eq!(earliest(Some(ms(3)), Some(ms(2))), Some(ms(2)));
    }
}
