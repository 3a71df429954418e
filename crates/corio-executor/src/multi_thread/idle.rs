//! Which workers are awake, which are searching for work, and which sleep.
//!
//! The protocol (after tokio's): `state` packs the number of searching workers (low 16 bits)
//! and of unparked workers (the rest). A worker with no work becomes *searching* (at most half
//! of the workers search at once), spins through steal attempts, then parks.
//!
//! * Whoever makes work stealable (a push to a local queue or the injector) calls
//!   [`Idle::worker_to_notify`]: it wakes one sleeper only if **no worker is searching** and
//!   someone sleeps. A searcher will find the work, so one wake at a time suffices: no storm.
//! * A searcher that finds work stops searching; if it was the last searcher and work remains
//!   visible, it wakes another sleeper, which searches in turn.
//! * No lost wake-up: a producer pushes, then (SeqCst) reads `state`; a parking searcher
//!   decrements `state` (SeqCst), then, if it was the last searcher, re-checks every queue.
//!   If the producer saw a searcher, that searcher's decrement comes later in the SeqCst order,
//!   so its re-check sees the pushed work and it stays awake. Otherwise the producer sees
//!   nobody searching and wakes a sleeper itself.
//! * The sleeper list is under a mutex, taken only when a worker parks or is woken: never on
//!   the path of a busy runtime.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering, fence};

use crate::parker::lock;

const UNPARKED_ONE: usize = 1 << 16;
const SEARCHING_MASK: usize = UNPARKED_ONE - 1;

pub(crate) struct Idle {
    state: AtomicUsize,
    sleepers: Mutex<Vec<usize>>,
    workers: usize,
}

fn searching(state: usize) -> usize {
    state & SEARCHING_MASK
}

fn unparked(state: usize) -> usize {
    state >> 16
}

impl Idle {
    pub(crate) fn new(workers: usize) -> Idle {
        Idle {
            state: AtomicUsize::new(workers * UNPARKED_ONE),
            sleepers: Mutex::new(Vec::with_capacity(workers)),
            workers,
        }
    }

    /// Tries to become a searcher; refused when half the workers already search.
    pub(crate) fn start_search(&self) -> bool {
        let s = self.state.load(Ordering::SeqCst);
        if 2 * searching(s) >= self.workers {
            return false;
        }
        self.state.fetch_add(1, Ordering::SeqCst);
        true
    }

    /// Stops searching; true when this was the last searcher.
    pub(crate) fn end_search(&self) -> bool {
        searching(self.state.fetch_sub(1, Ordering::SeqCst)) == 1
    }

    fn should_wake(&self) -> bool {
        let s = self.state.load(Ordering::SeqCst);
        searching(s) == 0 && unparked(s) < self.workers
    }

    /// A sleeper to wake after work was made stealable, counted as unparked and searching;
    /// `None` when someone searches already or nobody sleeps.
    pub(crate) fn worker_to_notify(&self) -> Option<usize> {
        fence(Ordering::SeqCst);
        if !self.should_wake() {
            return None;
        }
        let mut sleepers = lock(&self.sleepers);
        if !self.should_wake() {
            return None;
        }
        let idx = sleepers.pop()?;
        self.state.fetch_add(UNPARKED_ONE + 1, Ordering::SeqCst);
        Some(idx)
    }

    /// Records that worker `idx` parks; true when it was the last searcher (it must then look
    /// at every queue once more before sleeping).
    pub(crate) fn to_parked(&self, idx: usize, was_searching: bool) -> bool {
        let mut sleepers = lock(&self.sleepers);
        let dec = UNPARKED_ONE + usize::from(was_searching);
        let prev = self.state.fetch_sub(dec, Ordering::SeqCst);
        sleepers.push(idx);
        was_searching && searching(prev) == 1
    }

    /// Worker `idx` is awake again. Returns true when it was woken by
    /// [`worker_to_notify`](Idle::worker_to_notify) (and so counts as searching); false when it
    /// woke by itself and took itself off the sleeper list.
    pub(crate) fn unparked(&self, idx: usize) -> bool {
        let mut sleepers = lock(&self.sleepers);
        match sleepers.iter().position(|&i| i == idx) {
            Some(pos) => {
                sleepers.swap_remove(pos);
                self.state.fetch_add(UNPARKED_ONE, Ordering::SeqCst);
                false
            }
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_wake_while_someone_searches() {
        let idle = Idle::new(3);
        assert!(idle.worker_to_notify().is_none(), "nobody sleeps");
        assert!(!idle.to_parked(0, false));
        assert!(!idle.to_parked(1, false));
        let first = idle.worker_to_notify().unwrap();
        assert!(
            idle.worker_to_notify().is_none(),
            "the woken worker searches"
        );
        assert!(idle.unparked(first), "woken by a notify: searching");
        assert!(idle.end_search());
        let second = idle.worker_to_notify().unwrap();
        assert_ne!(first, second);
    }

    #[test]
    fn last_searcher_is_told() {
        let idle = Idle::new(2);
        assert!(idle.start_search());
        assert!(!idle.start_search(), "at most half search");
        assert!(idle.to_parked(0, true));
        assert!(!idle.unparked(0), "woke by itself");
    }
}
