//! `TimerHandle`: a callback scheduled by `Handle::call_later`.

use std::fmt;

use crate::task::Task;

/// A callback scheduled with [`Handle::call_later`](crate::Handle::call_later); asyncio's
/// `TimerHandle`. Dropping it leaves the callback scheduled.
///
/// ```
/// use corio_executor::{Executor, ThreadDriver};
/// use std::time::Duration;
///
/// let ex = Executor::current_thread(ThreadDriver::new());
/// let t = ex.handle().call_later(Duration::from_secs(3600), || unreachable!())?;
/// assert!(t.cancel());
/// assert!(!t.cancel(), "already cancelled");
/// # Ok::<(), corio_executor::SpawnError>(())
/// ```
pub struct TimerHandle {
    task: Task<()>,
}

impl TimerHandle {
    pub(crate) fn new(task: Task<()>) -> TimerHandle {
        TimerHandle { task }
    }

    /// Cancels the callback: unless it already started, it never runs. Returns `false` when
    /// it already ran or was cancelled before. A callback that is running when this is called
    /// completes.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    /// use std::time::Duration;
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// let t = ex.handle().call_later(Duration::from_millis(1), || {})?;
    /// t.cancel();
    /// # Ok::<(), corio_executor::SpawnError>(())
    /// ```
    pub fn cancel(&self) -> bool {
        // A second cancel finds the task finished (dropped) or already flagged.
        !self.is_cancelled_or_done() && self.task.cancel()
    }

    fn is_cancelled_or_done(&self) -> bool {
        self.task.is_finished() || self.task.cancel_requested()
    }

    /// True once the callback has run, or was dropped after a cancel.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    /// use std::time::Duration;
    ///
    /// let ex = Executor::multi_thread(1, ThreadDriver::new())?;
    /// let t = ex.handle().call_later(Duration::ZERO, || {})?;
    /// while !t.is_finished() {
    ///     std::thread::yield_now();
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

impl fmt::Debug for TimerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimerHandle")
            .field("finished", &self.is_finished())
            .finish()
    }
}
