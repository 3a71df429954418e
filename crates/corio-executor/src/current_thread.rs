//! The current-thread scheduler: every task runs on the thread inside `block_on`.
//!
//! Tasks woken on that thread go to a plain `VecDeque` in a thread-local (no atomics); tasks
//! woken elsewhere go through a concurrent injector and, if the loop sleeps, `Driver::unpark`.
//!
//! Sleeping without losing a wake-up: the loop sets `sleeping`, then (after a SeqCst fence)
//! checks the injector and the main future's flag once more before `park(None)`. A remote
//! waker pushes (or sets the flag), fences, and unparks if it sees `sleeping`. Of the two
//! fenced sequences one comes first, so either the loop sees the work or the waker sees
//! `sleeping`; the driver remembers an unpark that precedes the park.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicU64, Ordering as StdOrdering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use async_task::{Runnable, ScheduleInfo};
use concurrent_queue::ConcurrentQueue;

use crate::block_on::ThreadWaker;
use crate::blocking::{BlockingConfig, Pool};
use crate::context::{self, CT_LOOP};
use crate::coop;
use crate::debug;
use crate::driver::Driver;
use crate::locals;
use crate::meta::Meta;
use crate::parker::lock;
use crate::registry::Registry;
use crate::scheduler::{Scheduler, discard, drop_runnable, run_task, xorshift64};
use crate::sync::atomic::{AtomicBool, Ordering, fence};

#[cfg(all(test, corio_loom))]
mod loom_tests;

/// Tasks run between two looks at the driver, so I/O and timers never starve.
const BATCH: u32 = 61;
/// One poll in this many takes the injector first, so remote wakes never starve.
const INJECT_INTERVAL: u32 = 31;

pub(crate) struct Shared {
    injector: ConcurrentQueue<Runnable<Meta>>,
    driver: Arc<dyn Driver>,
    registry: Registry,
    closed: AtomicBool,
    /// The loop is about to park, or parked, in the driver.
    sleeping: AtomicBool,
    /// A thread is running the loop.
    looping: AtomicBool,
    /// The wakers of `block_on` calls waiting while another thread runs the loop: all woken
    /// whenever it leaves, so that one of them takes the loop over. Each stays listed until
    /// its `block_on` completes or holds the loop (one woken but beaten to the loop must be
    /// woken again at the next release).
    handoff: Mutex<Vec<Waker>>,
    blocking: Pool,
    /// The state of the generator that picks the next ready task when the order is shuffled
    /// (`with_shuffle_seed`); 0 = first come, first served. Only the loop's thread steps it.
    shuffle: AtomicU64,
}

impl Shared {
    pub(crate) fn new(driver: Arc<dyn Driver>) -> Arc<Shared> {
        Arc::new(Shared {
            injector: ConcurrentQueue::unbounded(),
            driver,
            registry: Registry::new(4),
            closed: AtomicBool::new(false),
            sleeping: AtomicBool::new(false),
            looping: AtomicBool::new(false),
            handoff: Mutex::new(Vec::new()),
            blocking: Pool::new(BlockingConfig::default()),
            shuffle: AtomicU64::new(0),
        })
    }

    fn addr(&self) -> usize {
        self as *const Shared as usize
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
    pub(crate) fn schedule(&self, r: Runnable<Meta>, _info: ScheduleInfo) {
        self.push_new(r);
    }

    pub(crate) fn push_new(&self, r: Runnable<Meta>) {
        r.metadata().set_scheduled();
        if let Err(r) = context::push_local(self.addr(), r) {
            match self.injector.push(r) {
                Ok(()) => self.wake_loop(),
                // Closed at the end of shutdown: every task's future is gone by then.
                Err(e) => drop_runnable(e.into_inner()),
            }
        }
    }

    /// Ends the loop's park if it sleeps (the remote half of the protocol above).
    fn wake_loop(&self) {
        wake_sleeper(&self.sleeping, &*self.driver);
    }

    /// Shuffles the order ready tasks run in, reproducibly from `seed`.
    pub(crate) fn shuffle(&self, seed: u64) {
        // splitmix64 of the seed: nearby seeds give unrelated orders, and the state is never
        // 0, which would stop xorshift (and means "off" here).
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        self.shuffle
            .store((z ^ (z >> 31)) | 1, StdOrdering::Relaxed);
    }

    fn next_task(&self, tick: u32) -> Option<Runnable<Meta>> {
        if self.shuffle.load(StdOrdering::Relaxed) != 0 {
            return self.next_shuffled();
        }
        if tick.is_multiple_of(INJECT_INTERVAL) {
            if let Ok(r) = self.injector.pop() {
                return Some(r);
            }
        }
        context::pop_local().or_else(|| self.injector.pop().ok())
    }

    /// Any ready task, picked by the shuffle generator: every task waiting in the injector
    /// joins the local queue first, so the pick is among all of them.
    fn next_shuffled(&self) -> Option<Runnable<Meta>> {
        while let Ok(r) = self.injector.pop() {
            if let Err(r) = context::push_local(self.addr(), r) {
                return Some(r);
            }
        }
        context::pop_local_nth(|len| {
            let x = xorshift64(self.shuffle.load(StdOrdering::Relaxed));
            self.shuffle.store(x, StdOrdering::Relaxed);
            (x % len as u64) as usize
        })
    }

    pub(crate) fn block_on<F: Future>(self: &Arc<Self>, fut: F) -> F::Output {
        let mut fut = pin!(fut);
        // The main future is a task-local scope of its own, starting from the caller's.
        let mut values = locals::inherit();
        if self.looping.swap(true, Ordering::Acquire) {
            match self.wait_or_take_over(fut.as_mut(), &mut values) {
                Poll::Ready(out) => return out,
                Poll::Pending => {} // the loop is ours now
            }
        }
        self.run_loop(fut, values)
    }

    /// Another thread runs the loop (and the tasks): waits for `fut` on this thread, until
    /// it completes (`Ready`) or the loop is released and this thread holds it (`Pending`) —
    /// otherwise, once that thread left, nobody would drive the driver `fut` may wait on.
    fn wait_or_take_over<F: Future>(
        self: &Arc<Self>,
        mut fut: Pin<&mut F>,
        values: &mut Option<Arc<locals::Values>>,
    ) -> Poll<F::Output> {
        let _enter = context::enter(Scheduler::Current(self.clone()), context::NO_WORKER);
        let signal = Arc::new(ThreadWaker::default());
        let waker = Waker::from(signal.clone());
        // Listed before looking at `looping`: a release after this point wakes us, and one
        // before it is seen by the `swap` below.
        lock(&self.handoff).push(waker.clone());
        let mut cx = Context::from_waker(&waker);
        let out = loop {
            let poll = locals::scope(values, false, || {
                coop::with_budget(|| fut.as_mut().poll(&mut cx))
            });
            if poll.is_ready() || !self.looping.swap(true, Ordering::Acquire) {
                break poll;
            }
            signal.park();
        };
        lock(&self.handoff).retain(|w| !w.will_wake(&waker));
        out
    }

    /// Runs the loop, which this thread holds, until `fut` completes.
    fn run_loop<F: Future>(
        self: &Arc<Self>,
        mut fut: Pin<&mut F>,
        mut values: Option<Arc<locals::Values>>,
    ) -> F::Output {
        let _enter = context::enter(Scheduler::Current(self.clone()), CT_LOOP);
        let _exit = LoopExit(self);
        let main = Arc::new(MainWaker {
            woken: AtomicBool::new(true),
            shared: self.clone(),
        });
        let waker = Waker::from(main.clone());
        let mut cx = Context::from_waker(&waker);
        let mut tick: u32 = 0;
        let mut since_driver: u32 = 0;
        loop {
            if main.woken.swap(false, Ordering::Acquire) {
                let poll = debug::main_poll(self.registry.diagnostics(), || {
                    locals::scope(&mut values, false, || {
                        coop::with_budget(|| fut.as_mut().poll(&mut cx))
                    })
                });
                if let Poll::Ready(out) = poll {
                    return out;
                }
                since_driver += 1;
            }
            let mut ran = 0;
            while ran < BATCH {
                tick = tick.wrapping_add(1);
                let Some(r) = self.next_task(tick) else { break };
                run_task(&self.registry, r);
                ran += 1;
                if main.woken.load(Ordering::Relaxed) {
                    break;
                }
            }
            since_driver += ran;
            let idle = ran < BATCH && !main.woken.load(Ordering::Relaxed) && !context::has_local();
            if !idle {
                if since_driver >= BATCH {
                    self.driver.park(Some(Duration::ZERO));
                    since_driver = 0;
                }
                continue;
            }
            if sleep(
                &self.sleeping,
                &main.woken,
                || self.injector.is_empty(),
                &*self.driver,
            ) {
                since_driver = 0;
            }
        }
    }

    /// Stops accepting tasks, cancels every task, and (unless called from inside this
    /// runtime's loop, where the loop drops them itself) drops them all here, waiting until
    /// `deadline` at most (by default 1 s). True when no task is left.
    pub(crate) fn shutdown(&self, deadline: Option<Instant>) -> bool {
        if !self.closed.swap(true, Ordering::SeqCst) {
            self.registry.report_pending();
        }
        self.registry.close();
        self.registry.cancel_all();
        if context::worker_of(self.addr()).is_some() {
            return false;
        }
        // Every listed task is now scheduled (or in flight to the injector): drop them. The
        // wait is bounded in case another thread's loop is stuck inside a task.
        let deadline = deadline.unwrap_or_else(|| Instant::now() + Duration::from_secs(1));
        loop {
            while let Ok(r) = self.injector.pop() {
                discard(&self.registry, r);
            }
            if self.registry.len() == 0 || Instant::now() > deadline {
                break;
            }
            self.registry.cancel_all();
            std::thread::yield_now();
        }
        if self.registry.len() == 0 {
            // Nothing can be scheduled any more: a late push is dropped by the pusher.
            self.injector.close();
            while let Ok(r) = self.injector.pop() {
                discard(&self.registry, r);
            }
        }
        self.registry.len() == 0
    }
}

/// The loop's half of the protocol above: announces the sleep in `sleeping`, then parks in
/// `driver` unless the main future was `woken` or the injector holds work (`!injector_empty()`).
/// True when it parked. (Free of `Shared` so that the loom models run it on their own flags and
/// queue.)
fn sleep(
    sleeping: &AtomicBool,
    woken: &AtomicBool,
    injector_empty: impl FnOnce() -> bool,
    driver: &dyn Driver,
) -> bool {
    sleeping.store(true, Ordering::Relaxed);
    fence(Ordering::SeqCst);
    if woken.load(Ordering::Relaxed) || !injector_empty() {
        sleeping.store(false, Ordering::Relaxed);
        return false;
    }
    driver.park(None);
    sleeping.store(false, Ordering::Relaxed);
    true
}

/// The remote half, once the work is visible (pushed, or the main future's flag set): ends the
/// loop's park if `sleeping` says it sleeps (or is about to).
fn wake_sleeper(sleeping: &AtomicBool, driver: &dyn Driver) {
    fence(Ordering::SeqCst);
    // A CAS rather than a swap claims the sleep: the same here (a swap would only rewrite
    // `false`, when another waker claimed it first), and what loom 0.7 models right. After
    // such a swap and the loop's next `store(true)`, loom may let a waker's load still see the
    // swap's `false` (tokio-rs/loom#254), and report a lost wake-up that cannot happen.
    if sleeping.load(Ordering::Relaxed)
        && sleeping
            .compare_exchange(true, false, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
    {
        driver.unpark();
    }
}

/// Leaving the loop: tasks still queued locally go to the injector for the next `block_on`
/// (or shutdown), and the loop is free for another thread.
struct LoopExit<'a>(&'a Shared);

impl Drop for LoopExit<'_> {
    fn drop(&mut self) {
        for r in context::take_local() {
            if let Err(e) = self.0.injector.push(r) {
                discard(&self.0.registry, e.into_inner());
            }
        }
        self.0.looping.store(false, Ordering::Release);
        for waker in lock(&self.0.handoff).iter() {
            waker.wake_by_ref();
        }
    }
}

/// The main future's waker: a flag, plus an unpark when the wake comes from elsewhere.
struct MainWaker {
    woken: AtomicBool,
    shared: Arc<Shared>,
}

impl Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.woken.swap(true, Ordering::AcqRel)
            && context::worker_of(self.shared.addr()) != Some(CT_LOOP)
        {
            self.shared.wake_loop();
        }
    }
}
