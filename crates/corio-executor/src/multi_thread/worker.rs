//! One worker thread's loop.

use std::hint::spin_loop;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use async_task::Runnable;

use super::{MAINTENANCE_INTERVAL, MAX_LIFO_RUNS, Shared, idle, park};
use crate::context;
use crate::meta::Meta;
use crate::scheduler::{Scheduler, run_task, xorshift64};

/// Rounds of steal attempts (with growing pauses) before a searcher parks: parking and being
/// woken costs tens of microseconds, a round a fraction of one.
const SPIN_ROUNDS: u32 = 4;

pub(super) fn run(shared: Arc<Shared>, idx: usize) {
    let _driver = shared.driver.enter();
    let enter = context::enter(Scheduler::Multi(shared.clone()), idx);
    let mut w = Worker {
        shared: &shared,
        idx,
        tick: 0,
        lifo_runs: 0,
        searching: false,
        rng: 0x9E37_79B9_7F4A_7C15 ^ (idx as u64 + 1).wrapping_mul(0xBF58_476D_1CE4_E5B9),
    };
    w.run();
    // Hand back the task in the LIFO slot so shutdown can drop it.
    if let Some(r) = context::take_lifo() {
        shared.push_remote(r);
    }
    drop(enter);
}

struct Worker<'a> {
    shared: &'a Shared,
    idx: usize,
    tick: u32,
    lifo_runs: u32,
    searching: bool,
    rng: u64,
}

impl Worker<'_> {
    fn run(&mut self) {
        while !self.shared.stopping.load(Ordering::Acquire) {
            if let Some(r) = self.next_task() {
                self.run_task(r);
            } else if let Some(r) = self.search() {
                self.run_task(r);
            } else {
                self.park();
            }
        }
    }

    fn run_task(&mut self, r: Runnable<Meta>) {
        if self.searching {
            self.searching = false;
            idle::stop_searching(self.shared);
        }
        run_task(&self.shared.registry, r);
    }

    fn next_task(&mut self) -> Option<Runnable<Meta>> {
        let sh = self.shared;
        self.tick = self.tick.wrapping_add(1);
        if self.tick.is_multiple_of(MAINTENANCE_INTERVAL) {
            // With nothing queued, this worker runs next whatever the look wakes: keep it
            // here, as an idle look does, instead of waking a sleeper (a cross-core wake)
            // for work this worker is about to take; wake one only for the surplus.
            let idle = sh.workers[self.idx].queue.is_empty();
            self.poll_driver(idle);
            if idle && !sh.workers[self.idx].queue.is_empty() {
                sh.notify_parked();
            }
            if let Ok(r) = sh.injector.pop() {
                return Some(r);
            }
        }
        if let Some(r) = context::take_lifo() {
            if self.lifo_runs < MAX_LIFO_RUNS {
                self.lifo_runs += 1;
                return Some(r);
            }
            // Enough ping-pong: the queue gets a turn.
            sh.push_local(self.idx, r);
        }
        self.lifo_runs = 0;
        sh.workers[self.idx]
            .queue
            .pop()
            .ok()
            .or_else(|| sh.injector.pop().ok())
    }

    /// Looks at I/O and timers without waiting, if no other worker is in the driver. An
    /// `idle` worker keeps what this wakes (its LIFO slot, then its queue; see
    /// `Shared::schedule`); a busy one queues it for whoever is free.
    fn poll_driver(&self, idle: bool) {
        let sh = self.shared;
        if sh
            .driver_busy
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            let look = || sh.driver.park(Some(Duration::ZERO));
            if idle {
                park::idle_driver_wait(look);
            } else {
                look();
            }
            sh.driver_busy.store(false, Ordering::Release);
        }
    }

    fn search(&mut self) -> Option<Runnable<Meta>> {
        let sh = self.shared;
        if !self.searching {
            if !sh.idle.start_search() {
                return sh.injector.pop().ok();
            }
            self.searching = true;
        }
        for round in 0..SPIN_ROUNDS {
            if let Some(r) = self.steal() {
                return Some(r);
            }
            if let Ok(r) = sh.injector.pop() {
                return Some(r);
            }
            // I/O and timers already due wake their tasks only when someone polls the driver:
            // look (an epoll_wait(0), well under a microsecond) instead of spinning past them.
            self.poll_driver(true);
            if let Some(r) = context::take_lifo() {
                return Some(r);
            }
            for _ in 0..(32 << round) {
                spin_loop();
            }
        }
        None
    }

    /// Steals half of the first non-empty queue, starting at a random victim.
    fn steal(&mut self) -> Option<Runnable<Meta>> {
        let sh = self.shared;
        let n = sh.workers.len();
        if n < 2 {
            return None;
        }
        self.rng = xorshift64(self.rng);
        let start = (self.rng % n as u64) as usize;
        for i in 0..n {
            let v = (start + i) % n;
            if v == self.idx {
                continue;
            }
            let victim = &sh.workers[v].queue;
            let half = victim.len().div_ceil(2);
            let Ok(first) = victim.pop() else { continue };
            let mine = &sh.workers[self.idx].queue;
            for _ in 1..half {
                let Ok(r) = victim.pop() else { break };
                if let Err(e) = mine.push(r) {
                    sh.push_remote(e.into_inner());
                }
            }
            return Some(first);
        }
        None
    }

    fn park(&mut self) {
        self.searching = idle::park_worker(self.shared, self.idx, self.searching);
    }
}
