//! The state one mpsc channel's handles share, and the receiving half's logic (common to
//! the bounded and the unbounded receiver).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering, fence};
use std::task::{Context, Poll};

use concurrent_queue::{ConcurrentQueue, PopError, PushError};
use event_listener::{Event, EventListener, Listener};

use super::error::{TryRecvError, TrySendError};
use super::ring::Ring;
use super::waiters::Waiters;

/// A channel's buffer: the bounded [`Ring`] or an unbounded `ConcurrentQueue`.
///
/// Closing it is how the channel closes, from either side: pushes then fail and pops drain
/// what is left before reporting `Closed`.
pub(super) trait Buffer<T> {
    /// Whether pushes can find it full (so senders may wait).
    const BOUNDED: bool;

    fn push(&self, value: T) -> Result<(), PushError<T>>;

    /// Orders a successful push before a `SeqCst` load of the receiver's waiting count.
    fn order_push(&self);

    /// # Safety
    ///
    /// Only one thread may pop at a time.
    unsafe fn pop(&self) -> Result<T, PopError>;

    fn close(&self) -> bool;
    fn is_closed(&self) -> bool;
    fn len(&self) -> usize;
    fn capacity(&self) -> Option<usize>;
}

impl<T> Buffer<T> for Ring<T> {
    const BOUNDED: bool = true;

    #[inline]
    fn push(&self, value: T) -> Result<(), PushError<T>> {
        Ring::push(self, value)
    }

    #[inline]
    fn order_push(&self) {
        // Nothing: the push was a `SeqCst` RMW (see `Ring::push`).
    }

    #[inline]
    unsafe fn pop(&self) -> Result<T, PopError> {
        // SAFETY: the caller pops from one thread at a time.
        unsafe { Ring::pop(self) }
    }

    fn close(&self) -> bool {
        Ring::close(self)
    }
    fn is_closed(&self) -> bool {
        Ring::is_closed(self)
    }
    fn len(&self) -> usize {
        Ring::len(self)
    }
    fn capacity(&self) -> Option<usize> {
        Some(Ring::capacity(self))
    }
}

impl<T> Buffer<T> for ConcurrentQueue<T> {
    const BOUNDED: bool = false;

    #[inline]
    fn push(&self, value: T) -> Result<(), PushError<T>> {
        ConcurrentQueue::push(self, value)
    }

    #[inline]
    fn order_push(&self) {
        // Its orderings are not part of its API: pay for a fence.
        fence(Ordering::SeqCst);
    }

    #[inline]
    unsafe fn pop(&self) -> Result<T, PopError> {
        ConcurrentQueue::pop(self)
    }

    fn close(&self) -> bool {
        ConcurrentQueue::close(self)
    }
    fn is_closed(&self) -> bool {
        ConcurrentQueue::is_closed(self)
    }
    fn len(&self) -> usize {
        ConcurrentQueue::len(self)
    }
    fn capacity(&self) -> Option<usize> {
        ConcurrentQueue::capacity(self)
    }
}

pub(super) struct Chan<T, B> {
    queue: B,
    _values: std::marker::PhantomData<fn(T) -> T>,
    /// Live sender handles; the last one to go closes the queue.
    senders: AtomicUsize,
    /// The receiver waits here for a value.
    recv_ops: Waiters,
    /// Senders wait here for a free slot.
    send_ops: Waiters,
    /// `closed()` waits here for the receiver to close.
    closed_ops: Event,
}

impl<T, B: Buffer<T>> Chan<T, B> {
    pub(super) fn new(queue: B) -> Arc<Self> {
        Arc::new(Self {
            queue,
            _values: std::marker::PhantomData,
            senders: AtomicUsize::new(1),
            recv_ops: Waiters::new(),
            send_ops: Waiters::new(),
            closed_ops: Event::new(),
        })
    }

    #[inline]
    pub(super) fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        match self.queue.push(value) {
            Ok(()) => {
                self.queue.order_push();
                self.recv_ops.wake_one_ordered();
                Ok(())
            }
            Err(PushError::Full(v)) => Err(TrySendError::Full(v)),
            Err(PushError::Closed(v)) => Err(TrySendError::Closed(v)),
        }
    }

    /// `Some(Some(v))`: a value; `Some(None)`: closed and drained; `None`: empty for now.
    ///
    /// # Safety
    ///
    /// Only the receiver pops, from one thread at a time.
    #[inline]
    unsafe fn try_pop(&self) -> Option<Option<T>> {
        // SAFETY: passed on to the caller.
        match unsafe { self.queue.pop() } {
            Ok(v) => {
                if B::BOUNDED {
                    self.send_ops.wake_one();
                }
                Some(Some(v))
            }
            Err(PopError::Empty) => None,
            Err(PopError::Closed) => Some(None),
        }
    }

    pub(super) fn send_ops(&self) -> &Waiters {
        &self.send_ops
    }

    pub(super) fn is_closed(&self) -> bool {
        self.queue.is_closed()
    }

    pub(super) fn len(&self) -> usize {
        self.queue.len()
    }

    pub(super) fn max_capacity(&self) -> Option<usize> {
        self.queue.capacity()
    }

    /// Closes the channel: every later send fails, and every waiter wakes to see it.
    fn close(&self) {
        if self.queue.close() {
            self.send_ops.wake_all();
            self.recv_ops.wake_all();
            self.closed_ops.notify(usize::MAX);
        }
    }

    pub(super) fn add_sender(&self) {
        self.senders.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn drop_sender(&self) {
        // AcqRel: the last sender's close must come after every other sender's pushes.
        if self.senders.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.close();
        }
    }

    /// Waits until the receiver has closed the channel or is gone.
    ///
    /// Cancel safety: cancel-safe; it consumes nothing and every waiter is woken by the close.
    pub(super) async fn closed(&self) {
        loop {
            if self.is_closed() {
                return;
            }
            let listener = self.closed_ops.listen();
            if self.is_closed() {
                return;
            }
            listener.await;
        }
    }
}

/// The receiving half's state: the channel and the listener of a receive that is waiting
/// (kept across polls, because `poll_recv` and `Stream` have nowhere else to keep it).
pub(super) struct Rx<T, B: Buffer<T>> {
    chan: Arc<Chan<T, B>>,
    listener: Option<EventListener>,
}

impl<T, B: Buffer<T>> Rx<T, B> {
    pub(super) fn new(chan: Arc<Chan<T, B>>) -> Self {
        Self {
            chan,
            listener: None,
        }
    }

    pub(super) fn chan(&self) -> &Chan<T, B> {
        &self.chan
    }

    /// Stops waiting, handing a notification the listener may hold back to the channel.
    #[inline]
    fn unpark(&mut self) {
        if let Some(listener) = self.listener.take() {
            self.chan.recv_ops.cancel(listener);
        }
    }

    #[inline]
    pub(super) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        loop {
            // SAFETY: `Rx` is the one receiver, and `&mut self` keeps it on one thread.
            if let Some(out) = unsafe { self.chan.try_pop() } {
                self.unpark();
                return Poll::Ready(out);
            }
            match &mut self.listener {
                None => self.listener = Some(self.chan.recv_ops.register()),
                Some(listener) => {
                    // Notified: the notification is spent; end the wait and look again.
                    std::task::ready!(Pin::new(listener).poll(cx));
                    self.listener = None;
                    self.chan.recv_ops.done();
                }
            }
        }
    }

    pub(super) fn try_recv(&mut self) -> Result<T, TryRecvError> {
        // SAFETY: `Rx` is the one receiver, and `&mut self` keeps it on one thread.
        match unsafe { self.chan.try_pop() } {
            Some(Some(v)) => Ok(v),
            Some(None) => Err(TryRecvError::Disconnected),
            None => Err(TryRecvError::Empty),
        }
    }

    pub(super) fn blocking_recv(&mut self) -> Option<T> {
        loop {
            // SAFETY: `Rx` is the one receiver, and `&mut self` keeps it on one thread.
            if let Some(out) = unsafe { self.chan.try_pop() } {
                self.unpark();
                return out;
            }
            match self.listener.take() {
                None => self.listener = Some(self.chan.recv_ops.register()),
                Some(listener) => {
                    listener.wait();
                    self.chan.recv_ops.done();
                }
            }
        }
    }

    pub(super) fn close(&mut self) {
        self.chan.close();
    }
}

impl<T, B: Buffer<T>> Drop for Rx<T, B> {
    fn drop(&mut self) {
        self.unpark();
        self.chan.close();
        // Drop the buffered values now rather than when the last sender goes.
        // SAFETY: `Rx` is the one receiver, and `&mut self` keeps it on one thread.
        while unsafe { self.chan.queue.pop() }.is_ok() {}
    }
}

impl<T, B: Buffer<T>> fmt::Debug for Chan<T, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chan")
            .field("len", &self.queue.len())
            .field("capacity", &self.queue.capacity())
            .field("closed", &self.queue.is_closed())
            .field("senders", &self.senders.load(Ordering::Relaxed))
            .finish()
    }
}

impl<T, B: Buffer<T>> fmt::Debug for Rx<T, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.chan, f)
    }
}
