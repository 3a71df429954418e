//! Async clean-up on cancel: a task that is cancelled can still await something on its way
//! out (send a goodbye, flush a file), for a bounded grace period.

use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use corio_executor::{DeferCancel, cancel_requested};

/// Runs `work` and gives its output; if the task is cancelled meanwhile
/// ([`Task::cancel`](crate::Task::cancel), a [`task_group`](crate::task_group) failure,
/// [`wait_for_task`](crate::task::wait_for_task) timing out), drops `work`, runs `cleanup()`
/// for at most `grace`, and then lets the cancellation finish the task: `on_cancel` never
/// returns in that case, and whoever awaits the task sees it cancelled. Without a
/// cancellation, `cleanup` never runs.
///
/// Whoever waits for the cancelled task (`wait_for_task`, a task group, awaiting the
/// [`Task`](crate::Task)) waits for the clean-up too. A clean-up still running when `grace`
/// has passed is dropped. Outside a task (a `block_on`'s own future) nothing can cancel
/// the work this way, and `on_cancel` is `work` alone.
///
/// Runtime shutdown drops tasks without running their clean-up. For a graceful stop,
/// cancel the tasks and wait for them before `run` returns.
///
/// ```
/// use corio::task::{on_cancel, wait_for_task};
/// use std::time::Duration;
///
/// let rt = corio::Runtime::builder().virtual_clock().build().unwrap();
/// rt.block_on(async {
///     let (tx, rx) = corio::sync::oneshot::channel();
///     let worker = corio::spawn(async move {
///         let work = corio::sleep(Duration::from_secs(3600));
///         let goodbye = || async move {
///             corio::sleep(Duration::from_millis(10)).await; // e.g. a network write
///             let _ = tx.send("goodbye");
///         };
///         on_cancel(work, Duration::from_secs(1), goodbye).await
///     });
///     // Give up on the worker after a second: it is cancelled and says goodbye.
///     assert!(wait_for_task(worker, Duration::from_secs(1)).await.is_err());
///     assert_eq!(rx.await.unwrap(), "goodbye");
/// });
/// ```
pub async fn on_cancel<F, C, CF>(work: F, grace: Duration, cleanup: C) -> F::Output
where
    F: Future,
    C: FnOnce() -> CF,
    CF: Future<Output = ()>,
{
    let defer = DeferCancel::new();
    let out = {
        let mut work = pin!(work);
        std::future::poll_fn(|cx| {
            if cancel_requested() {
                return Poll::Ready(None);
            }
            work.as_mut().poll(cx).map(Some)
        })
        .await
        // `work` is dropped here, before the clean-up starts.
    };
    if let Some(out) = out {
        return out;
    }
    // Whatever the clean-up's outcome, the grace period is all it gets.
    let _ = super::wait_for(cleanup(), grace).await;
    // The deferral ends; the pending cancellation drops the task at this await.
    drop(defer);
    std::future::pending().await
}
