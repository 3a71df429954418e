//! The FIFO permit counter behind [`Mutex`](crate::Mutex), [`RwLock`](crate::RwLock) and
//! [`Semaphore`](crate::Semaphore).
//!
//! One atomic word holds the free permits and a `QUEUED` bit. While nobody waits, acquire
//! and release are one compare-and-swap each. Once someone waits, released permits are
//! handed straight to the waiter at the head of the queue (strict FIFO, no barging): the
//! word then holds no permits, so a newcomer cannot take them on the fast path.
//!
//! Waiters live in a slab behind a `std::sync::Mutex`, linked by index. The acquire
//! future owns its slot until it has seen the outcome, so a hand-off to a future that is
//! dropped before it runs again is not lost: the drop gives the permits back, and they go
//! to the next waiter.

use std::future::Future;
use std::pin::Pin;
use std::sync::PoisonError;
use std::task::{Context, Poll, Waker};

// tests/loom.rs compiles this file again with loom's types to model it.
#[cfg(all(test, corio_loom))]
use loom::sync::{Mutex, MutexGuard, atomic::AtomicUsize};
use std::sync::atomic::Ordering;
#[cfg(not(all(test, corio_loom)))]
use std::sync::{Mutex, MutexGuard, atomic::AtomicUsize};

/// Set while the waiter queue is non-empty; then the word holds no permits.
const QUEUED: usize = 1;
/// One permit, in the units of the state word.
const ONE: usize = 2;
/// The most permits a counter may hold: leaves headroom so no addition can overflow.
pub(crate) const MAX_PERMITS: usize = usize::MAX >> 3;
/// No slot / end of list.
const NIL: usize = usize::MAX;

pub(crate) struct Permits {
    state: AtomicUsize,
    waiters: Mutex<Waiters>,
}

struct Waiters {
    nodes: Vec<Node>,
    free: Vec<usize>,
    head: Option<usize>,
    tail: Option<usize>,
}

struct Node {
    wanted: usize,
    /// Permits already handed to this waiter (only the head can hold a part).
    got: usize,
    state: Slot,
    waker: Option<Waker>,
    prev: usize,
    next: usize,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Free,
    Waiting,
    Granted,
}

/// Wakers collected under the lock and woken after it is released.
#[derive(Default)]
struct Wakes {
    first: Option<Waker>,
    rest: Vec<Waker>,
}

impl Wakes {
    fn push(&mut self, w: Waker) {
        if self.first.is_none() {
            self.first = Some(w);
        } else {
            self.rest.push(w);
        }
    }

    fn wake(self) {
        if let Some(w) = self.first {
            w.wake();
        }
        self.rest.into_iter().for_each(Waker::wake);
    }
}

impl Waiters {
    const EMPTY: Waiters = Waiters {
        nodes: Vec::new(),
        free: Vec::new(),
        head: None,
        tail: None,
    };
}

impl Permits {
    #[cfg(not(all(test, corio_loom)))]
    pub(crate) const fn new(permits: usize) -> Permits {
        Permits {
            state: AtomicUsize::new(permits * ONE),
            waiters: Mutex::new(Waiters::EMPTY),
        }
    }

    /// loom's atomics cannot be built in a `const fn`.
    #[cfg(all(test, corio_loom))]
    pub(crate) fn new(permits: usize) -> Permits {
        Permits {
            state: AtomicUsize::new(permits * ONE),
            waiters: Mutex::new(Waiters::EMPTY),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Waiters> {
        // Nothing panics while the lock is held, but a poisoned lock must not wedge every
        // future user.
        self.waiters.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Free permits (0 while anyone waits).
    pub(crate) fn available(&self) -> usize {
        self.state.load(Ordering::Acquire) / ONE
    }

    /// Whether anyone waits.
    pub(crate) fn has_waiters(&self) -> bool {
        self.state.load(Ordering::Acquire) & QUEUED != 0
    }

    /// Takes `n` permits if nobody waits and `n` are free.
    #[inline]
    pub(crate) fn try_acquire(&self, n: usize) -> bool {
        let mut s = self.state.load(Ordering::Relaxed);
        loop {
            if s & QUEUED != 0 || s / ONE < n {
                return false;
            }
            match self.state.compare_exchange_weak(
                s,
                s - n * ONE,
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(now) => s = now,
            }
        }
    }

    /// Waits for `n` permits, FIFO. `n` must be at most [`MAX_PERMITS`].
    pub(crate) fn acquire(&self, n: usize) -> Acquire<'_> {
        debug_assert!(n <= MAX_PERMITS);
        Acquire {
            permits: self,
            n,
            slot: NIL,
        }
    }

    /// Gives back `n` permits: to the waiters in order, the rest to the counter.
    #[inline]
    pub(crate) fn release(&self, n: usize) {
        let mut s = self.state.load(Ordering::Relaxed);
        while s & QUEUED == 0 {
            match self.state.compare_exchange_weak(
                s,
                s + n * ONE,
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(now) => s = now,
            }
        }
        let mut wakes = Wakes::default();
        self.release_locked(&mut self.lock(), n, &mut wakes);
        wakes.wake();
    }

    /// Gives back up to `n` permits without letting the free ones (counted with the part
    /// handed to the head waiter) exceed `limit`; returns how many were given back.
    pub(crate) fn release_within(&self, n: usize, limit: usize) -> usize {
        let mut wakes = Wakes::default();
        let given = {
            let mut w = self.lock();
            let head_got = w.head.map_or(0, |h| w.nodes[h].got);
            let free = self.state.load(Ordering::Acquire) / ONE + head_got;
            let given = n.min(limit.saturating_sub(free));
            self.release_locked(&mut w, given, &mut wakes);
            given
        };
        wakes.wake();
        given
    }

    /// Hands `n` permits to the queue's head waiters, the rest to the counter.
    fn release_locked(&self, w: &mut Waiters, mut n: usize, wakes: &mut Wakes) {
        while let Some(h) = w.head {
            let node = &mut w.nodes[h];
            let need = node.wanted - node.got;
            if n < need {
                node.got += n;
                return; // Still queued: the word keeps QUEUED and no permits.
            }
            n -= need;
            node.got = node.wanted;
            node.state = Slot::Granted;
            if let Some(waker) = node.waker.take() {
                wakes.push(waker);
            }
            w.unlink(h);
        }
        // The queue is empty: clear QUEUED and store what is left. Fast paths may race
        // with this store once QUEUED is clear, hence the loop.
        let mut s = self.state.load(Ordering::Relaxed);
        loop {
            match self.state.compare_exchange_weak(
                s,
                (s & !QUEUED) + n * ONE,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(now) => s = now,
            }
        }
    }
}

impl Waiters {
    fn push_back(&mut self, node: Node) -> usize {
        let key = match self.free.pop() {
            Some(k) => {
                self.nodes[k] = node;
                k
            }
            None => {
                self.nodes.push(node);
                self.nodes.len() - 1
            }
        };
        self.nodes[key].prev = self.tail.unwrap_or(NIL);
        self.nodes[key].next = NIL;
        match self.tail {
            Some(t) => self.nodes[t].next = key,
            None => self.head = Some(key),
        }
        self.tail = Some(key);
        key
    }

    fn unlink(&mut self, key: usize) {
        let (prev, next) = (self.nodes[key].prev, self.nodes[key].next);
        match prev {
            NIL => self.head = (next != NIL).then_some(next),
            p => self.nodes[p].next = next,
        }
        match next {
            NIL => self.tail = (prev != NIL).then_some(prev),
            n => self.nodes[n].prev = prev,
        }
    }

    fn release_slot(&mut self, key: usize) {
        self.nodes[key].state = Slot::Free;
        self.nodes[key].waker = None;
        self.free.push(key);
    }
}

/// Waits for permits; resolves once they are this future's. Dropping it while queued
/// leaves the queue; dropping it after the permits were handed over gives them back.
pub(crate) struct Acquire<'a> {
    permits: &'a Permits,
    n: usize,
    /// The waiter slot while queued or granted-but-unseen.
    slot: usize,
}

impl Future for Acquire<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let p = self.permits;
        if self.slot == NIL {
            if self.n == 0 || p.try_acquire(self.n) {
                return Poll::Ready(());
            }
            let mut w = p.lock();
            // Under the lock QUEUED cannot change behind our back, only the permits.
            let mut s = p.state.load(Ordering::Relaxed);
            let got = loop {
                let (queued, free) = (s & QUEUED != 0, s / ONE);
                let next = match (queued, free >= self.n) {
                    (false, true) => s - self.n * ONE,
                    (false, false) => QUEUED, // Take what is free as a head start.
                    (true, _) => break 0,
                };
                match p
                    .state
                    .compare_exchange_weak(s, next, Ordering::AcqRel, Ordering::Relaxed)
                {
                    Ok(_) if next != QUEUED => return Poll::Ready(()),
                    Ok(_) => break free,
                    Err(now) => s = now,
                }
            };
            self.slot = w.push_back(Node {
                wanted: self.n,
                got,
                state: Slot::Waiting,
                waker: Some(cx.waker().clone()),
                prev: NIL,
                next: NIL,
            });
            return Poll::Pending;
        }
        let mut w = p.lock();
        let node = &mut w.nodes[self.slot];
        if node.state == Slot::Granted {
            w.release_slot(self.slot);
            self.slot = NIL;
            return Poll::Ready(());
        }
        match &mut node.waker {
            Some(old) if old.will_wake(cx.waker()) => {}
            other => *other = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        if self.slot == NIL {
            return;
        }
        let p = self.permits;
        let mut wakes = Wakes::default();
        {
            let mut w = p.lock();
            let node = &w.nodes[self.slot];
            // Either a partial head start or a whole hand-off nobody will use.
            let back = node.got;
            if node.state == Slot::Waiting {
                w.unlink(self.slot);
            }
            w.release_slot(self.slot);
            // Also clears QUEUED if this was the last waiter.
            p.release_locked(&mut w, back, &mut wakes);
        }
        wakes.wake();
    }
}

#[cfg(all(test, not(corio_loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::task::Wake;

    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn poll(f: &mut Acquire<'_>, waker: &Waker) -> bool {
        Pin::new(f).poll(&mut Context::from_waker(waker)).is_ready()
    }

    #[test]
    fn hand_off_is_fifo_and_survives_a_dropped_winner() {
        let p = Permits::new(1);
        assert!(p.try_acquire(1));
        let w = Waker::noop();
        let (mut a, mut b, mut c) = (p.acquire(1), p.acquire(1), p.acquire(1));
        assert!(!poll(&mut a, w) && !poll(&mut b, w) && !poll(&mut c, w));
        p.release(1);
        assert!(
            !p.try_acquire(1),
            "the permit went to `a`, not to a newcomer"
        );
        drop(a); // Woken, never ran: the permit passes on to `b`.
        assert!(!poll(&mut c, w), "`c` is behind `b`");
        assert!(poll(&mut b, w));
        drop(b);
        p.release(1);
        assert!(poll(&mut c, w));
        drop(c);
        p.release(1);
        assert_eq!(p.available(), 1);
        assert!(!p.has_waiters());
    }

    #[test]
    fn a_large_request_at_the_head_collects_permits_and_returns_them_when_dropped() {
        let p = Permits::new(2);
        let counter = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(counter.clone());
        let mut big = p.acquire(3);
        assert!(!poll(&mut big, &waker));
        let mut small = p.acquire(1);
        assert!(!poll(&mut small, Waker::noop()), "no barging past the head");
        assert_eq!(p.available(), 0);
        drop(big);
        assert!(
            poll(&mut small, Waker::noop()),
            "the head start went to the next waiter"
        );
        drop(small);
        p.release(1);
        assert_eq!(p.available(), 2);
        assert_eq!(counter.0.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn release_within_caps_the_free_permits() {
        let p = Permits::new(1);
        assert_eq!(p.release_within(1, 1), 0);
        assert!(p.try_acquire(1));
        assert_eq!(p.release_within(2, 1), 1);
        assert_eq!(p.available(), 1);
    }
}
