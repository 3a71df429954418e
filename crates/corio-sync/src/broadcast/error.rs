//! Why a broadcast send or receive failed.

use std::error::Error;
use std::fmt;

/// Nobody is subscribed, so the value was not sent. Carries the value.
///
/// ```
/// let (tx, rx) = corio_sync::broadcast::channel::<u8>(4);
/// drop(rx);
/// assert_eq!(tx.send(1).unwrap_err().into_inner(), 1);
/// ```
#[derive(PartialEq, Eq, Clone, Copy)]
pub struct SendError<T>(pub T);

impl<T> SendError<T> {
    /// The value that could not be sent.
    ///
    /// ```
    /// assert_eq!(corio_sync::broadcast::SendError(3).into_inner(), 3);
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
        f.write_str("broadcasting to a channel with no receivers")
    }
}

impl<T> Error for SendError<T> {}

/// Why [`Receiver::recv`](super::Receiver::recv) returned no value.
///
/// ```
/// use corio_sync::broadcast::{self, RecvError};
///
/// futures_lite::future::block_on(async {
///     let (tx, mut rx) = broadcast::channel(1);
///     tx.send(1).unwrap();
///     tx.send(2).unwrap(); // overwrites 1: rx missed it
///     assert_eq!(rx.recv().await, Err(RecvError::Lagged(1)));
///     assert_eq!(rx.recv().await, Ok(2));
///     drop(tx);
///     assert_eq!(rx.recv().await, Err(RecvError::Closed));
/// });
/// ```
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum RecvError {
    /// Every sender is gone and this receiver has read everything that was sent.
    Closed,
    /// This receiver fell behind: that many values were overwritten before it read them.
    /// It now continues from the oldest value still retained.
    Lagged(u64),
}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Closed => f.write_str("the broadcast channel is closed"),
            Self::Lagged(n) => write!(f, "the broadcast receiver lagged and missed {n} values"),
        }
    }
}

impl Error for RecvError {}

/// Why [`Receiver::try_recv`](super::Receiver::try_recv) returned no value.
///
/// ```
/// use corio_sync::broadcast::{self, TryRecvError};
///
/// let (tx, mut rx) = broadcast::channel::<u8>(2);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
/// drop(tx);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
/// ```
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum TryRecvError {
    /// Nothing new yet; a sender may still send.
    Empty,
    /// Every sender is gone and this receiver has read everything that was sent.
    Closed,
    /// This receiver fell behind: that many values were overwritten before it read them.
    /// It now continues from the oldest value still retained.
    Lagged(u64),
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("no new value in the broadcast channel"),
            Self::Closed => f.write_str("the broadcast channel is closed"),
            Self::Lagged(n) => write!(f, "the broadcast receiver lagged and missed {n} values"),
        }
    }
}

impl Error for TryRecvError {}

impl From<RecvError> for TryRecvError {
    fn from(err: RecvError) -> Self {
        match err {
            RecvError::Closed => Self::Closed,
            RecvError::Lagged(n) => Self::Lagged(n),
        }
    }
}
