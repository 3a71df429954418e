//! Time: sleeps, intervals, timeouts and the clock they run on (asyncio's `sleep`,
//! `wait_for`/`timeout` and `loop.time()`).
//!
//! Every timer lives in the running loop's timing wheel, so inside a runtime built with a
//! virtual clock ([`crate::Builder::virtual_clock`]) an hour-long sleep finishes as soon as the
//! loop has nothing else to do.
//!
//! ```
//! use std::time::Duration;
//!
//! corio::run(async {
//!     let started = corio::time::now();
//!     corio::time::sleep(Duration::from_millis(2)).await;
//!     assert!(corio::time::now() - started >= Duration::from_millis(2));
//! });
//! ```

use std::time::Instant;

pub use corio_timer::{
    Clock, Interval, MissedTickBehavior, ScopeRun, Sleep, Timeout, TimeoutError, TimeoutScope,
    VirtualClock, interval, interval_at, sleep, sleep_until, timeout, timeout_at,
};

/// The current time on the running loop's clock (asyncio's `loop.time()`).
///
/// Inside a runtime with a virtual clock this is virtual time; outside any runtime it is
/// [`Instant::now`].
///
/// ```
/// use std::time::Duration;
///
/// let rt = corio::Runtime::builder().virtual_clock().build().unwrap();
/// rt.block_on(async {
///     let t0 = corio::time::now();
///     corio::sleep(Duration::from_secs(3600)).await; // instant on the virtual clock
///     assert_eq!(corio::time::now() - t0, Duration::from_secs(3600));
/// });
/// ```
pub fn now() -> Instant {
    corio_timer::Timers::try_current().map_or_else(Instant::now, |timers| timers.now())
}
