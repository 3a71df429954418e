//! The everyday names in one import: `use corio::prelude::*;`.
//!
//! The runtime entry points, the task and time functions, asyncio's primitives and
//! streams, and the extension traits that give readers, writers, streams and futures their
//! methods (`read_exact`, `write_all`, `next`, …).
//!
//! ```
//! use corio::prelude::*;
//! use std::time::Duration;
//!
//! corio::run(async {
//!     let queue = Queue::new(10);
//!     let producer = spawn({
//!         let queue = queue.clone();
//!         async move {
//!             for i in 0..3 {
//!                 queue.put(i).await.unwrap();
//!             }
//!         }
//!     });
//!     let mut got = Vec::new();
//!     for _ in 0..3 {
//!         got.push(timeout(Duration::from_secs(1), queue.get()).await.unwrap().unwrap());
//!     }
//!     producer.await.unwrap();
//!     assert_eq!(got, [0, 1, 2]);
//! });
//! ```

pub use crate::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
pub use crate::net::{StreamReader, StreamWriter, open_connection, start_server};
pub use crate::stream::{Stream, StreamExt};
pub use crate::sync::{
    Barrier, BoundedSemaphore, Condition, Event, LifoQueue, Lock, Mutex, PriorityQueue, Queue,
    Semaphore,
};
pub use crate::task::{Task, TaskError, TaskGroup, spawn, task_group, wait_for, yield_now};
pub use crate::time::{TimeoutError, sleep, timeout};
pub use crate::{gather, run, try_gather};
pub use futures_lite::future::FutureExt;
