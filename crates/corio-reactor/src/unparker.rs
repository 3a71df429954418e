//! Waking a thread that is parked in the reactor, from any thread.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::sys::Poller;

/// The poller and a flag recording that an unpark was requested since the last park.
pub(crate) struct Wakeup {
    pub(crate) poller: Poller,
    /// Set by [`Wakeup::unpark`], cleared by the parked thread once its wait has returned.
    /// It coalesces notifications and tells the virtual clock that someone asked to run.
    unparked: AtomicBool,
}

impl Wakeup {
    pub(crate) fn new(poller: Poller) -> Wakeup {
        Wakeup {
            poller,
            unparked: AtomicBool::new(false),
        }
    }

    /// Ends the current wait, or the next one; only the first unpark since a park notifies.
    pub(crate) fn unpark(&self) {
        if !self.unparked.swap(true, Ordering::AcqRel) && self.poller.notify().is_err() {
            // Nothing was sent: let the next unpark try again rather than trust the flag.
            self.unparked.store(false, Ordering::Release);
        }
    }

    /// Whether an unpark is pending, without consuming it.
    pub(crate) fn is_unparked(&self) -> bool {
        self.unparked.load(Ordering::Acquire)
    }

    /// Called by the parked thread after its wait: was an unpark requested meanwhile?
    pub(crate) fn take_unparked(&self) -> bool {
        self.unparked.swap(false, Ordering::AcqRel)
    }
}

/// Wakes a thread parked in [`Reactor::park`](crate::Reactor::park), from any thread.
///
/// An unpark ends the `park` in progress, or makes the next one return at once. Repeated
/// unparks before the parked thread runs again cost one notification.
///
/// ```
/// use corio_reactor::Reactor;
/// use corio_timer::Clock;
///
/// let reactor = Reactor::new(Clock::Real)?;
/// let unparker = reactor.unparker();
/// std::thread::spawn(move || unparker.unpark());
/// // Without the unpark this would block forever: nothing is registered.
/// reactor.park(None)?;
/// # std::io::Result::Ok(())
/// ```
#[derive(Clone)]
pub struct Unparker {
    pub(crate) wakeup: Arc<Wakeup>,
}

impl Unparker {
    /// Ends the reactor's current [`park`](crate::Reactor::park), or the next one if none is
    /// in progress.
    ///
    /// ```
    /// use corio_reactor::Reactor;
    /// use corio_timer::Clock;
    ///
    /// let reactor = Reactor::new(Clock::Real)?;
    /// reactor.unparker().unpark();
    /// assert_eq!(reactor.park(None)?, 0); // returns at once, no I/O event
    /// # std::io::Result::Ok(())
    /// ```
    pub fn unpark(&self) {
        self.wakeup.unpark();
    }
}

impl fmt::Debug for Unparker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Unparker").finish_non_exhaustive()
    }
}

#[cfg(all(test, any(target_os = "linux", target_os = "android")))]
mod tests {
    use super::*;

    #[test]
    fn repeated_unparks_cost_one_notification() -> std::io::Result<()> {
        let wakeup = Wakeup::new(Poller::new(false)?);
        for _ in 0..100 {
            wakeup.unpark();
        }
        assert!(wakeup.take_unparked());
        // Another unpark after the parked thread took the flag notifies again.
        wakeup.unpark();
        wakeup.unpark();
        let Poller::Epoll(epoll) = &wakeup.poller else {
            unreachable!("asked for epoll");
        };
        assert_eq!(epoll.take_notifications()?, 2);
        Ok(())
    }
}
