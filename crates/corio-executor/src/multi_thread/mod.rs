//! The multi-thread scheduler: N workers with local queues, a LIFO slot, work stealing and
//! a global injector.
//!
//! * **Where a woken task goes.** Woken by the task running on a worker: that worker's LIFO
//!   slot (it runs next, while its data is hot: the ping-pong fast path), displacing the
//!   previous occupant to the local queue. A task waking itself (a yield) goes to the back of
//!   the local queue. Woken on a worker outside a task (e.g. by the driver): the local queue.
//!   Spawned on a worker: the local queue. Anywhere else: the injector.
//! * **Local queues** are bounded `ConcurrentQueue`s (others steal from them); when full, the
//!   task goes to the injector.
//! * **Finding work**: LIFO slot (at most [`MAX_LIFO_RUNS`] in a row), local queue, injector,
//!   then stealing half of a random victim's queue. Every [`MAINTENANCE_INTERVAL`] ticks the
//!   injector comes first and the driver is polled, so nothing starves.
//! * **Idle workers** search (spinning over steal attempts) before parking; see `idle.rs` for
//!   the wake-up protocol and `park.rs` for who waits in the driver.
//! * The thread calling `block_on` only polls the main future and sleeps on its own parker
//!   in between: it runs no tasks and never waits in the driver.

mod idle;
#[cfg(all(test, corio_loom))]
mod loom_tests;
mod park;
mod worker;

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use async_task::{Runnable, ScheduleInfo};
use concurrent_queue::{ConcurrentQueue, PushError};

use crate::block_on::block_on_thread;
use crate::blocking::{BlockingConfig, Pool};
use crate::context::{self, NO_WORKER};
use crate::driver::Driver;
use crate::meta::Meta;
use crate::registry::Registry;
use crate::scheduler::{Scheduler, discard, drop_runnable};
use crate::sync::atomic::{AtomicBool, Ordering};

use idle::Idle;
use park::WorkerParker;

/// Capacity of each worker's local queue.
const LOCAL_QUEUE: usize = 256;
/// Consecutive runs from the LIFO slot before the local queue gets a turn.
const MAX_LIFO_RUNS: u32 = 3;
/// Ticks between looks at the injector and the driver.
const MAINTENANCE_INTERVAL: u32 = 61;

pub(crate) struct Shared {
    injector: ConcurrentQueue<Runnable<Meta>>,
    workers: Box<[WorkerShared]>,
    idle: Idle,
    driver: Arc<dyn Driver>,
    /// Some worker waits in (or polls) the driver.
    driver_busy: AtomicBool,
    registry: Registry,
    closed: AtomicBool,
    stopping: AtomicBool,
    blocking: Pool,
}

struct WorkerShared {
    queue: ConcurrentQueue<Runnable<Meta>>,
    parker: WorkerParker,
}

impl Shared {
    /// Creates the runtime and starts its worker threads.
    pub(crate) fn start(
        workers: usize,
        driver: Arc<dyn Driver>,
    ) -> io::Result<(Arc<Shared>, Vec<JoinHandle<()>>)> {
        let workers = workers.clamp(1, 1 << 15);
        let shared = Arc::new(Shared {
            injector: ConcurrentQueue::unbounded(),
            workers: (0..workers)
                .map(|_| WorkerShared {
                    queue: ConcurrentQueue::bounded(LOCAL_QUEUE),
                    parker: WorkerParker::default(),
                })
                .collect(),
            idle: Idle::new(workers),
            driver,
            driver_busy: AtomicBool::new(false),
            registry: Registry::new(workers * 2),
            closed: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
            blocking: Pool::new(BlockingConfig::default()),
        });
        let mut threads = Vec::with_capacity(workers);
        for idx in 0..workers {
            let sh = shared.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("corio-worker-{idx}"))
                .spawn(move || worker::run(sh, idx));
            match spawned {
                Ok(t) => threads.push(t),
                Err(e) => {
                    shared.shutdown(threads, None);
                    return Err(e);
                }
            }
        }
        Ok((shared, threads))
    }

    fn addr(&self) -> usize {
        self as *const Shared as usize
    }

    pub(crate) fn workers(&self) -> usize {
        self.workers.len()
    }

    pub(crate) fn registry(&self) -> &Registry {
        &self.registry
    }

    pub(crate) fn blocking(&self) -> &Pool {
        &self.blocking
    }

    pub(crate) fn driver(&self) -> &Arc<dyn Driver> {
        &self.driver
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// The schedule function of every task of this runtime.
    pub(crate) fn schedule(&self, r: Runnable<Meta>, info: ScheduleInfo) {
        r.metadata().set_scheduled();
        match context::worker_of(self.addr()) {
            Some(idx) if idx < self.workers.len() => {
                // Woken by the running task, or by the driver while this worker waits in it:
                // runs next, on this worker, from the LIFO slot no one can steal from.
                if (!info.woken_while_running && context::in_task()) || park::in_driver_wait() {
                    if let Some(prev) = context::swap_lifo(r) {
                        self.push_local(idx, prev);
                    }
                } else {
                    self.push_local(idx, r);
                }
            }
            _ => self.push_remote(r),
        }
    }

    /// Queues a newly spawned task.
    pub(crate) fn push_new(&self, r: Runnable<Meta>) {
        match context::worker_of(self.addr()) {
            Some(idx) if idx < self.workers.len() => self.push_local(idx, r),
            _ => self.push_remote(r),
        }
    }

    fn push_local(&self, idx: usize, r: Runnable<Meta>) {
        match self.workers[idx].queue.push(r) {
            // Woken by the driver while this worker waits in it: after the wait the worker
            // wakes a sleeper for what it cannot start at once (`Worker::park`); waking one
            // per event would cost a cross-core wake (~50 µs here) each.
            Ok(()) if park::in_driver_wait() => {}
            Ok(()) => self.notify_parked(),
            Err(PushError::Full(r)) => self.push_remote(r),
            Err(PushError::Closed(r)) => drop_runnable(r),
        }
    }

    fn push_remote(&self, r: Runnable<Meta>) {
        match self.injector.push(r) {
            Ok(()) => self.notify_parked(),
            // Closed at the end of shutdown: every task's future is gone by then.
            Err(e) => drop_runnable(e.into_inner()),
        }
    }

    /// Wakes a sleeping worker if work became stealable and nobody is searching.
    fn notify_parked(&self) {
        idle::notify_parked(self);
    }

    /// Whether any queue a searcher could take from holds work.
    fn has_work(&self) -> bool {
        !self.injector.is_empty() || self.workers.iter().any(|w| !w.queue.is_empty())
    }

    pub(crate) fn block_on<F: Future>(self: &Arc<Self>, fut: F) -> F::Output {
        let _enter = context::enter(Scheduler::Multi(self.clone()), NO_WORKER);
        block_on_thread(fut)
    }

    /// Stops accepting tasks, cancels the listed ones, stops the workers, and (unless called
    /// from one of them) joins them and drops every remaining task. With a `deadline`, workers
    /// still busy then are detached. True when every worker was joined and no task is left.
    pub(crate) fn shutdown(&self, threads: Vec<JoinHandle<()>>, deadline: Option<Instant>) -> bool {
        if !self.closed.swap(true, Ordering::SeqCst) {
            self.registry.report_pending();
        }
        self.registry.close();
        self.registry.cancel_all();
        self.stopping.store(true, Ordering::SeqCst);
        for w in self.workers.iter() {
            w.parker.unpark(&*self.driver);
        }
        self.driver.unpark();
        if context::worker_of(self.addr()).is_some_and(|i| i < self.workers.len()) {
            // A worker cannot join itself; the last worker to exit drains.
            return false;
        }
        let mut joined = true;
        for t in threads {
            if join_until(&t, deadline) {
                let _ = t.join();
            } else {
                // Stuck in a task past the deadline: detached.
                joined = false;
            }
        }
        self.drain(deadline) && joined
    }

    /// Drops every queued task until none is listed (bounded by `deadline`, by default 1 s,
    /// in case a task is stuck on a thread that was not joined), then closes the queues.
    /// True when no task is left.
    fn drain(&self, deadline: Option<Instant>) -> bool {
        let deadline = deadline.unwrap_or_else(|| Instant::now() + Duration::from_secs(1));
        loop {
            while let Ok(r) = self.injector.pop() {
                discard(&self.registry, r);
            }
            for w in self.workers.iter() {
                while let Ok(r) = w.queue.pop() {
                    discard(&self.registry, r);
                }
            }
            if self.registry.len() == 0 || Instant::now() > deadline {
                break;
            }
            self.registry.cancel_all();
            std::thread::yield_now();
        }
        if self.registry.len() == 0 {
            self.injector.close();
            for w in self.workers.iter() {
                w.queue.close();
            }
            while let Ok(r) = self.injector.pop() {
                discard(&self.registry, r);
            }
        }
        self.registry.len() == 0
    }
}

impl idle::Runtime for Shared {
    fn idle(&self) -> &Idle {
        &self.idle
    }

    fn parker(&self, idx: usize) -> &WorkerParker {
        &self.workers[idx].parker
    }

    fn park_driver(&self) -> &dyn Driver {
        &*self.driver
    }

    fn driver_busy(&self) -> &AtomicBool {
        &self.driver_busy
    }

    fn has_work(&self) -> bool {
        Shared::has_work(self)
    }

    fn has_local_work(&self, idx: usize) -> bool {
        !self.workers[idx].queue.is_empty()
    }

    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }
}

/// Waits until thread `t` has finished, or `deadline` passes; true when it finished (a join
/// then returns at once). Without a deadline, true at once: the join waits.
fn join_until(t: &JoinHandle<()>, deadline: Option<Instant>) -> bool {
    let Some(deadline) = deadline else {
        return true;
    };
    // Shutdown is rare and workers exit fast: polling in short sleeps is simplest.
    while !t.is_finished() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        std::thread::sleep(left.min(Duration::from_millis(1)));
    }
    true
}
