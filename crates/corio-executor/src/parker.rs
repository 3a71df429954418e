//! A thread parker with a remembered notification (a permit), on a mutex and a condvar.

use std::sync::{MutexGuard, PoisonError};
use std::time::Duration;

use crate::sync::atomic::{AtomicU8, Ordering};
use crate::sync::{Condvar, Mutex};

const EMPTY: u8 = 0;
const PARKED: u8 = 1;
const NOTIFIED: u8 = 2;

/// Parks one thread at a time; an `unpark` before `park` makes that `park` return at once.
#[derive(Debug, Default)]
pub(crate) struct Parker {
    state: AtomicU8,
    lock: Mutex<()>,
    cvar: Condvar,
}

/// Locks a mutex whose data cannot be left inconsistent by a panic (it guards `()` or plain
/// values), so poisoning is ignored.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Parker {
    pub(crate) fn park(&self, timeout: Option<Duration>) {
        // A pending notification is consumed without touching the mutex.
        if self
            .state
            .compare_exchange(NOTIFIED, EMPTY, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
            || timeout == Some(Duration::ZERO)
        {
            return;
        }
        let mut guard = crate::sync::lock(&self.lock);
        if self
            .state
            .compare_exchange(EMPTY, PARKED, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
        {
            // Notified between the first check and taking the lock.
            self.state.swap(EMPTY, Ordering::Acquire);
            return;
        }
        match timeout {
            None => loop {
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
            },
            Some(dur) => {
                let (_guard, _) = self
                    .cvar
                    .wait_timeout(guard, dur)
                    .unwrap_or_else(PoisonError::into_inner);
                // Either notified or timed out: both end the park.
                self.state.swap(EMPTY, Ordering::Acquire);
            }
        }
    }

    pub(crate) fn unpark(&self) {
        if self.state.swap(NOTIFIED, Ordering::Release) == PARKED {
            // Taking the lock orders this notify after the parker's wait began.
            drop(crate::sync::lock(&self.lock));
            self.cvar.notify_one();
        }
    }
}

#[cfg(all(test, corio_loom))]
mod loom_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn permit_is_remembered() {
        let p = Parker::default();
        p.unpark();
        p.unpark();
        p.park(None);
        p.park(Some(Duration::from_millis(1)));
    }

    #[test]
    fn wakes_a_parked_thread() {
        let p = Arc::new(Parker::default());
        let p2 = p.clone();
        let t = std::thread::spawn(move || p2.park(None));
        std::thread::sleep(Duration::from_millis(5));
        p.unpark();
        t.join().unwrap();
    }
}
