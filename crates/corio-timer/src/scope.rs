//! [`TimeoutScope`]: asyncio 3.11's `async with asyncio.timeout(delay) as cm:` — a deadline
//! for a block of async code, which the block itself may move or lift.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use pin_project_lite::pin_project;

use crate::driver::Timers;
use crate::sleep::{Sleep, sleep, sleep_until};
use crate::timeout::TimeoutError;

/// A deadline for the code run in it, that the code can read and move.
///
/// [`run`](Self::run) polls a future until it finishes or the deadline passes; on expiry
/// the future is dropped (Rust's cancellation: its destructors run) before `run` returns
/// [`TimeoutError`]. [`reschedule`](Self::reschedule) moves the deadline (or lifts it) from
/// anywhere, including from inside the body, and [`expired`](Self::expired) tells afterwards
/// whether this scope's deadline is what ended it.
///
/// Scopes nest: when an inner scope expires, only it reports the timeout, and the outer
/// body carries on with the `Err`; when an outer scope expires, the inner one is dropped with
/// the rest of the body and reports nothing. A cancellation from outside (the task is
/// cancelled, or a `select` drops the scope's future) stays a cancellation.
///
/// ```
/// use corio_timer::{TimeoutError, TimeoutScope, sleep};
/// use std::time::{Duration, Instant};
///
/// # futures_lite::future::block_on(async {
/// let scope = TimeoutScope::after(Duration::from_millis(5));
/// let out = scope
///     .run(async {
///         // Needs longer than planned: give it more time from inside.
///         scope.reschedule(Some(Instant::now() + Duration::from_secs(60)));
///         sleep(Duration::from_millis(10)).await;
///         "done"
///     })
///     .await;
/// assert_eq!(out, Ok("done"));
/// assert!(!scope.expired());
///
/// let scope = TimeoutScope::after(Duration::from_millis(1));
/// assert_eq!(scope.run(sleep(Duration::from_secs(60))).await, Err(TimeoutError));
/// assert!(scope.expired());
/// # });
/// ```
#[derive(Clone)]
pub struct TimeoutScope {
    shared: Arc<Mutex<State>>,
}

struct State {
    deadline: Deadline,
    /// Bumped by each reschedule, so a running scope knows to re-arm its timer.
    generation: u64,
    /// The task running the scope, woken to re-arm after a reschedule.
    waker: Option<Waker>,
    expired: bool,
}

#[derive(Clone, Copy)]
enum Deadline {
    /// Made outside any loop: counts from the first poll, as a `sleep` does.
    After(Duration),
    At(Instant),
    Never,
}

impl TimeoutScope {
    /// A scope whose deadline is `delay` from now on the current loop's clock (from its
    /// first poll, if made outside any loop).
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let scope = corio_timer::TimeoutScope::after(Duration::from_secs(1));
    /// assert!(!scope.expired());
    /// ```
    pub fn after(delay: Duration) -> TimeoutScope {
        let deadline = match Timers::try_current() {
            Some(timers) => timers
                .now()
                .checked_add(delay)
                .map_or(Deadline::Never, Deadline::At),
            None => Deadline::After(delay),
        };
        TimeoutScope::new(deadline)
    }

    /// A scope ending at `deadline`; `None` never expires (until rescheduled).
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let at = Instant::now() + Duration::from_secs(1);
    /// let scope = corio_timer::TimeoutScope::at(Some(at));
    /// assert_eq!(scope.deadline(), Some(at));
    /// assert_eq!(corio_timer::TimeoutScope::at(None).deadline(), None);
    /// ```
    pub fn at(deadline: Option<Instant>) -> TimeoutScope {
        TimeoutScope::new(deadline.map_or(Deadline::Never, Deadline::At))
    }

    fn new(deadline: Deadline) -> TimeoutScope {
        TimeoutScope {
            shared: Arc::new(Mutex::new(State {
                deadline,
                generation: 0,
                waker: None,
                expired: false,
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics under this lock; poisoning cannot leave the state inconsistent.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `future` in this scope: `Ok(output)` if it finishes first, `Err(TimeoutError)`
    /// once the deadline has passed, after dropping it. The future is polled before the
    /// deadline is looked at, so work that is ready in the same tick wins. A deadline already
    /// past when `run` starts still gives the future one poll, as asyncio runs the block
    /// until its first suspension.
    ///
    /// ```
    /// use corio_timer::TimeoutScope;
    /// use std::time::Duration;
    ///
    /// # futures_lite::future::block_on(async {
    /// let scope = TimeoutScope::after(Duration::ZERO);
    /// assert_eq!(scope.run(async { 1 }).await, Ok(1));
    /// # });
    /// ```
    pub fn run<F: IntoFuture>(&self, future: F) -> ScopeRun<'_, F::IntoFuture> {
        ScopeRun {
            scope: self,
            future: Some(future.into_future()),
            sleep: None,
            armed: None,
        }
    }

    /// Moves the deadline to `deadline`, or lifts it with `None` (asyncio's
    /// `reschedule(when)`). A running scope re-arms at once; a deadline in the past makes it
    /// expire at its next poll.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let scope = corio_timer::TimeoutScope::after(Duration::from_secs(1));
    /// scope.reschedule(None);
    /// assert_eq!(scope.deadline(), None);
    /// ```
    pub fn reschedule(&self, deadline: Option<Instant>) {
        let waker = {
            let mut st = self.lock();
            st.deadline = deadline.map_or(Deadline::Never, Deadline::At);
            st.generation += 1;
            st.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// The deadline (asyncio's `when()`): `None` if lifted, or while a scope made outside
    /// any loop has not started yet.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let at = Instant::now() + Duration::from_secs(5);
    /// assert_eq!(corio_timer::TimeoutScope::at(Some(at)).deadline(), Some(at));
    /// ```
    pub fn deadline(&self) -> Option<Instant> {
        match self.lock().deadline {
            Deadline::At(at) => Some(at),
            Deadline::After(_) | Deadline::Never => None,
        }
    }

    /// Whether this scope's deadline ended its run (asyncio's `expired()`).
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let scope = corio_timer::TimeoutScope::after(Duration::from_secs(1));
    /// assert!(!scope.expired());
    /// ```
    pub fn expired(&self) -> bool {
        self.lock().expired
    }
}

impl fmt::Debug for TimeoutScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimeoutScope")
            .field("deadline", &self.deadline())
            .field("expired", &self.expired())
            .finish()
    }
}

pin_project! {
    /// Future returned by [`TimeoutScope::run`].
    ///
    /// Runs nest: an inner scope that expires reports the timeout to the code around it,
    /// which carries on.
    ///
    /// ```
    /// use corio_timer::{ScopeRun, TimeoutError, TimeoutScope, sleep};
    /// use std::time::Duration;
    ///
    /// # futures_lite::future::block_on(async {
    /// let outer = TimeoutScope::after(Duration::from_secs(60));
    /// let inner = TimeoutScope::after(Duration::from_millis(1));
    /// let body = async {
    ///     let slow: ScopeRun<'_, _> = inner.run(sleep(Duration::from_secs(10)));
    ///     assert_eq!(slow.await, Err(TimeoutError));
    ///     "the outer body carried on"
    /// };
    /// assert_eq!(outer.run(body).await, Ok("the outer body carried on"));
    /// assert!(inner.expired());
    /// assert!(!outer.expired());
    /// # });
    /// ```
    #[must_use = "futures do nothing unless awaited"]
    pub struct ScopeRun<'a, F> {
        scope: &'a TimeoutScope,
        // `None` once finished: dropped on expiry before the error is returned.
        #[pin]
        future: Option<F>,
        sleep: Option<Sleep>,
        // The reschedule generation the timer is armed for.
        armed: Option<u64>,
    }
}

impl<F: Future> Future for ScopeRun<'_, F> {
    type Output = Result<F::Output, TimeoutError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let Some(future) = this.future.as_mut().as_pin_mut() else {
            return Poll::Ready(Err(TimeoutError));
        };
        if let Poll::Ready(out) = future.poll(cx) {
            this.future.set(None);
            return Poll::Ready(Ok(out));
        }
        let deadline = {
            let mut st = this.scope.lock();
            match &st.waker {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => st.waker = Some(cx.waker().clone()),
            }
            if *this.armed != Some(st.generation) {
                *this.armed = Some(st.generation);
                // A relative deadline starts counting now, on this loop's clock.
                if let Deadline::After(delay) = st.deadline {
                    let nap = sleep(delay);
                    st.deadline = Deadline::At(nap.deadline());
                    *this.sleep = Some(nap);
                }
                Some(st.deadline)
            } else {
                None
            }
        };
        match deadline {
            Some(Deadline::At(at)) => match this.sleep {
                Some(nap) => nap.reset(at),
                None => *this.sleep = Some(sleep_until(at)),
            },
            Some(Deadline::Never) => *this.sleep = None,
            Some(Deadline::After(_)) | None => {}
        }
        let fired = match this.sleep {
            Some(nap) => Pin::new(nap).poll(cx).is_ready(),
            None => false,
        };
        if !fired {
            return Poll::Pending;
        }
        this.scope.lock().expired = true;
        // Cancel the body before reporting, as asyncio does.
        this.future.set(None);
        Poll::Ready(Err(TimeoutError))
    }
}
