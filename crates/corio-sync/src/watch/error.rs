//! Why a watch send or wait failed.

use std::error::Error;
use std::fmt;

/// No receiver is left, so the value was not stored. Carries the value.
///
/// ```
/// let (tx, rx) = corio_sync::watch::channel(0);
/// drop(rx);
/// assert_eq!(tx.send(1).unwrap_err().into_inner(), 1);
/// ```
#[derive(PartialEq, Eq, Clone, Copy)]
pub struct SendError<T>(pub T);

impl<T> SendError<T> {
    /// The value that was not stored.
    ///
    /// ```
    /// assert_eq!(corio_sync::watch::SendError(2).into_inner(), 2);
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
        f.write_str("sending on a watch channel with no receivers")
    }
}

impl<T> Error for SendError<T> {}

/// Every sender is gone: no change will come.
///
/// ```
/// futures_lite::future::block_on(async {
///     let (tx, mut rx) = corio_sync::watch::channel(0);
///     drop(tx);
///     assert_eq!(rx.changed().await, Err(corio_sync::watch::RecvError));
/// });
/// ```
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct RecvError;

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the watch sender is gone")
    }
}

impl Error for RecvError {}
