//! Multi-producer, single-consumer channels: many tasks or threads send, one receives, in
//! order.
//!
//! The counterpart of an `asyncio.Queue` with one consumer, and of `tokio::sync::mpsc`.
//! [`channel`] is bounded (senders wait while its buffer is full: backpressure);
//! [`unbounded`] never makes a sender wait. Either side can be used from plain threads
//! through the `blocking_*` methods.
//!
//! The channel closes when every sender is dropped (the receiver then drains the buffer and
//! gets `None`) or when the receiver is dropped or [closes](Receiver::close) it (sends then
//! fail and hand their value back).
//!
//! ```
//! use corio_sync::mpsc;
//!
//! futures_lite::future::block_on(async {
//!     let (tx, mut rx) = mpsc::channel(16);
//!     let tx2 = tx.clone();
//!     let producers = futures_lite::future::zip(
//!         async move {
//!             for i in 0..3 {
//!                 tx2.send(i).await.unwrap();
//!             }
//!         },
//!         async move {
//!             for i in 10..13 {
//!                 tx.send(i).await.unwrap();
//!             }
//!         },
//!     );
//!     let consumer = async {
//!         let mut got = Vec::new();
//!         while let Some(v) = rx.recv().await {
//!             got.push(v);
//!         }
//!         got
//!     };
//!     let (_, mut got) = futures_lite::future::zip(producers, consumer).await;
//!     got.sort();
//!     assert_eq!(got, [0, 1, 2, 10, 11, 12]);
//! });
//! ```

mod bounded;
mod chan;
mod error;
mod ring;
mod unbounded;
mod waiters;

pub use bounded::{MAX_CAPACITY, Receiver, Sender, channel};
pub use error::{SendError, TryRecvError, TrySendError};
pub use unbounded::{UnboundedReceiver, UnboundedSender, unbounded};
