//! Debug mode — asyncio's `loop.set_debug(True)` / `PYTHONASYNCIODEBUG`: what a runtime
//! records about its tasks beyond running them, and what it reports on stderr.
//!
//! A tracked task carries its spawn location, its parent, its age, its poll count and its
//! total poll time (shown by [`dump`](crate::dump)). Debug mode tracks every task, warns
//! about each poll slower than a threshold (a task blocking the loop), and lists the tasks
//! still pending at shutdown. A task that panicked and was never awaited is reported in
//! every mode. With everything off, a spawn pays one relaxed load and a poll one branch.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::meta::Meta;

/// The environment variable that turns debug mode on (`CORIO_DEBUG=1`), like asyncio's
/// `PYTHONASYNCIODEBUG`; read by [`DebugConfig::from_env`].
///
/// ```
/// assert_eq!(corio_executor::DEBUG_ENV, "CORIO_DEBUG");
/// ```
pub const DEBUG_ENV: &str = "CORIO_DEBUG";

/// What a runtime records and reports about its tasks; off by default.
///
/// ```
/// use corio_executor::{DebugConfig, Executor, ThreadDriver};
/// use std::time::{Duration, Instant};
///
/// let config = DebugConfig::on().slow_poll_threshold(Duration::from_millis(50));
/// assert!(config.tracks_tasks());
/// let ex = Executor::current_thread(ThreadDriver::new()).with_debug(config);
/// let t = ex.spawn(std::future::pending::<()>()).unwrap();
/// ex.block_on(corio_executor::yield_now());
/// let info = ex.all_tasks().into_iter().find(|i| i.id() == t.id()).unwrap();
/// assert_eq!(info.polls(), Some(1)); // tracked: polls are counted
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DebugConfig {
    track: bool,
    slow_poll: Option<Duration>,
    pending_at_shutdown: bool,
}

impl DebugConfig {
    /// The slow-poll threshold of debug mode unless set: 100 ms, as asyncio's
    /// `slow_callback_duration`.
    ///
    /// ```
    /// use corio_executor::DebugConfig;
    /// use std::time::Duration;
    ///
    /// assert_eq!(DebugConfig::DEFAULT_SLOW_POLL, Duration::from_millis(100));
    /// ```
    pub const DEFAULT_SLOW_POLL: Duration = Duration::from_millis(100);

    /// Nothing tracked, nothing reported (the default).
    ///
    /// ```
    /// assert!(!corio_executor::DebugConfig::off().tracks_tasks());
    /// ```
    pub fn off() -> DebugConfig {
        DebugConfig::default()
    }

    /// Debug mode: every task tracked, polls slower than 100 ms reported, and the tasks still
    /// pending at shutdown listed.
    ///
    /// ```
    /// use corio_executor::DebugConfig;
    ///
    /// let on = DebugConfig::on();
    /// assert_eq!(on.slow_poll(), Some(DebugConfig::DEFAULT_SLOW_POLL));
    /// assert!(on.reports_pending_at_shutdown());
    /// ```
    pub fn on() -> DebugConfig {
        DebugConfig {
            track: true,
            slow_poll: Some(Self::DEFAULT_SLOW_POLL),
            pending_at_shutdown: true,
        }
    }

    /// [`on`](Self::on) when the environment variable `CORIO_DEBUG` is set to anything but
    /// empty or `0`, [`off`](Self::off) otherwise.
    ///
    /// ```
    /// let config = corio_executor::DebugConfig::from_env();
    /// assert_eq!(config.tracks_tasks(), std::env::var("CORIO_DEBUG").is_ok_and(|v| v != "" && v != "0"));
    /// ```
    pub fn from_env() -> DebugConfig {
        match std::env::var(DEBUG_ENV) {
            Ok(v) if !v.is_empty() && v != "0" => DebugConfig::on(),
            _ => DebugConfig::off(),
        }
    }

    /// Records each task's spawn location, parent, age, polls and poll time (for
    /// [`dump`](crate::dump)) without reporting anything. Turning it off also turns off the
    /// slow-poll warning, which needs the poll times.
    ///
    /// ```
    /// let config = corio_executor::DebugConfig::off().track_tasks(true);
    /// assert!(config.tracks_tasks());
    /// assert_eq!(config.slow_poll(), None);
    /// ```
    pub fn track_tasks(mut self, on: bool) -> DebugConfig {
        self.track = on;
        if !on {
            self.slow_poll = None;
        }
        self
    }

    /// Reports every poll that takes `threshold` or longer, naming the task and where it was
    /// spawned; implies [`track_tasks`](Self::track_tasks).
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let config = corio_executor::DebugConfig::off().slow_poll_threshold(Duration::from_millis(10));
    /// assert_eq!(config.slow_poll(), Some(Duration::from_millis(10)));
    /// assert!(config.tracks_tasks());
    /// ```
    pub fn slow_poll_threshold(mut self, threshold: Duration) -> DebugConfig {
        self.track = true;
        self.slow_poll = Some(threshold);
        self
    }

    /// Lists the tasks still pending when the runtime shuts down (they are cancelled then).
    ///
    /// ```
    /// let config = corio_executor::DebugConfig::off().report_pending_at_shutdown(true);
    /// assert!(config.reports_pending_at_shutdown());
    /// ```
    pub fn report_pending_at_shutdown(mut self, on: bool) -> DebugConfig {
        self.pending_at_shutdown = on;
        self
    }

    /// Whether tasks are tracked.
    ///
    /// ```
    /// assert!(corio_executor::DebugConfig::on().tracks_tasks());
    /// ```
    pub fn tracks_tasks(&self) -> bool {
        self.track
    }

    /// The slow-poll threshold, if slow polls are reported.
    ///
    /// ```
    /// assert_eq!(corio_executor::DebugConfig::off().slow_poll(), None);
    /// ```
    pub fn slow_poll(&self) -> Option<Duration> {
        self.slow_poll
    }

    /// Whether the tasks pending at shutdown are listed.
    ///
    /// ```
    /// assert!(!corio_executor::DebugConfig::off().reports_pending_at_shutdown());
    /// ```
    pub fn reports_pending_at_shutdown(&self) -> bool {
        self.pending_at_shutdown
    }
}

/// A runtime's debug settings, changeable after it started (like its blocking pool's): tasks
/// spawned afterwards follow the new settings.
#[derive(Default)]
pub(crate) struct Diagnostics {
    track: AtomicBool,
    /// Nanoseconds; 0 = no slow-poll warning.
    slow_poll_ns: AtomicU64,
    pending_at_shutdown: AtomicBool,
}

impl Diagnostics {
    pub(crate) fn configure(&self, config: DebugConfig) {
        let ns = config.slow_poll.map_or(0, |d| {
            u64::try_from(d.as_nanos()).unwrap_or(u64::MAX).max(1)
        });
        self.slow_poll_ns.store(ns, Ordering::Relaxed);
        self.pending_at_shutdown
            .store(config.pending_at_shutdown, Ordering::Relaxed);
        self.track.store(config.track, Ordering::Relaxed);
    }

    pub(crate) fn tracking(&self) -> bool {
        self.track.load(Ordering::Relaxed)
    }

    pub(crate) fn slow_poll(&self) -> Option<Duration> {
        match self.slow_poll_ns.load(Ordering::Relaxed) {
            0 => None,
            ns => Some(Duration::from_nanos(ns)),
        }
    }

    pub(crate) fn reports_pending(&self) -> bool {
        self.pending_at_shutdown.load(Ordering::Relaxed)
    }
}

/// Books one poll of a tracked task, and warns when it blocked the loop too long.
pub(crate) fn after_poll(meta: &Meta, took: Duration) {
    let Some(stats) = meta.stats() else { return };
    stats.record(took);
    if stats.slow_poll.is_some_and(|limit| took >= limit) {
        let task = Described(meta);
        eprintln!(
            "corio: {task} took {:.3} s in one poll: the event loop was blocked meanwhile \
             (a blocking call? move it to to_thread / spawn_blocking)",
            took.as_secs_f64()
        );
        #[cfg(feature = "tracing")]
        tracing::warn!(
            target: "corio::debug",
            task_id = meta.id().as_u64(),
            task_name = meta.name().unwrap_or(""),
            location = %meta.location().map_or_else(String::new, |l| l.to_string()),
            seconds = took.as_secs_f64(),
            "slow poll"
        );
    }
}

/// Polls `block_on`'s future on a current-thread loop — not a task, but it blocks the loop
/// all the same — and warns if that took too long.
pub(crate) fn main_poll<R>(diagnostics: &Diagnostics, poll: impl FnOnce() -> R) -> R {
    let Some(limit) = diagnostics.slow_poll() else {
        return poll();
    };
    let started = Instant::now();
    let out = poll();
    let took = started.elapsed();
    if took >= limit {
        eprintln!(
            "corio: the future given to block_on took {:.3} s in one poll: the event loop was \
             blocked meanwhile (a blocking call? move it to to_thread / spawn_blocking)",
            took.as_secs_f64()
        );
    }
    out
}

/// "task 17 "name" (spawned at src/main.rs:4:5)", for reports.
pub(crate) struct Described<'a>(pub(crate) &'a Meta);

impl std::fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let m = self.0;
        write!(f, "task {}", m.id())?;
        if let Some(name) = m.name() {
            write!(f, " {name:?}")?;
        }
        if let Some(at) = m.location() {
            write!(f, " (spawned at {at})")?;
        }
        Ok(())
    }
}
