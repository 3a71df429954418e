//! The blocking pool: threads for work that would block the loop (file I/O, DNS, CPU-heavy
//! or foreign blocking calls), asyncio's `to_thread` / `run_in_executor`.
//!
//! Each [`Executor`](crate::Executor) has its own pool, configured with
//! [`BlockingConfig`]; the free functions use the pool of the runtime running on this thread.
//! Outside every runtime they use a process-wide pool with the default configuration, started
//! lazily and never shut down (its threads exit after the keep-alive), so a library can
//! offload work whoever calls it.

mod config;
mod pool;
mod task;

use std::sync::OnceLock;

pub use config::BlockingConfig;
pub(crate) use pool::Pool;
pub use task::BlockingTask;
pub(crate) use task::spawn_on;

use crate::context;
use crate::error::SpawnError;

/// Runs `f` on the blocking pool and returns a future of its result.
///
/// Inside a runtime the runtime's pool runs it; outside, a process-wide pool does. The job
/// inherits the caller's task-local values, and runs inside the caller's runtime, so it may
/// [`spawn`](crate::spawn) tasks. A panic in `f` is caught and surfaces as
/// [`TaskError::Panicked`](crate::TaskError::Panicked). After the runtime shut down the job
/// never runs and the task resolves to [`TaskError::Cancelled`](crate::TaskError::Cancelled),
/// as [`spawn`](crate::spawn) does; [`try_spawn_blocking`] gives the error instead.
///
/// ```
/// use corio_executor::{Executor, ThreadDriver, spawn_blocking};
///
/// let ex = Executor::current_thread(ThreadDriver::new());
/// let name = ex.block_on(async {
///     spawn_blocking(|| std::thread::current().name().map(String::from)).await.unwrap()
/// });
/// assert!(name.unwrap().starts_with("corio-blocking-"));
/// ```
pub fn spawn_blocking<F, T>(f: F) -> BlockingTask<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    try_spawn_blocking(f).unwrap_or_else(|_| BlockingTask::cancelled())
}

/// Runs `f` on the blocking pool, or fails with [`SpawnError::Shutdown`] when the runtime
/// running on this thread is shut down; see [`spawn_blocking`].
///
/// ```
/// use corio_executor::try_spawn_blocking;
///
/// // Outside every runtime: the process-wide pool.
/// let job = try_spawn_blocking(|| 1 + 1).unwrap();
/// assert_eq!(futures_lite::future::block_on(job).unwrap(), 2);
/// ```
pub fn try_spawn_blocking<F, T>(f: F) -> Result<BlockingTask<T>, SpawnError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    match context::current_scheduler() {
        Some(sched) => sched.spawn_blocking(f),
        None => Ok(spawn_on(global(), None, f)),
    }
}

/// asyncio's name for [`spawn_blocking`]: runs `f` in a thread and gives a future of its
/// result (`await asyncio.to_thread(f)` becomes `to_thread(f).await`).
///
/// ```
/// use corio_executor::{Executor, ThreadDriver, to_thread};
///
/// let ex = Executor::multi_thread(2, ThreadDriver::new())?;
/// let v = ex.block_on(async { to_thread(|| 40 + 2).await.unwrap() });
/// assert_eq!(v, 42);
/// # std::io::Result::Ok(())
/// ```
pub fn to_thread<F, T>(f: F) -> BlockingTask<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    spawn_blocking(f)
}

/// The pool used outside every runtime.
fn global() -> &'static Pool {
    static GLOBAL: OnceLock<Pool> = OnceLock::new();
    GLOBAL.get_or_init(|| Pool::new(BlockingConfig::default()))
}
