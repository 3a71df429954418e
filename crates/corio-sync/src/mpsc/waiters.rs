//! A wait list with a lock-free "is anybody parked?" check in front of it.
//!
//! `event_listener::Event::notify` takes a mutex on every call, even when nobody listens,
//! which would cost more than a whole send or receive. So each [`Waiters`] keeps a count of
//! parked listeners that no notification has been aimed at yet ("unclaimed"), and the
//! hot path only pays for a fence and a load of that count.
//!
//! The count and the channel state form a Dekker pair: a waiter publishes itself (count
//! += 1) and then re-checks the channel; a notifier publishes its change and then reads
//! the count. A `SeqCst` fence between the write and the read on both sides guarantees at
//! least one of them sees the other, so a waiter either finds the change itself or gets
//! the wake-up.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering, fence};
use std::task::{Context, Poll};

use event_listener::{Event, EventListener, IntoNotification, Listener};

pub(super) struct Waiters {
    /// Parked listeners no notification has been aimed at yet. May briefly overestimate
    /// (costing one spurious wake-up, after which it is right again); never stays low while
    /// a counted waiter is unnotified.
    unclaimed: AtomicUsize,
    event: Event,
}

impl Waiters {
    pub(super) fn new() -> Self {
        Self {
            unclaimed: AtomicUsize::new(0),
            event: Event::new(),
        }
    }

    /// Wakes one parked waiter, if there is one. Call after a change that lets exactly one
    /// waiter proceed (one value pushed, one slot freed).
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
        if self.unclaimed.load(Ordering::SeqCst) != 0 {
            self.wake_one_slow();
        }
    }

    #[cold]
    fn wake_one_slow(&self) {
        // Claim one waiter, so the next change does not pay for a lock to re-notify a waiter
        // that is already woken but has not run yet.
        if self
            .unclaimed
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .is_ok()
        {
            // `additional`: every claim must reach a distinct listener. A plain `notify(1)`
            // does nothing while some other listener is notified but has not run, and the
            // claimed waiter would then sleep through the change it was meant to see.
            // `relaxed`: the fence above (or the claim's RMW) already orders the change.
            self.event.notify(1.additional().relaxed());
        }
    }

    /// Wakes every parked waiter (the channel closed).
    pub(super) fn wake_all(&self) {
        self.unclaimed.store(0, Ordering::Relaxed);
        // Not relaxed: the close that triggered this must be visible to whoever wakes.
        self.event.notify(usize::MAX);
    }

    /// Starts waiting: the caller must re-check the channel after this returns, then wait
    /// on the listener, and hand it to [`cancel`](Self::cancel) if it stops waiting before
    /// the listener completed.
    pub(super) fn register(&self) -> EventListener {
        let listener = self.event.listen();
        // `SeqCst` (and the fence): the waiter's half of the Dekker pair, the count before
        // the re-check, for both flavours of `wake_one`.
        self.unclaimed.fetch_add(1, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        listener
    }

    /// Gives up a listener that has not completed. A notification it already holds goes to
    /// the next waiter; otherwise it withdraws its own count.
    pub(super) fn cancel(&self, listener: EventListener) {
        if listener.discard() {
            // Somebody claimed us and notified: pass the wake-up on, aimed like a fresh one.
            self.wake_one_slow();
        } else {
            // Unnotified: withdraw our count. Saturating, because a notifier may have claimed
            // it just now, aiming its notification at a listener that is gone or at another
            // (which then holds it as an extra wake-up).
            let _ = self
                .unclaimed
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                    Some(n.saturating_sub(1))
                });
        }
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
