//! Thread-local state: the runtime entered on this thread (for the free functions), its
//! per-thread run queues, and the task being polled.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::ptr::NonNull;

use async_task::Runnable;

use crate::meta::Meta;
use crate::scheduler::Scheduler;

/// `worker` value of a thread that runs a current-thread loop.
pub(crate) const CT_LOOP: usize = usize::MAX - 1;
/// `worker` value of a thread that is in a runtime but runs none of its tasks.
pub(crate) const NO_WORKER: usize = usize::MAX;

struct Ctx {
    /// The entered runtime, for `spawn()` and `all_tasks()`.
    sched: RefCell<Option<Scheduler>>,
    /// Address of the entered runtime's shared state: a cheap "is this my runtime?" test.
    rt: Cell<usize>,
    /// Which worker of `rt` this thread is (or `CT_LOOP` / `NO_WORKER`).
    worker: Cell<usize>,
    /// Multi-thread: the task woken by the running task, run next on this worker.
    lifo: Cell<Option<Runnable<Meta>>>,
    /// Current-thread: the run queue, touched only by this thread, so without atomics.
    local: RefCell<VecDeque<Runnable<Meta>>>,
}

thread_local! {
    static CTX: Ctx = const {
        Ctx {
            sched: RefCell::new(None),
            rt: Cell::new(0),
            worker: Cell::new(NO_WORKER),
            lifo: Cell::new(None),
            local: RefCell::new(VecDeque::new()),
        }
    };
    /// The metadata of the task being polled on this thread. Kept apart from `CTX` because it
    /// has no destructor, which makes it the cheapest kind of thread-local to reach.
    static CURRENT: Cell<Option<NonNull<Meta>>> = const { Cell::new(None) };
    /// Set by a task's future when it finishes, read by the scheduler after the poll.
    static FINISHED: Cell<bool> = const { Cell::new(false) };
    /// Set when the polled task left an async clean-up with a cancel request pending: the
    /// scheduler polls it once more so the request takes effect.
    static RESCHEDULE: Cell<bool> = const { Cell::new(false) };
}

/// Asks the scheduler to poll the current task again after this poll.
pub(crate) fn request_reschedule() {
    RESCHEDULE.set(true);
}

/// Whether [`request_reschedule`] was called during the poll that just ended.
pub(crate) fn take_reschedule() -> bool {
    RESCHEDULE.replace(false)
}

/// Restores the previously entered runtime (runtimes nest: a task may `block_on` another).
pub(crate) struct EnterGuard {
    sched: Option<Scheduler>,
    rt: usize,
    worker: usize,
    lifo: Option<Runnable<Meta>>,
    local: VecDeque<Runnable<Meta>>,
}

/// Enters `sched` on this thread as `worker` (`CT_LOOP`, `NO_WORKER` or a worker index).
pub(crate) fn enter(sched: Scheduler, worker: usize) -> EnterGuard {
    let rt = sched.addr();
    CTX.with(|c| EnterGuard {
        sched: c.sched.replace(Some(sched)),
        rt: c.rt.replace(rt),
        worker: c.worker.replace(worker),
        lifo: c.lifo.take(),
        local: std::mem::take(&mut *c.local.borrow_mut()),
    })
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let _ = CTX.try_with(|c| {
            c.sched.replace(self.sched.take());
            c.rt.set(self.rt);
            c.worker.set(self.worker);
            c.lifo.set(self.lifo.take());
            if let Ok(mut local) = c.local.try_borrow_mut() {
                *local = std::mem::take(&mut self.local);
            }
        });
    }
}

/// The runtime entered on this thread.
pub(crate) fn current_scheduler() -> Option<Scheduler> {
    CTX.try_with(|c| c.sched.try_borrow().ok().and_then(|s| s.clone()))
        .ok()
        .flatten()
}

/// This thread's role in the runtime at `rt`, if it is entered in it.
pub(crate) fn worker_of(rt: usize) -> Option<usize> {
    CTX.try_with(|c| (c.rt.get() == rt).then(|| c.worker.get()))
        .ok()
        .flatten()
}

/// Pushes onto this thread's current-thread queue when this thread runs the loop of `rt`;
/// gives the task back otherwise.
pub(crate) fn push_local(rt: usize, r: Runnable<Meta>) -> Result<(), Runnable<Meta>> {
    let mut slot = Some(r);
    let _ = CTX.try_with(|c| {
        if c.rt.get() != rt || c.worker.get() != CT_LOOP {
            return;
        }
        if let Ok(mut q) = c.local.try_borrow_mut() {
            q.extend(slot.take());
        }
    });
    match slot {
        None => Ok(()),
        Some(r) => Err(r),
    }
}

/// Pops from this thread's current-thread queue.
pub(crate) fn pop_local() -> Option<Runnable<Meta>> {
    CTX.try_with(|c| c.local.try_borrow_mut().ok()?.pop_front())
        .ok()
        .flatten()
}

/// Takes the task at the index `pick(len)` chooses from this thread's non-empty
/// current-thread queue (the shuffled order).
pub(crate) fn pop_local_nth(pick: impl FnOnce(usize) -> usize) -> Option<Runnable<Meta>> {
    CTX.try_with(|c| {
        let mut q = c.local.try_borrow_mut().ok()?;
        if q.is_empty() {
            return None;
        }
        let i = pick(q.len()).min(q.len() - 1);
        q.swap_remove_back(i)
    })
    .ok()
    .flatten()
}

/// Whether this thread's current-thread queue holds tasks.
pub(crate) fn has_local() -> bool {
    CTX.try_with(|c| c.local.try_borrow().is_ok_and(|q| !q.is_empty()))
        .unwrap_or(false)
}

/// Takes every task of this thread's current-thread queue.
pub(crate) fn take_local() -> VecDeque<Runnable<Meta>> {
    CTX.try_with(|c| {
        c.local
            .try_borrow_mut()
            .map(|mut q| std::mem::take(&mut *q))
            .unwrap_or_default()
    })
    .unwrap_or_default()
}

/// Puts `r` in this worker's LIFO slot, returning the task it displaces.
pub(crate) fn swap_lifo(r: Runnable<Meta>) -> Option<Runnable<Meta>> {
    let mut slot = Some(r);
    let old = CTX.try_with(|c| c.lifo.replace(slot.take())).ok().flatten();
    // Thread-locals torn down: hand the task back as if displaced.
    old.or(slot)
}

/// Takes this worker's LIFO task.
pub(crate) fn take_lifo() -> Option<Runnable<Meta>> {
    CTX.try_with(|c| c.lifo.take()).ok().flatten()
}

/// Marks `meta`'s task as the one being polled until the guard drops.
pub(crate) struct TaskGuard {
    prev: Option<NonNull<Meta>>,
    prev_finished: bool,
}

impl TaskGuard {
    pub(crate) fn enter(meta: &Meta) -> TaskGuard {
        let prev = CURRENT.replace(Some(NonNull::from(meta)));
        let prev_finished = FINISHED.replace(false);
        TaskGuard {
            prev,
            prev_finished,
        }
    }

    /// Whether the task's future completed during this poll.
    pub(crate) fn finished(&self) -> bool {
        FINISHED.get()
    }
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        CURRENT.set(self.prev);
        FINISHED.set(self.prev_finished);
    }
}

/// True while a task is being polled on this thread.
pub(crate) fn in_task() -> bool {
    CURRENT.get().is_some()
}

/// Runs `f` on the metadata of the task being polled on this thread.
pub(crate) fn with_current_meta<R>(f: impl FnOnce(&Meta) -> R) -> Option<R> {
    let ptr = CURRENT.get()?;
    // SAFETY: `CURRENT` is only set by `TaskGuard::enter`, from a `&Meta` borrowed from the
    // `Runnable` being run, for the duration of that run; the `Runnable` holds a reference to
    // the task, so the allocation holding the metadata is alive until the guard resets it.
    Some(f(unsafe { ptr.as_ref() }))
}

/// Called by a task's future when it completes (normally or by panicking).
pub(crate) fn mark_finished() {
    with_current_meta(Meta::set_done);
    FINISHED.set(true);
}
