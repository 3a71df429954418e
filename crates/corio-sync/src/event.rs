//! asyncio's `Event`: a flag tasks can wait for.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bit 0: set. The rest counts `set()` calls, so a waiter woken by a `set` returns even
/// if `clear()` came before it ran.
const SET: u64 = 1;
const GENERATION: u64 = 2;

/// A flag that tasks wait on until it is set (asyncio's `Event`).
///
/// [`set`](Self::set) wakes every task waiting at that moment, even if
/// [`clear`](Self::clear) follows at once; later waiters wait for the next `set`.
///
/// ```
/// use corio_sync::Event;
///
/// futures_lite::future::block_on(async {
///     let ready = Event::new();
///     ready.set();
///     ready.wait().await; // set: returns at once
///     assert!(ready.is_set());
///     ready.clear();
///     assert!(!ready.is_set());
/// });
/// ```
pub struct Event {
    state: AtomicU64,
    waiters: event_listener::Event,
}

impl Event {
    /// An event that is not set.
    ///
    /// ```
    /// static SHUTDOWN: corio_sync::Event = corio_sync::Event::new();
    /// assert!(!SHUTDOWN.is_set());
    /// ```
    pub const fn new() -> Event {
        Event {
            state: AtomicU64::new(0),
            waiters: event_listener::Event::new(),
        }
    }

    /// Sets the flag and wakes every waiter.
    ///
    /// ```
    /// let e = corio_sync::Event::new();
    /// e.set();
    /// assert!(e.is_set());
    /// ```
    pub fn set(&self) {
        let mut s = self.state.load(Ordering::Relaxed);
        while s & SET == 0 {
            match self.state.compare_exchange_weak(
                s,
                s + GENERATION + SET,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => break,
                Err(now) => s = now,
            }
        }
        self.waiters.notify(usize::MAX);
    }

    /// Clears the flag: later [`wait`](Self::wait)s wait for the next `set`.
    ///
    /// ```
    /// let e = corio_sync::Event::new();
    /// e.set();
    /// e.clear();
    /// assert!(!e.is_set());
    /// ```
    pub fn clear(&self) {
        self.state.fetch_and(!SET, Ordering::AcqRel);
    }

    /// Whether the flag is set.
    ///
    /// ```
    /// assert!(!corio_sync::Event::new().is_set());
    /// ```
    pub fn is_set(&self) -> bool {
        self.state.load(Ordering::Acquire) & SET != 0
    }

    /// Waits until the flag is set; returns at once if it is.
    ///
    /// Cancel safety: waiting takes nothing from anyone, so dropping the future at any
    /// point is harmless.
    ///
    /// ```
    /// use corio_sync::Event;
    /// use futures_lite::future;
    ///
    /// let e = Event::new();
    /// future::block_on(future::zip(e.wait(), async { e.set() }));
    /// ```
    pub async fn wait(&self) {
        let seen = self.state.load(Ordering::Acquire);
        if seen & SET != 0 {
            return;
        }
        // On the stack: waiting allocates nothing.
        event_listener::listener!(self.waiters => listener);
        // A set between the first look and listening would otherwise be missed.
        if self.state.load(Ordering::Acquire) != seen {
            return;
        }
        // Only `set` notifies, so being woken means a `set` happened after we looked.
        listener.await;
    }

    /// Waits from a plain thread, blocking it. Never call it from async code.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let e = Arc::new(corio_sync::Event::new());
    /// let setter = { let e = e.clone(); std::thread::spawn(move || e.set()) };
    /// e.blocking_wait();
    /// setter.join().unwrap();
    /// ```
    pub fn blocking_wait(&self) {
        futures_lite::future::block_on(self.wait());
    }
}

impl Default for Event {
    fn default() -> Self {
        Event::new()
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("set", &self.is_set())
            .finish()
    }
}
