//! Synchronisation primitives, queues and channels (asyncio's `Lock`, `Event`,
//! `Condition`, `Semaphore`, `BoundedSemaphore`, `Barrier`, `Queue`, …): the
//! [`corio-sync`](corio_sync) crate, which works under any executor.
//!
//! ```
//! use corio::sync::Mutex;
//! use std::sync::Arc;
//!
//! corio::run(async {
//!     let hits = Arc::new(Mutex::new(0));
//!     let tasks: Vec<_> = (0..10)
//!         .map(|_| {
//!             let hits = hits.clone();
//!             corio::spawn(async move { *hits.lock().await += 1 })
//!         })
//!         .collect();
//!     for t in tasks {
//!         t.await.unwrap();
//!     }
//!     assert_eq!(*hits.lock().await, 10);
//! });
//! ```

pub use corio_sync::*;
