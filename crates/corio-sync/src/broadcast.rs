//! A broadcast (publish–subscribe) channel: every receiver sees every value sent after it
//! subscribed.
//!
//! The counterpart of `tokio::sync::broadcast`; asyncio has no built-in one (the usual
//! stand-in is one `asyncio.Queue` per subscriber). Values are kept in a ring of fixed
//! capacity and cloned out to each receiver. Sending never waits: when the ring is full
//! the oldest value is overwritten, and a receiver that had not read it yet gets
//! [`RecvError::Lagged`] with the count it missed, then continues from the oldest value
//! still kept.
//!
//! ```
//! use corio_sync::broadcast;
//!
//! futures_lite::future::block_on(async {
//!     let (tx, mut a) = broadcast::channel(16);
//!     let mut b = tx.subscribe();
//!     tx.send("hello").unwrap();
//!     drop(tx);
//!     assert_eq!(a.recv().await, Ok("hello"));
//!     assert_eq!(b.recv().await, Ok("hello"));
//!     assert_eq!(a.recv().await, Err(broadcast::RecvError::Closed));
//! });
//! ```

mod error;

use std::fmt;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::task::{Context, Poll};

use event_listener::{Event, EventListener, Listener};

pub use error::{RecvError, SendError, TryRecvError};

/// The largest capacity [`channel`] accepts (2^20); larger requests are clamped to it.
///
/// The ring is allocated when the channel is created, so the limit keeps a careless
/// `channel(usize::MAX)` from exhausting memory.
///
/// ```
/// let (tx, _rx) = corio_sync::broadcast::channel::<u8>(usize::MAX);
/// assert_eq!(tx.capacity(), corio_sync::broadcast::MAX_CAPACITY);
/// ```
pub const MAX_CAPACITY: usize = 1 << 20;

/// One ring slot: the value sent at position `pos`, if any has been.
struct Slot<T> {
    pos: u64,
    value: Option<T>,
}

/// The writing end's state, changed only under its mutex (which also orders senders).
struct Tail {
    /// The position the next value gets.
    pos: u64,
    /// `pos % capacity`, kept to spare a division per send.
    idx: usize,
    /// Whether a receiver registered a listener since the last notification: sends only
    /// pay for `Event::notify` (a lock) when this is set.
    rx_waiting: bool,
}

struct Shared<T> {
    slots: Box<[RwLock<Slot<T>>]>,
    tail: Mutex<Tail>,
    /// `tail.pos`, readable without the mutex (for a lagging receiver's new position).
    /// Stored after the slot is written.
    written: AtomicU64,
    /// Set under the tail mutex when the last sender goes, after every send.
    closed: AtomicBool,
    receivers: AtomicUsize,
    senders: AtomicUsize,
    event: Event,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere (in a value's `Drop`, say) leaves the state consistent.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(PoisonError::into_inner)
}

/// Creates a broadcast channel keeping the last `capacity` values for slow receivers.
///
/// `capacity` is clamped into `1..=MAX_CAPACITY` (0 gives 1), never a panic.
///
/// ```
/// let (tx, mut rx) = corio_sync::broadcast::channel(2);
/// assert_eq!(tx.send(10), Ok(1)); // one receiver got it
/// assert_eq!(rx.try_recv(), Ok(10));
/// ```
pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let capacity = capacity.clamp(1, MAX_CAPACITY);
    let slots = (0..capacity)
        .map(|_| {
            RwLock::new(Slot {
                pos: 0,
                value: None,
            })
        })
        .collect();
    let shared = Arc::new(Shared {
        slots,
        tail: Mutex::new(Tail {
            pos: 0,
            idx: 0,
            rx_waiting: false,
        }),
        written: AtomicU64::new(0),
        closed: AtomicBool::new(false),
        receivers: AtomicUsize::new(1),
        senders: AtomicUsize::new(1),
        event: Event::new(),
    });
    let rx = Receiver {
        shared: shared.clone(),
        next: 0,
        idx: 0,
        listener: None,
    };
    (Sender { shared }, rx)
}

impl<T> Shared<T> {
    fn capacity(&self) -> usize {
        self.slots.len()
    }

    fn subscribe(self: &Arc<Self>) -> Receiver<T> {
        let tail = lock(&self.tail);
        // Counted under the lock, so a send that follows sees this receiver.
        self.receivers.fetch_add(1, Ordering::Relaxed);
        Receiver {
            shared: self.clone(),
            next: tail.pos,
            idx: tail.idx,
            listener: None,
        }
    }
}

/// Sends values to every receiver. Clone it for more senders; the channel closes when the
/// last one is dropped.
///
/// ```
/// use corio_sync::broadcast::{self, RecvError};
///
/// futures_lite::future::block_on(async {
///     let (news, mut reader) = broadcast::channel(8);
///     let sports = news.clone();
///     news.send("election").unwrap();
///     sports.send("final score").unwrap();
///     drop((news, sports));
///     assert_eq!(reader.recv().await, Ok("election"));
///     assert_eq!(reader.recv().await, Ok("final score"));
///     // The last sender is gone: the stream of news is over.
///     assert_eq!(reader.recv().await, Err(RecvError::Closed));
/// });
/// ```
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    /// Sends `value` to every current receiver, returning how many there are. Never
    /// waits: if the ring is full, the oldest value is overwritten.
    ///
    /// Fails, handing the value back, if there are no receivers.
    ///
    /// ```
    /// let (tx, rx) = corio_sync::broadcast::channel(4);
    /// let _rx2 = tx.subscribe();
    /// assert_eq!(tx.send("x"), Ok(2));
    /// drop(rx);
    /// drop(_rx2);
    /// assert!(tx.send("y").is_err());
    /// ```
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        let shared = &*self.shared;
        let mut tail = lock(&shared.tail);
        let receivers = shared.receivers.load(Ordering::Relaxed);
        if receivers == 0 {
            return Err(SendError(value));
        }
        let pos = tail.pos;
        let old = {
            let mut slot = write(&shared.slots[tail.idx]);
            slot.pos = pos;
            slot.value.replace(value)
        };
        tail.pos = pos + 1;
        tail.idx = if tail.idx + 1 == shared.capacity() {
            0
        } else {
            tail.idx + 1
        };
        shared.written.store(pos + 1, Ordering::Release);
        let wake = std::mem::take(&mut tail.rx_waiting);
        drop(tail);
        // Outside both locks: the overwritten value's `Drop` may take its time.
        drop(old);
        if wake {
            // Every waiting receiver must look: notify all (a receiver notified earlier
            // but not yet run needs no second one, hence not `additional`).
            shared.event.notify(usize::MAX);
        }
        Ok(receivers)
    }

    /// A new receiver, seeing the values sent from now on.
    ///
    /// ```
    /// let (tx, _rx) = corio_sync::broadcast::channel(4);
    /// tx.send(1).unwrap();
    /// let mut late = tx.subscribe();
    /// tx.send(2).unwrap();
    /// assert_eq!(late.try_recv(), Ok(2));
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        self.shared.subscribe()
    }

    /// How many receivers there are.
    ///
    /// ```
    /// let (tx, rx) = corio_sync::broadcast::channel::<u8>(4);
    /// assert_eq!(tx.receiver_count(), 1);
    /// drop(rx);
    /// assert_eq!(tx.receiver_count(), 0);
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.shared.receivers.load(Ordering::Relaxed)
    }

    /// How many values the ring keeps for slow receivers (after clamping).
    ///
    /// ```
    /// let (tx, _rx) = corio_sync::broadcast::channel::<u8>(0);
    /// assert_eq!(tx.capacity(), 1);
    /// ```
    pub fn capacity(&self) -> usize {
        self.shared.capacity()
    }

    /// Whether both senders feed the same channel.
    ///
    /// ```
    /// let (tx, _rx) = corio_sync::broadcast::channel::<u8>(4);
    /// assert!(tx.same_channel(&tx.clone()));
    /// ```
    pub fn same_channel(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.shared.senders.fetch_add(1, Ordering::Relaxed);
        Self {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if self.shared.senders.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        let mut tail = lock(&self.shared.tail);
        // Release: a receiver that sees `closed` sees every value sent before it.
        self.shared.closed.store(true, Ordering::Release);
        tail.rx_waiting = false;
        drop(tail);
        self.shared.event.notify(usize::MAX);
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("capacity", &self.shared.capacity())
            .field("receivers", &self.receiver_count())
            .finish()
    }
}

/// Receives every value sent after it subscribed, in order.
///
/// A receiver that falls more than the channel's capacity behind loses the oldest values and
/// is told how many ([`RecvError::Lagged`]); the sender never waits for it.
///
/// ```
/// use corio_sync::broadcast::{self, TryRecvError};
///
/// let (tx, mut early) = broadcast::channel(2);
/// tx.send(1).unwrap();
/// let mut late = tx.subscribe(); // sees only what is sent from now on
/// tx.send(2).unwrap();
/// tx.send(3).unwrap();
/// assert_eq!(late.try_recv(), Ok(2));
/// assert_eq!(late.try_recv(), Ok(3));
/// // `early` kept up with nothing: 1 was overwritten by 3 in the two-slot ring.
/// assert_eq!(early.try_recv(), Err(TryRecvError::Lagged(1)));
/// assert_eq!(early.try_recv(), Ok(2));
/// ```
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// The position of the next value to read.
    next: u64,
    /// `next % capacity`.
    idx: usize,
    /// Kept across polls while waiting.
    listener: Option<EventListener>,
}

impl<T: Clone> Receiver<T> {
    fn advance(&mut self) {
        self.next += 1;
        self.idx = if self.idx + 1 == self.shared.capacity() {
            0
        } else {
            self.idx + 1
        };
    }

    /// Skips to the oldest value still kept, reporting how many were lost.
    #[cold]
    fn lagged(&mut self, overwritten_at: u64) -> TryRecvError {
        let cap = self.shared.capacity() as u64;
        // The slot may be visible before `written` is: it is at least one past that slot.
        let written = self
            .shared
            .written
            .load(Ordering::Acquire)
            .max(overwritten_at + 1);
        let oldest = written - cap;
        let missed = oldest - self.next;
        self.next = oldest;
        self.idx = (oldest % cap) as usize;
        TryRecvError::Lagged(missed)
    }

    /// Takes the next value if there is one.
    ///
    /// ```
    /// use corio_sync::broadcast::{self, TryRecvError};
    ///
    /// let (tx, mut rx) = broadcast::channel(2);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send(1).unwrap();
    /// tx.send(2).unwrap();
    /// tx.send(3).unwrap();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(1)));
    /// assert_eq!(rx.try_recv(), Ok(2));
    /// assert_eq!(rx.try_recv(), Ok(3));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        // Read before the slot: once closed, every value ever sent is visible.
        let closed = self.shared.closed.load(Ordering::Acquire);
        let slot = read(&self.shared.slots[self.idx]);
        match &slot.value {
            Some(value) if slot.pos == self.next => {
                let value = value.clone();
                drop(slot);
                self.advance();
                Ok(value)
            }
            Some(_) if slot.pos > self.next => {
                let at = slot.pos;
                drop(slot);
                Err(self.lagged(at))
            }
            // Not written yet (the slot holds nothing, or an older lap).
            _ if closed => Err(TryRecvError::Closed),
            _ => Err(TryRecvError::Empty),
        }
    }

    /// Starts waiting; the caller re-checks before sleeping on the listener.
    fn register(&mut self) {
        self.listener = Some(self.shared.event.listen());
        // Under the tail mutex: either the sender that writes our next value sees the flag
        // and notifies, or our re-check (after this) sees its value.
        lock(&self.shared.tail).rx_waiting = true;
    }

    /// Polls for the next value: [`recv`](Self::recv) for hand-written futures.
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    ///
    /// let (tx, mut rx) = corio_sync::broadcast::channel(2);
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(rx.poll_recv(&mut cx).is_pending());
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Ok(1)));
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Result<T, RecvError>> {
        loop {
            match self.try_recv() {
                Ok(v) => {
                    self.listener = None;
                    return Poll::Ready(Ok(v));
                }
                Err(TryRecvError::Lagged(n)) => {
                    self.listener = None;
                    return Poll::Ready(Err(RecvError::Lagged(n)));
                }
                Err(TryRecvError::Closed) => {
                    self.listener = None;
                    return Poll::Ready(Err(RecvError::Closed));
                }
                Err(TryRecvError::Empty) => {}
            }
            match &mut self.listener {
                None => self.register(),
                Some(listener) => {
                    std::task::ready!(Pin::new(listener).poll(cx));
                    self.listener = None;
                }
            }
        }
    }

    /// Receives the next value, waiting until one is sent.
    ///
    /// Errors: [`RecvError::Lagged`] once if values were overwritten before this receiver
    /// read them (it then continues from the oldest kept), [`RecvError::Closed`] once every
    /// sender is gone and everything was read.
    ///
    /// Cancel safety: cancel-safe. A value is only consumed by the poll that returns it,
    /// and every waiting receiver is notified of each send, so a dropped `recv` takes no
    /// wake-up from anyone.
    ///
    /// ```
    /// futures_lite::future::block_on(async {
    ///     let (tx, mut rx) = corio_sync::broadcast::channel(4);
    ///     let (sent, got) = futures_lite::future::zip(
    ///         async { tx.send(7) },
    ///         rx.recv(),
    ///     )
    ///     .await;
    ///     assert_eq!((sent, got), (Ok(1), Ok(7)));
    /// });
    /// ```
    pub async fn recv(&mut self) -> Result<T, RecvError> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Receives the next value, blocking the thread until one is sent: for code outside
    /// any executor. Calling it from async code blocks that executor's thread.
    ///
    /// ```
    /// let (tx, mut rx) = corio_sync::broadcast::channel(4);
    /// std::thread::spawn(move || tx.send(1).unwrap());
    /// assert_eq!(rx.blocking_recv(), Ok(1));
    /// assert_eq!(rx.blocking_recv(), Err(corio_sync::broadcast::RecvError::Closed));
    /// ```
    pub fn blocking_recv(&mut self) -> Result<T, RecvError> {
        loop {
            match self.try_recv() {
                Ok(v) => {
                    self.listener = None;
                    return Ok(v);
                }
                Err(TryRecvError::Lagged(n)) => {
                    self.listener = None;
                    return Err(RecvError::Lagged(n));
                }
                Err(TryRecvError::Closed) => {
                    self.listener = None;
                    return Err(RecvError::Closed);
                }
                Err(TryRecvError::Empty) => {}
            }
            match self.listener.take() {
                None => self.register(),
                Some(listener) => listener.wait(),
            }
        }
    }
}

impl<T> Receiver<T> {
    /// A new receiver on the same channel, seeing the values sent from now on (not the
    /// ones this receiver has yet to read).
    ///
    /// ```
    /// let (tx, mut rx) = corio_sync::broadcast::channel(4);
    /// tx.send(1).unwrap();
    /// let mut rx2 = rx.resubscribe();
    /// tx.send(2).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(rx2.try_recv(), Ok(2));
    /// ```
    pub fn resubscribe(&self) -> Self {
        self.shared.subscribe()
    }

    /// How many values this receiver has yet to read (counting ones already overwritten).
    ///
    /// ```
    /// let (tx, rx) = corio_sync::broadcast::channel(4);
    /// tx.send(()).unwrap();
    /// assert_eq!(rx.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        let written = self.shared.written.load(Ordering::Acquire);
        usize::try_from(written.saturating_sub(self.next)).unwrap_or(usize::MAX)
    }

    /// Whether this receiver has read everything sent so far.
    ///
    /// ```
    /// let (_tx, rx) = corio_sync::broadcast::channel::<u8>(4);
    /// assert!(rx.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.shared.receivers.fetch_sub(1, Ordering::Relaxed);
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("capacity", &self.shared.capacity())
            .field("next", &self.next)
            .finish()
    }
}
