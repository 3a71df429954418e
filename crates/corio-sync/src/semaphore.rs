//! asyncio's `Semaphore` and `BoundedSemaphore`.

use std::fmt;
use std::sync::Arc;

use crate::permits::{MAX_PERMITS, Permits};

/// A counting semaphore (asyncio's `Semaphore`): FIFO, no barging.
///
/// [`acquire`](Self::acquire) gives a [`SemaphorePermit`] that returns its permit when
/// dropped; [`release`](Self::release) adds one the asyncio way.
///
/// ```
/// use corio_sync::Semaphore;
///
/// futures_lite::future::block_on(async {
///     let pool = Semaphore::new(2);
///     let a = pool.acquire().await;
///     let _b = pool.acquire().await;
///     assert!(pool.locked());
///     drop(a);
///     assert_eq!(pool.available_permits(), 1);
/// });
/// ```
pub struct Semaphore {
    permits: Permits,
}

/// A semaphore that refuses to be released above its initial value (asyncio's
/// `BoundedSemaphore`), catching a `release` without a matching `acquire`.
///
/// ```
/// use corio_sync::BoundedSemaphore;
///
/// let s = BoundedSemaphore::new(1);
/// assert!(s.release().is_err());
/// let permit = s.try_acquire().unwrap();
/// permit.forget();
/// assert!(s.release().is_ok());
/// ```
pub struct BoundedSemaphore {
    permits: Permits,
    bound: usize,
}

/// Permits taken from a [`Semaphore`] or [`BoundedSemaphore`], given back on drop.
///
/// ```
/// use corio_sync::Semaphore;
///
/// let s = Semaphore::new(3);
/// let permit = s.try_acquire_many(2).unwrap();
/// assert_eq!(permit.num_permits(), 2);
/// drop(permit);
/// assert_eq!(s.available_permits(), 3);
/// ```
#[must_use = "the permits are given back as soon as this is dropped"]
pub struct SemaphorePermit<'a> {
    permits: &'a Permits,
    n: usize,
    /// The bound of a [`BoundedSemaphore`]; `usize::MAX` for a plain one.
    bound: usize,
}

/// A [`SemaphorePermit`] holding an `Arc` of its semaphore, so it can move into a task.
///
/// ```
/// use corio_sync::Semaphore;
/// use std::sync::Arc;
///
/// let s = Arc::new(Semaphore::new(1));
/// let permit = futures_lite::future::block_on(s.clone().acquire_owned());
/// assert_eq!(s.available_permits(), 0);
/// drop(permit);
/// assert_eq!(s.available_permits(), 1);
/// ```
#[must_use = "the permits are given back as soon as this is dropped"]
pub struct OwnedSemaphorePermit {
    semaphore: Arc<Semaphore>,
    n: usize,
}

/// More permits than a semaphore can hold ([`Semaphore::MAX_PERMITS`]) were asked for or
/// added.
///
/// ```
/// use corio_sync::Semaphore;
///
/// let s = Semaphore::new(1);
/// assert!(s.add_permits(Semaphore::MAX_PERMITS).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyPermits {
    /// How many were asked for or added.
    pub requested: usize,
}

impl fmt::Display for TooManyPermits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} permits exceed the semaphore's maximum of {MAX_PERMITS}",
            self.requested
        )
    }
}

impl std::error::Error for TooManyPermits {}

/// [`BoundedSemaphore::release`] would raise the count above its initial value
/// (asyncio's `ValueError`).
///
/// ```
/// use corio_sync::{BoundedSemaphore, TooManyReleases};
///
/// assert_eq!(BoundedSemaphore::new(2).release(), Err(TooManyReleases));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyReleases;

impl fmt::Display for TooManyReleases {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BoundedSemaphore released too many times")
    }
}

impl std::error::Error for TooManyReleases {}

fn check(n: usize) -> Result<(), TooManyPermits> {
    if n > MAX_PERMITS {
        Err(TooManyPermits { requested: n })
    } else {
        Ok(())
    }
}

impl Semaphore {
    /// The most permits a semaphore can hold.
    ///
    /// ```
    /// use corio_sync::Semaphore;
    ///
    /// let sem = Semaphore::new(Semaphore::MAX_PERMITS);
    /// assert_eq!(sem.available_permits(), Semaphore::MAX_PERMITS);
    /// // Going past it is an error, never an overflow.
    /// assert!(sem.add_permits(1).is_err());
    /// ```
    pub const MAX_PERMITS: usize = MAX_PERMITS;

    /// A semaphore with `permits` permits (at most [`MAX_PERMITS`](Self::MAX_PERMITS);
    /// more are clamped to it).
    ///
    /// ```
    /// use corio_sync::Semaphore;
    ///
    /// static CONNECTIONS: Semaphore = Semaphore::new(10);
    /// assert_eq!(CONNECTIONS.available_permits(), 10);
    /// ```
    pub const fn new(permits: usize) -> Semaphore {
        let permits = if permits > MAX_PERMITS {
            MAX_PERMITS
        } else {
            permits
        };
        Semaphore {
            permits: Permits::new(permits),
        }
    }

    /// Waits for one permit, first come first served.
    ///
    /// Cancel safety: dropping the future never loses a permit; one already handed to it
    /// passes to the next waiter.
    ///
    /// ```
    /// use corio_sync::Semaphore;
    ///
    /// futures_lite::future::block_on(async {
    ///     let s = Semaphore::new(1);
    ///     let permit = s.acquire().await;
    ///     assert_eq!(s.available_permits(), 0);
    ///     drop(permit);
    /// });
    /// ```
    pub async fn acquire(&self) -> SemaphorePermit<'_> {
        self.permits.acquire(1).await;
        SemaphorePermit::new(&self.permits, 1, usize::MAX)
    }

    /// Waits for `n` permits at once. While it waits at the head of the queue it collects
    /// released permits, and later arrivals wait behind it.
    ///
    /// Cancel safety: as [`acquire`](Self::acquire); permits it had collected go on to the
    /// next waiters.
    ///
    /// ```
    /// use corio_sync::Semaphore;
    ///
    /// futures_lite::future::block_on(async {
    ///     let s = Semaphore::new(5);
    ///     let three = s.acquire_many(3).await?;
    ///     assert_eq!(s.available_permits(), 2);
    ///     drop(three);
    ///     assert!(s.acquire_many(Semaphore::MAX_PERMITS + 1).await.is_err());
    ///     Ok::<(), corio_sync::TooManyPermits>(())
    /// })?;
    /// # Ok::<(), corio_sync::TooManyPermits>(())
    /// ```
    pub async fn acquire_many(&self, n: usize) -> Result<SemaphorePermit<'_>, TooManyPermits> {
        check(n)?;
        self.permits.acquire(n).await;
        Ok(SemaphorePermit::new(&self.permits, n, usize::MAX))
    }

    /// [`acquire`](Self::acquire) for an `Arc<Semaphore>`, giving a permit that holds the
    /// `Arc`.
    ///
    /// Cancel safety: as [`acquire`](Self::acquire).
    ///
    /// ```
    /// use corio_sync::Semaphore;
    /// use std::sync::Arc;
    ///
    /// futures_lite::future::block_on(async {
    ///     let s = Arc::new(Semaphore::new(1));
    ///     let permit = s.clone().acquire_owned().await;
    ///     assert!(s.locked());
    ///     drop(permit);
    /// });
    /// ```
    pub async fn acquire_owned(self: Arc<Self>) -> OwnedSemaphorePermit {
        self.permits.acquire(1).await;
        OwnedSemaphorePermit {
            semaphore: self,
            n: 1,
        }
    }

    /// Takes a permit from a plain thread, blocking it until one is free. Never call it
    /// from async code.
    ///
    /// ```
    /// let s = corio_sync::Semaphore::new(1);
    /// let permit = s.blocking_acquire();
    /// assert_eq!(s.available_permits(), 0);
    /// drop(permit);
    /// ```
    pub fn blocking_acquire(&self) -> SemaphorePermit<'_> {
        futures_lite::future::block_on(self.acquire())
    }

    /// A permit if one is free and nobody is waiting.
    ///
    /// ```
    /// let s = corio_sync::Semaphore::new(1);
    /// let permit = s.try_acquire().unwrap();
    /// assert!(s.try_acquire().is_none());
    /// drop(permit);
    /// ```
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        self.try_acquire_many(1)
    }

    /// `n` permits if they are free and nobody is waiting.
    ///
    /// ```
    /// let s = corio_sync::Semaphore::new(2);
    /// assert!(s.try_acquire_many(3).is_none());
    /// assert!(s.try_acquire_many(2).is_some());
    /// ```
    pub fn try_acquire_many(&self, n: usize) -> Option<SemaphorePermit<'_>> {
        self.permits
            .try_acquire(n)
            .then(|| SemaphorePermit::new(&self.permits, n, usize::MAX))
    }

    /// Adds `n` permits, handing them to waiters first.
    ///
    /// ```
    /// let s = corio_sync::Semaphore::new(0);
    /// s.add_permits(2)?;
    /// assert_eq!(s.available_permits(), 2);
    /// # Ok::<(), corio_sync::TooManyPermits>(())
    /// ```
    pub fn add_permits(&self, n: usize) -> Result<(), TooManyPermits> {
        if n > MAX_PERMITS - self.permits.available() {
            return Err(TooManyPermits { requested: n });
        }
        self.permits.release(n);
        Ok(())
    }

    /// Adds one permit (asyncio's `release()`, which needs no matching `acquire`).
    ///
    /// ```
    /// let s = corio_sync::Semaphore::new(0);
    /// s.release()?;
    /// assert_eq!(s.available_permits(), 1);
    /// # Ok::<(), corio_sync::TooManyPermits>(())
    /// ```
    pub fn release(&self) -> Result<(), TooManyPermits> {
        self.add_permits(1)
    }

    /// Free permits now (0 while anyone waits: released permits go to the waiters).
    ///
    /// ```
    /// assert_eq!(corio_sync::Semaphore::new(4).available_permits(), 4);
    /// ```
    pub fn available_permits(&self) -> usize {
        self.permits.available()
    }

    /// Whether an `acquire` now would wait (asyncio's `locked()`).
    ///
    /// ```
    /// let s = corio_sync::Semaphore::new(1);
    /// let _permit = s.try_acquire().unwrap();
    /// assert!(s.locked());
    /// ```
    pub fn locked(&self) -> bool {
        self.permits.available() == 0
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("available", &self.permits.available())
            .field("waiters", &self.permits.has_waiters())
            .finish()
    }
}

impl BoundedSemaphore {
    /// A bounded semaphore with `permits` permits, which is also its bound (clamped to
    /// [`Semaphore::MAX_PERMITS`]).
    ///
    /// ```
    /// let s = corio_sync::BoundedSemaphore::new(3);
    /// assert_eq!(s.available_permits(), 3);
    /// ```
    pub const fn new(permits: usize) -> BoundedSemaphore {
        let permits = if permits > MAX_PERMITS {
            MAX_PERMITS
        } else {
            permits
        };
        BoundedSemaphore {
            permits: Permits::new(permits),
            bound: permits,
        }
    }

    /// Waits for one permit, FIFO.
    ///
    /// Cancel safety: dropping the future never loses a permit.
    ///
    /// ```
    /// futures_lite::future::block_on(async {
    ///     let s = corio_sync::BoundedSemaphore::new(1);
    ///     let permit = s.acquire().await;
    ///     assert!(s.locked());
    ///     drop(permit);
    /// });
    /// ```
    pub async fn acquire(&self) -> SemaphorePermit<'_> {
        self.permits.acquire(1).await;
        SemaphorePermit::new(&self.permits, 1, self.bound)
    }

    /// Waits for `n` permits at once (more than the bound can never be granted: an error).
    ///
    /// Cancel safety: as [`acquire`](Self::acquire).
    ///
    /// ```
    /// futures_lite::future::block_on(async {
    ///     let s = corio_sync::BoundedSemaphore::new(2);
    ///     assert!(s.acquire_many(2).await.is_ok());
    ///     assert!(s.acquire_many(3).await.is_err());
    /// });
    /// ```
    pub async fn acquire_many(&self, n: usize) -> Result<SemaphorePermit<'_>, TooManyPermits> {
        if n > self.bound {
            return Err(TooManyPermits { requested: n });
        }
        self.permits.acquire(n).await;
        Ok(SemaphorePermit::new(&self.permits, n, self.bound))
    }

    /// Takes a permit from a plain thread, blocking it until one is free.
    ///
    /// ```
    /// let s = corio_sync::BoundedSemaphore::new(1);
    /// drop(s.blocking_acquire());
    /// ```
    pub fn blocking_acquire(&self) -> SemaphorePermit<'_> {
        futures_lite::future::block_on(self.acquire())
    }

    /// A permit if one is free and nobody is waiting.
    ///
    /// ```
    /// let s = corio_sync::BoundedSemaphore::new(1);
    /// let p = s.try_acquire();
    /// assert!(p.is_some() && s.try_acquire().is_none());
    /// ```
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        self.permits
            .try_acquire(1)
            .then(|| SemaphorePermit::new(&self.permits, 1, self.bound))
    }

    /// Adds one permit back — an error if that would exceed the initial value.
    ///
    /// ```
    /// let s = corio_sync::BoundedSemaphore::new(1);
    /// s.try_acquire().unwrap().forget();
    /// assert!(s.release().is_ok());
    /// assert!(s.release().is_err());
    /// ```
    pub fn release(&self) -> Result<(), TooManyReleases> {
        match self.permits.release_within(1, self.bound) {
            1 => Ok(()),
            _ => Err(TooManyReleases),
        }
    }

    /// Free permits now.
    ///
    /// ```
    /// assert_eq!(corio_sync::BoundedSemaphore::new(2).available_permits(), 2);
    /// ```
    pub fn available_permits(&self) -> usize {
        self.permits.available()
    }

    /// Whether an `acquire` now would wait.
    ///
    /// ```
    /// assert!(corio_sync::BoundedSemaphore::new(0).locked());
    /// ```
    pub fn locked(&self) -> bool {
        self.permits.available() == 0
    }
}

impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoundedSemaphore")
            .field("available", &self.permits.available())
            .field("bound", &self.bound)
            .finish()
    }
}

impl<'a> SemaphorePermit<'a> {
    fn new(permits: &'a Permits, n: usize, bound: usize) -> Self {
        SemaphorePermit { permits, n, bound }
    }

    /// How many permits this holds.
    ///
    /// ```
    /// let s = corio_sync::Semaphore::new(1);
    /// assert_eq!(s.try_acquire().unwrap().num_permits(), 1);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.n
    }

    /// Keeps the permits taken for good: dropping no longer gives them back.
    ///
    /// ```
    /// let s = corio_sync::Semaphore::new(1);
    /// s.try_acquire().unwrap().forget();
    /// assert_eq!(s.available_permits(), 0);
    /// ```
    pub fn forget(mut self) {
        self.n = 0;
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        match (self.n, self.bound) {
            (0, _) => {}
            (n, usize::MAX) => self.permits.release(n),
            // A stray `release()` may have taken this permit's room; never exceed the bound.
            (n, bound) => {
                self.permits.release_within(n, bound);
            }
        }
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.n)
            .finish()
    }
}

impl OwnedSemaphorePermit {
    /// How many permits this holds.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let s = Arc::new(corio_sync::Semaphore::new(1));
    /// let p = futures_lite::future::block_on(s.acquire_owned());
    /// assert_eq!(p.num_permits(), 1);
    /// ```
    pub fn num_permits(&self) -> usize {
        self.n
    }

    /// Keeps the permits taken for good.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let s = Arc::new(corio_sync::Semaphore::new(1));
    /// futures_lite::future::block_on(s.clone().acquire_owned()).forget();
    /// assert_eq!(s.available_permits(), 0);
    /// ```
    pub fn forget(mut self) {
        self.n = 0;
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        if self.n > 0 {
            self.semaphore.permits.release(self.n);
        }
    }
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("permits", &self.n)
            .finish()
    }
}
