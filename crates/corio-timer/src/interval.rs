//! [`Interval`]: ticks at a fixed period.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_core::Stream;

use crate::sleep::Sleep;

/// The smallest period: the driver's resolution. Shorter periods are raised to it.
const MIN_PERIOD: Duration = Duration::from_millis(1);

/// Ticks every `period`, the first tick immediately.
///
/// A zero period is raised to 1 ms, the timer resolution (a zero period would yield
/// forever without waiting).
///
/// ```
/// # futures_lite::future::block_on(async {
/// use std::time::{Duration, Instant};
///
/// let mut every = corio_timer::interval(Duration::from_millis(2));
/// let first = every.tick().await; // at once
/// let second = every.tick().await;
/// assert_eq!(second - first, Duration::from_millis(2));
/// assert!(Instant::now() >= second);
/// # });
/// ```
pub fn interval(period: Duration) -> Interval {
    Interval::new(crate::sleep(Duration::ZERO), period)
}

/// Ticks at `start`, then every `period` (a zero period is raised to 1 ms).
///
/// ```
/// # futures_lite::future::block_on(async {
/// use std::time::{Duration, Instant};
///
/// let start = Instant::now() + Duration::from_millis(1);
/// let mut every = corio_timer::interval_at(start, Duration::from_secs(60));
/// assert_eq!(every.tick().await, start);
/// # });
/// ```
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    Interval::new(crate::sleep_until(start), period)
}

/// What an [`Interval`] does when ticks were missed, i.e. when a tick is taken only after
/// the following one was already due (the task was busy, or the loop was blocked).
///
/// With period 10 ms, ticks scheduled at 0, 10, 20 …, and the tick of 10 taken at 35:
///
/// * `Burst` (default): the missed ticks (20, 30) are yielded at once, back to back, then
///   the schedule continues at 40, 50 … — the number of ticks matches elapsed time.
/// * `Delay`: the next tick is one period after the late one was taken (45, 55 …) — the
///   schedule shifts, ticks are never closer than a period.
/// * `Skip`: the missed ticks are dropped and the next one is the next on the original
///   schedule (40, 50 …).
///
/// ```
/// use corio_timer::MissedTickBehavior;
///
/// assert_eq!(MissedTickBehavior::default(), MissedTickBehavior::Burst);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MissedTickBehavior {
    /// Yield the missed ticks at once, then keep the original schedule.
    #[default]
    Burst,
    /// Restart the schedule one period after the late tick.
    Delay,
    /// Drop the missed ticks and continue on the original schedule.
    Skip,
}

impl MissedTickBehavior {
    /// The tick after `scheduled`, taken at `now` when at least one tick was missed.
    fn next_missed(self, scheduled: Instant, now: Instant, period: Duration) -> Option<Instant> {
        match self {
            MissedTickBehavior::Burst => scheduled.checked_add(period),
            MissedTickBehavior::Delay => now.checked_add(period),
            MissedTickBehavior::Skip => {
                let late = now.saturating_duration_since(scheduled).as_nanos();
                let periods = late / period.as_nanos() + 1;
                let ahead = periods.checked_mul(period.as_nanos())?;
                let secs = u64::try_from(ahead / 1_000_000_000).ok()?;
                let nanos = (ahead % 1_000_000_000) as u32;
                scheduled.checked_add(Duration::new(secs, nanos))
            }
        }
    }
}

/// A stream of instants one period apart; see [`interval`] and [`interval_at`].
///
/// Each tick yields the instant it was scheduled for. A period that overflows the clock
/// ends the schedule: the interval then never ticks again.
///
/// ```
/// # futures_lite::future::block_on(async {
/// use corio_timer::MissedTickBehavior;
/// use futures_lite::StreamExt;
/// use std::time::Duration;
///
/// let mut every = corio_timer::interval(Duration::from_millis(1));
/// every.set_missed_tick_behavior(MissedTickBehavior::Skip);
/// let ticks: Vec<_> = every.take(3).collect().await;
/// assert!(ticks.windows(2).all(|w| w[0] < w[1]));
/// # });
/// ```
#[derive(Debug)]
#[must_use = "streams do nothing unless polled"]
pub struct Interval {
    /// Sleeps until the next scheduled tick, its deadline.
    sleep: Sleep,
    period: Duration,
    behavior: MissedTickBehavior,
}

impl Interval {
    /// An interval whose first tick is when `first` completes.
    fn new(first: Sleep, period: Duration) -> Interval {
        Interval {
            sleep: first,
            period: period.max(MIN_PERIOD),
            behavior: MissedTickBehavior::default(),
        }
    }

    /// Waits for the next tick and returns the instant it was scheduled for.
    ///
    /// Cancel safe: dropping the returned future loses no tick.
    ///
    /// ```
    /// # futures_lite::future::block_on(async {
    /// use std::time::Duration;
    ///
    /// let mut every = corio_timer::interval(Duration::from_millis(1));
    /// let a = every.tick().await;
    /// let b = every.tick().await;
    /// assert_eq!(b - a, Duration::from_millis(1));
    /// # });
    /// ```
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick; on `Ready` the schedule moves on by one tick.
    ///
    /// ```
    /// use std::task::{Context, Waker};
    /// use std::time::Duration;
    ///
    /// let mut every = corio_timer::interval(Duration::from_secs(60));
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(every.poll_tick(&mut cx).is_ready()); // the first tick is immediate
    /// assert!(every.poll_tick(&mut cx).is_pending());
    /// ```
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        if Pin::new(&mut self.sleep).poll(cx).is_pending() {
            return Poll::Pending;
        }
        let scheduled = self.sleep.deadline();
        let on_time = scheduled.checked_add(self.period);
        let next = match on_time {
            Some(next) if self.behavior == MissedTickBehavior::Burst => Some(next),
            Some(next) => {
                let now = self.sleep.now();
                if now < next {
                    Some(next)
                } else {
                    self.behavior.next_missed(scheduled, now, self.period)
                }
            }
            None => None,
        };
        match next {
            Some(next) => self.sleep.reset(next),
            None => self.sleep.reset_never(),
        }
        Poll::Ready(scheduled)
    }

    /// Restarts the schedule: the next tick is one period from now.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let mut every = corio_timer::interval(Duration::from_secs(60));
    /// every.reset();
    /// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// assert!(every.poll_tick(&mut cx).is_pending()); // no immediate first tick any more
    /// ```
    pub fn reset(&mut self) {
        let now = self.sleep.now();
        match now.checked_add(self.period) {
            Some(next) => self.sleep.reset(next),
            None => self.sleep.reset_never(),
        }
    }

    /// The period between ticks (at least 1 ms).
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// assert_eq!(corio_timer::interval(Duration::from_secs(2)).period(), Duration::from_secs(2));
    /// assert_eq!(corio_timer::interval(Duration::ZERO).period(), Duration::from_millis(1));
    /// ```
    pub fn period(&self) -> Duration {
        self.period
    }

    /// What happens when ticks are missed; see [`MissedTickBehavior`].
    ///
    /// ```
    /// use corio_timer::MissedTickBehavior;
    ///
    /// let every = corio_timer::interval(std::time::Duration::from_secs(1));
    /// assert_eq!(every.missed_tick_behavior(), MissedTickBehavior::Burst);
    /// ```
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.behavior
    }

    /// Chooses what happens when ticks are missed; see [`MissedTickBehavior`].
    ///
    /// ```
    /// use corio_timer::MissedTickBehavior;
    ///
    /// let mut every = corio_timer::interval(std::time::Duration::from_secs(1));
    /// every.set_missed_tick_behavior(MissedTickBehavior::Delay);
    /// assert_eq!(every.missed_tick_behavior(), MissedTickBehavior::Delay);
    /// ```
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.behavior = behavior;
    }
}

impl Stream for Interval {
    type Item = Instant;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Instant>> {
        self.get_mut().poll_tick(cx).map(Some)
    }
}
