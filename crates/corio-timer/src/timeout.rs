//! [`Timeout`]: bounds the time a future may take.

use std::error::Error;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use pin_project_lite::pin_project;

use crate::sleep::{Sleep, sleep, sleep_until};

/// Runs `future` for at most `duration` on the current driver's clock.
///
/// Resolves to `Ok(output)` if the future finishes first, `Err(TimeoutError)` otherwise.
/// The future is polled before the deadline is checked, so work that is ready when the
/// deadline passes still wins. On timeout the future is not dropped until the
/// [`Timeout`] is (see [`Timeout::into_inner`]).
///
/// ```
/// # futures_lite::future::block_on(async {
/// use corio_timer::{TimeoutError, sleep, timeout};
/// use std::time::Duration;
///
/// assert_eq!(timeout(Duration::from_secs(60), async { 7 }).await, Ok(7));
/// let slow = sleep(Duration::from_secs(60));
/// assert_eq!(timeout(Duration::from_millis(1), slow).await, Err(TimeoutError));
/// # });
/// ```
pub fn timeout<F: IntoFuture>(duration: Duration, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        future: future.into_future(),
        sleep: sleep(duration),
    }
}

/// Runs `future` until `deadline` on the current driver's clock; see [`timeout`].
///
/// ```
/// # futures_lite::future::block_on(async {
/// use corio_timer::{TimeoutError, timeout_at};
/// use std::time::{Duration, Instant};
///
/// let deadline = Instant::now() + Duration::from_millis(1);
/// let never = std::future::pending::<()>();
/// assert_eq!(timeout_at(deadline, never).await, Err(TimeoutError));
/// assert!(Instant::now() >= deadline);
/// # });
/// ```
pub fn timeout_at<F: IntoFuture>(deadline: Instant, future: F) -> Timeout<F::IntoFuture> {
    Timeout {
        future: future.into_future(),
        sleep: sleep_until(deadline),
    }
}

pin_project! {
    /// Future returned by [`timeout`] and [`timeout_at`].
    ///
    /// ```
    /// # futures_lite::future::block_on(async {
    /// use std::time::Duration;
    ///
    /// let t: corio_timer::Timeout<_> = corio_timer::timeout(Duration::from_secs(1), async { "done" });
    /// assert_eq!(t.await, Ok("done"));
    /// # });
    /// ```
    #[must_use = "futures do nothing unless polled"]
    pub struct Timeout<F> {
        #[pin]
        future: F,
        sleep: Sleep,
    }
}

impl<F> Timeout<F> {
    /// The wrapped future.
    ///
    /// ```
    /// let t = corio_timer::timeout(std::time::Duration::from_secs(1), std::future::ready(3));
    /// let _inner: &std::future::Ready<i32> = t.get_ref();
    /// ```
    pub fn get_ref(&self) -> &F {
        &self.future
    }

    /// The wrapped future, mutably.
    ///
    /// ```
    /// let mut t = corio_timer::timeout(std::time::Duration::from_secs(1), std::future::ready(3));
    /// let _inner: &mut std::future::Ready<i32> = t.get_mut();
    /// ```
    pub fn get_mut(&mut self) -> &mut F {
        &mut self.future
    }

    /// Unwraps the future, dropping the deadline (for instance to finish the work after a
    /// timeout).
    ///
    /// ```
    /// # futures_lite::future::block_on(async {
    /// let t = corio_timer::timeout(std::time::Duration::from_secs(1), async { 5 });
    /// assert_eq!(t.into_inner().await, 5);
    /// # });
    /// ```
    pub fn into_inner(self) -> F {
        self.future
    }

    /// The deadline.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let deadline = Instant::now() + Duration::from_secs(1);
    /// let t = corio_timer::timeout_at(deadline, async {});
    /// assert_eq!(t.deadline(), deadline);
    /// ```
    pub fn deadline(&self) -> Instant {
        self.sleep.deadline()
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, TimeoutError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(output) = this.future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        Pin::new(this.sleep).poll(cx).map(|()| Err(TimeoutError))
    }
}

impl<F: fmt::Debug> fmt::Debug for Timeout<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout")
            .field("future", &self.future)
            .field("deadline", &self.sleep.deadline())
            .finish()
    }
}

/// The deadline of a [`timeout`] passed before its future completed.
///
/// ```
/// use corio_timer::TimeoutError;
///
/// let err: Box<dyn std::error::Error> = Box::new(TimeoutError);
/// assert_eq!(err.to_string(), "deadline has elapsed");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TimeoutError;

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl Error for TimeoutError {}
