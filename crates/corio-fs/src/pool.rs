//! The one door to the blocking pool: every system call of this crate goes through here.
//!
//! Counting the jobs here (per thread, so tests running in parallel do not see each other's)
//! lets the tests prove that a 1 MiB read is a handful of jobs, not one per 8 KiB.

use std::cell::Cell;
use std::io;

use corio_executor::{BlockingTask, TaskError, try_spawn_blocking};

use crate::error;

thread_local! {
    static JOBS: Cell<u64> = const { Cell::new(0) };
}

/// How many blocking jobs this crate has started from the calling thread.
///
/// A debugging aid for tests that check batching (a 1 MiB read should cost a handful of
/// jobs); not part of the stable API. The jobs of a future count on the thread that polls
/// it, so measure inside the future given to `block_on` (which polls it on the caller's
/// thread) rather than in a spawned task that may move between workers.
///
/// ```
/// let before = corio_fs::blocking_jobs_started();
/// let _ = futures_lite::future::block_on(corio_fs::try_exists("/"));
/// assert_eq!(corio_fs::blocking_jobs_started() - before, 1);
/// ```
#[doc(hidden)]
pub fn blocking_jobs_started() -> u64 {
    JOBS.try_with(Cell::get).unwrap_or(0)
}

/// Starts `f` on the blocking pool of the runtime on this thread (or the process-wide pool
/// outside every runtime); fails once that runtime is shut down.
pub(crate) fn spawn<F, T>(f: F) -> io::Result<BlockingTask<T>>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let task = try_spawn_blocking(f).map_err(|_| error::shut_down())?;
    let _ = JOBS.try_with(|n| n.set(n.get() + 1));
    Ok(task)
}

/// The error a job that never completed stands for.
pub(crate) fn lost(e: TaskError) -> io::Error {
    if e.is_cancelled() {
        // Dropped unrun: the runtime shut down with the job still queued.
        error::shut_down()
    } else {
        // Our jobs do not panic; a panic would be a bug here or in `std`.
        io::Error::other(format!("a blocking file operation failed: {e}"))
    }
}

/// Runs `f` on the blocking pool and waits for its result.
pub(crate) async fn unblock<F, T>(f: F) -> io::Result<T>
where
    F: FnOnce() -> io::Result<T> + Send + 'static,
    T: Send + 'static,
{
    spawn(f)?.await.map_err(lost)?
}
