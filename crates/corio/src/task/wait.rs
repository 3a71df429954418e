//! asyncio's `wait` and `as_completed`: watch a group of tasks or futures finish.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use corio_executor::{Task, TaskError};
use corio_timer::{Sleep, TimeoutError, sleep};
use futures_core::Stream;

use super::set::Set;

/// When [`wait`] returns (asyncio's `FIRST_COMPLETED`, `FIRST_EXCEPTION`, `ALL_COMPLETED`).
///
/// ```
/// use corio::task::ReturnWhen;
///
/// assert_ne!(ReturnWhen::FirstCompleted, ReturnWhen::AllCompleted);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnWhen {
    /// As soon as any task finishes.
    FirstCompleted,
    /// As soon as any task panics; when none does, once all have finished. A cancelled
    /// task or an `Err` output is not an exception here, as a returned value is not in
    /// asyncio.
    FirstException,
    /// Once every task has finished.
    AllCompleted,
}

/// [`wait`] was given no task (asyncio's `ValueError`).
///
/// ```
/// let rt = corio::Runtime::builder().current_thread().build().unwrap();
/// let none: Vec<corio::Task<()>> = Vec::new();
/// let out = rt.block_on(corio::task::wait(none, corio::task::ReturnWhen::AllCompleted, None));
/// assert!(out.is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmptyWaitError;

impl fmt::Display for EmptyWaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("wait() needs at least one task")
    }
}

impl std::error::Error for EmptyWaitError {}

/// What [`wait`] gives back: the finished tasks' results and the tasks still running,
/// each with its position in the input.
///
/// ```
/// use corio::task::{ReturnWhen, Waited, wait};
/// use std::time::Duration;
///
/// let rt = corio::Runtime::builder().virtual_clock().build().unwrap();
/// rt.block_on(async {
///     let tasks = [30, 1, 20].map(|s| {
///         corio::spawn(async move {
///             corio::sleep(Duration::from_secs(s)).await;
///             s
///         })
///     });
///     let (done, pending): Waited<u64> = wait(tasks, ReturnWhen::FirstCompleted, None).await.unwrap();
///     // The one-second task, at position 1 of the input.
///     let [(position, result)] = &done[..] else { panic!("{done:?}") };
///     assert_eq!((*position, *result.as_ref().unwrap()), (1, 1));
///     let positions: Vec<usize> = pending.iter().map(|(i, _)| *i).collect();
///     assert_eq!(positions, [0, 2]);
///     for (_, task) in pending {
///         task.cancel();
///     }
/// });
/// ```
pub type Waited<T> = (Vec<(usize, Result<T, TaskError>)>, Vec<(usize, Task<T>)>);

/// Waits for `tasks` until `return_when` holds or `timeout` passes, and gives `(done,
/// pending)` (asyncio's `wait`): the results of the tasks that finished, and the tasks
/// still running, each tagged with its position in the input. A timeout is not an error
/// and cancels nothing: it only ends the wait. The pending tasks are handed back, still
/// running; dropping them detaches them.
///
/// The same task cannot be passed twice: a [`Task`] is moved in.
///
/// ```
/// use corio::task::{ReturnWhen, wait};
/// use std::time::Duration;
///
/// let rt = corio::Runtime::builder().virtual_clock().build().unwrap();
/// rt.block_on(async {
///     let tasks = [3, 1, 2].map(|s| corio::spawn(corio::sleep(Duration::from_secs(s))));
///     let (done, pending) = wait(tasks, ReturnWhen::FirstCompleted, None).await.unwrap();
///     assert_eq!(done.iter().map(|(i, _)| *i).collect::<Vec<_>>(), [1]);
///     assert_eq!(pending.len(), 2);
/// });
/// ```
pub async fn wait<T, I>(
    tasks: I,
    return_when: ReturnWhen,
    timeout: Option<Duration>,
) -> Result<Waited<T>, EmptyWaitError>
where
    I: IntoIterator<Item = Task<T>>,
{
    let mut set = Set::new(tasks);
    if set.remaining() == 0 {
        return Err(EmptyWaitError);
    }
    let mut limit = timeout.map(sleep);
    let mut done = Vec::new();
    std::future::poll_fn(|cx| {
        let mut finished = false;
        while let Poll::Ready(next) = set.poll_next(cx) {
            let Some((i, result)) = next else {
                finished = true;
                break;
            };
            finished |= match return_when {
                ReturnWhen::FirstCompleted => true,
                ReturnWhen::FirstException => result.as_ref().is_err_and(TaskError::is_panic),
                ReturnWhen::AllCompleted => false,
            };
            done.push((i, result));
        }
        let timed_out = limit
            .as_mut()
            .is_some_and(|l| Pin::new(l).poll(cx).is_ready());
        if finished || set.remaining() == 0 || timed_out {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    let pending = set.take_pending();
    Ok((done, pending))
}

/// The outputs of `futures` in the order they finish (asyncio's `as_completed`), as a
/// [`Stream`]. The futures are polled on the task that polls the stream, each with a waker
/// of its own; pass [`Task`]s to have them run on their own. With a `timeout`, the stream
/// yields one `Err(TimeoutError)` once it has passed and then ends, dropping the futures
/// not finished (tasks among them are detached, not cancelled).
///
/// ```
/// use futures_lite::StreamExt;
/// use std::time::Duration;
///
/// let rt = corio::Runtime::builder().virtual_clock().build().unwrap();
/// rt.block_on(async {
///     let naps = [3, 1, 2].map(|s| async move {
///         corio::sleep(Duration::from_secs(s)).await;
///         s
///     });
///     let order: Vec<_> = corio::task::as_completed(naps, None).map(Result::unwrap).collect().await;
///     assert_eq!(order, [1, 2, 3]);
/// });
/// ```
pub fn as_completed<I>(futures: I, timeout: Option<Duration>) -> AsCompleted<I::Item>
where
    I: IntoIterator,
    I::Item: Future,
{
    AsCompleted {
        set: Some(Set::new(futures.into_iter().map(Box::pin))),
        limit: timeout.map(sleep),
    }
}

/// Stream returned by [`as_completed`].
///
/// ```
/// use corio::stream::StreamExt;
/// use corio::task::{AsCompleted, as_completed};
/// use std::time::Duration;
///
/// let rt = corio::Runtime::builder().virtual_clock().build().unwrap();
/// rt.block_on(async {
///     let replies = [5, 1, 60].map(|s| async move {
///         corio::sleep(Duration::from_secs(s)).await;
///         s
///     });
///     // Take the replies as they come, for at most ten seconds.
///     let mut first: AsCompleted<_> = as_completed(replies, Some(Duration::from_secs(10)));
///     assert_eq!(first.next().await, Some(Ok(1)));
///     assert_eq!(first.next().await, Some(Ok(5)));
///     assert_eq!(first.next().await, Some(Err(corio::TimeoutError)));
///     assert_eq!(first.next().await, None);
/// });
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct AsCompleted<F: Future> {
    /// `None` once ended.
    set: Option<Set<Pin<Box<F>>>>,
    limit: Option<Sleep>,
}

impl<F: Future> Stream for AsCompleted<F> {
    type Item = Result<F::Output, TimeoutError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let Some(set) = this.set.as_mut() else {
            return Poll::Ready(None);
        };
        match set.poll_next(cx) {
            Poll::Ready(Some((_, out))) => return Poll::Ready(Some(Ok(out))),
            Poll::Ready(None) => {
                this.set = None;
                return Poll::Ready(None);
            }
            Poll::Pending => {}
        }
        if let Some(limit) = this.limit.as_mut() {
            if Pin::new(limit).poll(cx).is_ready() {
                this.set = None;
                return Poll::Ready(Some(Err(TimeoutError)));
            }
        }
        Poll::Pending
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.set.as_ref().map_or(0, Set::remaining);
        (0, Some(left + usize::from(self.limit.is_some())))
    }
}

impl<F: Future> fmt::Debug for AsCompleted<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompleted")
            .field("remaining", &self.set.as_ref().map_or(0, Set::remaining))
            .finish()
    }
}
