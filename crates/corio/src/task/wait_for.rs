//! asyncio's `wait_for`: a future or a task, bounded in time, cancelled on timeout.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;

use corio_executor::{Task, TaskError};
use corio_timer::{Sleep, TimeoutError, sleep, timeout};

/// Waits for `future` for at most `limit` (asyncio's `wait_for(aw, timeout)`).
///
/// `Ok(output)` if it finishes in time. On timeout the future is dropped — Rust's
/// cancellation: its destructors run — *before* `Err(TimeoutError)` is returned, so its
/// clean-up is over by then. The future is polled before the deadline is looked at, so work
/// that completes in the tick the deadline passes gives its value, and a zero limit on
/// work that is already ready gives the value too.
///
/// The limit counts from the moment the work first has to wait (normally the first poll):
/// work that is ready at once never touches the clock or the timer wheel, so `wait_for`
/// around it costs about what awaiting it bare does.
///
/// A [`Task`] passed here is only *detached* on timeout, as dropping a `Task` does; use
/// [`wait_for_task`] to cancel it.
///
/// ```
/// use std::time::Duration;
///
/// let rt = corio::Runtime::builder().virtual_clock().build().unwrap();
/// rt.block_on(async {
///     let quick = corio::wait_for(async { 7 }, Duration::ZERO).await;
///     assert_eq!(quick, Ok(7));
///     let slow = corio::sleep(Duration::from_secs(60));
///     assert!(corio::wait_for(slow, Duration::from_secs(1)).await.is_err());
/// });
/// ```
pub fn wait_for<F: IntoFuture>(future: F, limit: Duration) -> WaitFor<F::IntoFuture> {
    WaitFor {
        future: Some(future.into_future()),
        limit,
        deadline: None,
    }
}

pin_project! {
    /// Future returned by [`wait_for`].
    ///
    /// On timeout the work is dropped before the error comes back: its destructors (here a
    /// guard that releases a lock) have run.
    ///
    /// ```
    /// use corio::task::WaitFor;
    /// use std::time::Duration;
    ///
    /// let rt = corio::Runtime::builder().virtual_clock().build().unwrap();
    /// rt.block_on(async {
    ///     let lock = corio::Lock::new(());
    ///     let slow = async {
    ///         let _held = lock.lock().await;
    ///         corio::sleep(Duration::from_secs(60)).await;
    ///     };
    ///     let bounded: WaitFor<_> = corio::wait_for(slow, Duration::from_secs(1));
    ///     assert_eq!(bounded.await, Err(corio::TimeoutError));
    ///     assert!(!lock.locked(), "the guard was dropped with the work");
    /// });
    /// ```
    #[must_use = "futures do nothing unless awaited"]
    pub struct WaitFor<F> {
        // `None` once finished: dropped on timeout before the error is returned.
        #[pin]
        future: Option<F>,
        limit: Duration,
        // Made when the work first has to wait.
        deadline: Option<Sleep>,
    }
}

impl<F: Future> Future for WaitFor<F> {
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
        let limit = *this.limit;
        let nap = this.deadline.get_or_insert_with(|| sleep(limit));
        if Pin::new(nap).poll(cx).is_pending() {
            return Poll::Pending;
        }
        this.future.set(None);
        Poll::Ready(Err(TimeoutError))
    }
}

impl<F> fmt::Debug for WaitFor<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitFor")
            .field("limit", &self.limit)
            .field("finished", &self.future.is_none())
            .finish()
    }
}

/// Waits for `task` for at most `limit`; on timeout cancels it, waits until it has stopped
/// (its destructors have run), then gives `Err(TimeoutError)`.
///
/// `Ok(result)` is the task's own result: its output, or the [`TaskError`] it ended with.
/// A task that completes before the cancellation reaches it gives its output, as asyncio's
/// `wait_for` returns a result that raced the timeout.
///
/// ```
/// use std::time::Duration;
///
/// let rt = corio::Runtime::builder().virtual_clock().build().unwrap();
/// rt.block_on(async {
///     let slow = corio::spawn(corio::sleep(Duration::from_secs(60)));
///     let out = corio::task::wait_for_task(slow, Duration::from_secs(1)).await;
///     assert!(out.is_err()); // timed out, and the task is cancelled and gone
///
///     let fast = corio::spawn(async { 1 });
///     let out = corio::task::wait_for_task(fast, Duration::from_secs(1)).await;
///     assert_eq!(out.unwrap().unwrap(), 1);
/// });
/// ```
pub async fn wait_for_task<T>(
    mut task: Task<T>,
    limit: Duration,
) -> Result<Result<T, TaskError>, TimeoutError> {
    let in_time = timeout(limit, &mut task).await;
    if let Ok(result) = in_time {
        return Ok(result);
    }
    task.cancel();
    match task.await {
        Err(e) if e.is_cancelled() => Err(TimeoutError),
        // Finished (or panicked) before the cancellation reached it.
        other => Ok(other),
    }
}
