//! asyncio's `shield`: work that outlives the cancellation of whoever awaits it.

use std::future::Future;

use corio_executor::Task;

/// Runs `future` as a task of its own and gives its [`Task`]: cancelling (dropping) the
/// code that awaits it does not cancel the work, which runs to completion (asyncio's
/// `shield`).
///
/// In corio this is what a task is: dropping a [`Task`] detaches it, so `shield(fut)` is
/// [`spawn`](crate::spawn) under asyncio's name. To shield a task you already have, await
/// `&mut task`: the borrow can be dropped and the task awaited again later for its result.
/// Cancelling the shielded work itself ([`Task::cancel`]) does reach the awaiter, which gets
/// [`TaskError::Cancelled`](crate::TaskError::Cancelled).
///
/// ```
/// use std::time::Duration;
///
/// let rt = corio::Runtime::builder().virtual_clock().build().unwrap();
/// rt.block_on(async {
///     let mut save = corio::task::shield(async {
///         corio::sleep(Duration::from_secs(5)).await;
///         "saved"
///     });
///     // The caller gives up after a second; the work carries on…
///     assert!(corio::wait_for(&mut save, Duration::from_secs(1)).await.is_err());
///     // …and its result is still there.
///     assert_eq!(save.await.unwrap(), "saved");
/// });
/// ```
pub fn shield<F>(future: F) -> Task<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    crate::spawn(future)
}
