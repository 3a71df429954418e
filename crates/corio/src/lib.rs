//! corio — an async runtime for Rust with everything Python's asyncio gives Python.
//!
//! This facade is the one dependency an application needs. Today it provides the runtime
//! ([`run`], [`Runtime`]), tasks ([`spawn`], [`task`]), time ([`sleep`], [`timeout`],
//! [`time`]), synchronisation primitives, queues and channels ([`sync`]), files ([`fs`]),
//! sockets and asyncio's streams and servers ([`net`]), subprocesses ([`process`]), Unix
//! signals ([`signal`]) and readiness-based I/O ([`io::Async`]). `docs/asyncio-mapping.md`
//! maps each asyncio API to its corio counterpart.
//!
//! ```
//! use std::time::Duration;
//!
//! let answer = corio::run(async {
//!     corio::sleep(Duration::from_millis(1)).await;
//!     42
//! });
//! assert_eq!(answer, 42);
//! ```
//!
//! `#[corio::main]` runs an `async fn main` this way, and `#[corio::test]` runs an `async fn`
//! test on a fresh runtime with a virtual clock (see [`main`] and [`test`]).
//!
//! The crates underneath can be used on their own: `corio-executor` (the schedulers and
//! tasks), `corio-timer` (timing wheel, sleeps, intervals, timeouts, real and virtual clocks),
//! `corio-reactor` (edge-triggered readiness I/O), `corio-sync` (primitives for any
//! executor), `corio-fs` (file I/O on the blocking pool), `corio-net` (sockets, streams,
//! servers) and `corio-process` (subprocesses and signals).

pub mod fs;
#[cfg(feature = "hyper")]
pub mod hyper;
pub mod io;
mod macro_support;
pub mod net;
pub mod prelude;
pub mod process;
mod runtime;
pub mod signal;
pub mod stream;
pub mod sync;
pub mod task;
pub mod time;

pub use corio_macros::{main, test};
pub use runtime::{Builder, Runtime, block_on, run};
pub use task::{Task, TaskError, TaskGroup, spawn, task_group, wait_for, yield_now};
pub use time::{TimeoutError, sleep, sleep_until, timeout, timeout_at};
// asyncio's top-level names: `asyncio.Lock`, `asyncio.Queue`, `asyncio.open_connection`…
pub use net::{open_connection, start_server};
pub use sync::{
    Barrier, BoundedSemaphore, Condition, Event, LifoQueue, Lock, PriorityQueue, Queue, Semaphore,
};

/// What `#[corio::main]` and `#[corio::test]` expand to call. Not an API: it changes whenever
/// the macros do.
#[doc(hidden)]
pub mod __private {
    pub use crate::macro_support::{Shuffle, TestOutcome, run_main, run_test};
}

/// The code blocks of `docs/guide.md`, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/guide.md")]
pub struct GuideDoctests;
