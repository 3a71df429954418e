//! `Handle`: a runtime reached from anywhere — other threads, other runtimes, plain
//! synchronous code — without keeping it alive (asyncio's `call_soon_threadsafe`,
//! `call_later` and `run_coroutine_threadsafe`).

mod submission;
mod timer;

use std::fmt;
use std::future::Future;
use std::time::Duration;

pub use submission::Submission;
pub use timer::TimerHandle;

use crate::blocking::BlockingTask;
use crate::context;
use crate::dump::TaskDump;
use crate::error::SpawnError;
use crate::scheduler::{Origin, Scheduler, WeakScheduler};
use crate::task::Task;

/// A cloneable, thread-safe reference to a runtime, from
/// [`Executor::handle`](crate::Executor::handle) or [`Handle::current`].
///
/// It holds the runtime weakly: it never keeps it alive, and once the runtime is shut down
/// (or dropped) every method fails with [`SpawnError::Shutdown`]; none panics or hangs.
///
/// ```
/// use corio_executor::{Executor, ThreadDriver};
///
/// let ex = Executor::multi_thread(2, ThreadDriver::new())?;
/// let handle = ex.handle();
/// // From a plain thread: submit a future and wait for its output.
/// let answer = std::thread::spawn(move || handle.submit(async { 6 * 7 }).map(|s| s.wait()))
///     .join()
///     .unwrap()??;
/// assert_eq!(answer, 42);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Handle {
    sched: WeakScheduler,
}

impl Handle {
    pub(crate) fn new(sched: &Scheduler) -> Handle {
        Handle {
            sched: sched.downgrade(),
        }
    }

    /// The runtime running on this thread (in a task, a `block_on`, or a blocking job), if
    /// any.
    ///
    /// ```
    /// use corio_executor::{Executor, Handle, ThreadDriver};
    ///
    /// assert!(Handle::current().is_none());
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// assert!(ex.block_on(async { Handle::current() }).is_some());
    /// ```
    pub fn current() -> Option<Handle> {
        context::current_scheduler().map(|s| Handle::new(&s))
    }

    /// The runtime, if it still accepts work.
    fn live(&self) -> Result<Scheduler, SpawnError> {
        self.sched
            .upgrade()
            .filter(|s| !s.is_closed())
            .ok_or(SpawnError::Shutdown)
    }

    /// Whether the runtime is shut down or gone.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// let h = ex.handle();
    /// assert!(!h.is_shutdown());
    /// drop(ex);
    /// assert!(h.is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.live().is_err()
    }

    /// The runtime's live tasks as a tree (see [`dump`](crate::dump)), from any thread — also
    /// while the runtime's threads are stuck in a task. Empty once the runtime is gone.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// let _t = ex.spawn_named("sleeper", std::future::pending::<()>()).unwrap();
    /// let h = ex.handle();
    /// let text = std::thread::spawn(move || h.dump().to_string()).join().unwrap();
    /// assert!(text.contains("\"sleeper\""));
    /// ```
    pub fn dump(&self) -> TaskDump {
        TaskDump::new(
            self.sched
                .upgrade()
                .map_or_else(Vec::new, |s| s.all_tasks()),
        )
    }

    /// Spawns a task on the runtime, from any thread.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::multi_thread(2, ThreadDriver::new())?;
    /// let h = ex.handle();
    /// let task = std::thread::spawn(move || h.spawn(async { 1 + 1 })).join().unwrap()?;
    /// assert_eq!(ex.block_on(task).unwrap(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, fut: F) -> Result<Task<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.live()?.spawn(Origin::caller(), fut)
    }

    /// Runs `f` on the runtime's blocking pool; see [`spawn_blocking`](crate::spawn_blocking).
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// let job = ex.handle().spawn_blocking(|| "done")?;
    /// assert_eq!(ex.block_on(job).unwrap(), "done");
    /// # Ok::<(), corio_executor::SpawnError>(())
    /// ```
    pub fn spawn_blocking<F, T>(&self, f: F) -> Result<BlockingTask<T>, SpawnError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.live()?.spawn_blocking(f)
    }

    /// Runs `f` on the runtime soon, as a task of its own: asyncio's
    /// `loop.call_soon_threadsafe`. Calls made from one thread run in the order they were
    /// made on a current-thread runtime; a multi-thread runtime may run them in parallel.
    ///
    /// A panic in `f` is contained and reported on stderr, like any detached task's.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    /// use std::sync::mpsc;
    ///
    /// let ex = Executor::multi_thread(2, ThreadDriver::new())?;
    /// let (tx, rx) = mpsc::channel();
    /// ex.handle().call_soon(move || tx.send(std::thread::current().name().map(String::from)).unwrap())?;
    /// let ran_on = rx.recv().unwrap().unwrap();
    /// assert!(ran_on.starts_with("corio-worker-"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[track_caller]
    pub fn call_soon<F>(&self, f: F) -> Result<(), SpawnError>
    where
        F: FnOnce() + Send + 'static,
    {
        self.live()?
            .spawn(Origin::caller(), async move { f() })?
            .detach();
        Ok(())
    }

    /// Runs `f` on the runtime once `delay` has passed: asyncio's `loop.call_later`. The
    /// returned [`TimerHandle`] cancels it; dropping the handle does not.
    ///
    /// The delay is measured by the runtime's [`Driver::sleep`](crate::Driver::sleep): with
    /// corio's runtime that is its timing wheel (and its clock, virtual or real). Calls due
    /// at different times run in the order of their deadlines; calls due at the same time, in
    /// the order they were made (on a current-thread runtime; a multi-thread runtime may run
    /// callbacks that are due together in parallel).
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    /// use std::sync::mpsc;
    /// use std::time::Duration;
    ///
    /// let ex = Executor::multi_thread(2, ThreadDriver::new())?;
    /// let (tx, rx) = mpsc::channel();
    /// let h = ex.handle();
    /// let tx2 = tx.clone();
    /// h.call_later(Duration::from_millis(20), move || tx2.send("later").unwrap())?;
    /// let cancelled = h.call_later(Duration::from_millis(10), move || tx.send("cancelled").unwrap())?;
    /// assert!(cancelled.cancel());
    /// assert_eq!(rx.recv().unwrap(), "later");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[track_caller]
    pub fn call_later<F>(&self, delay: Duration, f: F) -> Result<TimerHandle, SpawnError>
    where
        F: FnOnce() + Send + 'static,
    {
        let sched = self.live()?;
        let sleep = sched.driver().sleep(delay);
        let task = sched.spawn(Origin::caller(), async move {
            sleep.await;
            f();
        })?;
        Ok(TimerHandle::new(task))
    }

    /// Submits `fut` to the runtime from synchronous code: asyncio's
    /// `run_coroutine_threadsafe`. The returned [`Submission`] can be waited for by a plain
    /// thread ([`wait`](Submission::wait), [`wait_timeout`](Submission::wait_timeout)).
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    /// use std::time::Duration;
    ///
    /// let ex = Executor::multi_thread(2, ThreadDriver::new())?;
    /// let sub = ex.handle().submit(async { "hello" })?;
    /// assert_eq!(sub.wait_timeout(Duration::from_secs(10))?, "hello");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[track_caller]
    pub fn submit<F>(&self, fut: F) -> Result<Submission<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let sched = self.live()?;
        let task = sched.spawn(Origin::caller(), fut)?;
        Ok(Submission::new(task, sched.addr()))
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("shutdown", &self.is_shutdown())
            .finish()
    }
}
