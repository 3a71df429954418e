//! A reader–writer lock: [`RwLock<T>`].

use std::cell::UnsafeCell;
use std::fmt;
use std::ops::{Deref, DerefMut};

use crate::permits::{MAX_PERMITS, Permits};

/// Each reader takes one permit; a writer takes them all.
const ALL: usize = MAX_PERMITS;

/// An async reader–writer lock around a `T`: many readers or one writer.
///
/// Fair by arrival: a waiting writer holds back the readers that come after it, so
/// writers are never starved; the readers queued behind a writer all go in together
/// when it unlocks.
///
/// ```
/// use corio_sync::RwLock;
///
/// futures_lite::future::block_on(async {
///     let config = RwLock::new(1);
///     {
///         let (a, b) = (config.read().await, config.read().await);
///         assert_eq!(*a + *b, 2);
///     }
///     *config.write().await = 5;
///     assert_eq!(*config.read().await, 5);
/// });
/// ```
pub struct RwLock<T: ?Sized> {
    permits: Permits,
    value: UnsafeCell<T>,
}

// SAFETY: a writer gets `&mut T` on any thread (T: Send) and readers share `&T` across
// threads (T: Sync); the permits keep the two apart.
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}

/// Shared access to an [`RwLock`]'s data; released when dropped.
///
/// ```
/// let l = corio_sync::RwLock::new(3);
/// let r = l.try_read().unwrap();
/// assert_eq!(*r, 3);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
}

/// Exclusive access to an [`RwLock`]'s data; released when dropped.
///
/// ```
/// let l = corio_sync::RwLock::new(3);
/// *l.try_write().unwrap() += 1;
/// assert_eq!(*l.try_read().unwrap(), 4);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
}

impl<T> RwLock<T> {
    /// An unlocked reader–writer lock around `value`.
    ///
    /// ```
    /// static SETTINGS: corio_sync::RwLock<u8> = corio_sync::RwLock::new(0);
    /// assert_eq!(*SETTINGS.try_read().unwrap(), 0);
    /// ```
    pub const fn new(value: T) -> RwLock<T> {
        RwLock {
            permits: Permits::new(ALL),
            value: UnsafeCell::new(value),
        }
    }

    /// The data, consuming the lock.
    ///
    /// ```
    /// assert_eq!(corio_sync::RwLock::new(2).into_inner(), 2);
    /// ```
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Waits for shared access, behind any writer that arrived earlier.
    ///
    /// Cancel safety: dropping the future never loses access handed to it; it passes on.
    ///
    /// ```
    /// futures_lite::future::block_on(async {
    ///     let l = corio_sync::RwLock::new("x");
    ///     assert_eq!(*l.read().await, "x");
    /// });
    /// ```
    pub async fn read(&self) -> RwLockReadGuard<'_, T> {
        self.permits.acquire(1).await;
        RwLockReadGuard { lock: self }
    }

    /// Waits for exclusive access, behind everyone who arrived earlier.
    ///
    /// Cancel safety: as [`read`](Self::read).
    ///
    /// ```
    /// futures_lite::future::block_on(async {
    ///     let l = corio_sync::RwLock::new(vec![]);
    ///     l.write().await.push(1);
    ///     assert_eq!(*l.read().await, [1]);
    /// });
    /// ```
    pub async fn write(&self) -> RwLockWriteGuard<'_, T> {
        self.permits.acquire(ALL).await;
        RwLockWriteGuard { lock: self }
    }

    /// Shared access from a plain thread, blocking it. Never call it from async code.
    ///
    /// ```
    /// let l = corio_sync::RwLock::new(1);
    /// assert_eq!(*l.blocking_read(), 1);
    /// ```
    pub fn blocking_read(&self) -> RwLockReadGuard<'_, T> {
        futures_lite::future::block_on(self.read())
    }

    /// Exclusive access from a plain thread, blocking it. Never call it from async code.
    ///
    /// ```
    /// let l = corio_sync::RwLock::new(1);
    /// *l.blocking_write() = 2;
    /// assert_eq!(*l.blocking_read(), 2);
    /// ```
    pub fn blocking_write(&self) -> RwLockWriteGuard<'_, T> {
        futures_lite::future::block_on(self.write())
    }

    /// Shared access if no writer holds or waits for the lock.
    ///
    /// ```
    /// let l = corio_sync::RwLock::new(1);
    /// let w = l.try_write().unwrap();
    /// assert!(l.try_read().is_none());
    /// drop(w);
    /// assert!(l.try_read().is_some());
    /// ```
    pub fn try_read(&self) -> Option<RwLockReadGuard<'_, T>> {
        self.permits
            .try_acquire(1)
            .then_some(RwLockReadGuard { lock: self })
    }

    /// Exclusive access if nobody holds or waits for the lock.
    ///
    /// ```
    /// let l = corio_sync::RwLock::new(1);
    /// let r = l.try_read().unwrap();
    /// assert!(l.try_write().is_none());
    /// drop(r);
    /// assert!(l.try_write().is_some());
    /// ```
    pub fn try_write(&self) -> Option<RwLockWriteGuard<'_, T>> {
        self.permits
            .try_acquire(ALL)
            .then_some(RwLockWriteGuard { lock: self })
    }

    /// The data, through a unique borrow: no locking needed.
    ///
    /// ```
    /// let mut l = corio_sync::RwLock::new(1);
    /// *l.get_mut() = 3;
    /// assert_eq!(l.into_inner(), 3);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwLock");
        match self.try_read() {
            Some(guard) => d.field("data", &&*guard),
            None => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: a reader's permit rules out a writer, which needs every permit.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.permits.release(1);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: the writer holds every permit: no other guard exists.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the writer holds every permit and `&mut self` is unique.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.permits.release(ALL);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
