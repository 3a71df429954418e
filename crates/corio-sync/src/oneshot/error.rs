//! Why a oneshot receive got no value.

use std::error::Error;
use std::fmt;

/// The sender was dropped without sending (or the value was already taken).
///
/// ```
/// futures_lite::future::block_on(async {
///     let (tx, rx) = corio_sync::oneshot::channel::<u8>();
///     drop(tx);
///     assert_eq!(rx.await, Err(corio_sync::oneshot::RecvError));
/// });
/// ```
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct RecvError;

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the oneshot sender was dropped without sending")
    }
}

impl Error for RecvError {}

/// Why [`Receiver::try_recv`](super::Receiver::try_recv) returned no value.
///
/// ```
/// use corio_sync::oneshot::{self, TryRecvError};
///
/// let (tx, mut rx) = oneshot::channel::<u8>();
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
/// drop(tx);
/// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
/// ```
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum TryRecvError {
    /// Not sent yet; the sender is still there.
    Empty,
    /// No value will come: the sender was dropped without sending, the receiver was
    /// closed, or the value was already taken.
    Closed,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("the oneshot value has not been sent yet"),
            Self::Closed => f.write_str("the oneshot channel is closed"),
        }
    }
}

impl Error for TryRecvError {}

impl From<RecvError> for TryRecvError {
    fn from(_: RecvError) -> Self {
        Self::Closed
    }
}
