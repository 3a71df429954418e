//! asyncio's queue exceptions as typed values; a failed put always hands its item back.

use std::error::Error;
use std::fmt;

/// The queue was shut down: asyncio's `QueueShutDown`.
///
/// A failed [`put`](crate::Queue::put) carries the item back in the field; a failed
/// [`get`](crate::Queue::get) carries `()`. `Debug` does not need `T: Debug`.
///
/// ```
/// use corio_sync::{Queue, QueueShutDown};
///
/// # futures_lite::future::block_on(async {
/// let q = Queue::new(0);
/// q.shutdown(false);
/// assert_eq!(q.put("job").await, Err(QueueShutDown("job")));
/// assert_eq!(q.get().await, Err(QueueShutDown(())));
/// # });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct QueueShutDown<T = ()>(pub T);

impl<T> QueueShutDown<T> {
    /// The item the failed put was given.
    ///
    /// ```
    /// use corio_sync::Queue;
    ///
    /// let q = Queue::new(0);
    /// q.shutdown(false);
    /// assert_eq!(q.blocking_put(7).unwrap_err().into_inner(), 7);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for QueueShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("QueueShutDown(..)")
    }
}

impl<T> fmt::Display for QueueShutDown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("queue is shut down")
    }
}

impl<T> Error for QueueShutDown<T> {}

/// Why [`put_nowait`](crate::Queue::put_nowait) failed; either way the item comes back.
///
/// asyncio raises `QueueFull` or `QueueShutDown` from `put_nowait`; the two variants are
/// those exceptions. Shut down wins over full, as in asyncio. `Debug` does not need
/// `T: Debug`.
///
/// ```
/// use corio_sync::{PutNowaitError, Queue};
///
/// let q = Queue::new(1);
/// q.put_nowait(1).unwrap();
/// assert_eq!(q.put_nowait(2), Err(PutNowaitError::Full(2)));
/// q.shutdown(false);
/// assert_eq!(q.put_nowait(3), Err(PutNowaitError::ShutDown(3)));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum PutNowaitError<T> {
    /// The queue held `maxsize` items: asyncio's `QueueFull`.
    Full(T),
    /// The queue was shut down: asyncio's `QueueShutDown`.
    ShutDown(T),
}

impl<T> PutNowaitError<T> {
    /// The item that was not put.
    ///
    /// ```
    /// use corio_sync::Queue;
    ///
    /// let q = Queue::new(1);
    /// q.put_nowait("a").unwrap();
    /// assert_eq!(q.put_nowait("b").unwrap_err().into_inner(), "b");
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            Self::Full(item) | Self::ShutDown(item) => item,
        }
    }

    /// Whether the queue was full.
    ///
    /// ```
    /// use corio_sync::Queue;
    ///
    /// let q = Queue::new(1);
    /// q.put_nowait(()).unwrap();
    /// assert!(q.put_nowait(()).unwrap_err().is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        matches!(self, Self::Full(_))
    }

    /// Whether the queue was shut down.
    ///
    /// ```
    /// use corio_sync::Queue;
    ///
    /// let q = Queue::new(0);
    /// q.shutdown(false);
    /// assert!(q.put_nowait(()).unwrap_err().is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        matches!(self, Self::ShutDown(_))
    }
}

impl<T> From<QueueShutDown<T>> for PutNowaitError<T> {
    fn from(QueueShutDown(item): QueueShutDown<T>) -> Self {
        Self::ShutDown(item)
    }
}

impl<T> fmt::Debug for PutNowaitError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Full(_) => "Full(..)",
            Self::ShutDown(_) => "ShutDown(..)",
        })
    }
}

impl<T> fmt::Display for PutNowaitError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Full(_) => "queue is full",
            Self::ShutDown(_) => "queue is shut down",
        })
    }
}

impl<T> Error for PutNowaitError<T> {}

/// Why [`get_nowait`](crate::Queue::get_nowait) failed.
///
/// asyncio raises `QueueEmpty`, or `QueueShutDown` once a shut-down queue is empty; the two
/// variants are those exceptions.
///
/// ```
/// use corio_sync::{GetNowaitError, Queue};
///
/// let q = Queue::<u8>::new(0);
/// assert_eq!(q.get_nowait(), Err(GetNowaitError::Empty));
/// q.shutdown(false);
/// assert_eq!(q.get_nowait(), Err(GetNowaitError::ShutDown));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GetNowaitError {
    /// No item was ready: asyncio's `QueueEmpty`.
    Empty,
    /// The queue was shut down and holds no more items: asyncio's `QueueShutDown`.
    ShutDown,
}

impl From<QueueShutDown> for GetNowaitError {
    fn from(_: QueueShutDown) -> Self {
        Self::ShutDown
    }
}

impl fmt::Display for GetNowaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "queue is empty",
            Self::ShutDown => "queue is shut down",
        })
    }
}

impl Error for GetNowaitError {}

/// [`task_done`](crate::Queue::task_done) was called more times than items were put:
/// asyncio's `ValueError`.
///
/// ```
/// use corio_sync::{Queue, TaskDoneError};
///
/// let q = Queue::<u8>::new(0);
/// assert_eq!(q.task_done(), Err(TaskDoneError));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TaskDoneError;

impl fmt::Display for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task_done() called too many times")
    }
}

impl Error for TaskDoneError {}
