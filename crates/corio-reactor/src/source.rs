//! Per-registration readiness state: one [`Source`] per registered file descriptor.
//!
//! Each source is registered once, edge-triggered, for both directions and never re-armed.
//! Because an edge is reported only once, the readiness it announces is cached here until a
//! system call proves it stale (returns `WouldBlock`). A per-direction tick, bumped by every
//! event, makes that proof safe against events that arrive while the system call runs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

/// Index of the read direction in [`Source::dirs`].
pub(crate) const READ: usize = 0;
/// Index of the write direction in [`Source::dirs`].
pub(crate) const WRITE: usize = 1;

/// The direction is ready: an event arrived and no system call has reported `WouldBlock` since.
const READY: usize = 0b01;
/// A system call reported `WouldBlock` and no event arrived since: trying again is pointless.
const BLOCKED: usize = 0b10;
/// The poller reported a hang-up or an error, or cannot tell (sticky): end of file or an
/// error may be waiting behind the data, so a short read proves nothing.
const HUNG_UP: usize = 0b100;
/// The tick lives above the two flag bits.
const TICK_ONE: usize = 0b1000;

/// How many wakers are woken per lock acquisition; they wait on the stack, never on the heap.
const WAKE_BATCH: usize = 32;

/// Readiness state of one registered I/O source.
#[derive(Debug)]
pub(crate) struct Source {
    /// The key under which the source is registered in the poller and the reactor's registry.
    pub(crate) key: usize,
    /// Read and write directions, indexed by [`READ`] and [`WRITE`].
    dirs: [Direction; 2],
}

impl Source {
    pub(crate) fn new(key: usize) -> Source {
        Source {
            key,
            dirs: [Direction::new(), Direction::new()],
        }
    }

    /// One direction of this source ([`READ`] or [`WRITE`]).
    pub(crate) fn dir(&self, dir: usize) -> &Direction {
        &self.dirs[dir & 1]
    }

    /// Records an event from the poller and wakes whoever waits on the directions it reports.
    /// `hung_up`: the event reported a hang-up or an error, or the poller cannot tell.
    pub(crate) fn deliver(&self, readable: bool, writable: bool, hung_up: bool) {
        if readable || hung_up {
            self.dirs[READ].deliver(if hung_up { HUNG_UP } else { 0 });
        }
        if writable {
            self.dirs[WRITE].deliver(0);
        }
    }
}

/// A snapshot of a direction's state, taken before a system call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Snapshot(usize);

impl Snapshot {
    /// A `WouldBlock` was seen since the last event: the system call would block again.
    pub(crate) fn is_blocked(self) -> bool {
        self.0 & BLOCKED != 0
    }

    /// A hang-up or error was reported (or could not be ruled out) at some point.
    pub(crate) fn hung_up(self) -> bool {
        self.0 & HUNG_UP != 0
    }
}

/// Readiness of one direction (read or write) of a source.
#[derive(Debug)]
pub(crate) struct Direction {
    /// `tick << 3 | HUNG_UP | BLOCKED | READY`; changed by events (tick + 1, READY) and by
    /// [`Direction::clear`] (READY → BLOCKED when the tick is unchanged).
    state: AtomicUsize,
    /// Who to wake on the next event. Locked only on the slow (waiting) path.
    waiters: Mutex<Waiters>,
}

/// The wakers of one direction.
#[derive(Debug, Default)]
struct Waiters {
    /// Waker of `poll_readable` / `poll_writable` / `AsyncRead` / `AsyncWrite`: latest wins.
    poll: Option<Waker>,
    /// Wakers of `readable()` / `writable()` futures; each future owns a slot index.
    slots: Vec<Option<Waker>>,
    /// Slot indices no future owns; reused so that waiting does not allocate once warm.
    free: Vec<usize>,
}

impl Direction {
    fn new() -> Direction {
        Direction {
            state: AtomicUsize::new(0),
            waiters: Mutex::new(Waiters::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Waiters> {
        // Wakers are plain data; a panic elsewhere cannot leave them inconsistent.
        self.waiters.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads the state before a system call; pass it to [`Direction::clear`] on `WouldBlock`.
    pub(crate) fn snapshot(&self) -> Snapshot {
        Snapshot(self.state.load(Ordering::Acquire))
    }

    /// The number of events delivered to this direction so far (wrapping).
    #[cfg(test)]
    fn tick(&self) -> usize {
        self.state.load(Ordering::Acquire) / TICK_ONE
    }

    /// Whether an event arrived that no `WouldBlock` has contradicted yet.
    pub(crate) fn is_ready(&self) -> bool {
        self.state.load(Ordering::Acquire) & READY != 0
    }

    /// A system call that started at `before` returned `WouldBlock`: forget the readiness,
    /// unless an event arrived meanwhile (the tick moved), which keeps the direction ready.
    pub(crate) fn clear(&self, before: Snapshot) {
        let blocked = (before.0 & !READY) | BLOCKED;
        if before.0 != blocked {
            // Failure means the state moved on: a newer event, or another caller cleared it.
            let _ =
                self.state
                    .compare_exchange(before.0, blocked, Ordering::AcqRel, Ordering::Relaxed);
        }
    }

    /// Marks the direction ready with a new tick (and `flags`, sticky), then wakes every
    /// waiter.
    fn deliver(&self, flags: usize) {
        // One atomic step: a `clear` can never slip between the tick bump and the READY bit.
        let _ = self
            .state
            .fetch_update(Ordering::AcqRel, Ordering::Relaxed, |s| {
                Some(((s & !BLOCKED) | READY | flags).wrapping_add(TICK_ONE))
            });
        self.wake_all();
    }

    /// Wakes the poll waker and every future's waker, outside the lock, in stack batches.
    fn wake_all(&self) {
        let mut w = self.lock();
        // The usual case, a poll-style reader or writer: one waker, no batch.
        if w.slots.is_empty() {
            let waker = w.poll.take();
            drop(w);
            if let Some(waker) = waker {
                waker.wake();
            }
            return;
        }
        let mut batch: [Option<Waker>; WAKE_BATCH] = [const { None }; WAKE_BATCH];
        let mut len = 0;
        if let Some(waker) = w.poll.take() {
            batch[len] = Some(waker);
            len += 1;
        }
        let mut next = 0;
        loop {
            let mut done = true;
            while next < w.slots.len() {
                if len == WAKE_BATCH {
                    done = false;
                    break;
                }
                if let Some(waker) = w.slots[next].take() {
                    batch[len] = Some(waker);
                    len += 1;
                }
                next += 1;
            }
            drop(w);
            for waker in batch.iter_mut().take(len).filter_map(Option::take) {
                waker.wake();
            }
            if done {
                return;
            }
            len = 0;
            w = self.lock();
        }
    }

    /// Ready now, or stores `cx`'s waker as the single poll waker (replacing the previous one).
    pub(crate) fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<()> {
        if self.is_ready() {
            return Poll::Ready(());
        }
        let mut w = self.lock();
        // Checked again under the lock: `deliver` sets READY before it takes the wakers.
        if self.is_ready() {
            return Poll::Ready(());
        }
        match &mut w.poll {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    /// Ready now, or stores `cx`'s waker in the future's own slot (allocated on first use).
    /// A ready result frees the slot.
    pub(crate) fn poll_waiter(&self, slot: &mut Option<usize>, cx: &mut Context<'_>) -> Poll<()> {
        if self.is_ready() {
            if let Some(index) = slot.take() {
                self.lock().release(index);
            }
            return Poll::Ready(());
        }
        let mut w = self.lock();
        if self.is_ready() {
            if let Some(index) = slot.take() {
                w.release(index);
            }
            return Poll::Ready(());
        }
        let index = match *slot {
            Some(index) => index,
            None => {
                let index = w.acquire();
                *slot = Some(index);
                index
            }
        };
        match &mut w.slots[index] {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            entry => *entry = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    /// Frees a future's slot (the future was dropped while waiting).
    pub(crate) fn release(&self, index: usize) {
        self.lock().release(index);
    }
}

impl Waiters {
    fn acquire(&mut self) -> usize {
        match self.free.pop() {
            Some(index) => index,
            None => {
                self.slots.push(None);
                self.slots.len() - 1
            }
        }
    }

    fn release(&mut self, index: usize) {
        if let Some(entry) = self.slots.get_mut(index) {
            *entry = None;
            self.free.push(index);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;
    use std::task::Wake;

    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn counter() -> (Arc<Count>, Waker) {
        let c = Arc::new(Count(AtomicUsize::new(0)));
        (c.clone(), Waker::from(c))
    }

    #[test]
    fn event_during_syscall_keeps_ready() {
        let src = Source::new(0);
        let dir = src.dir(READ);
        src.deliver(true, false, false);
        let before = dir.snapshot();
        src.deliver(true, false, false); // arrives "during" the system call
        dir.clear(before);
        assert!(dir.is_ready());
        assert_eq!(dir.tick(), 2);
    }

    #[test]
    fn would_block_clears_and_blocks() {
        let src = Source::new(0);
        let dir = src.dir(WRITE);
        src.deliver(false, true, false);
        let before = dir.snapshot();
        assert!(!before.is_blocked());
        dir.clear(before);
        assert!(!dir.is_ready());
        assert!(dir.snapshot().is_blocked());
        // A stale clear (older tick) after a new event changes nothing.
        src.deliver(false, true, false);
        dir.clear(before);
        assert!(dir.is_ready());
        assert!(!dir.snapshot().is_blocked());
    }

    #[test]
    fn all_waiters_woken_beyond_one_batch() {
        let src = Source::new(0);
        let dir = src.dir(READ);
        let (count, waker) = counter();
        let mut cx = Context::from_waker(&waker);
        let mut slots: Vec<Option<usize>> = vec![None; WAKE_BATCH * 2 + 3];
        for slot in &mut slots {
            assert!(dir.poll_waiter(slot, &mut cx).is_pending());
        }
        assert!(dir.poll_ready(&mut cx).is_pending());
        src.deliver(true, false, false);
        assert_eq!(count.0.load(Ordering::SeqCst), WAKE_BATCH * 2 + 4);
        for slot in &mut slots {
            assert!(dir.poll_waiter(slot, &mut cx).is_ready());
            assert!(slot.is_none());
        }
        // Every slot went back to the free list.
        assert_eq!(dir.lock().free.len(), WAKE_BATCH * 2 + 3);
    }

    #[test]
    fn poll_waker_latest_wins() {
        let src = Source::new(0);
        let dir = src.dir(READ);
        let (first, w1) = counter();
        let (second, w2) = counter();
        assert!(dir.poll_ready(&mut Context::from_waker(&w1)).is_pending());
        assert!(dir.poll_ready(&mut Context::from_waker(&w2)).is_pending());
        src.deliver(true, true, false);
        assert_eq!(first.0.load(Ordering::SeqCst), 0);
        assert_eq!(second.0.load(Ordering::SeqCst), 1);
    }
}
