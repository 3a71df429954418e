//! Loom models of the current-thread loop's sleep (`cargo xtask loom`): the loop's half
//! ([`sleep`]) and the wakers' half ([`wake_sleeper`]) as the scheduler runs them, with a
//! loom-visible stand-in for the injector ([`Queue`]; see there for what that does and does not
//! check) and a driver on the modelled thread parker. Around them, the loop
//! ([`Loop::run_loop`]) and the main future's waker ([`Loop::wake_main`]) are restated in the
//! order `Shared::run_loop` and `MainWaker::wake_by_ref` take their steps. A lost wake-up shows
//! as a deadlock, which loom reports.

use std::sync::Arc;

use loom::sync::atomic::{AtomicBool, Ordering};
use loom::thread;

use super::{sleep, wake_sleeper};
use crate::loom_support::{CountingDriver, Queue, check};

/// The loop's state shared with its wakers.
struct Loop {
    sleeping: AtomicBool,
    /// The main future's "woken" flag (`MainWaker::woken`).
    woken: AtomicBool,
    injector: Queue<u32>,
    driver: CountingDriver,
}

impl Loop {
    fn new() -> Arc<Loop> {
        Arc::new(Loop {
            sleeping: AtomicBool::new(false),
            woken: AtomicBool::new(false),
            injector: Queue::new(),
            driver: CountingDriver::default(),
        })
    }

    /// A wake of a task from another thread: `Shared::push_new` off the loop's thread.
    fn push_remote(&self, task: u32) {
        self.injector.push(task);
        wake_sleeper(&self.sleeping, &self.driver);
    }

    /// A wake of the main future from another thread: `MainWaker::wake_by_ref`.
    fn wake_main(&self) {
        if !self.woken.swap(true, Ordering::AcqRel) {
            wake_sleeper(&self.sleeping, &self.driver);
        }
    }

    /// The loop until it has seen the main future woken `mains` times and run `tasks` tasks:
    /// poll the main future if woken, run the queued tasks, then sleep.
    fn run_loop(&self, mut mains: usize, mut tasks: usize) {
        while mains + tasks > 0 {
            if self.woken.swap(false, Ordering::Acquire) {
                mains -= 1;
            }
            while self.injector.pop().is_some() {
                tasks -= 1;
            }
            if mains + tasks > 0 && !self.woken.load(Ordering::Relaxed) {
                sleep(
                    &self.sleeping,
                    &self.woken,
                    || self.injector.is_empty(),
                    &self.driver,
                );
            }
        }
    }
}

/// A task pushed from another thread while the loop goes to sleep is run: the loop's re-check
/// after announcing its sleep sees the task, or the pusher sees the announcement and unparks
/// the driver. At most one unpark is left over (a pusher that saw the announcement of a sleep
/// the loop then skipped).
#[test]
fn remote_push_vs_the_loop_going_to_sleep() {
    check(|| {
        let lp = Loop::new();
        let pusher = {
            let lp = lp.clone();
            thread::spawn(move || lp.push_remote(1))
        };
        lp.run_loop(0, 1);
        pusher.join().unwrap();
        assert!(lp.driver.unparks() <= lp.driver.waits() + 1);
    });
}

/// The main future woken from another thread while the loop goes to sleep is polled: the
/// flag and `sleeping` are plain relaxed accesses, ordered only by the two SeqCst fences.
#[test]
fn main_wake_vs_the_loop_going_to_sleep() {
    check(|| {
        let lp = Loop::new();
        let waker = {
            let lp = lp.clone();
            thread::spawn(move || lp.wake_main())
        };
        lp.run_loop(1, 0);
        waker.join().unwrap();
    });
}

/// A task and a main-future wake from two threads, racing the loop and each other (one may
/// consume the other's `sleeping`): the loop sees both.
#[test]
fn two_remote_wakes_vs_the_loop() {
    check(|| {
        let lp = Loop::new();
        let pusher = {
            let lp = lp.clone();
            thread::spawn(move || lp.push_remote(1))
        };
        let waker = {
            let lp = lp.clone();
            thread::spawn(move || lp.wake_main())
        };
        lp.run_loop(1, 1);
        pusher.join().unwrap();
        waker.join().unwrap();
    });
}
