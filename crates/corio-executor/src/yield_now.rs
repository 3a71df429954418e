//! `yield_now()`: let the scheduler run other tasks before continuing.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::coop;

/// Yields once to the scheduler: the task goes to the back of the run queue, so every other
/// ready task runs before it continues. Spends one unit of the cooperative budget.
///
/// ```
/// use corio_executor::{Executor, ThreadDriver, yield_now};
///
/// let ex = Executor::current_thread(ThreadDriver::new());
/// ex.block_on(async {
///     for _ in 0..3 {
///         yield_now().await;
///     }
/// });
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future returned by [`yield_now`].
///
/// ```
/// let fut: corio_executor::YieldNow = corio_executor::yield_now();
/// # drop(fut);
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        // The wake below schedules the task anyway; the unit is just accounted for.
        let _ = coop::consume(cx);
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
