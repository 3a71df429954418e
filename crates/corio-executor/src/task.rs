//! `Task<T>`: the handle of a spawned task.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use async_task::FallibleTask;

use crate::coop;
use crate::error::TaskError;
use crate::harness::Output;
use crate::id::TaskId;
use crate::meta::{Meta, MetaRef};

/// A handle to a spawned task. Awaiting it gives the task's output, or why there is none.
///
/// Dropping the handle **detaches** the task: it keeps running, and its output is dropped when
/// it finishes. Use [`cancel`](Task::cancel) to stop it.
///
/// ```
/// use corio_executor::{Executor, ThreadDriver};
///
/// let ex = Executor::current_thread(ThreadDriver::new());
/// let sum = ex.block_on(async {
///     let a = corio_executor::spawn(async { 1 });
///     let b = corio_executor::spawn(async { 2 });
///     a.await.unwrap() + b.await.unwrap()
/// });
/// assert_eq!(sum, 3);
/// ```
#[must_use = "dropping a Task detaches it; call .detach() to say so"]
pub struct Task<T> {
    /// `None` only once dropped.
    inner: Option<FallibleTask<Output<T>, Meta>>,
    /// The task's metadata; `inner` keeps the allocation alive.
    meta: MetaRef,
    /// Wakes the task so the scheduler sees a cancellation request.
    waker: Waker,
}

impl<T> Task<T> {
    pub(crate) fn new(inner: async_task::Task<Output<T>, Meta>, waker: Waker) -> Task<T> {
        Task {
            meta: MetaRef::new(inner.metadata()),
            inner: Some(inner.fallible()),
            waker,
        }
    }

    fn meta(&self) -> Option<&Meta> {
        self.inner.as_ref()?;
        // SAFETY: `inner` (the join handle) is present, and async-task frees a task's
        // allocation only after its join handle is gone.
        Some(unsafe { self.meta.get() })
    }

    /// The task's id, unique in the process.
    ///
    /// ```
    /// # use corio_executor::{Executor, ThreadDriver};
    /// # let ex = Executor::current_thread(ThreadDriver::new());
    /// let t = ex.spawn(async {}).unwrap();
    /// assert!(t.id().as_u64() > 0);
    /// ```
    pub fn id(&self) -> TaskId {
        self.meta().map_or_else(TaskId::next, Meta::id)
    }

    /// The name given at spawn, if any.
    ///
    /// ```
    /// # use corio_executor::{Executor, ThreadDriver};
    /// # let ex = Executor::current_thread(ThreadDriver::new());
    /// let t = ex.spawn_named("fetch", async {}).unwrap();
    /// assert_eq!(t.name(), Some("fetch"));
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.meta().and_then(Meta::name)
    }

    /// True once the task has completed, panicked or been dropped by a cancellation.
    ///
    /// ```
    /// # use corio_executor::{Executor, ThreadDriver};
    /// # let ex = Executor::current_thread(ThreadDriver::new());
    /// let t = ex.spawn(async {}).unwrap();
    /// assert!(!t.is_finished());
    /// ex.block_on(corio_executor::yield_now());
    /// assert!(t.is_finished());
    /// ```
    pub fn is_finished(&self) -> bool {
        self.inner.as_ref().is_none_or(FallibleTask::is_finished)
    }

    /// Cancels the task: it is stopped at its next await point (its future is dropped, so its
    /// destructors run) and awaiting it gives [`TaskError::Cancelled`] once that has happened.
    /// A task cancelled before its first poll never runs.
    ///
    /// Returns `false` when the task had already finished (its result stays available).
    /// A task that is in the middle of its final poll may still complete after `cancel`
    /// returned `true`; awaiting it then gives its output.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// let t = ex.spawn(std::future::pending::<()>()).unwrap();
    /// assert!(t.cancel());
    /// assert!(ex.block_on(t).unwrap_err().is_cancelled());
    /// ```
    pub fn cancel(&self) -> bool {
        let Some(meta) = self.meta() else {
            return false;
        };
        if self.is_finished() || meta.is_done() {
            return false;
        }
        meta.request_cancel();
        // Scheduled once more (unless it already is), the scheduler drops it instead of
        // polling it.
        self.waker.wake_by_ref();
        true
    }

    /// Whether [`cancel`](Task::cancel) was called (and the task was not finished then).
    pub(crate) fn cancel_requested(&self) -> bool {
        self.meta().is_some_and(Meta::cancel_requested)
    }

    /// Lets the task run on in the background; the same as dropping the handle.
    ///
    /// ```
    /// # use corio_executor::{Executor, ThreadDriver};
    /// # let ex = Executor::current_thread(ThreadDriver::new());
    /// ex.spawn(async { println!("in the background") }).unwrap().detach();
    /// ```
    pub fn detach(self) {
        drop(self);
    }
}

impl<T> Future for Task<T> {
    type Output = Result<T, TaskError>;

    /// Polling again after the output was taken gives `Err(Cancelled)`.
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if coop::consume(cx).is_pending() {
            return Poll::Pending;
        }
        let Some(inner) = self.inner.as_mut() else {
            return Poll::Ready(Err(TaskError::Cancelled));
        };
        Pin::new(inner).poll(cx).map(|out| match out {
            Some(Ok(v)) => Ok(v),
            Some(Err(report)) => Err(TaskError::Panicked(report.take())),
            None => Err(TaskError::Cancelled),
        })
    }
}

impl<T> Drop for Task<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            inner.detach();
        }
    }
}

impl<T> fmt::Debug for Task<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task")
            .field("id", &self.id())
            .field("name", &self.name())
            .field("finished", &self.is_finished())
            .finish()
    }
}
