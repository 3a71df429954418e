//! What the loom models (`cargo xtask loom`, each in a `loom_tests` module next to the code it
//! checks) share: [`check`], a bounded loom run; [`CountingDriver`], a driver on the modelled
//! thread parker that counts how it is used; and [`Queue`], the models' stand-in for a
//! `ConcurrentQueue`.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize as PlainCounter, Ordering::Relaxed};
use std::time::Duration;

use loom::sync::Mutex;

use crate::driver::{Driver, ThreadDriver};

/// Preemptions per execution unless `LOOM_MAX_PREEMPTIONS` says otherwise. Every interleaving
/// with at most this many preemptions is explored: enough for the two- and three-thread
/// protocols modelled here, each of which then takes at most seconds in release.
const PREEMPTION_BOUND: usize = 3;

/// Runs `model` under loom: every interleaving (and every value a load may see) up to the
/// preemption bound. Prints how many executions that was (`--nocapture` shows it).
pub(crate) fn check(model: impl Fn() + Sync + Send + 'static) {
    check_bounded(PREEMPTION_BOUND, model);
}

/// [`check`] with another default preemption bound, for a model whose bug needs more.
pub(crate) fn check_bounded(bound: usize, model: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(bound);
    }
    let executions = Arc::new(PlainCounter::new(0));
    builder.check({
        let executions = executions.clone();
        move || {
            executions.fetch_add(1, Relaxed);
            model();
        }
    });
    println!(
        "{} executions (preemption bound {:?})",
        executions.load(Relaxed),
        builder.preemption_bound
    );
}

/// A driver without I/O ([`ThreadDriver`], so on the modelled parker) that counts its waits and
/// its unparks. The counters are std atomics on purpose: bookkeeping for the assertions, which
/// loom need not interleave (it runs every modelled thread on one OS thread, so they are exact).
#[derive(Default)]
pub(crate) struct CountingDriver {
    inner: ThreadDriver,
    waits: PlainCounter,
    unparks: PlainCounter,
}

impl CountingDriver {
    /// How many times a thread entered [`Driver::park`] to wait (no timeout).
    pub(crate) fn waits(&self) -> usize {
        self.waits.load(Relaxed)
    }

    /// How many times [`Driver::unpark`] was called.
    pub(crate) fn unparks(&self) -> usize {
        self.unparks.load(Relaxed)
    }
}

impl Driver for CountingDriver {
    fn park(&self, timeout: Option<Duration>) {
        if timeout.is_none() {
            self.waits.fetch_add(1, Relaxed);
        }
        self.inner.park(timeout);
    }

    fn unpark(&self) {
        self.unparks.fetch_add(1, Relaxed);
        self.inner.unpark();
    }
}

/// The models' run queue: a `VecDeque` under a loom mutex, with the part of `ConcurrentQueue`'s
/// interface the protocols use.
///
/// Why not the real queue: loom explores the orders of the operations it sees, and
/// concurrent-queue's std atomics are invisible to it (it is loom-checked upstream, under the
/// global `--cfg loom` we do not use). With the real queue a push and a pop on two threads are
/// never reordered unless some loom operation happens to conflict nearby: a model of one worker
/// and one pusher ran exactly one execution. Under the mutex every queue operation is a step
/// loom orders both ways.
///
/// The price: the mutex makes a push happen-before any later look at the queue, which is
/// stronger than concurrent-queue's SeqCst atomics. So the models check the protocols' logic
/// and their own atomics (the state words, the flags and the fences between those), not the
/// fences that order a queue operation against a flag; those rest on the argument written out in
/// `idle.rs` and `current_thread.rs`.
pub(crate) struct Queue<T>(Mutex<VecDeque<T>>);

impl<T> Queue<T> {
    pub(crate) fn new() -> Queue<T> {
        Queue(Mutex::new(VecDeque::new()))
    }

    pub(crate) fn push(&self, item: T) {
        self.0.lock().unwrap().push_back(item);
    }

    pub(crate) fn pop(&self) -> Option<T> {
        self.0.lock().unwrap().pop_front()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.lock().unwrap().is_empty()
    }
}
