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
//! | — | [`RwLock`], and the channels Rust users expect: [`oneshot`], [`mpsc`], [`broadcast`], [`watch`] |

mod barrier;
pub mod broadcast;
mod condition;
mod event;
pub mod mpsc;
mod mutex;
pub mod oneshot;
mod permits;
pub mod queue;
mod rwlock;
mod semaphore;
pub mod watch;

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
