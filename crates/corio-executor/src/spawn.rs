//! The free functions that act on the runtime entered on this thread, and `Builder`.

use std::future::Future;

use crate::context;
use crate::error::SpawnError;
use crate::executor::Executor;
use crate::harness::Harness;
use crate::info::{TaskInfo, TaskRef};
use crate::meta::Meta;
use crate::scheduler::Origin;
use crate::task::Task;

/// Spawns a task on the runtime running on this thread.
///
/// After the runtime shut down, the returned task is already cancelled (awaiting it gives
/// [`TaskError::Cancelled`](crate::TaskError::Cancelled)), as in tokio; use [`try_spawn`] to
/// get the error instead.
///
/// # Panics
///
/// Outside a runtime (no `block_on` or task of an executor on this thread): that is a
/// programming error, like calling `asyncio.create_task` without a running loop. Use
/// [`try_spawn`] where that can legitimately happen.
///
/// ```
/// use corio_executor::{Executor, ThreadDriver, spawn};
///
/// let ex = Executor::current_thread(ThreadDriver::new());
/// let v = ex.block_on(async { spawn(async { 3 }).await.unwrap() });
/// assert_eq!(v, 3);
/// ```
#[track_caller]
pub fn spawn<F>(fut: F) -> Task<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    Builder::new().spawn_or_cancelled(fut)
}

/// Spawns a named task on the runtime running on this thread; see [`spawn`] (same panics).
///
/// ```
/// use corio_executor::{Executor, ThreadDriver, spawn_named};
///
/// let ex = Executor::current_thread(ThreadDriver::new());
/// let name = ex.block_on(async { spawn_named("bg", async {}).name().map(String::from) });
/// assert_eq!(name.as_deref(), Some("bg"));
/// ```
#[track_caller]
pub fn spawn_named<F>(name: &str, fut: F) -> Task<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    Builder::new().name(name).spawn_or_cancelled(fut)
}

/// Spawns a task on the runtime running on this thread, or says why it cannot.
///
/// ```
/// use corio_executor::{SpawnError, try_spawn};
///
/// assert_eq!(try_spawn(async {}).unwrap_err(), SpawnError::NoRuntime);
/// ```
#[track_caller]
pub fn try_spawn<F>(fut: F) -> Result<Task<F::Output>, SpawnError>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    Builder::new().spawn(fut)
}

/// Spawns a `!Send` future on this thread. Works inside a current-thread executor's
/// `block_on` (the task runs on this thread); elsewhere it fails with
/// [`SpawnError::LocalUnsupported`] (or [`SpawnError::NoRuntime`]).
///
/// ```
/// use corio_executor::{Executor, ThreadDriver, spawn_local};
/// use std::rc::Rc;
///
/// let ex = Executor::current_thread(ThreadDriver::new());
/// let v = ex.block_on(async {
///     let shared = Rc::new(5);
///     let s = shared.clone();
///     spawn_local(async move { *s + 1 }).unwrap().await.unwrap()
/// });
/// assert_eq!(v, 6);
/// ```
#[track_caller]
pub fn spawn_local<F>(fut: F) -> Result<Task<F::Output>, SpawnError>
where
    F: Future + 'static,
    F::Output: 'static,
{
    Builder::new().spawn_local(fut)
}

/// The task being polled on this thread, if any.
///
/// ```
/// use corio_executor::{Executor, ThreadDriver, current_task};
///
/// assert!(current_task().is_none());
/// let ex = Executor::current_thread(ThreadDriver::new());
/// let t = ex.spawn(async { current_task().is_some() }).unwrap();
/// assert!(ex.block_on(t).unwrap());
/// ```
pub fn current_task() -> Option<TaskRef> {
    context::with_current_meta(TaskRef::from_meta)
}

/// The live tasks of the runtime running on this thread (empty outside a runtime), by id.
///
/// ```
/// use corio_executor::{Executor, ThreadDriver, all_tasks};
///
/// let ex = Executor::current_thread(ThreadDriver::new());
/// let n = ex.block_on(async {
///     let _t = corio_executor::spawn_named("sleeper", std::future::pending::<()>());
///     all_tasks().len()
/// });
/// assert_eq!(n, 1);
/// ```
pub fn all_tasks() -> Vec<TaskInfo> {
    context::current_scheduler().map_or_else(Vec::new, |s| s.all_tasks())
}

/// Configures a task before spawning it (for now: its name).
///
/// ```
/// use corio_executor::{Builder, Executor, ThreadDriver};
///
/// let ex = Executor::current_thread(ThreadDriver::new());
/// let t = Builder::new().name("loader").spawn_on(&ex, async { 1 })?;
/// assert_eq!(t.name(), Some("loader"));
/// assert_eq!(ex.block_on(t).unwrap(), 1);
/// # Ok::<(), corio_executor::SpawnError>(())
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct Builder<'a> {
    name: Option<&'a str>,
}

impl<'a> Builder<'a> {
    /// A builder for an unnamed task.
    ///
    /// ```
    /// let b = corio_executor::Builder::new();
    /// # drop(b);
    /// ```
    pub fn new() -> Builder<'a> {
        Builder { name: None }
    }

    /// Names the task.
    ///
    /// ```
    /// let b = corio_executor::Builder::new().name("reader");
    /// # drop(b);
    /// ```
    pub fn name(self, name: &'a str) -> Builder<'a> {
        Builder { name: Some(name) }
    }

    #[track_caller]
    fn origin(&self) -> Origin<'a> {
        Origin::named(self.name)
    }

    /// Spawns on the runtime running on this thread.
    ///
    /// ```
    /// use corio_executor::{Builder, Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// let v = ex.block_on(async { Builder::new().spawn(async { 2 }).unwrap().await.unwrap() });
    /// assert_eq!(v, 2);
    /// ```
    #[track_caller]
    pub fn spawn<F>(self, fut: F) -> Result<Task<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let origin = self.origin();
        let sched = context::current_scheduler().ok_or(SpawnError::NoRuntime)?;
        sched.spawn(origin, fut)
    }

    /// Spawns on `executor`, from any thread.
    ///
    /// ```
    /// use corio_executor::{Builder, Executor, ThreadDriver};
    ///
    /// let ex = Executor::multi_thread(2, ThreadDriver::new())?;
    /// let t = Builder::new().name("x").spawn_on(&ex, async { 3 })?;
    /// assert_eq!(ex.block_on(t).unwrap(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[track_caller]
    pub fn spawn_on<F>(self, executor: &Executor, fut: F) -> Result<Task<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self.name {
            Some(name) => executor.spawn_named(name, fut),
            None => executor.spawn(fut),
        }
    }

    /// Spawns a `!Send` future on this thread; see [`spawn_local`](crate::spawn_local).
    ///
    /// ```
    /// use corio_executor::{Builder, Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// let v = ex.block_on(async {
    ///     let rc = std::rc::Rc::new(1);
    ///     Builder::new().name("local").spawn_local(async move { *rc }).unwrap().await.unwrap()
    /// });
    /// assert_eq!(v, 1);
    /// ```
    #[track_caller]
    pub fn spawn_local<F>(self, fut: F) -> Result<Task<F::Output>, SpawnError>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let origin = self.origin();
        let sched = context::current_scheduler().ok_or(SpawnError::NoRuntime)?;
        sched.spawn_local(origin, fut)
    }

    #[track_caller]
    fn spawn_or_cancelled<F>(self, fut: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let origin = self.origin();
        let Some(sched) = context::current_scheduler() else {
            panic!("corio_executor::spawn called outside a runtime; use try_spawn to handle this")
        };
        match sched.spawn(origin, fut) {
            Ok(task) => task,
            Err(_) => cancelled_task(),
        }
    }
}

/// A task that was cancelled before it could run (spawned after shutdown).
pub(crate) fn cancelled_task<T: Send + 'static>() -> Task<T> {
    let (runnable, task) = async_task::Builder::new()
        .metadata(Meta::new(None, 0))
        .spawn(|_: &Meta| Harness::new(std::future::pending::<T>()), drop);
    let waker = runnable.waker();
    drop(runnable);
    Task::new(task, waker)
}
