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
/// Created inside a running loop, the sleep belongs to that loop's driver and `duration`
/// counts from now on its clock (virtual time inside a virtual runtime). Created outside
/// any loop there is no clock to read yet: the sleep belongs to the driver current when it
/// is first polled (the global fallback if there is none) and `duration` counts from that
/// first poll — so `runtime.block_on(sleep(d))` runs on the runtime's clock.
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
    match Timers::try_current() {
        Some(timers) => {
            let now = timers.now();
            match now.checked_add(duration) {
                Some(deadline) => Sleep::new(timers, deadline),
                None => Sleep::never(timers, now),
            }
        }
        None => Sleep::unbound(Instant::now(), Some(duration)),
    }
}

/// Waits until `deadline` on the current driver's clock; a deadline already passed
/// completes on first poll.
///
/// Created outside any loop, the sleep belongs to the driver current at its first poll
/// (the global fallback if there is none).
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
    match Timers::try_current() {
        Some(timers) => Sleep::new(timers, deadline),
        None => Sleep::unbound(deadline, None),
    }
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
    /// The driver this sleep belongs to; `None` until the first poll for a sleep created
    /// outside any loop.
    timers: Option<Timers>,
    deadline: Instant,
    /// First driver tick at or after `deadline`, or [`NEVER`]. Until bound only `NEVER`
    /// is meaningful: the tick is computed on the driver's origin when binding.
    tick: u64,
    /// `sleep(d)` created outside any loop: `d`, counted from the first poll.
    after: Option<Duration>,
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
            timers: Some(timers),
            deadline,
            tick,
            after: None,
            state: State::Idle,
        }
    }

    /// A sleep created outside any loop: until `deadline` or, with `after`, for `after`
    /// from its first poll. `deadline()` meanwhile estimates from `now`.
    pub(crate) fn unbound(now: Instant, after: Option<Duration>) -> Sleep {
        let deadline = match after {
            Some(after) => now.checked_add(after).unwrap_or_else(|| far_future(now)),
            None => now,
        };
        Sleep {
            timers: None,
            deadline,
            tick: 0,
            after,
            state: State::Idle,
        }
    }

    /// A sleep that never completes; `deadline()` reports a far-future instant.
    pub(crate) fn never(timers: Timers, now: Instant) -> Sleep {
        Sleep {
            timers: Some(timers),
            deadline: far_future(now),
            tick: NEVER,
            after: None,
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
            _ => match &self.timers {
                Some(timers) => self.tick != NEVER && self.tick <= timers.processed(),
                None => false,
            },
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
        let old = self.tick;
        self.deadline = deadline;
        self.after = None;
        self.tick = match &self.timers {
            Some(timers) => timers.tick_ceil(deadline),
            None => 0,
        };
        self.rearm(old);
    }

    /// Makes this sleep never complete (used by `Interval` when its next tick overflows).
    pub(crate) fn reset_never(&mut self) {
        let old = self.tick;
        self.deadline = far_future(self.deadline);
        self.tick = NEVER;
        self.after = None;
        self.rearm(old);
    }

    /// The current time on this sleep's clock (the current driver's, or the real clock,
    /// while unbound).
    pub(crate) fn now(&self) -> Instant {
        match &self.timers {
            Some(timers) => timers.now(),
            None => Timers::try_current().map_or_else(Instant::now, |timers| timers.now()),
        }
    }

    /// Brings the registration in line with a new `tick`; `old` is the tick the wheel
    /// holds for a registered entry.
    fn rearm(&mut self, old: u64) {
        // Unbound: never polled, so nothing is registered or parked yet.
        let Some(timers) = &self.timers else {
            return;
        };
        match std::mem::replace(&mut self.state, State::Idle) {
            State::Registered(key) if self.tick == NEVER => timers.deregister(key, old),
            State::Registered(key) => {
                if timers.reset_entry(key, self.tick) {
                    self.state = State::Registered(key);
                }
                // Otherwise it left the wheel and its waker was woken: the next poll
                // starts afresh from `Idle`.
            }
            State::Parked(waker) if self.tick == NEVER => self.state = State::Parked(waker),
            // A task waits on a sleep that could not fire: register it now.
            State::Parked(waker) => match timers.register(self.tick, &waker) {
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
        let timers = bind(
            &mut this.timers,
            &mut this.deadline,
            &mut this.tick,
            &mut this.after,
        );
        match &mut this.state {
            State::Done => Poll::Ready(()),
            State::Registered(key) => {
                let key = *key;
                let poll = timers.poll_entry(key, this.tick, cx.waker());
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
                let due = this.tick <= timers.processed()
                    || (timers.is_background() && timers.now() >= this.deadline);
                if due {
                    this.state = State::Done;
                    return Poll::Ready(());
                }
                match timers.register(this.tick, cx.waker()) {
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
        if let (State::Registered(key), Some(timers)) = (&self.state, &self.timers) {
            timers.deregister(*key, self.tick);
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
/// Binds an unbound sleep to the current driver (the global one outside any loop), fixing
/// its deadline and tick on that driver's clock; returns the driver.
fn bind<'a>(
    timers: &'a mut Option<Timers>,
    deadline: &mut Instant,
    tick: &mut u64,
    after: &mut Option<Duration>,
) -> &'a Timers {
    timers.get_or_insert_with(|| {
        let driver = current_or_global();
        let at = match after.take() {
            Some(after) => driver.now().checked_add(after),
            None if *tick == NEVER => None,
            None => Some(*deadline),
        };
        match at {
            Some(at) => {
                *deadline = at;
                *tick = driver.tick_ceil(at);
            }
            None => {
                *deadline = far_future(*deadline);
                *tick = NEVER;
            }
        }
        driver
    })
}

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
