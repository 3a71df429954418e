//! corio's task schedulers, built on [`async-task`](async_task) and
//! [`concurrent-queue`](concurrent_queue).
//!
//! * [`Executor::current_thread`]: every task on the thread in `block_on`, with a
//!   non-atomic run queue for wakes on that thread.
//! * [`Executor::multi_thread`]: work-stealing workers with per-worker queues, a LIFO slot,
//!   a global injector and a searching/parking protocol that neither loses nor storms wakes.
//!
//! Tasks: [`spawn`] returns a [`Task`]; awaiting it gives `Result<T, TaskError>`; dropping it
//! detaches; [`Task::cancel`] stops it at its next await point. Tasks have ids and optional
//! names, and [`all_tasks`] / [`current_task`] list them. A [`coop`] budget makes tasks that
//! stay ready yield.
//!
//! Blocking work goes to a per-runtime thread pool: [`spawn_blocking`] / [`to_thread`].
//! A [`Handle`] reaches a runtime from other threads ([`Handle::call_soon`],
//! [`Handle::call_later`], [`Handle::submit`]). [`task_local!`] declares task-local values,
//! asyncio's `contextvars`, inherited by the tasks and blocking jobs a task starts.
//! [`DebugConfig`] is asyncio's debug mode (slow polls, tasks pending at shutdown), and
//! [`dump`] prints the live tasks as a tree.
//!
//! The executor knows no reactor: it waits through the [`Driver`] trait.
//!
//! ```
//! use corio_executor::{Executor, ThreadDriver, spawn, yield_now};
//!
//! let ex = Executor::multi_thread(2, ThreadDriver::new())?;
//! let total = ex.run(async {
//!     let worker = spawn(async {
//!         yield_now().await;
//!         21
//!     });
//!     worker.await.unwrap() * 2
//! });
//! assert_eq!(total, 42);
//! # std::io::Result::Ok(())
//! ```

mod block_on;
mod blocking;
mod cancel;
mod context;
pub mod coop;
mod current_thread;
mod debug;
mod driver;
mod dump;
mod error;
mod executor;
mod fallback_timer;
mod handle;
mod harness;
mod id;
mod info;
mod locals;
#[cfg(all(test, corio_loom))]
mod loom_support;
mod meta;
mod multi_thread;
mod parker;
mod registry;
mod scheduler;
mod spawn;
mod sync;
mod task;
mod task_local;
mod yield_now;

pub use blocking::{BlockingConfig, BlockingTask, spawn_blocking, to_thread, try_spawn_blocking};
pub use cancel::{DeferCancel, cancel_requested};
pub use debug::{DEBUG_ENV, DebugConfig};
pub use driver::{Driver, DriverGuard, ThreadDriver};
pub use dump::{TaskDump, dump};
pub use error::{SpawnError, TaskError, TaskLocalError, WaitError};
pub use executor::Executor;
pub use handle::{Handle, Submission, TimerHandle};
pub use id::TaskId;
pub use info::{TaskInfo, TaskRef, TaskState};
pub use spawn::{Builder, all_tasks, current_task, spawn, spawn_local, spawn_named, try_spawn};
pub use task::Task;
pub use task_local::LocalKey;
pub use yield_now::{YieldNow, yield_now};
