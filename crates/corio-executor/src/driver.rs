//! How an idle scheduler waits: the [`Driver`] trait, and [`ThreadDriver`], a driver with no
//! I/O and no timers.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::fallback_timer;

use crate::parker::Parker;

/// What a scheduler parks in when it has nothing to run.
///
/// The executor never knows the reactor: the facade implements this trait with its reactor
/// (I/O readiness and timers), tests and scheduler-only users use [`ThreadDriver`]. At most one
/// thread of a runtime is inside [`park`](Driver::park) at a time.
///
/// ```
/// use corio_executor::{Driver, Executor};
/// use std::time::Duration;
///
/// /// A driver that sleeps on a plain thread parker (what `ThreadDriver` does).
/// struct Sleepy(corio_executor::ThreadDriver);
///
/// impl Driver for Sleepy {
///     fn park(&self, timeout: Option<Duration>) {
///         self.0.park(timeout)
///     }
///     fn unpark(&self) {
///         self.0.unpark()
///     }
/// }
///
/// let ex = Executor::current_thread(Sleepy(corio_executor::ThreadDriver::new()));
/// assert_eq!(ex.block_on(async { 40 + 2 }), 42);
/// ```
pub trait Driver: Send + Sync + 'static {
    /// Waits for events for at most `timeout` (`None`: until [`unpark`](Driver::unpark);
    /// `Some(Duration::ZERO)`: just look), dispatching them. Their wakers run on this thread,
    /// typically scheduling tasks. Returning early is allowed.
    ///
    /// ```
    /// use corio_executor::{Driver, ThreadDriver};
    /// use std::time::Duration;
    ///
    /// let d = ThreadDriver::new();
    /// d.park(Some(Duration::ZERO)); // returns at once
    /// ```
    fn park(&self, timeout: Option<Duration>);

    /// Ends a [`park`](Driver::park) in progress, from any thread, or makes the next one return
    /// at once. Cheap when repeated.
    ///
    /// ```
    /// use corio_executor::{Driver, ThreadDriver};
    ///
    /// let d = ThreadDriver::new();
    /// d.unpark();
    /// d.park(None); // returns at once: the unpark is remembered
    /// ```
    fn unpark(&self);

    /// Makes the driver's services reachable from the calling thread while the returned
    /// guard lives — for corio, the reactor and the timers, which tasks find through
    /// thread-locals. The executor calls it on each worker thread before the worker runs
    /// any task. The default does nothing.
    ///
    /// ```
    /// use corio_executor::{Driver, DriverGuard, ThreadDriver};
    ///
    /// thread_local!(static INSIDE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) });
    ///
    /// struct Flagging(ThreadDriver);
    /// struct Leave;
    /// impl Drop for Leave {
    ///     fn drop(&mut self) { INSIDE.with(|i| i.set(false)); }
    /// }
    /// impl Driver for Flagging {
    ///     fn park(&self, t: Option<std::time::Duration>) { self.0.park(t) }
    ///     fn unpark(&self) { self.0.unpark() }
    ///     fn enter(&self) -> DriverGuard {
    ///         INSIDE.with(|i| i.set(true));
    ///         DriverGuard::new(Leave)
    ///     }
    /// }
    ///
    /// let ex = corio_executor::Executor::multi_thread(1, Flagging(ThreadDriver::new()))?;
    /// let task = ex.spawn(async { INSIDE.with(|i| i.get()) }).unwrap();
    /// assert!(ex.block_on(task).unwrap(), "the worker entered the driver");
    /// # std::io::Result::Ok(())
    /// ```
    fn enter(&self) -> DriverGuard {
        DriverGuard::default()
    }

    /// A future that completes `duration` from now: how
    /// [`Handle::call_later`](crate::Handle::call_later) measures its delay, since the
    /// executor has no timers of its own. The future is created on the caller's thread and
    /// polled on a worker.
    ///
    /// The default uses a process-wide fallback timer thread, started the first time a sleep
    /// is polled. A driver with timers (corio's reactor) returns its own sleep, so delays
    /// follow the runtime's clock, virtual time included.
    ///
    /// ```
    /// use corio_executor::{Driver, ThreadDriver};
    /// use std::time::{Duration, Instant};
    ///
    /// let start = Instant::now();
    /// futures_lite::future::block_on(ThreadDriver::new().sleep(Duration::from_millis(5)));
    /// assert!(start.elapsed() >= Duration::from_millis(5));
    /// ```
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(fallback_timer::sleep(duration))
    }
}

/// Keeps a thread inside a driver's context (see [`Driver::enter`]) until dropped.
///
/// ```
/// let guard = corio_executor::DriverGuard::new(String::from("anything whose drop leaves"));
/// drop(guard);
/// ```
#[derive(Default)]
#[must_use = "the thread leaves the driver's context when the guard drops"]
pub struct DriverGuard {
    /// Held only for its `Drop`.
    _inner: Option<Box<dyn std::any::Any>>,
}

impl DriverGuard {
    /// A guard that drops `inner` when it is dropped.
    ///
    /// ```
    /// let _guard = corio_executor::DriverGuard::new(());
    /// ```
    pub fn new(inner: impl std::any::Any) -> DriverGuard {
        DriverGuard {
            _inner: Some(Box::new(inner)),
        }
    }
}

impl std::fmt::Debug for DriverGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DriverGuard").finish_non_exhaustive()
    }
}

/// A [`Driver`] without I/O or timers: parking sleeps the thread until it is unparked or the
/// timeout passes.
///
/// ```
/// use corio_executor::{Executor, ThreadDriver};
///
/// let ex = Executor::current_thread(ThreadDriver::new());
/// let task = ex.spawn(async { 7 }).unwrap();
/// assert_eq!(ex.block_on(task).unwrap(), 7);
/// ```
#[derive(Debug, Default)]
pub struct ThreadDriver {
    parker: Parker,
}

impl ThreadDriver {
    /// A new driver with no pending unpark.
    ///
    /// ```
    /// let d = corio_executor::ThreadDriver::new();
    /// # drop(d);
    /// ```
    pub fn new() -> ThreadDriver {
        ThreadDriver::default()
    }
}

impl Driver for ThreadDriver {
    fn park(&self, timeout: Option<Duration>) {
        self.parker.park(timeout);
    }

    fn unpark(&self) {
        self.parker.unpark();
    }
}

/// A shared driver drives like the driver itself, so the caller can keep a handle to it.
impl<D: Driver> Driver for Arc<D> {
    fn park(&self, timeout: Option<Duration>) {
        (**self).park(timeout);
    }

    fn unpark(&self) {
        (**self).unpark();
    }

    fn enter(&self) -> DriverGuard {
        (**self).enter()
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        (**self).sleep(duration)
    }
}
