//! The time source of a timer driver: the real monotonic clock or a virtual one.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Where a [`Timers`](crate::Timers) driver reads the time.
///
/// ```
/// use corio_timer::Clock;
///
/// let real = Clock::Real;
/// assert!(!real.is_virtual());
/// let virt = Clock::new_virtual();
/// assert_eq!(virt.now(), virt.now()); // frozen until advanced
/// ```
#[derive(Clone, Debug, Default)]
pub enum Clock {
    /// [`Instant::now`].
    #[default]
    Real,
    /// A clock that only moves when told to; see [`VirtualClock`].
    Virtual(VirtualClock),
}

impl Clock {
    /// The current time on this clock.
    ///
    /// ```
    /// let clock = corio_timer::Clock::Real;
    /// let a = clock.now();
    /// assert!(clock.now() >= a);
    /// ```
    pub fn now(&self) -> Instant {
        match self {
            Clock::Real => Instant::now(),
            Clock::Virtual(clock) => clock.now(),
        }
    }

    /// A new, frozen virtual clock: `Clock::Virtual(VirtualClock::new())`.
    ///
    /// ```
    /// assert!(corio_timer::Clock::new_virtual().is_virtual());
    /// ```
    pub fn new_virtual() -> Clock {
        Clock::Virtual(VirtualClock::new())
    }

    /// Whether this is a virtual clock.
    ///
    /// ```
    /// assert!(!corio_timer::Clock::Real.is_virtual());
    /// ```
    pub fn is_virtual(&self) -> bool {
        matches!(self, Clock::Virtual(_))
    }
}

/// A clock that starts at the [`Instant::now`] of its creation and only moves through
/// [`advance`](VirtualClock::advance).
///
/// Clones share one time line, so a test can keep a clone and move the time of a runtime
/// built on another. Moving the clock does not fire timers by itself: the driver does
/// that when it next processes.
///
/// ```
/// use corio_timer::VirtualClock;
/// use std::time::Duration;
///
/// let clock = VirtualClock::new();
/// let shared = clock.clone();
/// let start = clock.now();
/// shared.advance(Duration::from_secs(3600));
/// assert_eq!(clock.now() - start, Duration::from_secs(3600));
/// ```
#[derive(Clone, Debug)]
pub struct VirtualClock {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    base: Instant,
    /// Nanoseconds since `base`.
    offset: AtomicU64,
    /// The largest offset `base` can carry without overflowing `Instant`.
    limit: u64,
}

impl Default for VirtualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl VirtualClock {
    /// A clock frozen at the current real time.
    ///
    /// ```
    /// let clock = corio_timer::VirtualClock::new();
    /// assert_eq!(clock.now(), clock.now());
    /// ```
    pub fn new() -> Self {
        let base = Instant::now();
        VirtualClock {
            inner: Arc::new(Inner {
                base,
                offset: AtomicU64::new(0),
                limit: representable_offset(base),
            }),
        }
    }

    /// The current virtual time.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let clock = corio_timer::VirtualClock::new();
    /// let t = clock.now();
    /// clock.advance(Duration::from_millis(5));
    /// assert_eq!(clock.now(), t + Duration::from_millis(5));
    /// ```
    pub fn now(&self) -> Instant {
        let offset = self.inner.offset.load(Ordering::Acquire);
        // `offset <= limit`, which was checked to be representable.
        self.inner
            .base
            .checked_add(Duration::from_nanos(offset))
            .unwrap_or(self.inner.base)
    }

    /// Moves the time forward by `by`, saturating at the largest representable instant.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let clock = corio_timer::VirtualClock::new();
    /// clock.advance(Duration::MAX); // saturates, does not panic
    /// let end = clock.now();
    /// clock.advance(Duration::from_secs(1));
    /// assert_eq!(clock.now(), end);
    /// ```
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        let limit = self.inner.limit;
        // The closure always returns `Some`, so this cannot fail.
        let _ = self
            .inner
            .offset
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |offset| {
                Some(offset.saturating_add(by).min(limit))
            });
    }
}

/// The largest number of nanoseconds that can be added to `base`.
fn representable_offset(base: Instant) -> u64 {
    if base.checked_add(Duration::from_nanos(u64::MAX)).is_some() {
        return u64::MAX;
    }
    // Binary search on the platform's Instant range (never taken on common platforms).
    let (mut lo, mut hi) = (0u64, u64::MAX);
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        if base.checked_add(Duration::from_nanos(mid)).is_some() {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_clock_is_frozen_and_shared() {
        let clock = Clock::new_virtual();
        let start = clock.now();
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(clock.now(), start);
        let Clock::Virtual(v) = clock.clone() else {
            unreachable!()
        };
        v.advance(Duration::from_millis(7));
        assert_eq!(clock.now() - start, Duration::from_millis(7));
    }

    #[test]
    fn advance_saturates() {
        let clock = VirtualClock::new();
        clock.advance(Duration::from_nanos(u64::MAX - 1));
        clock.advance(Duration::from_secs(10));
        assert!(clock.now() >= clock.inner.base);
        assert_eq!(
            clock.inner.offset.load(Ordering::Relaxed),
            clock.inner.limit
        );
    }

    #[test]
    fn real_clock_moves() {
        let a = Clock::Real.now();
        std::thread::sleep(Duration::from_millis(1));
        assert!(Clock::Real.now() > a);
    }
}
