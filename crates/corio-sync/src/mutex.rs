//! asyncio's `Lock`, holding the data it protects: [`Mutex<T>`].

use std::cell::UnsafeCell;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use crate::permits::Permits;

/// An async mutual-exclusion lock around a `T` (asyncio's `Lock`, which is
/// [`Lock`]`<()>` here).
///
/// Strictly FIFO: when the holder unlocks, the lock passes to the longest waiter, and a
/// task arriving meanwhile cannot barge in. Uncontended, lock and unlock are one atomic
/// operation each.
///
/// ```
/// use corio_sync::Mutex;
///
/// futures_lite::future::block_on(async {
///     let m = Mutex::new(0);
///     *m.lock().await += 1;
///     assert_eq!(*m.lock().await, 1);
/// });
/// ```
pub struct Mutex<T: ?Sized> {
    permits: Permits,
    value: UnsafeCell<T>,
}

/// asyncio's name for a [`Mutex`]: `Lock` alone guards no data, as in Python.
///
/// ```
/// use corio_sync::Lock;
///
/// futures_lite::future::block_on(async {
///     let lock = Lock::new(());
///     let _held = lock.lock().await;
///     assert!(lock.locked());
/// });
/// ```
pub type Lock<T = ()> = Mutex<T>;

// SAFETY: the lock hands out access to `value` to one holder at a time, so sending the
// mutex or sharing it between threads moves `T` between threads but never shares it.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
// SAFETY: as above: a shared `Mutex` gives one thread at a time access to `T`.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

/// Proof of holding a [`Mutex`]: derefs to the data, unlocks when dropped.
///
/// ```
/// use corio_sync::Mutex;
///
/// futures_lite::future::block_on(async {
///     let m = Mutex::new(vec![1]);
///     let mut guard = m.lock().await;
///     guard.push(2);
///     drop(guard); // unlocks
///     assert_eq!(*m.lock().await, [1, 2]);
/// });
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct MutexGuard<'a, T: ?Sized> {
    mutex: &'a Mutex<T>,
}

// SAFETY: sharing the guard shares `&T` only; that needs `T: Sync` (the auto impl would
// ask only `T: Send` through `&Mutex<T>`).
unsafe impl<T: ?Sized + Sync> Sync for MutexGuard<'_, T> {}

/// A [`MutexGuard`] that owns an `Arc` of its mutex, so it can outlive the borrow —
/// e.g. move into a spawned task.
///
/// ```
/// use corio_sync::Mutex;
/// use std::sync::Arc;
///
/// futures_lite::future::block_on(async {
///     let m = Arc::new(Mutex::new(1));
///     let mut guard = m.clone().lock_owned().await;
///     *guard += 1;
///     drop(guard);
///     assert_eq!(*m.lock().await, 2);
/// });
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedMutexGuard<T: ?Sized> {
    mutex: Arc<Mutex<T>>,
}

// SAFETY: as for `MutexGuard`: sharing the guard shares `&T`.
unsafe impl<T: ?Sized + Sync> Sync for OwnedMutexGuard<T> {}

/// [`Mutex::try_lock`] found the mutex held (or others already waiting for it).
///
/// ```
/// use corio_sync::Mutex;
///
/// let m = Mutex::new(());
/// let _held = m.try_lock().unwrap();
/// assert!(m.try_lock().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TryLockError(());

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the mutex is locked")
    }
}

impl std::error::Error for TryLockError {}

impl<T> Mutex<T> {
    /// An unlocked mutex around `value`.
    ///
    /// ```
    /// use corio_sync::Mutex;
    ///
    /// static COUNT: Mutex<u32> = Mutex::new(0);
    /// assert!(!COUNT.locked());
    /// ```
    pub const fn new(value: T) -> Mutex<T> {
        Mutex {
            permits: Permits::new(1),
            value: UnsafeCell::new(value),
        }
    }

    /// The data, consuming the mutex.
    ///
    /// ```
    /// assert_eq!(corio_sync::Mutex::new(7).into_inner(), 7);
    /// ```
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Waits for the lock, first come first served.
    ///
    /// Cancel safety: dropping the future never loses the lock. If the lock was already
    /// handed to it, it passes to the next waiter.
    ///
    /// ```
    /// use corio_sync::Mutex;
    ///
    /// futures_lite::future::block_on(async {
    ///     let m = Mutex::new(String::new());
    ///     m.lock().await.push_str("hi");
    ///     assert_eq!(*m.lock().await, "hi");
    /// });
    /// ```
    pub async fn lock(&self) -> MutexGuard<'_, T> {
        self.permits.acquire(1).await;
        MutexGuard { mutex: self }
    }

    /// [`lock`](Self::lock) for an `Arc<Mutex>`, giving a guard that holds the `Arc`.
    ///
    /// Cancel safety: as [`lock`](Self::lock).
    ///
    /// ```
    /// use corio_sync::Mutex;
    /// use std::sync::Arc;
    ///
    /// futures_lite::future::block_on(async {
    ///     let m = Arc::new(Mutex::new(0));
    ///     let guard = m.clone().lock_owned().await;
    ///     assert!(m.locked());
    ///     drop(guard);
    ///     assert!(!m.locked());
    /// });
    /// ```
    pub async fn lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        self.permits.acquire(1).await;
        OwnedMutexGuard { mutex: self }
    }

    /// Locks from a plain thread, blocking it until the lock is free.
    ///
    /// Never call it from async code: it blocks the executor's thread.
    ///
    /// ```
    /// use corio_sync::Mutex;
    ///
    /// let m = Mutex::new(1);
    /// *m.blocking_lock() += 1;
    /// assert_eq!(*m.blocking_lock(), 2);
    /// ```
    pub fn blocking_lock(&self) -> MutexGuard<'_, T> {
        futures_lite::future::block_on(self.lock())
    }

    /// The lock if it is free and nobody is waiting for it.
    ///
    /// ```
    /// use corio_sync::Mutex;
    ///
    /// let m = Mutex::new(1);
    /// let guard = m.try_lock().unwrap();
    /// assert!(m.try_lock().is_err());
    /// drop(guard);
    /// assert!(m.try_lock().is_ok());
    /// ```
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        if self.permits.try_acquire(1) {
            Ok(MutexGuard { mutex: self })
        } else {
            Err(TryLockError(()))
        }
    }

    /// Whether the lock is held (asyncio's `locked()`).
    ///
    /// ```
    /// use corio_sync::Mutex;
    ///
    /// let m = Mutex::new(());
    /// assert!(!m.locked());
    /// let _g = m.try_lock().unwrap();
    /// assert!(m.locked());
    /// ```
    pub fn locked(&self) -> bool {
        self.permits.available() == 0
    }

    /// The data, through a unique borrow: no locking needed.
    ///
    /// ```
    /// let mut m = corio_sync::Mutex::new(1);
    /// *m.get_mut() = 2;
    /// assert_eq!(m.into_inner(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Ok(guard) => d.field("data", &&*guard),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// The mutex this guard holds (an associated function, so it cannot shadow a method
    /// of `T`). [`Condition::wait`](crate::Condition::wait) uses it to re-lock.
    ///
    /// ```
    /// use corio_sync::{Mutex, MutexGuard};
    ///
    /// let m = Mutex::new(());
    /// let guard = m.try_lock().unwrap();
    /// assert!(std::ptr::eq(MutexGuard::mutex(&guard), &m));
    /// ```
    pub fn mutex(guard: &Self) -> &'a Mutex<T> {
        guard.mutex
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the mutex's only permit, so no other reference to the
        // value exists while it lives.
        unsafe { &*self.mutex.value.get() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and `&mut self` makes this borrow unique.
        unsafe { &mut *self.mutex.value.get() }
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.mutex.permits.release(1);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized> OwnedMutexGuard<T> {
    /// The mutex this guard holds.
    ///
    /// ```
    /// use corio_sync::{Mutex, OwnedMutexGuard};
    /// use std::sync::Arc;
    ///
    /// let m = Arc::new(Mutex::new(()));
    /// let guard = futures_lite::future::block_on(m.clone().lock_owned());
    /// assert!(Arc::ptr_eq(OwnedMutexGuard::mutex(&guard), &m));
    /// ```
    pub fn mutex(guard: &Self) -> &Arc<Mutex<T>> {
        &guard.mutex
    }
}

impl<T: ?Sized> Deref for OwnedMutexGuard<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the guard holds the mutex's only permit.
        unsafe { &*self.mutex.value.get() }
    }
}

impl<T: ?Sized> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the mutex's only permit and `&mut self` is unique.
        unsafe { &mut *self.mutex.value.get() }
    }
}

impl<T: ?Sized> Drop for OwnedMutexGuard<T> {
    fn drop(&mut self) {
        self.mutex.permits.release(1);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
