//! `Submission<T>`: a future submitted from synchronous code, waited for by a plain thread.

use std::fmt;
use std::time::{Duration, Instant};

use crate::block_on::block_on_until;
use crate::context::{self, NO_WORKER};
use crate::error::{TaskError, WaitError};
use crate::task::Task;

/// A future submitted with [`Handle::submit`](crate::Handle::submit), running as a task;
/// asyncio's `concurrent.futures.Future` from `run_coroutine_threadsafe`.
///
/// A plain thread blocks on it with [`wait`](Submission::wait) or
/// [`wait_timeout`](Submission::wait_timeout); async code can turn it into the [`Task`] with
/// [`into_task`](Submission::into_task) and await that. Dropping it detaches the task.
///
/// ```
/// use corio_executor::{Executor, ThreadDriver, yield_now};
///
/// let ex = Executor::multi_thread(2, ThreadDriver::new())?;
/// let sub = ex.handle().submit(async {
///     yield_now().await;
///     "ok"
/// })?;
/// assert_eq!(sub.wait()?, "ok");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Submission<T> {
    task: Task<T>,
    /// The runtime running the task (the address of its shared state).
    rt: usize,
}

impl<T> Submission<T> {
    pub(crate) fn new(task: Task<T>, rt: usize) -> Submission<T> {
        Submission { task, rt }
    }

    /// Refuses to block a thread that runs this runtime's tasks: the task could then never
    /// run (on a current-thread runtime's loop) or would hold up a worker.
    fn check_thread(&self) -> Result<(), WaitError> {
        match context::worker_of(self.rt) {
            Some(w) if w != NO_WORKER => Err(WaitError::InsideRuntime),
            _ => Ok(()),
        }
    }

    /// Blocks the calling thread until the task finishes, and gives its output.
    ///
    /// The runtime must be running: a multi-thread runtime always is; a current-thread one
    /// only while some thread is in its `block_on`. Fails with [`WaitError::InsideRuntime`]
    /// on a thread that runs this runtime's tasks, where waiting would block the runtime.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver, WaitError};
    ///
    /// let ex = Executor::multi_thread(1, ThreadDriver::new())?;
    /// let sub = ex.handle().submit(async { panic!("boom") })?;
    /// assert!(matches!(sub.wait(), Err(WaitError::Task(e)) if e.is_panic()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn wait(mut self) -> Result<T, WaitError> {
        self.check_thread()?;
        match block_on_until(&mut self.task, None) {
            Some(out) => out.map_err(WaitError::Task),
            // Without a deadline the wait only ends with the task.
            None => Err(WaitError::TimedOut),
        }
    }

    /// Like [`wait`](Submission::wait), for at most `timeout`. On timeout the task is
    /// cancelled and this waits (again up to `timeout`) for the cancellation to take effect,
    /// so its destructors have run when [`WaitError::TimedOut`] is returned — unless the
    /// runtime does not get to it in that time (a current-thread runtime whose loop is not
    /// running, a task stuck in a blocking call); it stays cancelled then. If the task
    /// completes in the meantime anyway, its output is returned.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver, WaitError};
    /// use std::time::Duration;
    ///
    /// let ex = Executor::multi_thread(2, ThreadDriver::new())?;
    /// let sub = ex.handle().submit(std::future::pending::<()>())?;
    /// let err = sub.wait_timeout(Duration::from_millis(10)).unwrap_err();
    /// assert_eq!(err.to_string(), "timed out waiting for the task");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn wait_timeout(mut self, timeout: Duration) -> Result<T, WaitError> {
        self.check_thread()?;
        if let Some(out) = block_on_until(&mut self.task, Instant::now().checked_add(timeout)) {
            return out.map_err(WaitError::Task);
        }
        self.task.cancel();
        match block_on_until(&mut self.task, Instant::now().checked_add(timeout)) {
            Some(Ok(v)) => Ok(v),
            Some(Err(TaskError::Panicked(p))) => Err(WaitError::Task(TaskError::Panicked(p))),
            Some(Err(TaskError::Cancelled)) | None => Err(WaitError::TimedOut),
        }
    }

    /// Cancels the task; see [`Task::cancel`].
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::multi_thread(1, ThreadDriver::new())?;
    /// let sub = ex.handle().submit(std::future::pending::<()>())?;
    /// assert!(sub.cancel());
    /// assert!(sub.wait().unwrap_err().is_cancelled());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cancel(&self) -> bool {
        self.task.cancel()
    }

    /// True once the task has finished.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// let sub = ex.handle().submit(async {})?;
    /// assert!(!sub.is_finished()); // the loop has not run yet
    /// # Ok::<(), corio_executor::SpawnError>(())
    /// ```
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }

    /// The task, to await it from async code.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// let task = ex.handle().submit(async { 3 })?.into_task();
    /// assert_eq!(ex.block_on(task).unwrap(), 3);
    /// # Ok::<(), corio_executor::SpawnError>(())
    /// ```
    pub fn into_task(self) -> Task<T> {
        self.task
    }
}

impl<T> fmt::Debug for Submission<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Submission")
            .field("task", &self.task)
            .finish()
    }
}
