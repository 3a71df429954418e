//! asyncio's `Condition`: wait for a notification while holding a [`Mutex`].

use std::fmt;

use event_listener::IntoNotification;

use crate::mutex::{Mutex, MutexGuard};

/// A condition variable for a [`Mutex`] (asyncio's `Condition`).
///
/// [`wait`](Self::wait) takes the [`MutexGuard`], so waiting without holding the lock
/// cannot be written. It releases the lock while waiting and holds it again when it
/// returns. Unlike asyncio, `notify` does not need the lock: a notification reaches the
/// tasks waiting at that moment either way.
///
/// ```
/// use corio_sync::{Condition, Mutex};
/// use futures_lite::future;
///
/// let (items, cond) = (Mutex::new(Vec::new()), Condition::new());
/// future::block_on(future::zip(
///     async {
///         let guard = cond.wait_for(items.lock().await, |v| !v.is_empty()).await;
///         assert_eq!(*guard, [1]);
///     },
///     async {
///         items.lock().await.push(1);
///         cond.notify(1);
///     },
/// ));
/// ```
pub struct Condition {
    waiters: event_listener::Event,
}

/// Re-issues a consumed notification if the waiter is dropped before it holds the lock
/// again, so a cancelled waiter never swallows a `notify`.
struct PassOn<'a>(Option<&'a event_listener::Event>);

impl Drop for PassOn<'_> {
    fn drop(&mut self) {
        if let Some(waiters) = self.0 {
            waiters.notify(1.additional());
        }
    }
}

impl Condition {
    /// A condition nobody waits on.
    ///
    /// ```
    /// static CHANGED: corio_sync::Condition = corio_sync::Condition::new();
    /// CHANGED.notify_all();
    /// ```
    pub const fn new() -> Condition {
        Condition {
            waiters: event_listener::Event::new(),
        }
    }

    /// Releases the lock, waits for a [`notify`](Self::notify), takes the lock again and
    /// returns its guard. Like asyncio's, a wake-up carries no promise about the data:
    /// check it again, or use [`wait_for`](Self::wait_for).
    ///
    /// Cancel safety: dropping the future never swallows a notification: one that
    /// reached this waiter passes to another.
    ///
    /// ```
    /// use corio_sync::{Condition, Mutex};
    /// use futures_lite::future;
    ///
    /// let (flag, cond) = (Mutex::new(false), Condition::new());
    /// future::block_on(future::zip(
    ///     async {
    ///         let mut guard = flag.lock().await;
    ///         while !*guard {
    ///             guard = cond.wait(guard).await;
    ///         }
    ///     },
    ///     async {
    ///         *flag.lock().await = true;
    ///         cond.notify_all();
    ///     },
    /// ));
    /// ```
    pub async fn wait<'a, T: ?Sized>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        let mutex: &'a Mutex<T> = MutexGuard::mutex(&guard);
        // Listen before unlocking: a notify right after the unlock must reach us.
        event_listener::listener!(self.waiters => listener);
        drop(guard);
        listener.await;
        self.relock(mutex).await
    }

    /// Waits until `predicate` holds for the guarded data, re-checking after every
    /// notification; returns the guard with the predicate true.
    ///
    /// The predicate is checked again once this waiter listens, so state it reads through
    /// atomics may even change without the lock and a `notify` is still not missed.
    ///
    /// Cancel safety: as [`wait`](Self::wait).
    ///
    /// ```
    /// use corio_sync::{Condition, Mutex};
    /// use futures_lite::future;
    ///
    /// let (n, cond) = (Mutex::new(0), Condition::new());
    /// future::block_on(future::zip(
    ///     async { assert_eq!(*cond.wait_for(n.lock().await, |n| *n >= 2).await, 2) },
    ///     async {
    ///         for _ in 0..2 {
    ///             *n.lock().await += 1;
    ///             cond.notify_all();
    ///             future::yield_now().await;
    ///         }
    ///     },
    /// ));
    /// ```
    pub async fn wait_for<'a, T: ?Sized>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut predicate: impl FnMut(&mut T) -> bool,
    ) -> MutexGuard<'a, T> {
        loop {
            if predicate(&mut guard) {
                return guard;
            }
            let mutex = MutexGuard::mutex(&guard);
            event_listener::listener!(self.waiters => listener);
            if predicate(&mut guard) {
                return guard;
            }
            drop(guard);
            listener.await;
            guard = self.relock(mutex).await;
        }
    }

    /// Takes the lock again after a notification, passing the notification on if
    /// dropped first.
    async fn relock<'a, T: ?Sized>(&self, mutex: &'a Mutex<T>) -> MutexGuard<'a, T> {
        let mut pass_on = PassOn(Some(&self.waiters));
        let guard = mutex.lock().await;
        pass_on.0 = None;
        guard
    }

    /// Wakes up to `n` of the tasks waiting now (asyncio's `notify(n)`).
    ///
    /// ```
    /// let cond = corio_sync::Condition::new();
    /// cond.notify(1); // nobody waits: nothing happens, nothing is stored
    /// ```
    pub fn notify(&self, n: usize) {
        // `additional`: n more waiters than those notified already and not yet running.
        self.waiters.notify(n.additional());
    }

    /// Wakes every task waiting now.
    ///
    /// ```
    /// corio_sync::Condition::new().notify_all();
    /// ```
    pub fn notify_all(&self) {
        self.waiters.notify(usize::MAX);
    }
}

impl Default for Condition {
    fn default() -> Self {
        Condition::new()
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition").finish_non_exhaustive()
    }
}
