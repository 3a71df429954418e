//! Timers for corio: a hierarchical timing wheel, the [`sleep`], [`interval`] and
//! [`timeout`] futures, and real or virtual clocks.
//!
//! # The clock
//!
//! A [`Timers`] driver reads the time from a [`Clock`]: the real monotonic clock, or a
//! [`VirtualClock`] that only moves when advanced, so that tests of time-dependent code run
//! in microseconds and deterministically. Resolution is 1 ms: deadlines are rounded up to
//! the next millisecond, so a timer never fires early.
//!
//! # Driving a `Timers` yourself
//!
//! An event loop owns a [`Timers`], [`enter`](Timers::enter)s it so that futures created
//! on its thread register there, and around each blocking wait calls
//! [`park_timeout`](Timers::park_timeout) (how long it may block),
//! [`unparked`](Timers::unparked) and [`process`](Timers::process) (wake what is due).
//! With a virtual clock, "blocking" is just advancing the clock:
//!
//! ```
//! use corio_timer::{Clock, Timers, VirtualClock, sleep};
//! use std::future::Future;
//! use std::task::{Context, Poll, Waker};
//! use std::time::Duration;
//!
//! let clock = VirtualClock::new();
//! let timers = Timers::new(Clock::Virtual(clock.clone()));
//! let _guard = timers.enter();
//!
//! let start = clock.now();
//! let mut task = std::pin::pin!(async {
//!     sleep(Duration::from_secs(3600)).await; // an hour, in virtual time
//!     "done"
//! });
//! let mut cx = Context::from_waker(Waker::noop());
//! let out = loop {
//!     if let Poll::Ready(out) = task.as_mut().poll(&mut cx) {
//!         break out;
//!     }
//!     let wait = timers.park_timeout().expect("the task waits on a timer");
//!     clock.advance(wait);
//!     timers.unparked();
//!     timers.process();
//! };
//! assert_eq!(out, "done");
//! assert_eq!(clock.now() - start, Duration::from_secs(3600));
//! ```
//!
//! # The global fallback
//!
//! Futures created on a thread with no entered driver use a global driver on the real
//! clock, run by a background thread named `corio-timer` that is started on first use.
//! So [`sleep`] works under any executor (tokio, smol, `futures_lite::future::block_on`):
//!
//! ```
//! use std::time::{Duration, Instant};
//!
//! let start = Instant::now();
//! futures_lite::future::block_on(corio_timer::sleep(Duration::from_millis(3)));
//! assert!(start.elapsed() >= Duration::from_millis(3));
//! ```
//!
//! The wheel itself is public as [`wheel::Wheel`] for benchmarks and other drivers.

mod clock;
mod driver;
mod interval;
mod scope;
mod sleep;
mod timeout;
pub mod wheel;

pub use clock::{Clock, VirtualClock};
pub use driver::{Timers, TimersGuard};
pub use interval::{Interval, MissedTickBehavior, interval, interval_at};
pub use scope::{ScopeRun, TimeoutScope};
pub use sleep::{Sleep, sleep, sleep_until};
pub use timeout::{Timeout, TimeoutError, timeout, timeout_at};
