//! The metadata stored in each task's allocation (async-task's metadata slot), kept small:
//! an idle task's whole cost is its allocation plus one registry entry.

use std::panic::Location;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU8, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::id::TaskId;
use crate::info::TaskState;

const SCHEDULED: u8 = 0;
const RUNNING: u8 = 1;
const WAITING: u8 = 2;
const DONE: u8 = 3;

/// `flags` bits.
const CANCEL: u8 = 1;
/// The task has task-local values, kept in its registry shard (see `locals`). A bit here
/// rather than a pointer keeps tasks that never use task-locals at 24 bytes of metadata.
const LOCALS: u8 = 2;
/// The task runs async clean-up: a cancel request is seen by the task (see `cancel.rs`)
/// instead of making the scheduler drop it.
const DEFER: u8 = 4;

/// Per-task data: 24 bytes.
pub(crate) struct Meta {
    id: TaskId,
    /// Only named tasks, and every task of a runtime that tracks its tasks (debug mode), pay
    /// for a name, a spawn location, a parent and statistics.
    info: Option<Box<Info>>,
    /// Where this task sits in its registry shard; written once, right after the spawn.
    slot: AtomicU32,
    shard: u16,
    phase: AtomicU8,
    flags: AtomicU8,
}

/// What a named or tracked task carries besides its id.
pub(crate) struct Info {
    pub(crate) name: Option<Box<str>>,
    pub(crate) location: &'static Location<'static>,
    /// The task that spawned this one, if a task did.
    pub(crate) parent: Option<TaskId>,
    /// Kept when the runtime tracks its tasks.
    pub(crate) stats: Option<Stats>,
}

/// What a tracked task's polls cost, for `dump()` and debug mode's slow-poll warning.
pub(crate) struct Stats {
    pub(crate) spawned: Instant,
    polls: AtomicU64,
    busy_ns: AtomicU64,
    /// A poll that takes this long is reported (debug mode).
    pub(crate) slow_poll: Option<Duration>,
}

impl Stats {
    pub(crate) fn new(slow_poll: Option<Duration>) -> Stats {
        Stats {
            spawned: Instant::now(),
            polls: AtomicU64::new(0),
            busy_ns: AtomicU64::new(0),
            slow_poll,
        }
    }

    /// Counts one poll. Only the thread polling the task writes, so load + store suffices.
    pub(crate) fn record(&self, took: Duration) {
        let ns = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.polls
            .store(self.polls.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
        self.busy_ns.store(
            self.busy_ns.load(Ordering::Relaxed).saturating_add(ns),
            Ordering::Relaxed,
        );
    }

    pub(crate) fn polls(&self) -> u64 {
        self.polls.load(Ordering::Relaxed)
    }

    pub(crate) fn busy(&self) -> Duration {
        Duration::from_nanos(self.busy_ns.load(Ordering::Relaxed))
    }
}

impl Meta {
    pub(crate) fn new(info: Option<Box<Info>>, shard: u16) -> Meta {
        Meta {
            id: TaskId::next(),
            info,
            slot: AtomicU32::new(u32::MAX),
            shard,
            phase: AtomicU8::new(SCHEDULED),
            flags: AtomicU8::new(0),
        }
    }

    pub(crate) fn id(&self) -> TaskId {
        self.id
    }

    pub(crate) fn name(&self) -> Option<&str> {
        self.info.as_deref().and_then(|i| i.name.as_deref())
    }

    pub(crate) fn location(&self) -> Option<&'static Location<'static>> {
        self.info.as_deref().map(|i| i.location)
    }

    pub(crate) fn parent(&self) -> Option<TaskId> {
        self.info.as_deref().and_then(|i| i.parent)
    }

    /// The statistics of a tracked task.
    pub(crate) fn stats(&self) -> Option<&Stats> {
        self.info.as_deref().and_then(|i| i.stats.as_ref())
    }

    pub(crate) fn shard(&self) -> u16 {
        self.shard
    }

    pub(crate) fn slot(&self) -> u32 {
        self.slot.load(Ordering::Relaxed)
    }

    pub(crate) fn set_slot(&self, slot: u32) {
        self.slot.store(slot, Ordering::Relaxed);
    }

    /// Asks for cancellation; the scheduler drops the task instead of running it next time.
    pub(crate) fn request_cancel(&self) {
        self.flags.fetch_or(CANCEL, Ordering::Release);
    }

    pub(crate) fn cancel_requested(&self) -> bool {
        self.flags.load(Ordering::Acquire) & CANCEL != 0
    }

    /// Whether a cancel request must wait: the task is running its async clean-up.
    pub(crate) fn cancel_deferred(&self) -> bool {
        self.flags.load(Ordering::Acquire) & DEFER != 0
    }

    /// Sets or clears the deferral; returns whether it was set before. Only the task itself
    /// calls this, from its own poll.
    pub(crate) fn set_cancel_deferred(&self, on: bool) -> bool {
        let old = if on {
            self.flags.fetch_or(DEFER, Ordering::AcqRel)
        } else {
            self.flags.fetch_and(!DEFER, Ordering::AcqRel)
        };
        old & DEFER != 0
    }

    /// Records that the task's registry shard holds task-local values for it.
    pub(crate) fn set_has_locals(&self) {
        self.flags.fetch_or(LOCALS, Ordering::Release);
    }

    /// Whether the task's registry shard holds task-local values for it.
    pub(crate) fn has_locals(&self) -> bool {
        self.flags.load(Ordering::Acquire) & LOCALS != 0
    }

    // The phase is informational (for `all_tasks`), so relaxed stores suffice; only the
    // scheduler and the task's own poll write it.
    pub(crate) fn set_scheduled(&self) {
        self.phase.store(SCHEDULED, Ordering::Relaxed);
    }

    pub(crate) fn set_running(&self) {
        self.phase.store(RUNNING, Ordering::Relaxed);
    }

    pub(crate) fn set_waiting(&self) {
        self.phase.store(WAITING, Ordering::Relaxed);
    }

    pub(crate) fn set_done(&self) {
        self.phase.store(DONE, Ordering::Release);
    }

    pub(crate) fn is_done(&self) -> bool {
        self.phase.load(Ordering::Acquire) == DONE
    }

    pub(crate) fn state(&self) -> TaskState {
        match self.phase.load(Ordering::Relaxed) {
            SCHEDULED => TaskState::Scheduled,
            RUNNING => TaskState::Running,
            WAITING => TaskState::Waiting,
            _ => TaskState::Done,
        }
    }
}

/// A pointer to a task's metadata, held by something that keeps the task allocation alive
/// (a registry entry's waker, a `Task` handle).
#[derive(Clone, Copy)]
pub(crate) struct MetaRef(NonNull<Meta>);

// SAFETY: `Meta` is `Sync` (atomics and immutable data); a `MetaRef` only ever gives out
// `&Meta`, so sending or sharing it is sending or sharing a `&Meta`.
unsafe impl Send for MetaRef {}
// SAFETY: as above.
unsafe impl Sync for MetaRef {}

impl MetaRef {
    pub(crate) fn new(meta: &Meta) -> MetaRef {
        MetaRef(NonNull::from(meta))
    }

    pub(crate) fn addr(self) -> usize {
        self.0.as_ptr() as usize
    }

    /// # Safety
    ///
    /// The task allocation holding the metadata must still be alive: the caller holds
    /// something that keeps a reference to the task (a waker, or its `Task` handle).
    pub(crate) unsafe fn get(&self) -> &Meta {
        // SAFETY: the allocation is alive (the caller's contract), and the metadata is never
        // mutated through anything but atomics.
        unsafe { self.0.as_ref() }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn metadata_is_small() {
        assert!(std::mem::size_of::<super::Meta>() <= 24);
    }
}
