//! asyncio's `Queue`, `PriorityQueue` and `LifoQueue`, for any executor and plain threads.
//!
//! [`Queue`], [`PriorityQueue`] and [`LifoQueue`] have the same API and differ only in the
//! order items come out: first in first out, smallest first (as asyncio's `heapq`), last in
//! first out. A handle is a cheap [`Clone`] of one shared queue, `Send + Sync` when
//! `T: Send`, so any number of tasks and threads may put and get.
//!
//! | asyncio                           | corio-sync                                          |
//! |-----------------------------------|-----------------------------------------------------|
//! | `Queue(maxsize=0)`                | [`Queue::new(0)`](Queue::new), [`Queue::unbounded`] |
//! | `Queue(maxsize=n)`                | [`Queue::new(n)`](Queue::new), [`Queue::bounded`]   |
//! | `await q.put(x)`                  | `q.put(x).await?`                                   |
//! | `q.put_nowait(x)`                 | `q.put_nowait(x)?`                                  |
//! | `await q.get()`                   | `q.get().await?`                                    |
//! | `q.get_nowait()`                  | `q.get_nowait()?`                                   |
//! | `q.task_done()`                   | `q.task_done()?`                                    |
//! | `await q.join()`                  | `q.join().await`                                    |
//! | `q.shutdown(immediate=False)`     | `q.shutdown(false)`                                 |
//! | `q.qsize()`, `empty()`, `full()`  | `q.qsize()`, `q.empty()`, `q.full()`                |
//! | `q.maxsize`                       | `q.maxsize()`                                       |
//! | `QueueFull`                       | [`PutNowaitError::Full`] (carries the item back)    |
//! | `QueueEmpty`                      | [`GetNowaitError::Empty`]                           |
//! | `QueueShutDown`                   | [`QueueShutDown`] (carries a put's item back), [`PutNowaitError::ShutDown`], [`GetNowaitError::ShutDown`] |
//! | `ValueError` from `task_done`     | [`TaskDoneError`]                                   |
//!
//! Threads without an executor use `blocking_put`, `blocking_get` and `blocking_join`.
//!
//! Shutdown follows Python 3.13: after `shutdown(false)` puts fail, gets drain what is left
//! and then fail; `shutdown(true)` also discards what is left, counting a `task_done` for
//! each discarded item so that `join` can return. Blocked putters and getters are woken
//! either way.
//!
//! Cancellation: `get`, `put` and `join` take or push their item only in the poll that
//! returns `Ready`, so dropping one never loses an item, and a wake-up it received but did
//! not use passes to the next waiter.
//!
//! ```
//! use corio_sync::Queue;
//!
//! # futures_lite::future::block_on(async {
//! let q = Queue::new(2);
//! let worker = {
//!     let q = q.clone();
//!     std::thread::spawn(move || {
//!         let mut sum = 0;
//!         while let Ok(n) = q.blocking_get() {
//!             sum += n;
//!             q.task_done().unwrap();
//!         }
//!         sum
//!     })
//! };
//! for n in 1..=10 {
//!     q.put(n).await.unwrap(); // waits while two items are queued
//! }
//! q.join().await; // every item was taken and marked done
//! q.shutdown(false);
//! assert_eq!(worker.join().unwrap(), 55);
//! # });
//! ```

mod error;
mod shared;
mod store;

pub use error::{GetNowaitError, PutNowaitError, QueueShutDown, TaskDoneError};

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use futures_lite::future::block_on;

use shared::Core;
use store::{Fifo, Heap, Lifo};

/// Defines one public queue type over a store; the docs are shared, the examples name it.
macro_rules! queue_type {
    (
        $(#[$attr:meta])*
        $name:ident $(: $bound:path)? => $store:ident
    ) => {
        $(#[$attr])*
        pub struct $name<T> {
            core: Arc<Core<$store<T>>>,
        }

        impl<T $(: $bound)?> $name<T> {
            /// A queue holding at most `maxsize` items; `0` means unbounded, as in asyncio.
            ///
            /// ```
            #[doc = concat!("use corio_sync::", stringify!($name), ";")]
            ///
            #[doc = concat!("let q = ", stringify!($name), "::<u8>::new(3);")]
            /// assert_eq!(q.maxsize(), 3);
            #[doc = concat!("let q = ", stringify!($name), "::<u8>::new(0);")]
            /// assert_eq!(q.maxsize(), 0);
            /// assert!(!q.full());
            /// ```
            pub fn new(maxsize: usize) -> Self {
                Self {
                    core: Arc::new(Core::new(maxsize)),
                }
            }

            /// A queue without a bound: `put` never waits. The same as `new(0)`.
            ///
            /// ```
            #[doc = concat!("use corio_sync::", stringify!($name), ";")]
            ///
            #[doc = concat!("let q = ", stringify!($name), "::unbounded();")]
            /// for n in 0..10_000 {
            ///     q.put_nowait(n).unwrap();
            /// }
            /// assert_eq!(q.qsize(), 10_000);
            /// ```
            pub fn unbounded() -> Self {
                Self::new(0)
            }

            /// A queue holding at most `capacity` items.
            ///
            /// Unlike `new`, this never makes an unbounded queue: a `capacity` of 0 is
            /// raised to 1 (asyncio has no zero-capacity, rendezvous queue).
            ///
            /// ```
            #[doc = concat!("use corio_sync::", stringify!($name), ";")]
            ///
            #[doc = concat!("let q = ", stringify!($name), "::bounded(2);")]
            /// q.put_nowait('a').unwrap();
            /// q.put_nowait('b').unwrap();
            /// assert!(q.full());
            #[doc = concat!("assert_eq!(", stringify!($name), "::<u8>::bounded(0).maxsize(), 1);")]
            /// ```
            pub fn bounded(capacity: usize) -> Self {
                Self::new(capacity.max(1))
            }

            /// The bound given at construction; 0 means unbounded.
            ///
            /// ```
            #[doc = concat!("use corio_sync::", stringify!($name), ";")]
            ///
            #[doc = concat!("assert_eq!(", stringify!($name), "::<u8>::new(8).maxsize(), 8);")]
            /// ```
            pub fn maxsize(&self) -> usize {
                self.core.maxsize()
            }

            /// How many items are queued now.
            ///
            /// ```
            #[doc = concat!("use corio_sync::", stringify!($name), ";")]
            ///
            #[doc = concat!("let q = ", stringify!($name), "::new(0);")]
            /// q.put_nowait(1).unwrap();
            /// q.put_nowait(2).unwrap();
            /// assert_eq!(q.qsize(), 2);
            /// ```
            pub fn qsize(&self) -> usize {
                self.core.qsize()
            }

            /// Whether no item is queued now.
            ///
            /// ```
            #[doc = concat!("use corio_sync::", stringify!($name), ";")]
            ///
            #[doc = concat!("let q = ", stringify!($name), "::new(0);")]
            /// assert!(q.empty());
            /// q.put_nowait(1).unwrap();
            /// assert!(!q.empty());
            /// ```
            pub fn empty(&self) -> bool {
                self.qsize() == 0
            }

            /// Whether `maxsize` items are queued now; never true for an unbounded queue.
            ///
            /// ```
            #[doc = concat!("use corio_sync::", stringify!($name), ";")]
            ///
            #[doc = concat!("let q = ", stringify!($name), "::new(1);")]
            /// assert!(!q.full());
            /// q.put_nowait(1).unwrap();
            /// assert!(q.full());
            /// ```
            pub fn full(&self) -> bool {
                self.core.is_full()
            }

            /// Whether [`shutdown`](Self::shutdown) was called.
            ///
            /// ```
            #[doc = concat!("use corio_sync::", stringify!($name), ";")]
            ///
            #[doc = concat!("let q = ", stringify!($name), "::<u8>::new(0);")]
            /// assert!(!q.is_shutdown());
            /// q.shutdown(false);
            /// assert!(q.is_shutdown());
            /// ```
            pub fn is_shutdown(&self) -> bool {
                self.core.is_shutdown()
            }

            /// Puts `item`, first waiting while the queue is full.
            ///
            /// Fails with the item handed back once the queue is shut down, including when
            /// the shutdown happens while this waits.
            ///
            /// Cancel safety: the item is pushed only in the poll that returns `Ready`.
            /// Dropping the future earlier drops the item with it, never half-puts it, and
            /// hands a wake-up it received but did not use to the next waiting putter.
            ///
            /// ```
            #[doc = concat!("use corio_sync::", stringify!($name), ";")]
            ///
            /// # futures_lite::future::block_on(async {
            #[doc = concat!("let q = ", stringify!($name), "::new(1);")]
            /// q.put(1).await.unwrap();
            /// let waiting = {
            ///     let q = q.clone();
            ///     std::thread::spawn(move || q.blocking_put(2))
            /// };
            /// assert_eq!(q.get().await, Ok(1)); // makes room for the waiting put
            /// waiting.join().unwrap().unwrap();
            /// assert_eq!(q.get().await, Ok(2));
            /// # });
            /// ```
            pub fn put(&self, item: T) -> impl Future<Output = Result<(), QueueShutDown<T>>> + '_ {
                self.core.put(item)
            }

            /// Puts `item` if there is room now.
            ///
            /// Fails with the item handed back: [`PutNowaitError::Full`] if `maxsize` items
            /// are queued, [`PutNowaitError::ShutDown`] after a shutdown.
            ///
            /// ```
            #[doc = concat!("use corio_sync::{", stringify!($name), ", PutNowaitError};")]
            ///
            #[doc = concat!("let q = ", stringify!($name), "::new(1);")]
            /// assert_eq!(q.put_nowait(1), Ok(()));
            /// assert_eq!(q.put_nowait(2), Err(PutNowaitError::Full(2)));
            /// ```
            pub fn put_nowait(&self, item: T) -> Result<(), PutNowaitError<T>> {
                self.core.put_nowait(item)
            }

            /// Puts `item`, blocking this thread while the queue is full: `put` for code
            /// outside async. Do not call it from async code, which would stall its executor.
            ///
            /// ```
            #[doc = concat!("use corio_sync::", stringify!($name), ";")]
            ///
            #[doc = concat!("let q = ", stringify!($name), "::new(0);")]
            /// q.blocking_put("job").unwrap();
            /// assert_eq!(q.blocking_get(), Ok("job"));
            /// ```
            pub fn blocking_put(&self, item: T) -> Result<(), QueueShutDown<T>> {
                block_on(self.put(item))
            }

            /// Takes the next item, first waiting while the queue is empty.
            ///
            /// After a shutdown it still returns the items left, then fails; after an
            /// immediate shutdown it fails at once. A waiting `get` is woken by the shutdown.
            ///
            /// Cancel safety: the item is taken only in the poll that returns `Ready`, so a
            /// dropped `get` never took one; a wake-up it received but did not use passes to
            /// the next waiting getter.
            ///
            /// ```
            #[doc = concat!("use corio_sync::{", stringify!($name), ", QueueShutDown};")]
            ///
            /// # futures_lite::future::block_on(async {
            #[doc = concat!("let q = ", stringify!($name), "::new(0);")]
            /// let producer = {
            ///     let q = q.clone();
            ///     std::thread::spawn(move || q.blocking_put(42))
            /// };
            /// assert_eq!(q.get().await, Ok(42)); // waits for the producer
            /// producer.join().unwrap().unwrap();
            /// q.shutdown(false);
            /// assert_eq!(q.get().await, Err(QueueShutDown(())));
            /// # });
            /// ```
            pub fn get(&self) -> impl Future<Output = Result<T, QueueShutDown>> + '_ {
                self.core.get()
            }

            /// Takes the next item if one is queued now.
            ///
            /// Fails with [`GetNowaitError::Empty`], or [`GetNowaitError::ShutDown`] once a
            /// shut-down queue has no items left.
            ///
            /// ```
            #[doc = concat!("use corio_sync::{", stringify!($name), ", GetNowaitError};")]
            ///
            #[doc = concat!("let q = ", stringify!($name), "::new(0);")]
            /// q.put_nowait(5).unwrap();
            /// assert_eq!(q.get_nowait(), Ok(5));
            /// assert_eq!(q.get_nowait(), Err(GetNowaitError::Empty));
            /// ```
            pub fn get_nowait(&self) -> Result<T, GetNowaitError> {
                self.core.get_nowait()
            }

            /// Takes the next item, blocking this thread while the queue is empty: `get` for
            /// code outside async. Do not call it from async code, which would stall its
            /// executor.
            ///
            /// ```
            #[doc = concat!("use corio_sync::", stringify!($name), ";")]
            ///
            #[doc = concat!("let q = ", stringify!($name), "::new(0);")]
            /// let consumer = {
            ///     let q = q.clone();
            ///     std::thread::spawn(move || q.blocking_get())
            /// };
            /// q.put_nowait(9).unwrap();
            /// assert_eq!(consumer.join().unwrap(), Ok(9));
            /// ```
            pub fn blocking_get(&self) -> Result<T, QueueShutDown> {
                block_on(self.get())
            }

            /// Marks one item as processed, for [`join`](Self::join).
            ///
            /// Every successful put counts one unfinished task; each call counts one done.
            /// Calling it more often than items were put fails with [`TaskDoneError`]
            /// (asyncio's `ValueError`) and changes nothing.
            ///
            /// ```
            #[doc = concat!("use corio_sync::{", stringify!($name), ", TaskDoneError};")]
            ///
            #[doc = concat!("let q = ", stringify!($name), "::new(0);")]
            /// q.put_nowait(1).unwrap();
            /// q.get_nowait().unwrap();
            /// assert_eq!(q.task_done(), Ok(()));
            /// assert_eq!(q.task_done(), Err(TaskDoneError));
            /// ```
            pub fn task_done(&self) -> Result<(), TaskDoneError> {
                self.core.task_done()
            }

            /// Waits until every item put so far was marked done with
            /// [`task_done`](Self::task_done). Returns at once if none is unfinished.
            ///
            /// As in asyncio, once the count reaches zero a waiting `join` returns even if
            /// new items are put before it runs.
            ///
            /// Cancel safety: cancel-safe; it takes nothing from the queue.
            ///
            /// ```
            #[doc = concat!("use corio_sync::", stringify!($name), ";")]
            ///
            /// # futures_lite::future::block_on(async {
            #[doc = concat!("let q = ", stringify!($name), "::new(0);")]
            /// q.put_nowait(1).unwrap();
            /// let worker = {
            ///     let q = q.clone();
            ///     std::thread::spawn(move || {
            ///         q.blocking_get().unwrap();
            ///         q.task_done().unwrap();
            ///     })
            /// };
            /// q.join().await; // returns after the worker's task_done
            /// worker.join().unwrap();
            /// # });
            /// ```
            pub fn join(&self) -> impl Future<Output = ()> + '_ {
                self.core.join()
            }

            /// Blocks this thread until every item put so far was marked done: `join` for
            /// code outside async. Do not call it from async code, which would stall its
            /// executor.
            ///
            /// ```
            #[doc = concat!("use corio_sync::", stringify!($name), ";")]
            ///
            #[doc = concat!("let q = ", stringify!($name), "::new(0);")]
            /// q.put_nowait(1).unwrap();
            /// let worker = {
            ///     let q = q.clone();
            ///     std::thread::spawn(move || {
            ///         q.blocking_get().unwrap();
            ///         q.task_done().unwrap();
            ///     })
            /// };
            /// q.blocking_join();
            /// worker.join().unwrap();
            /// ```
            pub fn blocking_join(&self) {
                block_on(self.join())
            }

            /// Shuts the queue down, as asyncio 3.13's `shutdown`.
            ///
            /// Afterwards every put fails, including puts waiting now, and gets return the
            /// items left and then fail. With `immediate`, the items left are discarded
            /// (dropped) instead, each counted as one `task_done` so that `join` can return,
            /// and gets fail at once. Waiting gets and puts are woken. Calling it again is
            /// allowed; `shutdown(true)` after `shutdown(false)` discards what is left.
            ///
            /// ```
            #[doc = concat!("use corio_sync::{", stringify!($name), ", GetNowaitError};")]
            ///
            /// # futures_lite::future::block_on(async {
            #[doc = concat!("let q = ", stringify!($name), "::new(0);")]
            /// q.put_nowait(1).unwrap();
            /// q.put_nowait(2).unwrap();
            /// q.shutdown(false);
            /// assert!(q.put(3).await.is_err());
            /// assert!(q.get().await.is_ok()); // items left still come out
            /// q.task_done().unwrap();
            /// q.shutdown(true);
            /// assert_eq!(q.get_nowait(), Err(GetNowaitError::ShutDown));
            /// q.join().await; // the discarded item counted as done
            /// # });
            /// ```
            pub fn shutdown(&self, immediate: bool) {
                self.core.shutdown(immediate)
            }
        }

        impl<T> Clone for $name<T> {
            /// Another handle to the same queue.
            fn clone(&self) -> Self {
                Self {
                    core: Arc::clone(&self.core),
                }
            }
        }

        impl<T $(: $bound)?> Default for $name<T> {
            /// An unbounded queue.
            fn default() -> Self {
                Self::unbounded()
            }
        }

        impl<T $(: $bound)?> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.core.fmt_fields(stringify!($name), f)
            }
        }
    };
}

queue_type! {
    /// A first in, first out queue: asyncio's `Queue`.
    ///
    /// See the [module docs](crate::queue) for the asyncio mapping, shutdown and cancellation.
    ///
    /// ```
    /// use corio_sync::Queue;
    ///
    /// let q = Queue::new(0);
    /// for n in [3, 1, 2] {
    ///     q.put_nowait(n).unwrap();
    /// }
    /// let out: Vec<_> = std::iter::from_fn(|| q.get_nowait().ok()).collect();
    /// assert_eq!(out, [3, 1, 2]);
    /// ```
    Queue => Fifo
}

queue_type! {
    /// A last in, first out queue: asyncio's `LifoQueue`.
    ///
    /// See [`Queue`] for the shared API.
    ///
    /// ```
    /// use corio_sync::LifoQueue;
    ///
    /// let q = LifoQueue::new(0);
    /// for n in [3, 1, 2] {
    ///     q.put_nowait(n).unwrap();
    /// }
    /// let out: Vec<_> = std::iter::from_fn(|| q.get_nowait().ok()).collect();
    /// assert_eq!(out, [2, 1, 3]);
    /// ```
    LifoQueue => Lifo
}

queue_type! {
    /// A queue that hands out its smallest item first: asyncio's `PriorityQueue`.
    ///
    /// Items that compare equal come out in no particular order, as with asyncio's
    /// `heapq`; put `(priority, sequence_number, item)` tuples for first in, first out
    /// among equals. See [`Queue`] for the shared API.
    ///
    /// ```
    /// use corio_sync::PriorityQueue;
    ///
    /// let q = PriorityQueue::new(0);
    /// for job in [(2, "write"), (0, "urgent"), (1, "read")] {
    ///     q.put_nowait(job).unwrap();
    /// }
    /// let out: Vec<_> = std::iter::from_fn(|| q.get_nowait().ok()).collect();
    /// assert_eq!(out, [(0, "urgent"), (1, "read"), (2, "write")]);
    /// ```
    PriorityQueue: Ord => Heap
}
