//! The unbounded channel: sending never waits, the buffer grows as needed.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use concurrent_queue::ConcurrentQueue;
use futures_core::Stream;

use super::chan::{Chan, Rx};
use super::error::{SendError, TryRecvError, TrySendError};

/// Creates a channel whose buffer grows without limit, so sending never waits.
///
/// ```
/// futures_lite::future::block_on(async {
///     let (tx, mut rx) = corio_sync::mpsc::unbounded();
///     for i in 0..1000 {
///         tx.send(i).unwrap();
///     }
///     drop(tx);
///     let mut n = 0;
///     while let Some(i) = rx.recv().await {
///         assert_eq!(i, n);
///         n += 1;
///     }
///     assert_eq!(n, 1000);
/// });
/// ```
pub fn unbounded<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let chan = Chan::new(ConcurrentQueue::unbounded());
    (
        UnboundedSender { chan: chan.clone() },
        UnboundedReceiver { rx: Rx::new(chan) },
    )
}

/// The sending half of an unbounded channel; clone it for more producers.
///
/// Sending never waits, so it works from plain threads and callbacks as well as tasks.
///
/// ```
/// let (tx, mut rx) = corio_sync::mpsc::unbounded();
/// let log = tx.clone();
/// tx.send("from the first").unwrap();
/// log.send("from the clone").unwrap();
/// drop((tx, log));
/// assert_eq!(rx.try_recv(), Ok("from the first"));
/// assert_eq!(rx.try_recv(), Ok("from the clone"));
/// assert_eq!(rx.try_recv(), Err(corio_sync::mpsc::TryRecvError::Disconnected));
/// ```
pub struct UnboundedSender<T> {
    chan: Arc<Chan<T, ConcurrentQueue<T>>>,
}

impl<T> UnboundedSender<T> {
    /// Sends `value` without waiting; fails, handing it back, once the receiver closed the
    /// channel or is gone.
    ///
    /// ```
    /// let (tx, rx) = corio_sync::mpsc::unbounded();
    /// assert!(tx.send(1).is_ok());
    /// drop(rx);
    /// assert_eq!(tx.send(2).unwrap_err().into_inner(), 2);
    /// ```
    #[inline]
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.chan.try_send(value).map_err(|e| match e {
            TrySendError::Full(v) | TrySendError::Closed(v) => SendError(v),
        })
    }

    /// Whether the receiver closed the channel or is gone (sends then fail).
    ///
    /// ```
    /// let (tx, rx) = corio_sync::mpsc::unbounded::<u8>();
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.chan.is_closed()
    }

    /// Waits until the receiver closes the channel or is dropped.
    ///
    /// Cancel safety: cancel-safe; it consumes nothing.
    ///
    /// ```
    /// futures_lite::future::block_on(async {
    ///     let (tx, rx) = corio_sync::mpsc::unbounded::<u8>();
    ///     drop(rx);
    ///     tx.closed().await;
    /// });
    /// ```
    pub async fn closed(&self) {
        self.chan.closed().await;
    }

    /// Whether both senders feed the same channel.
    ///
    /// ```
    /// let (tx, _rx) = corio_sync::mpsc::unbounded::<u8>();
    /// assert!(tx.same_channel(&tx.clone()));
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> Self {
        self.chan.add_sender();
        Self {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for UnboundedSender<T> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedSender")
            .field("chan", &self.chan)
            .finish()
    }
}

/// The receiving half of an unbounded channel. Also a [`Stream`] of the values.
///
/// ```
/// use futures_lite::StreamExt;
///
/// futures_lite::future::block_on(async {
///     let (tx, rx) = corio_sync::mpsc::unbounded();
///     std::thread::spawn(move || {
///         for n in 1..=4 {
///             tx.send(n).unwrap();
///         }
///     });
///     // The stream ends when the sender thread is done and has dropped `tx`.
///     let sum = rx.fold(0, |acc, n| acc + n).await;
///     assert_eq!(sum, 10);
/// });
/// ```
#[must_use = "streams do nothing unless polled; dropping the receiver closes the channel"]
pub struct UnboundedReceiver<T> {
    rx: Rx<T, ConcurrentQueue<T>>,
}

impl<T> UnboundedReceiver<T> {
    /// Receives the next value, waiting while the buffer is empty; `None` once the channel
    /// is closed (every sender dropped, or [`close`](Self::close)d) and drained.
    ///
    /// Cancel safety: cancel-safe, as [`Receiver::recv`](super::Receiver::recv).
    ///
    /// ```
    /// futures_lite::future::block_on(async {
    ///     let (tx, mut rx) = corio_sync::mpsc::unbounded();
    ///     tx.send("x").unwrap();
    ///     assert_eq!(rx.recv().await, Some("x"));
    /// });
    /// ```
    pub async fn recv(&mut self) -> Option<T> {
        std::future::poll_fn(|cx| self.rx.poll_recv(cx)).await
    }

    /// Polls for the next value: [`recv`](Self::recv) for hand-written futures.
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    ///
    /// let (tx, mut rx) = corio_sync::mpsc::unbounded();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert_eq!(rx.poll_recv(&mut cx), Poll::Pending);
    /// tx.send(5).unwrap();
    /// assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Some(5)));
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.rx.poll_recv(cx)
    }

    /// Takes a value if one is buffered.
    ///
    /// ```
    /// use corio_sync::mpsc::TryRecvError;
    ///
    /// let (tx, mut rx) = corio_sync::mpsc::unbounded();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.rx.try_recv()
    }

    /// Receives the next value, blocking the thread while the buffer is empty: for code
    /// outside any executor. Calling it from async code blocks that executor's thread.
    ///
    /// ```
    /// let (tx, mut rx) = corio_sync::mpsc::unbounded();
    /// std::thread::spawn(move || tx.send(3).unwrap());
    /// assert_eq!(rx.blocking_recv(), Some(3));
    /// ```
    pub fn blocking_recv(&mut self) -> Option<T> {
        self.rx.blocking_recv()
    }

    /// Closes the channel: senders fail from now on, and the values already buffered can
    /// still be received.
    ///
    /// ```
    /// let (tx, mut rx) = corio_sync::mpsc::unbounded();
    /// tx.send(1).unwrap();
    /// rx.close();
    /// assert!(tx.send(2).is_err());
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn close(&mut self) {
        self.rx.close();
    }

    /// How many values are buffered.
    ///
    /// ```
    /// let (tx, rx) = corio_sync::mpsc::unbounded();
    /// tx.send(()).unwrap();
    /// assert_eq!(rx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.rx.chan().len()
    }

    /// Whether no value is buffered.
    ///
    /// ```
    /// let (_tx, rx) = corio_sync::mpsc::unbounded::<u8>();
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the channel is closed: no value can be sent any more (buffered ones may
    /// still be waiting to be received).
    ///
    /// ```
    /// let (tx, rx) = corio_sync::mpsc::unbounded::<u8>();
    /// drop(tx);
    /// assert!(rx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.rx.chan().is_closed()
    }
}

impl<T> Stream for UnboundedReceiver<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.get_mut().rx.poll_recv(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len(), None)
    }
}

impl<T> fmt::Debug for UnboundedReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedReceiver")
            .field("chan", &self.rx)
            .finish()
    }
}
