//! The queue suite under `futures_lite::future::block_on` and plain threads.

use futures_lite::future::block_on;

include!("suite/queue.rs");
