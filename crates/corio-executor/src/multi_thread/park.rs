//! A worker's parker: it sleeps either in the driver (if no other worker does) or on its own
//! condvar, and its unparker knows which of the two to end.

use std::cell::Cell;
use std::sync::PoisonError;

use crate::driver::Driver;
use crate::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use crate::sync::{Condvar, Mutex, lock};

const EMPTY: u8 = 0;
const PARKED_CONDVAR: u8 = 1;
const PARKED_DRIVER: u8 = 2;
const NOTIFIED: u8 = 3;

#[cfg(not(corio_loom))]
std::thread_local! {
    /// This worker waits in the driver, which is dispatching events on this thread.
    static IN_DRIVER_WAIT: Cell<bool> = const { Cell::new(false) };
}

// Loom runs every modelled thread on one OS thread: its thread-locals are per modelled thread
// (and its macro predates `const` initializers).
#[cfg(corio_loom)]
loom::thread_local! {
    static IN_DRIVER_WAIT: Cell<bool> = Cell::new(false);
}

/// Whether this thread is an idle worker dispatching the driver's events (from inside its
/// wait, or a look while searching): what the events wake, it runs itself right after.
pub(crate) fn in_driver_wait() -> bool {
    IN_DRIVER_WAIT.with(Cell::get)
}

/// Runs `wait` (a driver park) as this idle worker's: see [`in_driver_wait`].
pub(crate) fn idle_driver_wait(wait: impl FnOnce()) {
    IN_DRIVER_WAIT.with(|w| w.set(true));
    wait();
    IN_DRIVER_WAIT.with(|w| w.set(false));
}

#[derive(Default)]
pub(crate) struct WorkerParker {
    state: AtomicU8,
    lock: Mutex<()>,
    cvar: Condvar,
}

impl WorkerParker {
    /// Sleeps until unparked. `driver_busy` is the runtime's "someone waits in the driver"
    /// flag: the first parker to take it waits in the driver, dispatching I/O and timers.
    /// Returning early (events dispatched, spurious wake-ups) is allowed.
    pub(crate) fn park(&self, driver: &dyn Driver, driver_busy: &AtomicBool) {
        if self
            .state
            .compare_exchange(NOTIFIED, EMPTY, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            return;
        }
        if driver_busy
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            if self
                .state
                .compare_exchange(EMPTY, PARKED_DRIVER, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                idle_driver_wait(|| driver.park(None));
            }
            self.state.swap(EMPTY, Ordering::Acquire);
            driver_busy.store(false, Ordering::Release);
            return;
        }
        let mut guard = lock(&self.lock);
        if self
            .state
            .compare_exchange(EMPTY, PARKED_CONDVAR, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            self.state.swap(EMPTY, Ordering::Acquire);
            return;
        }
        loop {
            guard = self
                .cvar
                .wait(guard)
                .unwrap_or_else(PoisonError::into_inner);
            if self
                .state
                .compare_exchange(NOTIFIED, EMPTY, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
        }
    }

    pub(crate) fn unpark(&self, driver: &dyn Driver) {
        match self.state.swap(NOTIFIED, Ordering::AcqRel) {
            PARKED_CONDVAR => {
                drop(lock(&self.lock));
                self.cvar.notify_one();
            }
            PARKED_DRIVER => driver.unpark(),
            _ => {}
        }
    }
}
