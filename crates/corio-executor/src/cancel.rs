//! What a task sees of its own cancellation, for async clean-up: whether it was asked to
//! stop, and a guard under which a cancel request wakes it instead of dropping it.
//!
//! Normally [`Task::cancel`](crate::Task::cancel) makes the scheduler drop the task at its
//! next await point: Rust's cancellation, destructors only. A task that needs to *await*
//! something on the way out (send a goodbye, flush a file) holds a [`DeferCancel`] guard
//! around that part: while it is held, a cancel request wakes the task and
//! [`cancel_requested`] turns true, and the task decides what to do. Once the guard is
//! dropped, a pending request drops the task at its next await point as usual. The
//! facade's `corio::task::on_cancel` builds the bounded clean-up on these two pieces.

use crate::context;
use crate::id::TaskId;
use crate::meta::Meta;

/// Whether the task being polled on this thread has been asked to stop
/// ([`Task::cancel`](crate::Task::cancel)); `false` outside a task.
///
/// ```
/// use corio_executor::{Executor, ThreadDriver, cancel_requested};
///
/// let ex = Executor::current_thread(ThreadDriver::new());
/// let asked = ex.block_on(async { ex.spawn(async { cancel_requested() }).unwrap().await });
/// assert!(!asked.unwrap());
/// assert!(!cancel_requested());
/// ```
pub fn cancel_requested() -> bool {
    context::with_current_meta(Meta::cancel_requested).unwrap_or(false)
}

/// While held inside a task, [`Task::cancel`](crate::Task::cancel) no longer drops the task:
/// it wakes it, and [`cancel_requested`] turns true. Outside a task it does nothing.
/// Guards nest.
///
/// Hold it only around code that reacts to the request, and keep that bounded: a task
/// that ignores the request under the guard is never cancelled.
///
/// ```
/// use corio_executor::{DeferCancel, Executor, ThreadDriver, cancel_requested, yield_now};
///
/// let ex = Executor::current_thread(ThreadDriver::new());
/// let out = ex.block_on(async {
///     let task = ex
///         .spawn(async {
///             let _guard = DeferCancel::new();
///             while !cancel_requested() {
///                 yield_now().await;
///             }
///             "cleaned up" // async clean-up would go here
///         })
///         .unwrap();
///     yield_now().await;
///     task.cancel();
///     task.await
/// });
/// assert_eq!(out.unwrap(), "cleaned up");
/// ```
#[must_use = "the deferral ends when the guard is dropped"]
pub struct DeferCancel {
    /// The task whose flag this guard set; `None` if an outer guard had set it, or outside
    /// a task. The flag is only cleared from that task's own poll.
    set_for: Option<TaskId>,
}

impl DeferCancel {
    /// Defers the current task's cancellation until the guard is dropped.
    ///
    /// ```
    /// let _guard = corio_executor::DeferCancel::new(); // outside a task: no effect
    /// ```
    pub fn new() -> DeferCancel {
        let set_for =
            context::with_current_meta(|m| (!m.set_cancel_deferred(true)).then(|| m.id()));
        DeferCancel {
            set_for: set_for.flatten(),
        }
    }
}

impl Default for DeferCancel {
    fn default() -> Self {
        DeferCancel::new()
    }
}

impl Drop for DeferCancel {
    fn drop(&mut self) {
        let Some(task) = self.set_for else {
            return;
        };
        // Dropped outside its task's poll (the task itself is being destroyed): nothing to do.
        let pending = context::with_current_meta(|m| {
            if m.id() != task {
                return false;
            }
            m.set_cancel_deferred(false);
            m.cancel_requested()
        });
        // The request was seen while deferred and may not wake the task again: have it
        // polled once more, which drops it at its next await point.
        if pending == Some(true) {
            context::request_reschedule();
        }
    }
}

impl std::fmt::Debug for DeferCancel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeferCancel").finish_non_exhaustive()
    }
}
