//! `BlockingConfig`: the blocking pool's limits.

use std::time::Duration;

/// How a runtime's blocking pool (behind [`spawn_blocking`](crate::spawn_blocking)) sizes
/// itself; set with [`Executor::with_blocking_config`](crate::Executor::with_blocking_config).
///
/// * `max_threads` (default 512): threads are started on demand up to this many; beyond it,
///   jobs queue until a thread is free.
/// * `keep_alive` (default 10 s): a thread with no job for this long exits.
/// * `shutdown_timeout` (default 10 s): how long [`Executor::shutdown`](crate::Executor::shutdown)
///   waits for jobs already running. Threads still busy after that are detached, not killed:
///   a thread cannot be interrupted, so it finishes its job and exits.
///
/// ```
/// use corio_executor::{BlockingConfig, Executor, ThreadDriver};
/// use std::time::Duration;
///
/// let ex = Executor::multi_thread(2, ThreadDriver::new())?.with_blocking_config(
///     BlockingConfig::new()
///         .max_threads(4)
///         .keep_alive(Duration::from_secs(1))
///         .shutdown_timeout(Duration::from_secs(2)),
/// );
/// let t = ex.spawn_blocking(|| 6 * 7)?;
/// assert_eq!(ex.block_on(t).unwrap(), 42);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockingConfig {
    pub(crate) max_threads: usize,
    pub(crate) keep_alive: Duration,
    pub(crate) shutdown_timeout: Duration,
}

impl Default for BlockingConfig {
    fn default() -> Self {
        BlockingConfig {
            max_threads: 512,
            keep_alive: Duration::from_secs(10),
            shutdown_timeout: Duration::from_secs(10),
        }
    }
}

impl BlockingConfig {
    /// The defaults: 512 threads at most, 10 s keep-alive, 10 s shutdown wait.
    ///
    /// ```
    /// use corio_executor::BlockingConfig;
    /// assert_eq!(BlockingConfig::new(), BlockingConfig::default());
    /// ```
    pub fn new() -> BlockingConfig {
        BlockingConfig::default()
    }

    /// The most threads the pool runs at once (`0` is taken as `1`).
    ///
    /// ```
    /// let cfg = corio_executor::BlockingConfig::new().max_threads(16);
    /// # drop(cfg);
    /// ```
    pub fn max_threads(mut self, n: usize) -> BlockingConfig {
        self.max_threads = n.max(1);
        self
    }

    /// How long an idle thread waits for a job before it exits.
    ///
    /// ```
    /// use std::time::Duration;
    /// let cfg = corio_executor::BlockingConfig::new().keep_alive(Duration::from_millis(500));
    /// # drop(cfg);
    /// ```
    pub fn keep_alive(mut self, d: Duration) -> BlockingConfig {
        self.keep_alive = d;
        self
    }

    /// How long shutdown waits for running jobs before detaching their threads.
    ///
    /// ```
    /// use std::time::Duration;
    /// let cfg = corio_executor::BlockingConfig::new().shutdown_timeout(Duration::from_secs(1));
    /// # drop(cfg);
    /// ```
    pub fn shutdown_timeout(mut self, d: Duration) -> BlockingConfig {
        self.shutdown_timeout = d;
        self
    }
}
