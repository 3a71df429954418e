//! A one-shot channel: one value, sent once, from one task to another.
//!
//! The counterpart of an `asyncio.Future` used to hand a result across (the sender sets it,
//! the receiver awaits it), and of `tokio::sync::oneshot`. The [`Receiver`] is itself the
//! future; dropping the [`Sender`] without sending makes it resolve to [`RecvError`].
//!
//! ```
//! use corio_sync::oneshot;
//!
//! futures_lite::future::block_on(async {
//!     let (tx, rx) = oneshot::channel();
//!     let worker = std::thread::spawn(move || tx.send(6 * 7).unwrap());
//!     assert_eq!(rx.await, Ok(42));
//!     worker.join().unwrap();
//! });
//! ```

mod error;

use std::cell::UnsafeCell;
use std::fmt;
use std::future::Future;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

pub use error::{RecvError, TryRecvError};

/// The value was written (by `send`).
const VALUE: u8 = 1;
/// The sender sent or is gone: nothing more will be written.
const TX_DONE: u8 = 2;
/// The receiver closed the channel or is gone: a value written after this is refused.
const RX_CLOSED: u8 = 4;
/// The receiver left a waker in `rx_waker`: the sender must wake it.
const RX_WAITING: u8 = 8;
/// The sender's `closed()` left a waker in `tx_waker`: the receiver must wake it.
const TX_WAITING: u8 = 16;

/// Who owns the value follows from the order of two read-modify-writes of `state`: the
/// sender's `VALUE` and the receiver's `RX_CLOSED`. `VALUE` first: delivered, the
/// receiver's. `RX_CLOSED` first: refused, the sender takes it back. Each side learns the
/// order from the previous state its own RMW returns, so no further handshake is needed.
///
/// Each side has at most one waiter (the receiver; the sender's `closed`, which takes
/// `&mut self`), so a waker slot each does, instead of an `event_listener::Event` (a
/// boxed listener and several lock round trips per wait).
struct Inner<T> {
    /// Flags in one word: two RMWs of one word are totally ordered, so of a waiter setting
    /// its `*_WAITING` flag (after storing its waker) and the other side setting
    /// `TX_DONE`/`RX_CLOSED`, one always sees the other.
    state: AtomicU8,
    /// Written once by the sender before it sets `VALUE`; then read once by its owner.
    value: UnsafeCell<MaybeUninit<T>>,
    rx_waker: Mutex<Option<Waker>>,
    tx_waker: Mutex<Option<Waker>>,
}

// SAFETY: the value moves from the sender's thread to its owner's (hence `T: Send`), and
// `state` gives it exactly one writer, then exactly one reader; nobody gets a `&T` to share.
unsafe impl<T: Send> Send for Inner<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Inner<T> {}

/// Stores `waker` in `slot` (unless an equivalent one is there), then sets `flag`; returns
/// the state before. The caller re-checks that state: set before it, the other side's
/// change is the caller's to see; set after, the other side sees the flag and wakes.
fn park(state: &AtomicU8, slot: &Mutex<Option<Waker>>, flag: u8, waker: &Waker) -> u8 {
    {
        let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
        if !slot.as_ref().is_some_and(|w| w.will_wake(waker)) {
            *slot = Some(waker.clone());
        }
    }
    state.fetch_or(flag, Ordering::AcqRel)
}

/// Wakes the waker left in `slot`, if any.
fn unpark(slot: &Mutex<Option<Waker>>) {
    let waker = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
    if let Some(waker) = waker {
        waker.wake();
    }
}

/// Wakes a thread blocked in `blocking_recv`.
struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

impl<T> Inner<T> {
    /// Moves the value out.
    ///
    /// # Safety
    ///
    /// `VALUE` is set (seen with `Acquire`), the caller owns the value by the rule above,
    /// and takes it at most once.
    unsafe fn take(&self) -> T {
        // SAFETY: the writer finished before publishing `VALUE` and never touches the
        // cell again; the caller is its one owner.
        let cell = unsafe { &*self.value.get() };
        // SAFETY: initialised by the sender before `VALUE`, and moved out only this once.
        unsafe { cell.assume_init_read() }
    }
}

/// Creates a one-shot channel.
///
/// ```
/// futures_lite::future::block_on(async {
///     let (tx, rx) = corio_sync::oneshot::channel();
///     tx.send("done").unwrap();
///     assert_eq!(rx.await, Ok("done"));
/// });
/// ```
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Arc::new(Inner {
        state: AtomicU8::new(0),
        value: UnsafeCell::new(MaybeUninit::uninit()),
        rx_waker: Mutex::new(None),
        tx_waker: Mutex::new(None),
    });
    (
        Sender {
            inner: Some(inner.clone()),
        },
        Receiver {
            inner,
            owns: Owns::Pending,
        },
    )
}

/// Sends the one value. Dropping it unsent makes the receiver resolve to [`RecvError`].
///
/// ```
/// use corio_sync::oneshot;
///
/// // A request carries the sender its answer goes back on.
/// struct Request {
///     n: u64,
///     reply: oneshot::Sender<u64>,
/// }
///
/// let (reply, answer) = oneshot::channel();
/// let request = Request { n: 6, reply };
/// let worker = std::thread::spawn(move || {
///     let Request { n, reply } = request;
///     reply.send(n * 7).unwrap();
/// });
/// assert_eq!(futures_lite::future::block_on(answer), Ok(42));
/// worker.join().unwrap();
/// ```
pub struct Sender<T> {
    /// `None` once `send` consumed it, so that `Drop` does not mark it a second time.
    inner: Option<Arc<Inner<T>>>,
}

impl<T> Sender<T> {
    fn inner(&self) -> &Inner<T> {
        self.inner.as_deref().expect("a live sender has its state")
    }

    fn rx_closed(&self) -> bool {
        self.inner().state.load(Ordering::Acquire) & RX_CLOSED != 0
    }

    /// Sends `value`; fails, handing it back, if the receiver was closed or dropped first.
    ///
    /// `Ok` means the value was delivered to the channel while the receiver was still
    /// there; the receiver may still drop it unread.
    ///
    /// ```
    /// let (tx, rx) = corio_sync::oneshot::channel();
    /// drop(rx);
    /// assert_eq!(tx.send(5), Err(5));
    /// ```
    pub fn send(mut self, value: T) -> Result<(), T> {
        let inner = self.inner.take().expect("a live sender has its state");
        if inner.state.load(Ordering::Acquire) & RX_CLOSED != 0 {
            return Err(value);
        }
        // SAFETY: only the sender writes the cell, once (`send` consumes it), and nobody
        // reads it before `VALUE` is published below.
        unsafe { (*inner.value.get()).write(value) };
        // Release: the value before the flag. Acquire: see a close that came first.
        let prev = inner.state.fetch_or(VALUE | TX_DONE, Ordering::AcqRel);
        if prev & RX_CLOSED != 0 {
            // Closed before our `VALUE`: refused, so ours to take back.
            // SAFETY: `VALUE` is ours (we set it); by the ownership rule the receiver
            // never reads it.
            return Err(unsafe { inner.take() });
        }
        if prev & RX_WAITING != 0 {
            unpark(&inner.rx_waker);
        }
        Ok(())
    }

    /// Whether the receiver was closed or dropped: a send would fail.
    ///
    /// ```
    /// let (tx, rx) = corio_sync::oneshot::channel::<u8>();
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.rx_closed()
    }

    /// Waits until the receiver is closed or dropped — for a producer that can stop
    /// working once nobody wants the result.
    ///
    /// Cancel safety: cancel-safe; it consumes nothing.
    ///
    /// ```
    /// futures_lite::future::block_on(async {
    ///     let (mut tx, rx) = corio_sync::oneshot::channel::<u8>();
    ///     futures_lite::future::zip(tx.closed(), async move { drop(rx) }).await;
    /// });
    /// ```
    pub async fn closed(&mut self) {
        std::future::poll_fn(|cx| self.poll_closed(cx)).await;
    }

    /// Polls for the receiver's close: [`closed`](Self::closed) for hand-written futures.
    ///
    /// ```
    /// use std::task::{Context, Poll, Waker};
    ///
    /// let (mut tx, rx) = corio_sync::oneshot::channel::<u8>();
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert_eq!(tx.poll_closed(&mut cx), Poll::Pending);
    /// drop(rx);
    /// assert_eq!(tx.poll_closed(&mut cx), Poll::Ready(()));
    /// ```
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.rx_closed() {
            return Poll::Ready(());
        }
        let inner = self.inner();
        if park(&inner.state, &inner.tx_waker, TX_WAITING, cx.waker()) & RX_CLOSED != 0 {
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            if inner.state.fetch_or(TX_DONE, Ordering::AcqRel) & RX_WAITING != 0 {
                unpark(&inner.rx_waker);
            }
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// What the receiver knows about the value's ownership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owns {
    /// Not closed: a value that arrives is ours.
    Pending,
    /// Closed after the value arrived: it is ours, not taken yet.
    Kept,
    /// Taken, or closed before any value (which then is the sender's): nothing for us.
    Nothing,
}

/// Receives the one value: a future resolving to it, or to [`RecvError`] if the sender
/// was dropped without sending.
///
/// Cancel safety: dropping the receiver drops the channel's only reader, so a value sent
/// afterwards is refused (the sender gets it back); one sent before is dropped with it.
/// Polling it again after it resolved gives `Err(RecvError)`.
///
/// ```
/// use corio_sync::oneshot;
/// use futures_lite::future;
///
/// future::block_on(async {
///     let (tx, rx) = oneshot::channel();
///     // The receiver is the future: race it like any other.
///     let first = future::or(rx, async {
///         tx.send("pong").unwrap();
///         future::pending().await
///     });
///     assert_eq!(first.await, Ok("pong"));
/// });
/// ```
#[must_use = "futures do nothing unless awaited; dropping the receiver refuses the value"]
pub struct Receiver<T> {
    inner: Arc<Inner<T>>,
    owns: Owns,
}

impl<T> Receiver<T> {
    /// `Some(result)` when there is an answer, `None` when it has to wait.
    fn try_take(&mut self) -> Option<Result<T, TryRecvError>> {
        match self.owns {
            Owns::Nothing => Some(Err(TryRecvError::Closed)),
            Owns::Kept => {
                self.owns = Owns::Nothing;
                // SAFETY: `Kept` means `VALUE` came before our close (seen with Acquire),
                // so the value is ours, and `Nothing` now stops a second take.
                Some(Ok(unsafe { self.inner.take() }))
            }
            Owns::Pending => {
                let state = self.inner.state.load(Ordering::Acquire);
                if state & VALUE != 0 {
                    self.owns = Owns::Nothing;
                    // SAFETY: `VALUE` seen with Acquire before any close of ours: ours, and
                    // `Nothing` now stops a second take.
                    Some(Ok(unsafe { self.inner.take() }))
                } else if state & TX_DONE != 0 {
                    Some(Err(TryRecvError::Closed))
                } else {
                    None
                }
            }
        }
    }

    /// Takes the value if it has been sent.
    ///
    /// ```
    /// use corio_sync::oneshot::{self, TryRecvError};
    ///
    /// let (tx, mut rx) = oneshot::channel();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.send(1).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(1));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed)); // taken already
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.try_take().unwrap_or(Err(TryRecvError::Empty))
    }

    /// Closes the channel: a send from now on fails and hands its value back. A value
    /// sent before can still be taken with [`try_recv`](Self::try_recv) (or by awaiting).
    ///
    /// ```
    /// use corio_sync::oneshot::{self, TryRecvError};
    ///
    /// let (tx, mut rx) = oneshot::channel();
    /// rx.close();
    /// assert_eq!(tx.send(1), Err(1));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    pub fn close(&mut self) {
        if self.owns != Owns::Pending {
            return;
        }
        let prev = self.inner.state.fetch_or(RX_CLOSED, Ordering::AcqRel);
        // Acquire: if the value came first, its contents are visible and it is ours.
        self.owns = if prev & VALUE != 0 {
            Owns::Kept
        } else {
            Owns::Nothing
        };
        if prev & TX_WAITING != 0 {
            unpark(&self.inner.tx_waker);
        }
    }

    /// Waits for the value, blocking the thread: for code outside any executor. Calling it
    /// from async code blocks that executor's thread.
    ///
    /// ```
    /// let (tx, rx) = corio_sync::oneshot::channel();
    /// std::thread::spawn(move || tx.send("hi").unwrap());
    /// assert_eq!(rx.blocking_recv(), Ok("hi"));
    /// ```
    pub fn blocking_recv(mut self) -> Result<T, RecvError> {
        let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
        loop {
            if let Some(out) = self.try_take() {
                return out.map_err(|_| RecvError);
            }
            if park(&self.inner.state, &self.inner.rx_waker, RX_WAITING, &waker) & (VALUE | TX_DONE)
                == 0
            {
                // Unparked by the sender, or spuriously: either way, look again.
                thread::park();
            }
        }
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if let Some(out) = this.try_take() {
            return Poll::Ready(out.map_err(|_| RecvError));
        }
        let inner = &*this.inner;
        if park(&inner.state, &inner.rx_waker, RX_WAITING, cx.waker()) & (VALUE | TX_DONE) != 0 {
            // The sender finished meanwhile: the answer is there now.
            if let Some(out) = this.try_take() {
                return Poll::Ready(out.map_err(|_| RecvError));
            }
        }
        Poll::Pending
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        // Refuse later sends, and drop a value delivered but never taken.
        self.close();
        if self.owns == Owns::Kept {
            // SAFETY: `Kept`: delivered before our close, ours, not taken yet.
            drop(unsafe { self.inner.take() });
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.inner.state.load(Ordering::Relaxed);
        f.debug_struct("Receiver")
            .field("sender_done", &(state & TX_DONE != 0))
            .field("closed", &(state & RX_CLOSED != 0))
            .finish()
    }
}
