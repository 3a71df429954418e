//! Asynchronous iteration: asyncio's async generators and `async for`, as Rust's `Stream`.
//!
//! A [`Stream`] yields values over time; [`StreamExt::next`] is `async for`'s step, and the
//! extension trait has the adapters (`map`, `filter`, `take`, `then`, …). [`unfold`] and
//! [`iter`] build streams, as an `async def` with `yield` would. corio's own streams —
//! `as_completed`, `interval`, `Signals`, a channel's receiver, `read_dir`, a
//! `StreamReader`'s `lines()` — all implement the same trait. (These are futures-lite's,
//! re-exported so that `corio` is the one dependency.)
//!
//! ```
//! use corio::stream::{self, StreamExt};
//!
//! corio::run(async {
//!     // async def countdown(n): while n: yield n; n -= 1
//!     let countdown = stream::unfold(3, |n| async move { (n > 0).then_some((n, n - 1)) });
//!     let mut seen = Vec::new();
//!     let mut countdown = std::pin::pin!(countdown);
//!     while let Some(n) = countdown.next().await {
//!         seen.push(n);
//!     }
//!     assert_eq!(seen, [3, 2, 1]);
//! });
//! ```

pub use futures_lite::stream::*;
