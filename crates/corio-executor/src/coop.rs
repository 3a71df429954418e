//! The cooperative budget: a task that stays ready yields after a bounded amount of work, so
//! other tasks, timers and I/O make progress.
//!
//! Each poll of a task starts with [`BUDGET`] units. Leaf futures (channel receives, joins,
//! I/O that happened to be ready) call [`consume`] before doing work; once the budget is
//! spent, [`consume`] wakes the task and returns `Pending`, and the scheduler runs someone
//! else before polling it again. Outside a corio task the budget is unlimited, so a leaf future
//! can call [`consume`] unconditionally and behaves as usual under any other executor.
//!
//! ```
//! use std::future::poll_fn;
//! use corio_executor::{Executor, ThreadDriver, coop};
//!
//! // A leaf future that is always ready still gives the loop a turn now and then.
//! let ex = Executor::current_thread(ThreadDriver::new());
//! let polls = ex.block_on(async {
//!     let mut polls = 0;
//!     for _ in 0..1000 {
//!         poll_fn(|cx| {
//!             polls += 1;
//!             coop::consume(cx)
//!         })
//!         .await;
//!     }
//!     polls
//! });
//! assert!(polls > 1000); // a spent budget answered Pending, and the future was polled again
//! ```

use std::cell::Cell;
use std::task::{Context, Poll};

/// Units a task gets for each poll.
///
/// ```
/// // Enough for a burst of ready work, small enough to keep other tasks' latency low.
/// assert!((32..=1024).contains(&corio_executor::coop::BUDGET));
/// ```
pub const BUDGET: u32 = 128;

/// The budget outside a task: never spent.
const UNLIMITED: u32 = u32::MAX;

thread_local! {
    static LEFT: Cell<u32> = const { Cell::new(UNLIMITED) };
}

/// Spends one unit of the running task's budget, or, when it is spent, wakes the task and
/// returns `Pending` so it yields.
///
/// Call it first in a leaf future's `poll`, before any work, and return `Pending` when it
/// does. A no-op (always `Ready`) outside a corio task.
///
/// ```
/// use corio_executor::coop;
/// use std::future::Future;
/// use std::pin::Pin;
/// use std::task::{Context, Poll};
///
/// /// An always-ready source that still lets other tasks run.
/// struct Tick;
///
/// impl Future for Tick {
///     type Output = ();
///     fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
///         if coop::consume(cx).is_pending() {
///             return Poll::Pending;
///         }
///         Poll::Ready(())
///     }
/// }
///
/// let ex = corio_executor::Executor::current_thread(corio_executor::ThreadDriver::new());
/// ex.block_on(async { for _ in 0..1000 { Tick.await } });
/// ```
#[inline]
pub fn consume(cx: &mut Context<'_>) -> Poll<()> {
    let left = LEFT.get();
    if left == UNLIMITED {
        return Poll::Ready(());
    }
    if left == 0 {
        cx.waker().wake_by_ref();
        return Poll::Pending;
    }
    LEFT.set(left - 1);
    Poll::Ready(())
}

/// Whether the running task may still do work without yielding (always true outside a task).
///
/// ```
/// assert!(corio_executor::coop::has_budget_remaining());
/// ```
#[inline]
pub fn has_budget_remaining() -> bool {
    LEFT.get() != 0
}

/// Gives the code in `f` a fresh budget (the scheduler calls this around each poll), then
/// restores the previous one.
pub(crate) fn with_budget<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(u32);
    impl Drop for Restore {
        fn drop(&mut self) {
            LEFT.set(self.0);
        }
    }
    let _restore = Restore(LEFT.replace(BUDGET));
    f()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    #[test]
    fn unlimited_outside_a_task() {
        let mut cx = Context::from_waker(Waker::noop());
        for _ in 0..1000 {
            assert!(consume(&mut cx).is_ready());
        }
    }

    #[test]
    fn budget_runs_out_and_is_restored() {
        let mut cx = Context::from_waker(Waker::noop());
        with_budget(|| {
            for _ in 0..BUDGET {
                assert!(consume(&mut cx).is_ready());
            }
            assert!(!has_budget_remaining());
            assert!(consume(&mut cx).is_pending());
            with_budget(|| assert!(consume(&mut cx).is_ready()));
            assert!(consume(&mut cx).is_pending());
        });
        assert!(consume(&mut cx).is_ready());
    }
}
