//! Task ids: unique for the life of the process, handed out without a shared hot counter.

use std::cell::Cell;
use std::fmt;
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicU64, Ordering};

/// A task's id, unique within the process.
///
/// ```
/// use corio_executor::{Executor, ThreadDriver};
///
/// let ex = Executor::current_thread(ThreadDriver::new());
/// let a = ex.spawn(async {}).unwrap();
/// let b = ex.spawn(async {}).unwrap();
/// assert_ne!(a.id(), b.id());
/// println!("{}", a.id()); // e.g. "17"
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(NonZeroU64);

impl TaskId {
    /// The id as a number (never zero).
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// assert!(ex.spawn(async {}).unwrap().id().as_u64() > 0);
    /// ```
    pub fn as_u64(self) -> u64 {
        self.0.get()
    }

    /// A fresh id. Each thread reserves a block of ids at a time so spawning threads do not
    /// fight over one counter's cache line.
    pub(crate) fn next() -> TaskId {
        const BLOCK: u64 = 1024;
        static NEXT_BLOCK: AtomicU64 = AtomicU64::new(1);
        thread_local! {
            static RANGE: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
        }
        let take = |range: &Cell<(u64, u64)>| {
            let (mut next, mut end) = range.get();
            if next == end {
                next = NEXT_BLOCK.fetch_add(BLOCK, Ordering::Relaxed);
                end = next + BLOCK;
            }
            range.set((next + 1, end));
            next
        };
        let raw = RANGE
            .try_with(take)
            .unwrap_or_else(|_| NEXT_BLOCK.fetch_add(1, Ordering::Relaxed));
        // The counter starts at 1 and 2^64 ids are never reached.
        TaskId(NonZeroU64::new(raw).unwrap_or(NonZeroU64::MIN))
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
