//! Tasks: futures the runtime runs concurrently, and the ways to run them together
//! (asyncio's `create_task`, `Task`, `current_task`, `all_tasks`, `gather`, `wait`,
//! `as_completed`, `shield`, `wait_for`, `TaskGroup`), and what the loop is doing: [`dump`]
//! prints the live tasks as a tree of who spawned whom.
//!
//! Awaiting a [`Task`] gives `Result<T, TaskError>`: the output, or why there is none
//! (cancelled, or panicked with the payload). Dropping a `Task` detaches it — the task keeps
//! running, as in asyncio and tokio.
//!
//! ```
//! corio::run(async {
//!     let worker = corio::task::spawn_named("worker", async { 21 * 2 });
//!     assert_eq!(worker.name(), Some("worker"));
//!     assert_eq!(worker.await.unwrap(), 42);
//!
//!     let stuck = corio::spawn(std::future::pending::<()>());
//!     assert!(stuck.cancel());
//!     assert!(stuck.await.unwrap_err().is_cancelled());
//! });
//! ```
//!
//! ## Gathering
//!
//! | asyncio | corio |
//! |---|---|
//! | `await gather(a, b)` | [`gather!`](crate::gather!)`(a, b).await` → `Result<(A, B), TaskError>` |
//! | `await gather(*coros)` | [`gather`]`(futures).await` → `Result<Vec<T>, TaskError>` |
//! | `await gather(*coros, return_exceptions=True)` | [`gather_results`]`(futures).await` → `Vec<Result<T, TaskError>>`, or [`gather_results!`](crate::gather_results!) |
//! | children returning errors | [`try_gather`]`(futures).await` → `Result<Vec<T>, GatherError<E>>`, or [`try_gather!`](crate::try_gather!) |
//!
//! Each future runs as a task of its own, as asyncio wraps each coroutine in a task, so it
//! must be `Send + 'static`. For futures that borrow, poll them together on the current task
//! instead (`futures_lite::future::zip`).
//!
//! Errors: a task that panics or is cancelled is an error ([`TaskError`]); with the `try_`
//! forms an `Err` output is one too. The first error, in the order they happen, is returned
//! at once, and — as in asyncio — the other children keep running, detached. Cancelling the
//! gather itself (dropping it before it finished) cancels every child still running.

pub use corio_executor::{
    BlockingTask, Builder, DEBUG_ENV, DebugConfig, DeferCancel, Handle, LocalKey, SpawnError,
    Submission, Task, TaskDump, TaskError, TaskId, TaskInfo, TaskLocalError, TaskRef, TaskState,
    TimerHandle, WaitError, all_tasks, cancel_requested, current_task, dump, spawn, spawn_blocking,
    spawn_local, spawn_named, task_local, to_thread, try_spawn, try_spawn_blocking, yield_now,
};

mod dump_on_signal;
mod gather;
mod on_cancel;
mod set;
mod shield;
mod task_group;
mod wait;
mod wait_for;

pub(crate) use dump_on_signal::DumpOnSignal;
#[doc(hidden)]
pub use gather::__gather_private;
pub use gather::{Gather, GatherError, TryGather, gather, gather_results, try_gather};
pub use on_cancel::on_cancel;
pub use shield::shield;
pub use task_group::{ChildError, GroupClosed, GroupTask, TaskGroup, TaskGroupError, task_group};
pub use wait::{AsCompleted, EmptyWaitError, ReturnWhen, Waited, as_completed, wait};
pub use wait_for::{WaitFor, wait_for, wait_for_task};
