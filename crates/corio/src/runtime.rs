//! The event loop: a reactor (I/O readiness + timers) driven while the main future runs.
//!
//! `block_on` is the current-thread driver: it polls the main future whenever it is woken and
//! otherwise parks in the reactor, whose poll timeout is the timing wheel's next deadline.
//! The multi-threaded executor plugs in here: its workers park through the same reactor.

use std::future::Future;
use std::io;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use corio_reactor::{Reactor, Unparker};
use corio_timer::Clock;

/// Configures and creates a [`Runtime`].
///
/// ```
/// let rt = corio::Runtime::builder().virtual_clock().build()?;
/// assert!(rt.clock().is_virtual());
/// # std::io::Result::Ok(())
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    clock: Clock,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    /// A builder for a runtime on the real monotonic clock.
    ///
    /// ```
    /// let rt = corio::Builder::new().build()?;
    /// assert!(!rt.clock().is_virtual());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn new() -> Self {
        Builder { clock: Clock::Real }
    }

    /// Runs the loop on a fresh virtual clock: time stands still while tasks run and jumps
    /// straight to the next timer deadline whenever the loop would otherwise wait only for
    /// it. Tests that sleep for hours finish in milliseconds, deterministically.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let rt = corio::Runtime::builder().virtual_clock().build()?;
    /// let wall = Instant::now();
    /// rt.block_on(corio::sleep(Duration::from_secs(3600)));
    /// assert!(wall.elapsed() < Duration::from_secs(5));
    /// # std::io::Result::Ok(())
    /// ```
    pub fn virtual_clock(self) -> Self {
        self.clock(Clock::new_virtual())
    }

    /// Runs the loop on the given clock — for example a [`corio_timer::VirtualClock`] the test
    /// keeps a handle to, so it can [`advance`](corio_timer::VirtualClock::advance) time itself.
    ///
    /// ```
    /// use corio::time::{Clock, VirtualClock};
    /// use std::time::Duration;
    ///
    /// let clock = VirtualClock::new();
    /// let rt = corio::Runtime::builder().clock(Clock::Virtual(clock.clone())).build()?;
    /// let t0 = clock.now();
    /// clock.advance(Duration::from_secs(5));
    /// assert_eq!(rt.clock().now() - t0, Duration::from_secs(5));
    /// # std::io::Result::Ok(())
    /// ```
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Creates the runtime: its poller (an epoll / kqueue instance) and its timing wheel.
    ///
    /// Fails only when the operating system refuses a poller, e.g. when the process is out
    /// of file descriptors.
    ///
    /// ```
    /// let rt = corio::Builder::new().build()?;
    /// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn build(self) -> io::Result<Runtime> {
        Ok(Runtime {
            reactor: Reactor::new(self.clock)?,
        })
    }
}

/// An event loop: I/O readiness and timers, driven while a future runs on it.
///
/// ```
/// use std::time::Duration;
///
/// let rt = corio::Runtime::new()?;
/// let v = rt.block_on(async {
///     corio::sleep(Duration::from_millis(1)).await;
///     "done"
/// });
/// assert_eq!(v, "done");
/// # std::io::Result::Ok(())
/// ```
#[derive(Clone)]
pub struct Runtime {
    reactor: Reactor,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("clock", self.clock())
            .finish_non_exhaustive()
    }
}

impl Runtime {
    /// A runtime on the real clock; the same as `Builder::new().build()`.
    ///
    /// ```
    /// let rt = corio::Runtime::new()?;
    /// assert_eq!(rt.block_on(async { 7 }), 7);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn new() -> io::Result<Runtime> {
        Builder::new().build()
    }

    /// A [`Builder`] to configure a runtime.
    ///
    /// ```
    /// let rt = corio::Runtime::builder().build()?;
    /// # drop(rt);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn builder() -> Builder {
        Builder::new()
    }

    /// The clock this runtime's timers run on.
    ///
    /// ```
    /// let rt = corio::Runtime::new()?;
    /// let before = rt.clock().now();
    /// assert!(rt.clock().now() >= before);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn clock(&self) -> &Clock {
        self.reactor.timers().clock()
    }

    /// Runs `fut` to completion on this loop and returns its output.
    ///
    /// While `fut` waits, the calling thread parks in the reactor until I/O is ready, the
    /// next timer is due or `fut` is woken from another thread. Calling `block_on` inside a
    /// future that is itself being driven blocks that outer loop until the inner one ends,
    /// like any blocking call would.
    ///
    /// # Panics
    ///
    /// Panics if `fut` panics, or if the operating system's poller fails in a way that leaves
    /// the loop unable to wait (not seen in practice; `EINTR` is retried).
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = corio::Runtime::new()?;
    /// let out = rt.block_on(corio::timeout(Duration::from_secs(5), async { 3 }));
    /// assert_eq!(out, Ok(3));
    /// # std::io::Result::Ok(())
    /// ```
    pub fn block_on<F: Future>(&self, fut: F) -> F::Output {
        let _entered = self.reactor.enter();
        let mut fut = pin!(fut);
        let signal = Arc::new(LoopSignal {
            woken: AtomicBool::new(true),
            unparker: self.reactor.unparker(),
            owner: std::thread::current().id(),
        });
        let waker = Waker::from(signal.clone());
        let mut cx = Context::from_waker(&waker);
        loop {
            if signal.woken.swap(false, Ordering::Acquire) {
                if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
                    return out;
                }
            }
            // Woken again while polling: just look at I/O and timers, don't wait.
            let max = if signal.woken.load(Ordering::Acquire) {
                Some(Duration::ZERO)
            } else {
                None
            };
            match self.reactor.park(max) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => panic!("corio: the reactor can no longer wait for events: {e}"),
            }
        }
    }
}

/// The main future's waker: a flag, plus a poller notification when the wake comes from
/// another thread (a wake on the loop's own thread is seen before the loop parks again).
struct LoopSignal {
    woken: AtomicBool,
    unparker: Unparker,
    owner: std::thread::ThreadId,
}

impl Wake for LoopSignal {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.woken.swap(true, Ordering::Release) && std::thread::current().id() != self.owner {
            self.unparker.unpark();
        }
    }
}

/// Runs `fut` on a new event loop and returns its output — asyncio's `asyncio.run(main())`.
///
/// The loop is created for this call and torn down when `fut` completes.
///
/// # Panics
///
/// Panics if the operating system refuses to create the loop's poller (for instance when the
/// process is out of file descriptors); use [`Runtime::new`] to handle that error instead.
///
/// ```
/// use std::time::Duration;
///
/// corio::run(async {
///     println!("hello");
///     corio::sleep(Duration::from_millis(1)).await;
///     println!("goodbye");
/// });
/// ```
pub fn run<F: Future>(fut: F) -> F::Output {
    match Runtime::new() {
        Ok(rt) => rt.block_on(fut),
        Err(e) => panic!("corio::run: cannot create the event loop: {e}"),
    }
}

/// Runs `fut` to completion on a new event loop; the same as [`run`], under the name Rust
/// runtimes use.
///
/// ```
/// assert_eq!(corio::block_on(async { 5 }), 5);
/// ```
pub fn block_on<F: Future>(fut: F) -> F::Output {
    run(fut)
}
