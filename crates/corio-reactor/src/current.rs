//! The thread's current reactor, and the shared fallback used when there is none.

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::marker::PhantomData;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::thread;
use std::time::Duration;

use corio_timer::{Clock, TimersGuard};

use crate::Reactor;

thread_local! {
    static CURRENT: RefCell<Option<Reactor>> = const { RefCell::new(None) };
}

/// Keeps a reactor (and its timers) current on this thread; see [`Reactor::enter`].
///
/// Dropping it restores whatever was current before. It cannot be sent to another thread.
///
/// ```
/// use corio_reactor::Reactor;
/// use corio_timer::Clock;
///
/// let reactor = Reactor::new(Clock::Real)?;
/// {
///     let _guard = reactor.enter();
///     assert!(Reactor::try_current().is_some());
/// }
/// assert!(Reactor::try_current().is_none());
/// # std::io::Result::Ok(())
/// ```
#[must_use = "the reactor is current only until the guard is dropped"]
pub struct ReactorGuard {
    previous: Option<Reactor>,
    // Declared after `previous`; `Drop::drop` restores the reactor, then this restores the timers.
    _timers: TimersGuard,
    _not_send: PhantomData<*const ()>,
}

impl Reactor {
    /// Makes this the thread's current reactor, and its [`Timers`](corio_timer::Timers) the
    /// current timer driver, until the guard drops. Guards nest.
    ///
    /// [`Async::new`](crate::Async::new) registers with the current reactor, and
    /// `corio_timer::sleep` uses the current timers.
    ///
    /// ```
    /// use corio_reactor::Reactor;
    /// use corio_timer::{Clock, Timers};
    ///
    /// let outer = Reactor::new(Clock::Real)?;
    /// let inner = Reactor::new(Clock::new_virtual())?;
    /// let _a = outer.enter();
    /// {
    ///     let _b = inner.enter();
    ///     assert!(Timers::try_current().is_some_and(|t| t.clock().is_virtual()));
    /// }
    /// assert!(Timers::try_current().is_some_and(|t| !t.clock().is_virtual()));
    /// # std::io::Result::Ok(())
    /// ```
    pub fn enter(&self) -> ReactorGuard {
        let timers = self.timers().enter();
        let previous = CURRENT
            .try_with(|current| current.replace(Some(self.clone())))
            .ok()
            .flatten();
        ReactorGuard {
            previous,
            _timers: timers,
            _not_send: PhantomData,
        }
    }

    /// The reactor entered on this thread, if any.
    ///
    /// ```
    /// use corio_reactor::Reactor;
    /// use corio_timer::Clock;
    ///
    /// assert!(Reactor::try_current().is_none());
    /// let reactor = Reactor::new(Clock::Real)?;
    /// let _guard = reactor.enter();
    /// assert!(Reactor::try_current().is_some());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn try_current() -> Option<Reactor> {
        CURRENT
            .try_with(|current| current.borrow().clone())
            .ok()
            .flatten()
    }
}

impl Drop for ReactorGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        // During thread teardown the slot may already be gone; nothing to restore then.
        let _ = CURRENT.try_with(|current| current.replace(previous));
    }
}

impl fmt::Debug for ReactorGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReactorGuard").finish_non_exhaustive()
    }
}

/// The reactor of the background thread, once started.
static FALLBACK: OnceLock<Reactor> = OnceLock::new();
/// Serialises the fallible start so that only one thread is ever spawned.
static STARTING: Mutex<()> = Mutex::new(());

/// The current reactor, or the shared fallback reactor driven by its own thread.
///
/// The fallback lets an `Async` work under any executor (tokio, smol, `block_on`…).
pub(crate) fn current_or_fallback() -> io::Result<Reactor> {
    if let Some(reactor) = Reactor::try_current() {
        return Ok(reactor);
    }
    if let Some(reactor) = FALLBACK.get() {
        return Ok(reactor.clone());
    }
    let _starting = STARTING.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(reactor) = FALLBACK.get() {
        return Ok(reactor.clone());
    }
    let reactor = Reactor::new(Clock::Real)?;
    let driven = reactor.clone();
    thread::Builder::new()
        .name("corio-reactor".into())
        .spawn(move || drive(&driven))?;
    Ok(FALLBACK.get_or_init(|| reactor).clone())
}

/// The fallback thread's loop: park forever, waking tasks as their I/O becomes ready.
fn drive(reactor: &Reactor) {
    let _guard = reactor.enter();
    loop {
        if reactor.park(None).is_err() {
            // Not seen in practice; back off instead of spinning on a broken poller.
            thread::sleep(Duration::from_millis(1));
        }
    }
}
