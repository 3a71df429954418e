//! The bounded channel: senders wait while its buffer is full.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::chan::{Chan, Rx};
use super::error::{SendError, TryRecvError, TrySendError};
use super::ring::Ring;
use super::waiters::Parked;

/// The largest capacity [`channel`] accepts (2^20); larger requests are clamped to it.
///
/// A bounded channel allocates its whole buffer when it is created, so the limit keeps a
/// careless `channel(usize::MAX)` from exhausting memory. For more buffering than this, use
/// an [`unbounded`](super::unbounded) channel, which grows as needed.
///
/// ```
/// let (tx, _rx) = corio_sync::mpsc::channel::<u8>(usize::MAX);
/// assert_eq!(tx.max_capacity(), corio_sync::mpsc::MAX_CAPACITY);
/// ```
pub const MAX_CAPACITY: usize = 1 << 20;

/// Creates a bounded channel buffering up to `capacity` values.
///
/// `capacity` is clamped into `1..=MAX_CAPACITY`: 0 gives 1 (this channel has no
/// rendezvous mode), never a panic. The buffer is allocated up front.
///
/// ```
/// use corio_sync::mpsc;
///
/// futures_lite::future::block_on(async {
///     let (tx, mut rx) = mpsc::channel(8);
///     for i in 0..3 {
///         tx.send(i).await.unwrap();
///     }
///     drop(tx);
///     assert_eq!(rx.recv().await, Some(0));
///     assert_eq!(rx.recv().await, Some(1));
///     assert_eq!(rx.recv().await, Some(2));
///     assert_eq!(rx.recv().await, None); // every sender is gone and the buffer drained
/// });
/// ```
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let chan = Chan::new(Ring::new(capacity.clamp(1, MAX_CAPACITY)));
    (
        Sender { chan: chan.clone() },
        Receiver { rx: Rx::new(chan) },
    )
}

/// The sending half of a bounded channel; clone it for more producers.
///
/// The channel closes for the receiver (after it drained the buffer) once every sender is
/// dropped.
///
/// ```
/// use corio_sync::mpsc;
///
/// let (tx, mut rx) = mpsc::channel(16);
/// // Three producers, each with its own clone; the receiver sees the end after the last.
/// let producers: Vec<_> = (0..3)
///     .map(|id| {
///         let tx = tx.clone();
///         std::thread::spawn(move || tx.blocking_send(id).unwrap())
///     })
///     .collect();
/// drop(tx);
/// for p in producers {
///     p.join().unwrap();
/// }
/// let mut got = Vec::new();
/// while let Some(id) = rx.blocking_recv() {
///     got.push(id);
/// }
/// got.sort();
/// assert_eq!(got, [0, 1, 2]);
/// ```
pub struct Sender<T> {
    chan: Arc<Chan<T, Ring<T>>>,
}

impl<T> Sender<T> {
    /// Sends `value`, waiting while the buffer is full.
    ///
    /// Fails, handing the value back, once the receiver closed the channel or is gone.
    ///
    /// Cancel safety: dropping the future before it completed never leaves the value in the
    /// channel (it is dropped with the future), and never loses a wake-up: if a freed slot
    /// was aimed at this send, the next waiting sender gets it.
    ///
    /// ```
    /// use corio_sync::mpsc;
    ///
    /// futures_lite::future::block_on(async {
    ///     let (tx, mut rx) = mpsc::channel(1);
    ///     tx.send("a").await.unwrap();
    ///     // The buffer is full: this send waits until the receiver makes room.
    ///     let (sent, got) = futures_lite::future::zip(tx.send("b"), rx.recv()).await;
    ///     assert_eq!((sent, got), (Ok(()), Some("a")));
    ///     assert_eq!(rx.recv().await, Some("b"));
    /// });
    /// ```
    pub async fn send(&self, value: T) -> Result<(), SendError<T>> {
        let chan = &*self.chan;
        let mut value = value;
        loop {
            value = match chan.try_send(value) {
                Ok(()) => return Ok(()),
                Err(TrySendError::Full(v)) => v,
                Err(TrySendError::Closed(v)) => return Err(SendError(v)),
            };
            let parked = Parked::new(chan.send_ops());
            // Re-check after registering, so a slot freed meanwhile is not missed.
            value = match chan.try_send(value) {
                Ok(()) => return Ok(()),
                Err(TrySendError::Full(v)) => v,
                Err(TrySendError::Closed(v)) => return Err(SendError(v)),
            };
            parked.await;
        }
    }

    /// Sends `value` if there is room right now.
    ///
    /// ```
    /// use corio_sync::mpsc::{self, TrySendError};
    ///
    /// let (tx, mut rx) = mpsc::channel(1);
    /// assert_eq!(tx.try_send(1), Ok(()));
    /// assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    #[inline]
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        self.chan.try_send(value)
    }

    /// Sends `value`, blocking the thread while the buffer is full: for code outside any
    /// executor. Calling it from async code blocks that executor's thread.
    ///
    /// ```
    /// use corio_sync::mpsc;
    ///
    /// let (tx, mut rx) = mpsc::channel(1);
    /// let producer = std::thread::spawn(move || {
    ///     for i in 0..10 {
    ///         tx.blocking_send(i).unwrap();
    ///     }
    /// });
    /// let got: Vec<i32> = std::iter::from_fn(|| rx.blocking_recv()).collect();
    /// producer.join().unwrap();
    /// assert_eq!(got, (0..10).collect::<Vec<_>>());
    /// ```
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        futures_lite::future::block_on(self.send(value))
    }

    /// Whether the receiver closed the channel or is gone (sends then fail).
    ///
    /// ```
    /// let (tx, rx) = corio_sync::mpsc::channel::<u8>(1);
    /// assert!(!tx.is_closed());
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
    ///     let (tx, mut rx) = corio_sync::mpsc::channel::<u8>(1);
    ///     rx.close();
    ///     tx.closed().await;
    /// });
    /// ```
    pub async fn closed(&self) {
        self.chan.closed().await;
    }

    /// How many more values fit in the buffer right now.
    ///
    /// ```
    /// let (tx, _rx) = corio_sync::mpsc::channel(4);
    /// tx.try_send(()).unwrap();
    /// assert_eq!(tx.capacity(), 3);
    /// ```
    pub fn capacity(&self) -> usize {
        self.max_capacity().saturating_sub(self.chan.len())
    }

    /// The buffer's size, as the channel was created with (after clamping).
    ///
    /// ```
    /// let (tx, _rx) = corio_sync::mpsc::channel::<u8>(0);
    /// assert_eq!(tx.max_capacity(), 1);
    /// ```
    pub fn max_capacity(&self) -> usize {
        self.chan.max_capacity().unwrap_or(usize::MAX)
    }

    /// Whether both senders feed the same channel.
    ///
    /// ```
    /// let (tx, _rx) = corio_sync::mpsc::channel::<u8>(1);
    /// assert!(tx.same_channel(&tx.clone()));
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.chan.add_sender();
        Self {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").field("chan", &self.chan).finish()
    }
}

/// The receiving half of a bounded channel. Also a [`Stream`] of the values.
///
/// ```
/// use futures_lite::StreamExt;
///
/// futures_lite::future::block_on(async {
///     let (tx, rx) = corio_sync::mpsc::channel(4);
///     for word in ["a", "bb", "ccc"] {
///         tx.send(word).await.unwrap();
///     }
///     drop(tx);
///     // `async for` over the channel, with the stream adapters.
///     let lengths: Vec<usize> = rx.map(str::len).collect().await;
///     assert_eq!(lengths, [1, 2, 3]);
/// });
/// ```
#[must_use = "streams do nothing unless polled; dropping the receiver closes the channel"]
pub struct Receiver<T> {
    rx: Rx<T, Ring<T>>,
}

impl<T> Receiver<T> {
    /// Receives the next value, waiting while the buffer is empty; `None` once the channel
    /// is closed (every sender dropped, or [`close`](Self::close)d) and drained.
    ///
    /// Cancel safety: cancel-safe. A value is only taken out of the buffer by the poll that
    /// returns it, so dropping the future never loses one; the wait itself is kept in the
    /// receiver, so a wake-up that arrived for a dropped `recv` serves the next one.
    ///
    /// ```
    /// futures_lite::future::block_on(async {
    ///     let (tx, mut rx) = corio_sync::mpsc::channel(2);
    ///     tx.send(1).await.unwrap();
    ///     drop(tx);
    ///     assert_eq!(rx.recv().await, Some(1));
    ///     assert_eq!(rx.recv().await, None);
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
    /// let (tx, mut rx) = corio_sync::mpsc::channel(1);
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert_eq!(rx.poll_recv(&mut cx), Poll::Pending);
    /// tx.try_send(5).unwrap();
    /// assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Some(5)));
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.rx.poll_recv(cx)
    }

    /// Takes a value if one is buffered.
    ///
    /// ```
    /// use corio_sync::mpsc::{self, TryRecvError};
    ///
    /// let (tx, mut rx) = mpsc::channel(1);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.try_send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.rx.try_recv()
    }

    /// Receives the next value, blocking the thread while the buffer is empty: for code
    /// outside any executor. Calling it from async code blocks that executor's thread.
    ///
    /// ```
    /// let (tx, mut rx) = corio_sync::mpsc::channel(1);
    /// std::thread::spawn(move || tx.blocking_send("hi").unwrap());
    /// assert_eq!(rx.blocking_recv(), Some("hi"));
    /// assert_eq!(rx.blocking_recv(), None);
    /// ```
    pub fn blocking_recv(&mut self) -> Option<T> {
        self.rx.blocking_recv()
    }

    /// Closes the channel: senders fail from now on (waiting ones wake up and fail), and
    /// the values already buffered can still be received.
    ///
    /// ```
    /// futures_lite::future::block_on(async {
    ///     let (tx, mut rx) = corio_sync::mpsc::channel(2);
    ///     tx.send(1).await.unwrap();
    ///     rx.close();
    ///     assert!(tx.send(2).await.is_err());
    ///     assert_eq!(rx.recv().await, Some(1));
    ///     assert_eq!(rx.recv().await, None);
    /// });
    /// ```
    pub fn close(&mut self) {
        self.rx.close();
    }

    /// How many values are buffered.
    ///
    /// ```
    /// let (tx, rx) = corio_sync::mpsc::channel(2);
    /// tx.try_send(()).unwrap();
    /// assert_eq!(rx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.rx.chan().len()
    }

    /// Whether no value is buffered.
    ///
    /// ```
    /// let (_tx, rx) = corio_sync::mpsc::channel::<u8>(2);
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the channel is closed: no value can be sent any more (buffered ones may
    /// still be waiting to be received).
    ///
    /// ```
    /// let (tx, rx) = corio_sync::mpsc::channel::<u8>(2);
    /// drop(tx);
    /// assert!(rx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.rx.chan().is_closed()
    }

    /// The buffer's size.
    ///
    /// ```
    /// let (_tx, rx) = corio_sync::mpsc::channel::<u8>(3);
    /// assert_eq!(rx.max_capacity(), 3);
    /// ```
    pub fn max_capacity(&self) -> usize {
        self.rx.chan().max_capacity().unwrap_or(usize::MAX)
    }
}

impl<T> Stream for Receiver<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.get_mut().rx.poll_recv(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.len(), None)
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").field("chan", &self.rx).finish()
    }
}
