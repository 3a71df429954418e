//! asyncio's synchronisation primitives, queues and channels, for any executor.
//!
//! Nothing here knows a runtime: it works under corio, tokio, smol or
//! `futures_lite::future::block_on`, and plain threads use the `blocking_*` variants.
//!
//! Cancellation: dropping any waiting future at any moment — even after it was woken and
//! before it ran again — never loses a lock hand-off, a permit, an item or a notification;
//! the wake-up passes to the next waiter. Each waiting method states its cancel-safety.
//!
//! | asyncio | corio-sync |
//! |---|---|
//! | `Lock` | [`Lock`] (= [`Mutex<()>`](Mutex)); [`Mutex<T>`] guards data |
//! | `Semaphore` / `BoundedSemaphore` | [`Semaphore`] / [`BoundedSemaphore`] |
//! | `Event` | [`Event`] |
//! | `Condition` | [`Condition`] over a [`Mutex`] |
//! | `Barrier` | [`Barrier`] |
//! | `Queue` / `PriorityQueue` / `LifoQueue` | [`Queue`] / [`PriorityQueue`] / [`LifoQueue`] |
//! | — | [`RwLock`] |

mod barrier;
mod condition;
mod event;
mod mutex;
mod permits;
pub mod queue;
mod rwlock;
mod semaphore;

pub use barrier::{Barrier, BarrierError, BrokenBarrierError};
pub use condition::Condition;
pub use event::Event;
pub use mutex::{Lock, Mutex, MutexGuard, OwnedMutexGuard, TryLockError};
pub use queue::{
    GetNowaitError, LifoQueue, PriorityQueue, PutNowaitError, Queue, QueueShutDown, TaskDoneError,
};
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
pub use semaphore::{
    BoundedSemaphore, OwnedSemaphorePermit, Semaphore, SemaphorePermit, TooManyPermits,
    TooManyReleases,
};
