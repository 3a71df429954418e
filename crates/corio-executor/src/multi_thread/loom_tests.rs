//! Loom models of the multi-thread scheduler's sleep/wake protocol (`cargo xtask loom`).
//!
//! What runs is the scheduler's own code: the worker parker ([`WorkerParker`]), the idle
//! accounting ([`Idle`]) and the sequences built on them ([`idle::notify_parked`],
//! [`idle::stop_searching`], [`idle::park_worker`]), on a miniature runtime ([`Mini`]) whose
//! queues are loom-visible stand-ins ([`Queue`]; see there for what that does and does not
//! check) and whose driver sleeps on the modelled thread parker. Only the worker loop around
//! them ([`work`]) is restated here, in the order `worker.rs` takes its steps; tasks are tokens,
//! not async-task tasks.
//!
//! Not modelled:
//! * the LIFO slot: a thread-local `Cell` of its worker, which no other thread reaches (wakes
//!   from elsewhere go to the queues), so it has no interleavings to explore;
//! * the local queues themselves: concurrent-queue's own loom tests cover them, and what we add
//!   (stealing half, overflowing to the injector) is single-threaded arithmetic around its
//!   linearizable push/pop;
//! * async-task's state machine and the `Shared::schedule` routing (thread-locals, runnables):
//!   the wake-up reaches this protocol as a queue push followed by `notify_parked`, which is
//!   what the models do;
//! * the driver's events: the models' driver has none, so neither the wakes a worker
//!   dispatches inside its driver wait (which it keeps for itself, unannounced) nor a
//!   searcher's zero-timeout looks at the driver are modelled. Workers do sleep in that driver
//!   and are unparked through it.
//!
//! A lost wake-up shows as a deadlock (every thread blocked, the task still queued), which
//! loom reports.

use std::sync::Arc;

use loom::sync::atomic::{AtomicBool, Ordering};
use loom::thread;

use super::idle::{self, Idle, Runtime};
use super::park::WorkerParker;
use crate::driver::Driver;
use crate::loom_support::{CountingDriver, Queue, check};
use crate::parker::Parker;

/// A task of the models.
#[derive(Debug)]
enum Task {
    /// Stops the workers, as `Shared::shutdown` does: the flag, then an unpark for each worker
    /// and one for the driver.
    Stop,
    /// Releases whoever waits on [`Mini::released`].
    Release,
    /// Waits (blocking its worker) until a `Release` task has run, then stops the workers.
    AwaitReleaseThenStop,
}

/// The parts of a multi-thread runtime the protocol touches.
struct Mini {
    idle: Idle,
    parkers: Box<[WorkerParker]>,
    queues: Box<[Queue<Task>]>,
    injector: Queue<Task>,
    driver: CountingDriver,
    driver_busy: AtomicBool,
    stopping: AtomicBool,
    released: Parker,
}

impl Mini {
    fn new(workers: usize) -> Arc<Mini> {
        Arc::new(Mini {
            idle: Idle::new(workers),
            parkers: (0..workers).map(|_| WorkerParker::default()).collect(),
            queues: (0..workers).map(|_| Queue::new()).collect(),
            injector: Queue::new(),
            driver: CountingDriver::default(),
            driver_busy: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
            released: Parker::default(),
        })
    }

    /// A push from outside the workers (`Shared::push_remote`).
    fn push_remote(&self, task: Task) {
        self.injector.push(task);
        idle::notify_parked(self);
    }

    /// A push by worker `idx`, not from inside a driver wait (`Shared::push_local`).
    fn push_local(&self, idx: usize, task: Task) {
        self.queues[idx].push(task);
        idle::notify_parked(self);
    }

    fn run(&self, task: Task) {
        match task {
            Task::Stop => self.stop(),
            Task::Release => self.released.unpark(),
            Task::AwaitReleaseThenStop => {
                self.released.park(None);
                self.stop();
            }
        }
    }

    /// The wake-up half of `Shared::shutdown`.
    fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        for p in self.parkers.iter() {
            p.unpark(&self.driver);
        }
        self.driver.unpark();
    }
}

impl Runtime for Mini {
    fn idle(&self) -> &Idle {
        &self.idle
    }

    fn parker(&self, idx: usize) -> &WorkerParker {
        &self.parkers[idx]
    }

    fn park_driver(&self) -> &dyn Driver {
        &self.driver
    }

    fn driver_busy(&self) -> &AtomicBool {
        &self.driver_busy
    }

    fn has_work(&self) -> bool {
        !self.injector.is_empty() || self.queues.iter().any(|q| !q.is_empty())
    }

    fn has_local_work(&self, idx: usize) -> bool {
        !self.queues[idx].is_empty()
    }

    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }
}

/// Worker `idx`'s loop, step for step `Worker::run` of `worker.rs` without the LIFO slot and
/// the driver polls: its queue, the injector, a search (steal, injector), then park.
fn work(rt: &Mini, idx: usize) {
    let mut searching = false;
    while !rt.stopping.load(Ordering::Acquire) {
        let task = rt.queues[idx]
            .pop()
            .or_else(|| rt.injector.pop())
            .or_else(|| search(rt, idx, &mut searching));
        match task {
            Some(task) => {
                if searching {
                    searching = false;
                    idle::stop_searching(rt);
                }
                rt.run(task);
            }
            None => searching = idle::park_worker(rt, idx, searching),
        }
    }
}

/// One round of `Worker::search` (the real one spins through four; more rounds only look
/// again): become a searcher (or only look at the injector when refused), then steal from the
/// other workers, then the injector.
fn search(rt: &Mini, idx: usize, searching: &mut bool) -> Option<Task> {
    if !*searching {
        if !rt.idle.start_search() {
            return rt.injector.pop();
        }
        *searching = true;
    }
    let n = rt.queues.len();
    (1..n)
        .find_map(|i| rt.queues[(idx + i) % n].pop())
        .or_else(|| rt.injector.pop())
}

/// Starts worker loops `0..n` of `rt` on model threads.
fn start(rt: &Arc<Mini>, n: usize) -> Vec<thread::JoinHandle<()>> {
    (0..n)
        .map(|idx| {
            let rt = rt.clone();
            thread::spawn(move || work(&rt, idx))
        })
        .collect()
}

/// Runs `park` on a fresh worker parker while another thread unparks it once, then checks
/// what every such race must end with: the park returned, after the unpark (the permit carries
/// happens-before), and the unpark went through the driver exactly when the worker waited in
/// it. `driver_taken`: another worker already waits in the driver, so this one takes its
/// condvar.
fn park_vs_unpark(driver_taken: bool) {
    let rt = Mini::new(1);
    rt.driver_busy.store(driver_taken, Ordering::Relaxed);
    let sent = Arc::new(AtomicBool::new(false));
    let waker = thread::spawn({
        let (rt, sent) = (rt.clone(), sent.clone());
        move || {
            sent.store(true, Ordering::Relaxed);
            rt.parkers[0].unpark(&rt.driver);
        }
    });
    rt.parkers[0].park(&rt.driver, &rt.driver_busy);
    assert!(
        sent.load(Ordering::Relaxed),
        "park returned before the unpark"
    );
    waker.join().unwrap();
    assert_eq!(
        rt.driver.unparks(),
        rt.driver.waits(),
        "a driver unpark without a wait in it, or the reverse"
    );
    if driver_taken {
        assert_eq!(
            rt.driver.waits(),
            0,
            "waited in a driver another worker holds"
        );
    }
    assert_eq!(rt.driver_busy.load(Ordering::Relaxed), driver_taken);
}

/// park.rs, condvar path: a worker parking on its condvar (the driver is taken) and a
/// concurrent unpark never lose the wake-up, whatever the interleaving with the state word and
/// the mutex; the driver is not disturbed.
#[test]
fn unpark_reaches_a_worker_parking_on_its_condvar() {
    check(|| park_vs_unpark(true));
}

/// park.rs, driver path: a worker parking in the driver and a concurrent unpark never lose the
/// wake-up; the unpark goes through `Driver::unpark` exactly when the worker waits there (so
/// the driver is never left with a stale wake-up), and the driver is released afterwards.
#[test]
fn unpark_reaches_a_worker_parking_in_the_driver() {
    check(|| park_vs_unpark(false));
}

/// park.rs: two unparks racing one park (both paths) are harmless: the park returns, the driver
/// is unparked at most once and only if waited in, and the parker keeps working (one more
/// unpark/park pair completes).
#[test]
fn double_unpark_is_harmless() {
    for driver_taken in [false, true] {
        check(move || {
            let rt = Mini::new(1);
            rt.driver_busy.store(driver_taken, Ordering::Relaxed);
            let wakers: Vec<_> = (0..2)
                .map(|_| {
                    let rt = rt.clone();
                    thread::spawn(move || rt.parkers[0].unpark(&rt.driver))
                })
                .collect();
            rt.parkers[0].park(&rt.driver, &rt.driver_busy);
            for w in wakers {
                w.join().unwrap();
            }
            assert!(rt.driver.unparks() <= rt.driver.waits().min(1));
            rt.parkers[0].unpark(&rt.driver);
            rt.parkers[0].park(&rt.driver, &rt.driver_busy);
        });
    }
}

/// park.rs: two workers parking at once share one driver: one waits in it, the other on its
/// condvar, and unparking both (as shutdown does) wakes both, each through the right path;
/// the driver is free again afterwards.
#[test]
fn two_parkers_share_the_driver() {
    check(|| {
        let rt = Mini::new(2);
        let parked: Vec<_> = (0..2)
            .map(|idx| {
                let rt = rt.clone();
                thread::spawn(move || rt.parkers[idx].park(&rt.driver, &rt.driver_busy))
            })
            .collect();
        for p in rt.parkers.iter() {
            p.unpark(&rt.driver);
        }
        for p in parked {
            p.join().unwrap();
        }
        assert!(rt.driver.unparks() <= rt.driver.waits());
        assert!(!rt.driver_busy.load(Ordering::Relaxed));
    });
}

/// idle.rs: a task pushed from outside while the only worker is going from searching to asleep
/// is not stranded: either the pusher sees the worker asleep and wakes it, or the worker, as
/// the last searcher, sees the task when it re-checks the queues.
#[test]
fn remote_push_vs_the_last_searcher_parking() {
    check(|| {
        let rt = Mini::new(1);
        let workers = start(&rt, 1);
        rt.push_remote(Task::Stop);
        for w in workers {
            w.join().unwrap();
        }
    });
}

/// idle.rs: a task queued locally by a busy worker (which then blocks until the task has run)
/// is stolen by its peer, whatever point of going to sleep the peer is at: the push notifies
/// it, or the peer's last look (as a searcher, or as the last searcher re-checking every queue)
/// sees the task.
#[test]
fn local_push_by_a_busy_worker_is_stolen() {
    check(|| {
        let rt = Mini::new(2);
        // This thread is worker 0, inside a task; worker 1 runs its loop.
        let peer = {
            let rt = rt.clone();
            thread::spawn(move || work(&rt, 1))
        };
        rt.push_local(0, Task::Release);
        rt.released.park(None);
        rt.stop();
        peer.join().unwrap();
    });
}

/// idle.rs: a worker that goes to sleep without having searched (refused: enough workers
/// search) is not left asleep beside a queued task: here the only searcher finds a task
/// (not modelled), stops searching, and that task queues another and blocks until it has run.
#[test]
fn a_worker_refused_the_search_is_not_left_asleep() {
    check(|| {
        let rt = Mini::new(2);
        // This thread is worker 0, searching, so worker 1 will be refused the search...
        assert!(rt.idle.start_search());
        let peer = {
            let rt = rt.clone();
            thread::spawn(move || work(&rt, 1))
        };
        // ...until worker 0 finds a task; that task queues another and waits for it.
        idle::stop_searching(&*rt);
        rt.push_local(0, Task::Release);
        rt.released.park(None);
        rt.stop();
        peer.join().unwrap();
    });
}

/// idle.rs: a task pushed from outside while two workers go to sleep is run, and the workers
/// stop: one of them is woken (through the driver or its condvar, whichever it parked on) or
/// finds the task itself.
#[test]
fn remote_push_vs_two_workers_parking() {
    check(|| {
        let rt = Mini::new(2);
        let workers = start(&rt, 2);
        rt.push_remote(Task::Stop);
        for w in workers {
            w.join().unwrap();
        }
    });
}

/// idle.rs: two tasks pushed from outside, the first of which blocks its worker until the
/// second has run, both run: while one worker is busy, the other is not left asleep with a task
/// queued. (It is a deadlock here; in a real runtime, the second task would wait out the whole
/// of the first while a worker sleeps.)
#[test]
fn a_second_task_gets_a_second_worker() {
    check(|| {
        let rt = Mini::new(2);
        let workers = start(&rt, 2);
        rt.push_remote(Task::AwaitReleaseThenStop);
        rt.push_remote(Task::Release);
        for w in workers {
            w.join().unwrap();
        }
    });
}
