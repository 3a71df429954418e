//! Why a send or a receive on an mpsc channel failed.
//!
//! An error from a send hands the value back; its `Debug` does not need `T: Debug`.

use std::error::Error;
use std::fmt;

/// The channel is closed: the receiver closed it or is gone. Carries the unsent value.
///
/// ```
/// use corio_sync::mpsc;
///
/// futures_lite::future::block_on(async {
///     let (tx, rx) = mpsc::channel::<String>(4);
///     drop(rx);
///     let err = tx.send("lost?".to_string()).await.unwrap_err();
///     assert_eq!(err.into_inner(), "lost?"); // no: handed back
/// });
/// ```
#[derive(PartialEq, Eq, Clone, Copy)]
pub struct SendError<T>(pub T);

impl<T> SendError<T> {
    /// The value that could not be sent.
    ///
    /// ```
    /// let err = corio_sync::mpsc::SendError(7);
    /// assert_eq!(err.into_inner(), 7);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendError").finish_non_exhaustive()
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("sending on a closed channel")
    }
}

impl<T> Error for SendError<T> {}

/// Why [`Sender::try_send`](super::Sender::try_send) failed. Carries the unsent value.
///
/// ```
/// use corio_sync::mpsc::{self, TrySendError};
///
/// let (tx, rx) = mpsc::channel(1);
/// tx.try_send(1).unwrap();
/// assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
/// drop(rx);
/// assert_eq!(tx.try_send(3), Err(TrySendError::Closed(3)));
/// ```
#[derive(PartialEq, Eq, Clone, Copy)]
pub enum TrySendError<T> {
    /// The buffer is full right now.
    Full(T),
    /// The receiver closed the channel or is gone.
    Closed(T),
}

impl<T> TrySendError<T> {
    /// The value that could not be sent.
    ///
    /// ```
    /// use corio_sync::mpsc::TrySendError;
    ///
    /// assert_eq!(TrySendError::Full(5).into_inner(), 5);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            Self::Full(v) | Self::Closed(v) => v,
        }
    }

    /// Whether the send failed because the buffer was full.
    ///
    /// ```
    /// use corio_sync::mpsc::TrySendError;
    ///
    /// assert!(TrySendError::Full(()).is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        matches!(self, Self::Full(_))
    }

    /// Whether the send failed because the channel is closed.
    ///
    /// ```
    /// use corio_sync::mpsc::TrySendError;
    ///
    /// assert!(TrySendError::Closed(()).is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        matches!(self, Self::Closed(_))
    }
}

impl<T> From<SendError<T>> for TrySendError<T> {
    fn from(err: SendError<T>) -> Self {
        Self::Closed(err.0)
    }
}

impl<T> fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(_) => f.write_str("Full(..)"),
            Self::Closed(_) => f.write_str("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Full(_) => f.write_str("sending on a full channel"),
            Self::Closed(_) => f.write_str("sending on a closed channel"),
        }
    }
}

impl<T> Error for TrySendError<T> {}

/// Why [`Receiver::try_recv`](super::Receiver::try_recv) returned no value.
///
/// ```
/// use corio_sync::mpsc::{self, TryRecvError};
///
/// let (tx, mut rx) = mpsc::channel::<u8>(1);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
/// drop(tx);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
/// ```
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum TryRecvError {
    /// Nothing is buffered right now, but a sender may still send.
    Empty,
    /// Nothing is buffered and nothing will be: every sender is gone, or the receiver
    /// closed the channel.
    Disconnected,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("receiving on an empty channel"),
            Self::Disconnected => f.write_str("receiving on a closed channel"),
        }
    }
}

impl Error for TryRecvError {}
