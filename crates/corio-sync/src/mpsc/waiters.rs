//! A wait list with a lock-free "is anybody waiting?" check in front of it.
//!
//! `event_listener::Event::notify` takes a mutex on every call, even when nobody listens,
//! which would cost more than a whole send or receive. So each [`Waiters`] counts the waits
//! in progress, and the hot path only pays for a fence and a load of that count.
//!
//! The count and the channel state form a Dekker pair: a waiter publishes itself (count
//! += 1) and then re-checks the channel; a notifier publishes its change and then reads
//! the count. A `SeqCst` fence between the write and the read on both sides guarantees at
//! least one of them sees the other, so a waiter either finds the change itself or gets
//! the wake-up.
//!
//! Only a waiter changes its own entry in the count: it adds itself before its re-check and
//! removes itself when its wait ends, notified or not. A notifier never guesses whom it woke:
//! it asks event-listener for one *additional* listener, which is the oldest one not
//! notified yet. A second count, of notifications given and not yet ended, lets a notifier
//! skip that lock while every waiter is already woken (the common case: a woken receiver
//! has not run yet when the next value arrives).
//!
//! Why skipping is safe: the notifier reads `waiting` and then `woken`, and a waiter ending
//! a notified wait decrements `woken` before `waiting`. So a notifier that sees a waiter
//! gone also sees its notification gone, and `waiting - woken` never reads below the number
//! of counted waiters still unnotified. It may read above (a notification not yet counted),
//! which costs one notify that finds nobody new.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering, fence};
use std::task::{Context, Poll};

use event_listener::{Event, EventListener, IntoNotification, Listener};

pub(super) struct Waiters {
    /// Waits in progress: registered and not yet ended.
    waiting: AtomicUsize,
    /// Notifications given to waits not yet ended (wrapping: a waiter may end before its
    /// notifier has counted the notification).
    woken: AtomicUsize,
    event: Event,
}

impl Waiters {
    pub(super) fn new() -> Self {
        Self {
            waiting: AtomicUsize::new(0),
            woken: AtomicUsize::new(0),
            event: Event::new(),
        }
    }

    /// Wakes one waiter not woken yet, if there is one. Call after a change that lets one
    /// more waiter proceed (one value pushed, one slot freed).
    #[inline]
    pub(super) fn wake_one(&self) {
        // Orders the caller's change before the load (the notifier's half of the Dekker pair).
        fence(Ordering::SeqCst);
        self.wake_one_ordered();
    }

    /// [`wake_one`](Self::wake_one) for a caller whose change was itself a `SeqCst`
    /// operation that the waiter's re-check reads with `SeqCst`: the single order of
    /// `SeqCst` operations then does the fence's job.
    #[inline]
    pub(super) fn wake_one_ordered(&self) {
        let waiting = self.waiting.load(Ordering::SeqCst);
        if waiting == 0 {
            return;
        }
        // Read after `waiting` (see the module docs): every counted waiter already woken?
        let woken = self.woken.load(Ordering::SeqCst);
        if (waiting.wrapping_sub(woken) as isize) > 0 {
            self.notify_one();
        }
    }

    #[cold]
    fn notify_one(&self) {
        // `additional`: one more listener than those already notified. A plain `notify(1)`
        // does nothing while some listener is notified but has not run yet, and a second
        // change would then leave a second waiter asleep.
        // `relaxed`: the fence above (or the caller's `SeqCst` change) already orders it.
        if self.event.notify(1.additional().relaxed()) > 0 {
            self.woken.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// Wakes every waiter (the channel closed).
    pub(super) fn wake_all(&self) {
        // Not relaxed: the close that triggered this must be visible to whoever wakes.
        let n = self.event.notify(usize::MAX);
        self.woken.fetch_add(n, Ordering::SeqCst);
    }

    /// Starts a wait: the caller must re-check the channel after this returns, then wait on
    /// the listener, and end the wait with [`done`](Self::done) once the listener completed
    /// or with [`cancel`](Self::cancel) if it stops waiting before that.
    pub(super) fn register(&self) -> EventListener {
        let listener = self.event.listen();
        // `SeqCst` (and the fence): the waiter's half of the Dekker pair, the count before
        // the re-check, for both flavours of `wake_one`.
        self.waiting.fetch_add(1, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        listener
    }

    /// Ends a wait whose listener completed (its notification is spent).
    pub(super) fn done(&self) {
        // `woken` first, then `waiting` (see the module docs).
        self.woken.fetch_sub(1, Ordering::SeqCst);
        self.waiting.fetch_sub(1, Ordering::SeqCst);
    }

    /// Ends a wait whose listener has not completed. A notification it already holds goes
    /// to the next waiter not notified yet.
    pub(super) fn cancel(&self, listener: EventListener) {
        if listener.discard() {
            self.woken.fetch_sub(1, Ordering::SeqCst);
            self.notify_one();
        }
        self.waiting.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One registered wait in a [`Waiters`], as a future (or [`wait`](Self::wait) for threads).
/// Dropping it before it completed passes on a notification it holds.
pub(super) struct Parked<'a> {
    waiters: &'a Waiters,
    /// `None` once completed: the notification is then spent.
    listener: Option<EventListener>,
}

impl<'a> Parked<'a> {
    /// Registers; the caller must re-check the channel before waiting.
    pub(super) fn new(waiters: &'a Waiters) -> Self {
        Self {
            waiters,
            listener: Some(waiters.register()),
        }
    }
}

impl Future for Parked<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(listener) = &mut self.listener {
            std::task::ready!(Pin::new(listener).poll(cx));
            self.listener = None;
            self.waiters.done();
        }
        Poll::Ready(())
    }
}

impl Drop for Parked<'_> {
    fn drop(&mut self) {
        if let Some(listener) = self.listener.take() {
            self.waiters.cancel(listener);
        }
    }
}
