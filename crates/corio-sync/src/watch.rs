//! A watch channel: one current value that receivers read whenever they like, and a
//! notification when it changes.
//!
//! The counterpart of `tokio::sync::watch`; in asyncio one would pair a variable with an
//! `asyncio.Event` or `asyncio.Condition`. Receivers only ever see the latest value:
//! changes made while a receiver was not looking collapse into one. A version counter
//! tells each receiver whether the value changed since it last looked.
//!
//! ```
//! use corio_sync::watch;
//!
//! futures_lite::future::block_on(async {
//!     let (tx, mut rx) = watch::channel("starting");
//!     tx.send("running").unwrap();
//!     tx.send("stopping").unwrap();
//!     rx.changed().await.unwrap(); // one wake-up for both changes
//!     assert_eq!(*rx.borrow_and_update(), "stopping");
//!     drop(tx);
//!     assert!(rx.changed().await.is_err());
//! });
//! ```

mod error;

use std::fmt;
use std::ops::Deref;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use event_listener::Event;

pub use error::{RecvError, SendError};

/// The low bit of `Shared::state`: every sender is gone. The version is the rest.
const CLOSED: u64 = 1;
/// One version step, above the closed bit.
const STEP: u64 = 2;

struct Shared<T> {
    value: RwLock<T>,
    /// `version * STEP | CLOSED`. The version only moves while `value` is write-locked, so
    /// a reader holding the read lock sees the version of the value it reads.
    state: AtomicU64,
    /// Receivers wait here for a change (or the close).
    changed: Event,
    receivers: AtomicUsize,
    senders: AtomicUsize,
    /// `Sender::closed` waits here for the last receiver to go.
    receivers_gone: Event,
}

impl<T> Shared<T> {
    fn read(&self) -> RwLockReadGuard<'_, T> {
        // Poison is ignored: a panicking `send_modify` closure leaves a usable value.
        self.value.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, T> {
        self.value.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn version(&self) -> u64 {
        self.state.load(Ordering::Acquire) & !CLOSED
    }

    fn subscribe(self: &Arc<Self>) -> Receiver<T> {
        self.receivers.fetch_add(1, Ordering::Relaxed);
        Receiver {
            shared: self.clone(),
            seen: self.version(),
        }
    }
}

/// Creates a watch channel holding `init`, which receivers see as already seen.
///
/// ```
/// let (tx, rx) = corio_sync::watch::channel(5);
/// assert_eq!(*rx.borrow(), 5);
/// assert!(!rx.has_changed().unwrap());
/// # drop(tx);
/// ```
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        value: RwLock::new(init),
        state: AtomicU64::new(0),
        changed: Event::new(),
        receivers: AtomicUsize::new(1),
        senders: AtomicUsize::new(1),
        receivers_gone: Event::new(),
    });
    let rx = Receiver {
        shared: shared.clone(),
        seen: 0,
    };
    (Sender { shared }, rx)
}

/// A read lock on the channel's value, from `borrow`.
///
/// Holding it blocks senders (they wait for the lock), so keep it briefly and never across
/// an `.await`.
///
/// ```
/// let (tx, rx) = corio_sync::watch::channel(vec![1, 2]);
/// tx.send_modify(|v| v.push(3));
/// // Read through the lock, then let it go before doing anything slow.
/// let total: i32 = rx.borrow().iter().sum();
/// assert_eq!(total, 6);
/// // Or copy the value out.
/// let snapshot = rx.borrow().clone();
/// assert_eq!(snapshot, [1, 2, 3]);
/// ```
pub struct Ref<'a, T> {
    guard: RwLockReadGuard<'a, T>,
    has_changed: bool,
}

impl<T> Ref<'_, T> {
    /// Whether this value was new to the receiver that borrowed it (always `false` for a
    /// sender's borrow).
    ///
    /// ```
    /// let (tx, mut rx) = corio_sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// assert!(rx.borrow_and_update().has_changed());
    /// assert!(!rx.borrow_and_update().has_changed());
    /// ```
    pub fn has_changed(&self) -> bool {
        self.has_changed
    }
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Publishes new values. Clone it for more senders; receivers see the channel closed
/// when the last one is dropped.
///
/// ```
/// futures_lite::future::block_on(async {
///     let (config, mut watcher) = corio_sync::watch::channel("v1");
///     let admin = config.clone();
///     config.send("v2").unwrap();
///     admin.send("v3").unwrap();
///     // A watcher sees the latest value, not every step on the way.
///     watcher.changed().await.unwrap();
///     assert_eq!(*watcher.borrow_and_update(), "v3");
///     drop((config, admin));
///     assert!(watcher.changed().await.is_err(), "every sender is gone");
/// });
/// ```
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    /// Stores `value` and notifies the receivers; fails, handing it back and leaving the
    /// stored value alone, if there are no receivers.
    ///
    /// ```
    /// let (tx, rx) = corio_sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// assert_eq!(*rx.borrow(), 1);
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.shared.receivers.load(Ordering::Relaxed) == 0 {
            return Err(SendError(value));
        }
        self.send_replace(value);
        Ok(())
    }

    /// Stores `value` whether or not anyone listens, notifies the receivers, and returns
    /// the previous value.
    ///
    /// ```
    /// let (tx, rx) = corio_sync::watch::channel(1);
    /// drop(rx);
    /// assert_eq!(tx.send_replace(2), 1);
    /// assert_eq!(*tx.borrow(), 2);
    /// ```
    pub fn send_replace(&self, value: T) -> T {
        let mut value = Some(value);
        let mut old = None;
        self.send_if_modified(|current| {
            old = Some(std::mem::replace(
                current,
                value.take().expect("called once"),
            ));
            true
        });
        old.expect("the closure ran")
    }

    /// Modifies the value in place and notifies the receivers, whether or not anyone
    /// listens.
    ///
    /// ```
    /// let (tx, rx) = corio_sync::watch::channel(vec![1]);
    /// tx.send_modify(|v| v.push(2));
    /// assert_eq!(*rx.borrow(), [1, 2]);
    /// ```
    pub fn send_modify(&self, modify: impl FnOnce(&mut T)) {
        self.send_if_modified(|value| {
            modify(value);
            true
        });
    }

    /// Lets `modify` change the value in place; notifies the receivers only if it returns
    /// `true`, and returns that.
    ///
    /// If `modify` panics, the panic propagates, the lock is released, and whatever it
    /// changed stays, without a notification.
    ///
    /// ```
    /// let (tx, rx) = corio_sync::watch::channel(3);
    /// assert!(!tx.send_if_modified(|v| if *v == 3 { false } else { *v = 3; true }));
    /// assert!(!rx.has_changed().unwrap());
    /// assert!(tx.send_if_modified(|v| { *v += 1; true }));
    /// assert!(rx.has_changed().unwrap());
    /// ```
    pub fn send_if_modified(&self, modify: impl FnOnce(&mut T) -> bool) -> bool {
        let mut value = self.shared.write();
        if !modify(&mut value) {
            return false;
        }
        // Under the write lock, so the version and the value move together.
        self.shared.state.fetch_add(STEP, Ordering::Release);
        drop(value);
        // Every receiver must look, and one notified but not yet run needs no second
        // notification: notify all, not `additional`.
        self.shared.changed.notify(usize::MAX);
        true
    }

    /// Reads the current value (a read lock: keep it briefly).
    ///
    /// ```
    /// let (tx, _rx) = corio_sync::watch::channel("a");
    /// assert_eq!(*tx.borrow(), "a");
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            guard: self.shared.read(),
            has_changed: false,
        }
    }

    /// A new receiver, which counts the current value as seen.
    ///
    /// ```
    /// let (tx, rx) = corio_sync::watch::channel(0);
    /// drop(rx);
    /// let rx = tx.subscribe();
    /// assert!(!rx.has_changed().unwrap());
    /// tx.send(1).unwrap();
    /// assert!(rx.has_changed().unwrap());
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        self.shared.subscribe()
    }

    /// How many receivers there are.
    ///
    /// ```
    /// let (tx, rx) = corio_sync::watch::channel(0);
    /// let rx2 = rx.clone();
    /// assert_eq!(tx.receiver_count(), 2);
    /// # drop((rx, rx2));
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.shared.receivers.load(Ordering::Relaxed)
    }

    /// Whether there are no receivers (a `send` would fail).
    ///
    /// ```
    /// let (tx, rx) = corio_sync::watch::channel(0);
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.receiver_count() == 0
    }

    /// Waits until there are no receivers.
    ///
    /// Cancel safety: cancel-safe; it consumes nothing, and the last receiver to go wakes
    /// every waiter.
    ///
    /// ```
    /// futures_lite::future::block_on(async {
    ///     let (tx, rx) = corio_sync::watch::channel(0);
    ///     futures_lite::future::zip(tx.closed(), async move { drop(rx) }).await;
    /// });
    /// ```
    pub async fn closed(&self) {
        loop {
            if self.is_closed() {
                return;
            }
            let listener = self.shared.receivers_gone.listen();
            if self.is_closed() {
                return;
            }
            listener.await;
        }
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.senders.fetch_add(1, Ordering::Relaxed);
        Self {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if self.shared.senders.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.shared.state.fetch_or(CLOSED, Ordering::Release);
            self.shared.changed.notify(usize::MAX);
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("value", &*self.borrow())
            .field("receivers", &self.receiver_count())
            .finish()
    }
}

/// Reads the latest value and waits for changes. Clone it for more receivers; a clone
/// starts with the same idea of what has been seen.
///
/// ```
/// let (stop, mut rx) = corio_sync::watch::channel(false);
/// // A worker thread follows a flag the main thread publishes.
/// let worker = std::thread::spawn(move || {
///     futures_lite::future::block_on(async {
///         while !*rx.borrow_and_update() {
///             rx.changed().await.unwrap();
///         }
///         "stopped"
///     })
/// });
/// stop.send(true).unwrap();
/// assert_eq!(worker.join().unwrap(), "stopped");
/// ```
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// The version this receiver last marked as seen.
    seen: u64,
}

impl<T> Receiver<T> {
    /// Reads the current value without marking it seen (a read lock: keep it briefly).
    ///
    /// ```
    /// let (tx, rx) = corio_sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// assert_eq!(*rx.borrow(), 1);
    /// assert!(rx.has_changed().unwrap()); // still unseen
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        let guard = self.shared.read();
        let has_changed = self.shared.version() != self.seen;
        Ref { guard, has_changed }
    }

    /// Reads the current value and marks it seen (a read lock: keep it briefly).
    ///
    /// ```
    /// let (tx, mut rx) = corio_sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// assert_eq!(*rx.borrow_and_update(), 1);
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let guard = self.shared.read();
        let version = self.shared.version();
        let has_changed = version != self.seen;
        self.seen = version;
        Ref { guard, has_changed }
    }

    /// Whether the value changed since this receiver last marked it seen; `Err` once
    /// every sender is gone (even if the last change is unseen: [`borrow`](Self::borrow)
    /// still reads it).
    ///
    /// ```
    /// let (tx, rx) = corio_sync::watch::channel(0);
    /// assert_eq!(rx.has_changed(), Ok(false));
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.has_changed(), Ok(true));
    /// drop(tx);
    /// assert!(rx.has_changed().is_err());
    /// ```
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        let state = self.shared.state.load(Ordering::Acquire);
        if state & CLOSED != 0 {
            return Err(RecvError);
        }
        Ok(state & !CLOSED != self.seen)
    }

    /// Waits for a value this receiver has not seen, and marks it seen. Resolves at once if
    /// there already is one; several changes since the last look count as one.
    ///
    /// Fails once every sender is gone and the last value was seen.
    ///
    /// Cancel safety: cancel-safe. Only the poll that returns `Ok` marks the value seen,
    /// and every waiting receiver is notified of each change, so a dropped `changed` takes
    /// no wake-up from anyone.
    ///
    /// ```
    /// futures_lite::future::block_on(async {
    ///     let (tx, mut rx) = corio_sync::watch::channel(0);
    ///     let (_, changed) = futures_lite::future::zip(
    ///         async { tx.send(1).unwrap() },
    ///         rx.changed(),
    ///     )
    ///     .await;
    ///     assert_eq!(changed, Ok(()));
    ///     assert_eq!(*rx.borrow(), 1);
    /// });
    /// ```
    pub async fn changed(&mut self) -> Result<(), RecvError> {
        loop {
            if let Some(out) = self.check_changed() {
                return out;
            }
            let listener = self.shared.changed.listen();
            // Re-check after listening: a change made before the listener was in the list
            // would not notify it.
            if let Some(out) = self.check_changed() {
                return out;
            }
            listener.await;
        }
    }

    /// `Some(Ok)` (now marked seen) if there is an unseen change, `Some(Err)` if closed
    /// with none, `None` to keep waiting.
    fn check_changed(&mut self) -> Option<Result<(), RecvError>> {
        let state = self.shared.state.load(Ordering::Acquire);
        let version = state & !CLOSED;
        if version != self.seen {
            self.seen = version;
            Some(Ok(()))
        } else if state & CLOSED != 0 {
            Some(Err(RecvError))
        } else {
            None
        }
    }

    /// Makes the current value count as unseen, so [`changed`](Self::changed) resolves at
    /// once.
    ///
    /// ```
    /// let (_tx, mut rx) = corio_sync::watch::channel(0);
    /// rx.mark_changed();
    /// assert_eq!(rx.has_changed(), Ok(true));
    /// ```
    pub fn mark_changed(&mut self) {
        // Any version other than the current one; versions only grow, so this one never
        // comes back.
        self.seen = self.shared.version().wrapping_sub(STEP);
    }

    /// Makes the current value count as seen.
    ///
    /// ```
    /// let (tx, mut rx) = corio_sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// rx.mark_unchanged();
    /// assert_eq!(rx.has_changed(), Ok(false));
    /// ```
    pub fn mark_unchanged(&mut self) {
        self.seen = self.shared.version();
    }

    /// Whether both receivers watch the same channel.
    ///
    /// ```
    /// let (_tx, rx) = corio_sync::watch::channel(0);
    /// assert!(rx.same_channel(&rx.clone()));
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        self.shared.receivers.fetch_add(1, Ordering::Relaxed);
        Self {
            shared: self.shared.clone(),
            seen: self.seen,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        if self.shared.receivers.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.shared.receivers_gone.notify(usize::MAX);
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("value", &*self.borrow())
            .field("seen", &self.seen)
            .finish()
    }
}
