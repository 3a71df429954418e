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
//! * No lost wake-up: a producer pushes, then (SeqCst) reads `state`; a parking worker
//!   decrements `state` (SeqCst), then re-checks every queue if it was the last searcher or if
//!   every worker was awake until then ([`Idle::to_parked`]). If the producer saw a searcher,
//!   the last searcher's decrement comes later in the SeqCst order, so its re-check sees the
//!   pushed work. If the producer saw every worker awake, the first of them to park comes
//!   later and re-checks: a worker refused the search (enough others search) parks after one
//!   look at the injector, and would otherwise sleep beside the work once the searchers found
//!   theirs. Otherwise the producer sees a sleeper and nobody searching, and wakes one.
//! * A worker whose re-check finds work stays awake *as a searcher* ([`Idle::stay_searching`]),
//!   so that taking a task hands the search on like any searcher's: the producer counted on a
//!   searcher for all of the work, not only for what this worker takes.
//! * The sleeper list is under a mutex, taken only when a worker parks or is woken: never on
//!   the path of a busy runtime.
//!
//! The loom models in `loom_tests.rs` (`cargo xtask loom`) check this protocol with the worker
//! parker of `park.rs`. They found two of these rules missing, the first parker's re-check and
//! staying awake as a searcher: without either, a task could stay queued beside a sleeping
//! worker for as long as the one awake worker ran another task.

use super::park::WorkerParker;
use crate::driver::Driver;
use crate::sync::atomic::{AtomicBool, AtomicUsize, Ordering, fence};
use crate::sync::{Mutex, lock};

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

    /// Records that worker `idx` parks; true when it must look at every queue once more before
    /// sleeping: it was the last searcher, or every worker was awake (see the module docs).
    pub(crate) fn to_parked(&self, idx: usize, was_searching: bool) -> bool {
        let mut sleepers = lock(&self.sleepers);
        let dec = UNPARKED_ONE + usize::from(was_searching);
        let prev = self.state.fetch_sub(dec, Ordering::SeqCst);
        sleepers.push(idx);
        (was_searching && searching(prev) == 1) || unparked(prev) == self.workers
    }

    /// Worker `idx`, whose last look before sleeping (see [`to_parked`](Idle::to_parked)) found
    /// work, stays awake as a searcher: when it takes a task it stops searching, and so hands
    /// the search on if more work remains, as any searcher that finds work does.
    pub(crate) fn stay_searching(&self, idx: usize) {
        let mut sleepers = lock(&self.sleepers);
        if let Some(pos) = sleepers.iter().position(|&i| i == idx) {
            sleepers.swap_remove(pos);
            self.state.fetch_add(UNPARKED_ONE + 1, Ordering::SeqCst);
        }
        // Otherwise a notifier took it off the list, already counted as unparked and searching.
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

/// What the wake-up protocol needs from a runtime. The scheduler's `Shared` is the runtime;
/// the loom models (`loom_tests.rs`) implement it on a miniature one, so that they check the
/// scheduler's own sequences below ([`notify_parked`], [`stop_searching`], [`park_worker`]).
pub(super) trait Runtime {
    /// The idle accounting.
    fn idle(&self) -> &Idle;
    /// Worker `idx`'s parker.
    fn parker(&self, idx: usize) -> &WorkerParker;
    /// The driver the first parker waits in.
    fn park_driver(&self) -> &dyn Driver;
    /// The "some worker waits in (or polls) the driver" flag.
    fn driver_busy(&self) -> &AtomicBool;
    /// Whether any queue a searcher could take from holds work.
    fn has_work(&self) -> bool;
    /// Whether worker `idx`'s own queue holds work.
    fn has_local_work(&self, idx: usize) -> bool;
    /// Whether the workers are being stopped.
    fn stopping(&self) -> bool;
}

/// Wakes a sleeping worker if work became stealable and nobody is searching.
pub(super) fn notify_parked(rt: &impl Runtime) {
    if let Some(idx) = rt.idle().worker_to_notify() {
        rt.parker(idx).unpark(rt.park_driver());
    }
}

/// A searching worker found a task: it stops searching, and the last searcher hands the search
/// on while work remains to be taken.
pub(super) fn stop_searching(rt: &impl Runtime) {
    if rt.idle().end_search() && rt.has_work() {
        notify_parked(rt);
    }
}

/// Parks worker `idx`, which found no work (`searching`: as a searcher), until it is woken or
/// the workers stop. Returns whether it is searching now.
pub(super) fn park_worker(rt: &impl Runtime, idx: usize, searching: bool) -> bool {
    let idle = rt.idle();
    if idle.to_parked(idx, searching) && rt.has_work() {
        // Work arrived while this worker gave up (see `Idle::to_parked`): stay awake, searching.
        idle.stay_searching(idx);
        return true;
    }
    if rt.stopping() {
        return false;
    }
    rt.parker(idx).park(rt.park_driver(), rt.driver_busy());
    let searching = idle.unparked(idx);
    // What the driver woke during the wait went to this worker's LIFO slot and, beyond
    // one task, to its queue, unannounced (`Shared::push_local`): share that part.
    if rt.has_local_work(idx) {
        notify_parked(rt);
    }
    searching
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_wake_while_someone_searches() {
        let idle = Idle::new(3);
        assert!(idle.worker_to_notify().is_none(), "nobody sleeps");
        assert!(idle.to_parked(0, false), "the first to park re-checks");
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
    fn a_recheck_that_finds_work_keeps_searching() {
        let idle = Idle::new(2);
        assert!(idle.start_search());
        assert!(idle.to_parked(0, true), "the last searcher re-checks");
        idle.stay_searching(0);
        assert!(idle.end_search(), "still the last searcher");
        // Taken off the list by a notifier before it could stay: counted once, as searching.
        assert!(idle.to_parked(0, false));
        assert_eq!(idle.worker_to_notify(), Some(0));
        idle.stay_searching(0);
        assert!(idle.end_search());
        assert!(idle.worker_to_notify().is_none(), "nobody sleeps");
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
