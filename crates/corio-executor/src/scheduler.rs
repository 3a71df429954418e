//! What both schedulers share: spawning a task into a scheduler, running one, dropping one.

use std::future::Future;
use std::panic::{AssertUnwindSafe, Location, catch_unwind};
use std::sync::{Arc, Weak};

use async_task::{Runnable, ScheduleInfo, WithInfo};

use crate::blocking::{self, BlockingTask, Pool};
use crate::context::{self, TaskGuard};
use crate::coop;
use crate::current_thread;
use crate::debug::Diagnostics;
use crate::driver::Driver;
use crate::error::SpawnError;
use crate::harness::Harness;
use crate::info::TaskInfo;
use crate::locals;
use crate::meta::{Info, Meta, Stats};
use crate::multi_thread;
use crate::registry::{Key, Registry};
use crate::task::Task;

/// A runtime's scheduler, as the thread-local context and the `Executor` hold it.
#[derive(Clone)]
pub(crate) enum Scheduler {
    Current(Arc<current_thread::Shared>),
    Multi(Arc<multi_thread::Shared>),
}

/// A runtime's scheduler, held without keeping it alive (by a `Handle`).
#[derive(Clone)]
pub(crate) enum WeakScheduler {
    Current(Weak<current_thread::Shared>),
    Multi(Weak<multi_thread::Shared>),
}

impl WeakScheduler {
    pub(crate) fn upgrade(&self) -> Option<Scheduler> {
        match self {
            WeakScheduler::Current(w) => w.upgrade().map(Scheduler::Current),
            WeakScheduler::Multi(w) => w.upgrade().map(Scheduler::Multi),
        }
    }
}

/// How a task is spawned: its name, if any, and where the spawn was called.
#[derive(Clone, Copy)]
pub(crate) struct Origin<'a> {
    pub(crate) name: Option<&'a str>,
    pub(crate) location: &'static Location<'static>,
}

impl<'a> Origin<'a> {
    /// An unnamed task spawned by the caller.
    #[track_caller]
    pub(crate) fn caller() -> Origin<'a> {
        Origin::named(None)
    }

    /// A task with `name` (if any) spawned by the caller.
    #[track_caller]
    pub(crate) fn named(name: Option<&'a str>) -> Origin<'a> {
        Origin {
            name,
            location: Location::caller(),
        }
    }

    /// What the new task's metadata carries: nothing for an unnamed task of an untracked
    /// runtime (the common case stays small); a name, location and parent otherwise, and
    /// statistics too where the runtime tracks its tasks.
    fn info(self, debug: &Diagnostics) -> Option<Box<Info>> {
        let tracked = debug.tracking();
        if self.name.is_none() && !tracked {
            return None;
        }
        Some(Box::new(Info {
            name: self.name.map(Box::from),
            location: self.location,
            parent: context::with_current_meta(Meta::id),
            stats: tracked.then(|| Stats::new(debug.slow_poll())),
        }))
    }
}

impl Scheduler {
    /// Identifies the runtime (the address of its shared state).
    pub(crate) fn addr(&self) -> usize {
        match self {
            Scheduler::Current(s) => Arc::as_ptr(s) as usize,
            Scheduler::Multi(s) => Arc::as_ptr(s) as usize,
        }
    }

    pub(crate) fn registry(&self) -> &Registry {
        match self {
            Scheduler::Current(s) => s.registry(),
            Scheduler::Multi(s) => s.registry(),
        }
    }

    pub(crate) fn blocking(&self) -> &Pool {
        match self {
            Scheduler::Current(s) => s.blocking(),
            Scheduler::Multi(s) => s.blocking(),
        }
    }

    pub(crate) fn driver(&self) -> &Arc<dyn Driver> {
        match self {
            Scheduler::Current(s) => s.driver(),
            Scheduler::Multi(s) => s.driver(),
        }
    }

    /// A reference that does not keep the runtime alive.
    pub(crate) fn downgrade(&self) -> WeakScheduler {
        match self {
            Scheduler::Current(s) => WeakScheduler::Current(Arc::downgrade(s)),
            Scheduler::Multi(s) => WeakScheduler::Multi(Arc::downgrade(s)),
        }
    }

    /// Queues `f` on this runtime's blocking pool; it runs inside this runtime.
    pub(crate) fn spawn_blocking<F, T>(&self, f: F) -> Result<BlockingTask<T>, SpawnError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.blocking();
        if self.is_closed() || pool.is_closed() {
            return Err(SpawnError::Shutdown);
        }
        Ok(blocking::spawn_on(pool, Some(self.clone()), f))
    }

    pub(crate) fn all_tasks(&self) -> Vec<TaskInfo> {
        self.registry().snapshot()
    }

    pub(crate) fn is_closed(&self) -> bool {
        match self {
            Scheduler::Current(s) => s.is_closed(),
            Scheduler::Multi(s) => s.is_closed(),
        }
    }

    pub(crate) fn spawn<F>(&self, origin: Origin<'_>, fut: F) -> Result<Task<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        if self.is_closed() {
            return Err(SpawnError::Shutdown);
        }
        let registry = self.registry();
        let meta = Meta::new(
            origin.info(registry.diagnostics()),
            registry.shard_for_this_thread(),
        );
        let builder = async_task::Builder::new().metadata(meta);
        let harness = move |_: &Meta| Harness::new(fut);
        match self {
            Scheduler::Current(s) => {
                let sh = s.clone();
                let schedule = WithInfo(move |r, i: ScheduleInfo| sh.schedule(r, i));
                let (r, t) = builder.spawn(harness, schedule);
                finish_spawn(s.registry(), r, t, |r| s.push_new(r))
            }
            Scheduler::Multi(s) => {
                let sh = s.clone();
                let schedule = WithInfo(move |r, i: ScheduleInfo| sh.schedule(r, i));
                let (r, t) = builder.spawn(harness, schedule);
                finish_spawn(s.registry(), r, t, |r| s.push_new(r))
            }
        }
    }

    /// Spawns a `!Send` future; only a current-thread runtime, on the thread running its loop,
    /// can run it.
    pub(crate) fn spawn_local<F>(
        &self,
        origin: Origin<'_>,
        fut: F,
    ) -> Result<Task<F::Output>, SpawnError>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        let Scheduler::Current(s) = self else {
            return Err(SpawnError::LocalUnsupported);
        };
        if context::worker_of(self.addr()) != Some(context::CT_LOOP) {
            return Err(SpawnError::LocalUnsupported);
        }
        if s.is_closed() {
            return Err(SpawnError::Shutdown);
        }
        let registry = s.registry();
        let meta = Meta::new(
            origin.info(registry.diagnostics()),
            registry.shard_for_this_thread(),
        );
        let sh = s.clone();
        let schedule = WithInfo(move |r, i: ScheduleInfo| sh.schedule(r, i));
        // async-task checks that the future is only polled and dropped on this thread.
        let (r, t) = async_task::Builder::new()
            .metadata(meta)
            .spawn_local(move |_: &Meta| Harness::new(fut), schedule);
        finish_spawn(s.registry(), r, t, |r| s.push_new(r))
    }
}

/// Lists the new task, then hands it to the scheduler.
fn finish_spawn<T>(
    registry: &Registry,
    runnable: Runnable<Meta>,
    task: async_task::Task<crate::harness::Output<T>, Meta>,
    push: impl FnOnce(Runnable<Meta>),
) -> Result<Task<T>, SpawnError> {
    let waker = runnable.waker();
    #[cfg(feature = "tracing")]
    {
        let m = runnable.metadata();
        tracing::trace!(
            target: "corio::task",
            task_id = m.id().as_u64(),
            task_name = m.name().unwrap_or(""),
            parent_id = m.parent().map(|p| p.as_u64()),
            location = %m.location().map_or_else(String::new, |l| l.to_string()),
            "spawned"
        );
    }
    let values = locals::inherit();
    if registry
        .insert(runnable.metadata(), waker.clone(), values)
        .is_err()
    {
        // Shut down since the check: the task never runs.
        drop_runnable(runnable);
        task.detach();
        return Err(SpawnError::Shutdown);
    }
    push(runnable);
    Ok(Task::new(task, waker))
}

/// Runs one scheduled task: polls it, or drops it if it was cancelled; unlists it when done.
pub(crate) fn run_task(registry: &Registry, r: Runnable<Meta>) {
    let meta = r.metadata();
    let key = Key::of(meta);
    if meta.cancel_requested() && !meta.cancel_deferred() {
        // Unlisted first: whoever awaits the task may look at the listing as soon as the
        // drop below notifies it.
        registry.remove(key);
        drop_runnable(r);
        return;
    }
    meta.set_running();
    // A task inside an async clean-up may leave it during this poll with a cancel request
    // pending (see `cancel.rs`); it then needs one more poll.
    let waker = meta.cancel_deferred().then(|| r.waker());
    // Only tasks flagged as having task-locals pay for looking them up.
    let mut values = if meta.has_locals() {
        registry.locals(key)
    } else {
        None
    };
    let guard = TaskGuard::enter(meta);
    // The task's own panics are caught inside it (`Harness`); this catches only a destructor
    // that panics when the future is dropped after completing.
    let ran = locals::scope(&mut values, true, || {
        catch_unwind(AssertUnwindSafe(|| coop::with_budget(|| r.run())))
    });
    let finished = guard.finished();
    drop(guard);
    if context::take_reschedule() && !finished {
        if let Some(w) = waker {
            w.wake();
        }
    }
    if ran.is_err() {
        eprintln!("corio: a task's destructor panicked; the panic was contained");
    }
    if finished || ran.is_err() {
        registry.remove(key);
    }
}

/// Drops a task without running it (cancellation, shutdown); its future's destructor runs
/// here, and a panic in it is contained.
pub(crate) fn drop_runnable(r: Runnable<Meta>) {
    if catch_unwind(AssertUnwindSafe(move || drop(r))).is_err() {
        eprintln!("corio: a cancelled task's destructor panicked; the panic was contained");
    }
}

/// One step of xorshift64, the pseudo-random sequence behind the schedulers' choices (a
/// victim to steal from, a shuffled task); `x` must not be 0.
pub(crate) fn xorshift64(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

/// Drops a task met while draining a runtime, unlisting it.
pub(crate) fn discard(registry: &Registry, r: Runnable<Meta>) {
    registry.remove(Key::of(r.metadata()));
    drop_runnable(r);
}
