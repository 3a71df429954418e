//! `BlockingTask<T>`: the handle of a job running on the blocking pool, and the job itself.
//!
//! A job is an async-task task like any other (one allocation, the same `Task` machinery for
//! the result, panics and cancellation) whose future calls the closure once, and whose
//! schedule function queues it on the pool.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::pool::Pool;
use crate::context::{self, NO_WORKER};
use crate::error::TaskError;
use crate::harness::Harness;
use crate::locals::{self, Values};
use crate::meta::Meta;
use crate::scheduler::Scheduler;
use crate::task::Task;

/// A blocking job started with [`spawn_blocking`](crate::spawn_blocking) (or
/// [`to_thread`](crate::to_thread)). Awaiting it gives the closure's result, or
/// [`TaskError::Panicked`] with the payload if it panicked, or [`TaskError::Cancelled`] if it
/// never ran (cancelled first, or the runtime shut down).
///
/// Dropping the handle detaches the job: it still runs.
///
/// ```
/// use corio_executor::{Executor, ThreadDriver, spawn_blocking};
///
/// let ex = Executor::multi_thread(2, ThreadDriver::new())?;
/// let n = ex.block_on(async {
///     let job = spawn_blocking(|| std::fs::read_dir(".").map(|d| d.count()).unwrap_or(0));
///     job.await.unwrap()
/// });
/// assert!(n > 0);
/// # std::io::Result::Ok(())
/// ```
#[must_use = "dropping a BlockingTask detaches it; call .detach() to say so"]
pub struct BlockingTask<T>(Task<T>);

impl<T> BlockingTask<T> {
    /// Cancels the job if it has not started: it is then dropped without running, and
    /// awaiting the handle gives [`TaskError::Cancelled`]. A job already running cannot be
    /// interrupted; it completes and its result is kept. Returns `false` once it has finished.
    ///
    /// ```
    /// use corio_executor::{BlockingConfig, Executor, ThreadDriver};
    /// use std::sync::mpsc;
    ///
    /// let ex = Executor::multi_thread(1, ThreadDriver::new())?
    ///     .with_blocking_config(BlockingConfig::new().max_threads(1));
    /// let (tx, rx) = mpsc::channel::<()>();
    /// let busy = ex.spawn_blocking(move || rx.recv())?; // holds the only thread
    /// let queued = ex.spawn_blocking(|| "never")?;
    /// assert!(queued.cancel());
    /// tx.send(()).unwrap();
    /// assert!(ex.block_on(queued).unwrap_err().is_cancelled());
    /// assert!(ex.block_on(busy).unwrap().is_ok());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cancel(&self) -> bool {
        self.0.cancel()
    }

    /// True once the job has run (or was dropped without running).
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// let job = ex.spawn_blocking(|| ())?;
    /// while !job.is_finished() {
    ///     std::thread::yield_now();
    /// }
    /// # Ok::<(), corio_executor::SpawnError>(())
    /// ```
    pub fn is_finished(&self) -> bool {
        self.0.is_finished()
    }

    /// Lets the job run on without waiting for it; the same as dropping the handle.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// ex.spawn_blocking(|| println!("in the background"))?.detach();
    /// # Ok::<(), corio_executor::SpawnError>(())
    /// ```
    pub fn detach(self) {
        drop(self);
    }
}

impl<T> Future for BlockingTask<T> {
    type Output = Result<T, TaskError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

impl<T> fmt::Debug for BlockingTask<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingTask")
            .field("finished", &self.is_finished())
            .finish()
    }
}

impl<T: Send + 'static> BlockingTask<T> {
    /// A job that never runs: what a spawn after shutdown gives.
    pub(crate) fn cancelled() -> BlockingTask<T> {
        BlockingTask(crate::spawn::cancelled_task())
    }
}

/// Queues `f` on `pool`. The job runs with the task-local values of the caller, inside
/// `sched` (so it can spawn tasks and reach the driver's services) when there is one.
pub(crate) fn spawn_on<F, T>(pool: &Pool, sched: Option<Scheduler>, f: F) -> BlockingTask<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let job = Job {
        f: Some(f),
        values: locals::inherit(),
        sched,
    };
    let p = pool.clone();
    let (runnable, task) = async_task::Builder::new()
        .metadata(Meta::new(None, 0))
        .spawn(move |_: &Meta| Harness::new(job), move |r| p.push(r));
    let waker = runnable.waker();
    runnable.schedule();
    BlockingTask(Task::new(task, waker))
}

/// The future of a blocking job: calls the closure on its first (and only) poll.
struct Job<F> {
    f: Option<F>,
    values: Option<Arc<Values>>,
    sched: Option<Scheduler>,
}

// The closure is moved out, never pinned.
impl<F> Unpin for Job<F> {}

impl<F: FnOnce() -> T, T> Future for Job<F> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<T> {
        let this = self.get_mut();
        let Some(f) = this.f.take() else {
            // Polled after completing: async-task never does that.
            return Poll::Pending;
        };
        // Fields drop in order: leave the runtime, then the driver's context.
        let _entered = this.sched.take().map(|s| {
            let driver = s.driver().enter();
            (context::enter(s, NO_WORKER), driver)
        });
        Poll::Ready(locals::scope(&mut this.values, false, f))
    }
}
