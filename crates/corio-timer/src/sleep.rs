//! [`Sleep`]: a future that completes at a deadline.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use crate::driver::{NEVER, Timers, current_or_global};
use crate::wheel::Key;

/// Waits for `duration` on the current driver's clock.
///
/// The deadline is taken from the clock of the driver current at creation (virtual time
/// inside a virtual runtime; the real clock and the global fallback driver outside any).
/// A duration too large to add to the current instant (such as [`Duration::MAX`]) gives a
/// sleep that never completes.
///
/// ```
/// # futures_lite::future::block_on(async {
/// use std::time::{Duration, Instant};
///
/// let start = Instant::now();
/// corio_timer::sleep(Duration::from_millis(2)).await;
/// assert!(start.elapsed() >= Duration::from_millis(2));
/// # });
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    let timers = current_or_global();
    let now = timers.now();
    match now.checked_add(duration) {
        Some(deadline) => Sleep::new(timers, deadline),
        None => Sleep::never(timers, now),
    }
}

/// Waits until `deadline` on the current driver's clock; a deadline already passed
/// completes on first poll.
///
/// ```
/// # futures_lite::future::block_on(async {
/// use std::time::{Duration, Instant};
///
/// let deadline = Instant::now() + Duration::from_millis(2);
/// corio_timer::sleep_until(deadline).await;
/// assert!(Instant::now() >= deadline);
/// # });
/// ```
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::new(current_or_global(), deadline)
}

/// Future returned by [`sleep`] and [`sleep_until`].
///
/// It registers in its driver's wheel only when first polled (a deadline already passed
/// by then completes without registering), keeps the waker of the latest poll, and leaves
/// the wheel when dropped. `Sleep` is [`Unpin`].
///
/// ```
/// # futures_lite::future::block_on(async {
/// use std::time::{Duration, Instant};
///
/// let mut nap = corio_timer::sleep(Duration::from_secs(3600));
/// nap.reset(Instant::now() + Duration::from_millis(1));
/// (&mut nap).await;
/// assert!(nap.is_elapsed());
/// # });
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Sleep {
    timers: Timers,
    deadline: Instant,
    /// First driver tick at or after `deadline`, or [`NEVER`].
    tick: u64,
    state: State,
}

enum State {
    /// Not in the wheel.
    Idle,
    /// Polled with a deadline that never comes; the waker is kept for a later `reset`.
    Parked(Waker),
    Registered(Key),
    /// Completed; not in the wheel.
    Done,
}

impl Sleep {
    pub(crate) fn new(timers: Timers, deadline: Instant) -> Sleep {
        let tick = timers.tick_ceil(deadline);
        Sleep {
            timers,
            deadline,
            tick,
            state: State::Idle,
        }
    }

    /// A sleep that never completes; `deadline()` reports a far-future instant.
    pub(crate) fn never(timers: Timers, now: Instant) -> Sleep {
        Sleep {
            timers,
            deadline: far_future(now),
            tick: NEVER,
            state: State::Idle,
        }
    }

    /// The instant this sleep completes at (far in the future for a sleep that never
    /// completes).
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let deadline = Instant::now() + Duration::from_secs(1);
    /// assert_eq!(corio_timer::sleep_until(deadline).deadline(), deadline);
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline has passed, as far as the driver has processed time (or the
    /// sleep has completed).
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let nap = corio_timer::sleep(Duration::from_secs(3600));
    /// assert!(!nap.is_elapsed());
    /// ```
    pub fn is_elapsed(&self) -> bool {
        match self.state {
            State::Done => true,
            _ => self.tick != NEVER && self.tick <= self.timers.processed(),
        }
    }

    /// Moves the deadline, whether or not the sleep has completed; the waker of the last
    /// poll stays registered. Works through `Pin<&mut Sleep>` too, since `Sleep` is
    /// [`Unpin`].
    ///
    /// ```
    /// # futures_lite::future::block_on(async {
    /// use std::time::{Duration, Instant};
    ///
    /// let mut nap = corio_timer::sleep(Duration::ZERO);
    /// (&mut nap).await;
    /// let again = Instant::now() + Duration::from_millis(1);
    /// nap.reset(again);
    /// assert_eq!(nap.deadline(), again);
    /// (&mut nap).await;
    /// assert!(Instant::now() >= again);
    /// # });
    /// ```
    pub fn reset(&mut self, deadline: Instant) {
        self.deadline = deadline;
        self.tick = self.timers.tick_ceil(deadline);
        self.rearm();
    }

    /// Makes this sleep never complete (used by `Interval` when its next tick overflows).
    pub(crate) fn reset_never(&mut self) {
        self.deadline = far_future(self.deadline);
        self.tick = NEVER;
        self.rearm();
    }

    pub(crate) fn timers(&self) -> &Timers {
        &self.timers
    }

    /// Brings the registration in line with a new `tick`.
    fn rearm(&mut self) {
        match std::mem::replace(&mut self.state, State::Idle) {
            State::Registered(key) if self.tick == NEVER => self.timers.deregister(key),
            State::Registered(key) => {
                self.timers.reset_entry(key, self.tick);
                self.state = State::Registered(key);
            }
            State::Parked(waker) if self.tick == NEVER => self.state = State::Parked(waker),
            // A task waits on a sleep that could not fire: register it now.
            State::Parked(waker) => match self.timers.register(self.tick, &waker) {
                Some(key) => self.state = State::Registered(key),
                None => waker.wake(),
            },
            State::Idle | State::Done => {}
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        match &mut this.state {
            State::Done => Poll::Ready(()),
            State::Registered(key) => {
                let key = *key;
                let poll = this.timers.poll_entry(key, this.tick, cx.waker());
                if poll.is_ready() {
                    this.state = State::Done;
                }
                poll
            }
            State::Parked(waker) => {
                if !waker.will_wake(cx.waker()) {
                    *waker = cx.waker().clone();
                }
                Poll::Pending
            }
            State::Idle if this.tick == NEVER => {
                this.state = State::Parked(cx.waker().clone());
                Poll::Pending
            }
            State::Idle => {
                // Cheap check against processed time first; the clock is read only for
                // the global driver, whose processed time is stale while it idles.
                let due = this.tick <= this.timers.processed()
                    || (this.timers.is_background() && this.timers.now() >= this.deadline);
                if due {
                    this.state = State::Done;
                    return Poll::Ready(());
                }
                match this.timers.register(this.tick, cx.waker()) {
                    Some(key) => {
                        this.state = State::Registered(key);
                        Poll::Pending
                    }
                    None => {
                        this.state = State::Done;
                        Poll::Ready(())
                    }
                }
            }
        }
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let State::Registered(key) = self.state {
            self.timers.deregister(key);
        }
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("is_elapsed", &self.is_elapsed())
            .finish_non_exhaustive()
    }
}

/// An instant about 30 years after `now` (less if the platform cannot represent that),
/// reported as the deadline of sleeps that never complete.
fn far_future(now: Instant) -> Instant {
    let mut span = Duration::from_secs(30 * 365 * 86_400);
    while !span.is_zero() {
        if let Some(at) = now.checked_add(span) {
            return at;
        }
        span /= 2;
    }
    now
}
