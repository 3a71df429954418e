//! The typed errors: why a task gave no output, why a spawn was refused.

use std::any::Any;
use std::fmt;

/// Why awaiting a [`Task`](crate::Task) gave no output.
///
/// ```
/// use corio_executor::{Executor, TaskError, ThreadDriver};
///
/// let ex = Executor::current_thread(ThreadDriver::new());
/// let task = ex.spawn(async { panic!("boom") }).unwrap();
/// let err: TaskError = ex.block_on(task).unwrap_err();
/// assert!(err.is_panic());
/// assert_eq!(*err.into_panic().downcast::<&str>().unwrap(), "boom");
/// ```
pub enum TaskError {
    /// The task was cancelled before it finished: its future was dropped.
    Cancelled,
    /// The task panicked; this is the panic's payload.
    Panicked(Box<dyn Any + Send + 'static>),
}

impl TaskError {
    /// True when the task was cancelled.
    ///
    /// ```
    /// assert!(corio_executor::TaskError::Cancelled.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self, TaskError::Cancelled)
    }

    /// True when the task panicked.
    ///
    /// ```
    /// assert!(!corio_executor::TaskError::Cancelled.is_panic());
    /// ```
    pub fn is_panic(&self) -> bool {
        matches!(self, TaskError::Panicked(_))
    }

    /// The panic payload, to inspect it or to resume the panic with
    /// [`std::panic::resume_unwind`]. For a cancelled task, the payload is the string
    /// `"task was cancelled"`.
    ///
    /// ```
    /// use corio_executor::TaskError;
    ///
    /// let err = TaskError::Panicked(Box::new(5_u32));
    /// assert_eq!(*err.into_panic().downcast::<u32>().unwrap(), 5);
    /// ```
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        match self {
            TaskError::Panicked(payload) => payload,
            TaskError::Cancelled => Box::new("task was cancelled"),
        }
    }
}

/// The message of a panic payload, when it is a string.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "Box<dyn Any>"
    }
}

impl fmt::Debug for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Cancelled => f.write_str("Cancelled"),
            TaskError::Panicked(p) => f
                .debug_tuple("Panicked")
                .field(&panic_message(&**p))
                .finish(),
        }
    }
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskError::Cancelled => f.write_str("task was cancelled"),
            TaskError::Panicked(p) => write!(f, "task panicked: {}", panic_message(&**p)),
        }
    }
}

impl std::error::Error for TaskError {}

/// Why a task could not be spawned.
///
/// ```
/// use corio_executor::{Executor, SpawnError, ThreadDriver};
///
/// let ex = Executor::current_thread(ThreadDriver::new());
/// ex.shutdown();
/// assert_eq!(ex.spawn(async {}).unwrap_err(), SpawnError::Shutdown);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SpawnError {
    /// The runtime is shut down (or shutting down) and accepts no new tasks.
    Shutdown,
    /// No runtime is entered on this thread.
    NoRuntime,
    /// `spawn_local` was called where `!Send` tasks cannot run: outside a current-thread
    /// runtime's `block_on`, e.g. on a multi-thread runtime.
    LocalUnsupported,
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SpawnError::Shutdown => "the runtime is shut down",
            SpawnError::NoRuntime => "no corio runtime is running on this thread",
            SpawnError::LocalUnsupported => {
                "spawn_local needs to be called inside a current-thread runtime's block_on"
            }
        })
    }
}

impl std::error::Error for SpawnError {}

/// Why a task-local value could not be set.
///
/// ```
/// use corio_executor::{TaskLocalError, task_local};
///
/// task_local!(static ID: u32;);
/// assert_eq!(ID.set(1).unwrap_err(), TaskLocalError::NoScope);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TaskLocalError {
    /// Not inside a task, a blocking job or a `block_on` main future: there is no scope to
    /// hold the value.
    NoScope,
}

impl fmt::Display for TaskLocalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task-local values can only be set inside a corio task")
    }
}

impl std::error::Error for TaskLocalError {}

/// Why [`Submission::wait`](crate::Submission::wait) or
/// [`wait_timeout`](crate::Submission::wait_timeout) gave no output.
///
/// ```
/// use corio_executor::{TaskError, WaitError};
///
/// let e = WaitError::Task(TaskError::Cancelled);
/// assert!(e.is_cancelled());
/// assert!(!WaitError::TimedOut.is_cancelled());
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum WaitError {
    /// The task was cancelled or panicked.
    Task(TaskError),
    /// The timeout passed first; the task was cancelled.
    TimedOut,
    /// The calling thread runs this runtime's tasks: blocking it could stop the very task
    /// being waited for.
    InsideRuntime,
}

impl WaitError {
    /// True when the task was cancelled (by someone else than the timeout).
    ///
    /// ```
    /// assert!(!corio_executor::WaitError::InsideRuntime.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self, WaitError::Task(TaskError::Cancelled))
    }
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::Task(e) => e.fmt(f),
            WaitError::TimedOut => f.write_str("timed out waiting for the task"),
            WaitError::InsideRuntime => {
                f.write_str("cannot block a thread that runs the runtime's own tasks")
            }
        }
    }
}

impl std::error::Error for WaitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaitError::Task(e) => Some(e),
            _ => None,
        }
    }
}

impl From<TaskError> for WaitError {
    fn from(e: TaskError) -> Self {
        WaitError::Task(e)
    }
}
