//! The runtime: a reactor (I/O readiness + timers) and an executor (tasks) that parks in it.
//!
//! The executor knows the reactor only through [`corio_executor::Driver`]: idle workers wait
//! in `Reactor::park`, whose timeout is the timing wheel's next deadline, and every worker
//! thread enters the reactor so tasks reach I/O and timers through thread-locals.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::time::Duration;

use corio_executor::{
    BlockingConfig, BlockingTask, DebugConfig, Driver, DriverGuard, Executor, Handle,
};
use corio_reactor::{Reactor, Unparker};
use corio_timer::Clock;

use crate::task::DumpOnSignal;

/// Configures and creates a [`Runtime`].
///
/// ```
/// let rt = corio::Runtime::builder().worker_threads(2).build()?;
/// assert_eq!(rt.block_on(async { corio::spawn(async { 6 * 7 }).await }).unwrap(), 42);
/// # std::io::Result::Ok(())
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    clock: Clock,
    flavor: Flavor,
    blocking: BlockingConfig,
    debug: DebugConfig,
    shuffle_seed: Option<u64>,
    dump_on_sigusr1: bool,
}

/// Which scheduler runs the tasks.
#[derive(Debug, Clone, Copy)]
enum Flavor {
    CurrentThread,
    /// `0` = one worker per available core.
    MultiThread(usize),
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    /// A builder for a multi-threaded runtime (one worker per core) on the real clock, in
    /// debug mode when the environment says `CORIO_DEBUG=1` (see [`debug`](Self::debug)).
    ///
    /// ```
    /// let rt = corio::Builder::new().build()?;
    /// assert!(!rt.clock().is_virtual());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn new() -> Self {
        Builder {
            clock: Clock::Real,
            flavor: Flavor::MultiThread(0),
            blocking: BlockingConfig::new(),
            debug: DebugConfig::from_env(),
            shuffle_seed: None,
            dump_on_sigusr1: false,
        }
    }

    /// Runs every task on the thread that calls [`Runtime::block_on`] — asyncio's model, and
    /// the fastest when tasks mostly wait. `spawn_local` (for `!Send` futures) works here.
    ///
    /// ```
    /// let rt = corio::Builder::new().current_thread().build()?;
    /// let here = std::thread::current().id();
    /// let there = rt.block_on(async { corio::spawn(async { std::thread::current().id() }).await });
    /// assert_eq!(there.unwrap(), here);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn current_thread(mut self) -> Self {
        self.flavor = Flavor::CurrentThread;
        self
    }

    /// Runs tasks on `workers` threads that steal work from each other (`0` means one per
    /// available core, the default).
    ///
    /// ```
    /// let rt = corio::Builder::new().worker_threads(2).build()?;
    /// assert_eq!(rt.block_on(async { corio::spawn(async { 1 }).await }).unwrap(), 1);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn worker_threads(mut self, workers: usize) -> Self {
        self.flavor = Flavor::MultiThread(workers);
        self
    }

    /// Runs the loop on a fresh virtual clock: time stands still while tasks run and jumps
    /// straight to the next timer deadline whenever nothing else can happen. Tests that sleep
    /// for hours finish in milliseconds, deterministically.
    ///
    /// This also selects the current-thread scheduler: only a loop that runs every task
    /// itself can know, without racing other threads, that no task can run before time
    /// jumps. (Choosing [`worker_threads`](Self::worker_threads) afterwards lets virtual time
    /// jump whenever the worker waiting for I/O is idle, even while others are busy.)
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
        self.clock(Clock::new_virtual()).current_thread()
    }

    /// Runs the loop on the given clock — for example a [`corio_timer::VirtualClock`] the test
    /// keeps a handle to, so it can [`advance`](corio_timer::VirtualClock::advance) time itself.
    /// The scheduler stays whatever was chosen.
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

    /// At most `threads` threads run blocking work ([`crate::task::spawn_blocking`],
    /// [`crate::task::to_thread`]) at once; more jobs wait in a queue. Default 512.
    ///
    /// ```
    /// let rt = corio::Builder::new().max_blocking_threads(2).build()?;
    /// let n = rt.block_on(corio::task::to_thread(|| 21 * 2)).unwrap();
    /// assert_eq!(n, 42);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn max_blocking_threads(mut self, threads: usize) -> Self {
        self.blocking = self.blocking.max_threads(threads);
        self
    }

    /// How long an idle blocking thread waits for more work before it exits. Default 10 s.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = corio::Builder::new().thread_keep_alive(Duration::from_millis(100)).build()?;
    /// # drop(rt);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn thread_keep_alive(mut self, keep_alive: Duration) -> Self {
        self.blocking = self.blocking.keep_alive(keep_alive);
        self
    }

    /// How long shutdown waits for blocking work that is still running; threads still busy
    /// after that are left to finish on their own. Default 10 s.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = corio::Builder::new().blocking_shutdown_timeout(Duration::from_secs(1)).build()?;
    /// # drop(rt);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn blocking_shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.blocking = self.blocking.shutdown_timeout(timeout);
        self
    }

    /// Debug mode, asyncio's `loop.set_debug(True)` (also turned on by the environment
    /// variable `CORIO_DEBUG=1`). In debug mode the runtime:
    ///
    /// - warns on stderr about every poll that takes 100 ms or longer (a task blocking the
    ///   loop), naming the task, where it was spawned and how long it took — set the threshold
    ///   with [`slow_poll_threshold`](Self::slow_poll_threshold);
    /// - tracks every task for [`task::dump`](crate::task::dump): spawn location, parent, age,
    ///   polls and poll time;
    /// - lists the tasks still pending when it shuts down.
    ///
    /// A task that panicked and was never awaited is reported in every mode. With debug mode
    /// off, none of this costs anything measurable (docs/benchmarks.md, "Debug mode").
    ///
    /// ```
    /// let rt = corio::Builder::new().current_thread().debug(true).build()?;
    /// rt.block_on(async {
    ///     let _t = corio::spawn(std::future::pending::<()>());
    ///     corio::task::yield_now().await;
    ///     let dump = corio::task::dump();
    ///     assert_eq!(dump.tasks()[0].polls(), Some(1));
    ///     assert!(dump.tasks()[0].location().is_some());
    /// });
    /// # std::io::Result::Ok(())
    /// ```
    pub fn debug(mut self, on: bool) -> Self {
        self.debug = if on {
            DebugConfig::on()
        } else {
            DebugConfig::off()
        };
        self
    }

    /// Debug mode with another slow-poll threshold than 100 ms (asyncio's
    /// `loop.slow_callback_duration`).
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = corio::Builder::new().slow_poll_threshold(Duration::from_millis(20)).build()?;
    /// # drop(rt);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn slow_poll_threshold(mut self, threshold: Duration) -> Self {
        self.debug = DebugConfig::on().slow_poll_threshold(threshold);
        self
    }

    /// Tracks every task for [`task::dump`](crate::task::dump) (spawn location, parent, age,
    /// polls, poll time) without debug mode's reports. It costs a clock read around each poll.
    ///
    /// ```
    /// let rt = corio::Builder::new().current_thread().track_tasks(true).build()?;
    /// let dump = rt.block_on(async {
    ///     let _t = corio::spawn(std::future::pending::<()>());
    ///     corio::task::dump()
    /// });
    /// assert!(dump.tasks()[0].age().is_some());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn track_tasks(mut self, on: bool) -> Self {
        self.debug = self.debug.track_tasks(on);
        self
    }

    /// Runs ready tasks in an order shuffled reproducibly by `seed` instead of first come,
    /// first served — to shake out bugs that depend on the order tasks happen to run in
    /// (`#[corio::test(seed = N)]` uses it). Needs the current-thread scheduler:
    /// [`build`](Self::build) fails with `InvalidInput` otherwise.
    ///
    /// ```
    /// let rt = corio::Builder::new().current_thread().shuffle_seed(42).build()?;
    /// assert_eq!(rt.block_on(async { corio::spawn(async { 1 }).await }).unwrap(), 1);
    /// assert!(corio::Builder::new().worker_threads(2).shuffle_seed(42).build().is_err());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn shuffle_seed(mut self, seed: u64) -> Self {
        self.shuffle_seed = Some(seed);
        self
    }

    /// Prints [`task::dump`](crate::task::dump) on stderr each time the process receives
    /// `SIGUSR1` (`kill -USR1 <pid>`), for as long as the runtime lives. The dump is taken on
    /// a thread of its own, so it also shows a loop stuck in a task. Combine with
    /// [`track_tasks`](Self::track_tasks) or [`debug`](Self::debug) for locations and times.
    ///
    /// ```
    /// let rt = corio::Builder::new().track_tasks(true).dump_tasks_on_sigusr1(true).build()?;
    /// # drop(rt);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn dump_tasks_on_sigusr1(mut self, on: bool) -> Self {
        self.dump_on_sigusr1 = on;
        self
    }

    /// Creates the runtime: its poller (an epoll / kqueue instance), its timing wheel and its
    /// worker threads.
    ///
    /// Fails only when the operating system refuses a poller or a thread, e.g. when the
    /// process is out of file descriptors.
    ///
    /// ```
    /// let rt = corio::Builder::new().build()?;
    /// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn build(self) -> io::Result<Runtime> {
        let reactor = Reactor::new(self.clock)?;
        let driver = ReactorDriver {
            unparker: reactor.unparker(),
            reactor: reactor.clone(),
        };
        let mut executor = match self.flavor {
            Flavor::CurrentThread => Executor::current_thread(driver),
            Flavor::MultiThread(workers) => Executor::multi_thread(workers, driver)?,
        }
        .with_blocking_config(self.blocking)
        .with_debug(self.debug);
        if let Some(seed) = self.shuffle_seed {
            executor = executor.with_shuffle_seed(seed)?;
        }
        let dumper = if self.dump_on_sigusr1 {
            Some(DumpOnSignal::start(executor.handle())?)
        } else {
            None
        };
        Ok(Runtime {
            reactor,
            executor,
            _dumper: dumper,
        })
    }
}

/// The executor's view of the reactor: where idle workers wait, and the context every
/// worker thread enters.
struct ReactorDriver {
    reactor: Reactor,
    unparker: Unparker,
}

impl Driver for ReactorDriver {
    fn park(&self, timeout: Option<Duration>) {
        if let Err(e) = self.reactor.park(timeout) {
            // Not seen in practice (EINTR is retried inside): report it and back off
            // instead of spinning on a broken poller.
            eprintln!("corio: the reactor failed to wait for events: {e}");
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    fn unpark(&self) {
        self.unparker.unpark();
    }

    fn enter(&self) -> DriverGuard {
        DriverGuard::new(self.reactor.enter())
    }

    /// `call_later`'s delays run on this runtime's timers, so they follow its clock (virtual
    /// time included).
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        let _timers = self.reactor.timers().enter();
        Box::pin(corio_timer::sleep(duration))
    }
}

/// An event loop: tasks, I/O readiness and timers.
///
/// Dropping the runtime shuts it down: tasks still pending are cancelled (their destructors
/// run) and the worker threads are joined.
///
/// ```
/// use std::time::Duration;
///
/// let rt = corio::Runtime::new()?;
/// let v = rt.block_on(async {
///     let task = corio::spawn(async {
///         corio::sleep(Duration::from_millis(1)).await;
///         "done"
///     });
///     task.await.unwrap()
/// });
/// assert_eq!(v, "done");
/// # std::io::Result::Ok(())
/// ```
pub struct Runtime {
    reactor: Reactor,
    executor: Executor,
    /// Declared last: stops after the executor shut down.
    _dumper: Option<DumpOnSignal>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("clock", self.clock())
            .field("executor", &self.executor)
            .finish_non_exhaustive()
    }
}

impl Runtime {
    /// A multi-threaded runtime on the real clock; the same as `Builder::new().build()`.
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
    /// let rt = corio::Runtime::builder().current_thread().build()?;
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

    /// Runs `fut` to completion on this runtime and returns its output.
    ///
    /// `fut` runs on the calling thread; tasks it spawns run on the workers (or, on a
    /// current-thread runtime, on this thread while `fut` waits). Futures belong to the loop
    /// they were created in: a sleep created inside one runtime runs on that runtime's
    /// timers. Calling `block_on` inside a future that is itself being driven blocks that
    /// outer loop until the inner one ends, like any blocking call would.
    ///
    /// # Panics
    ///
    /// Panics if `fut` panics.
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
        self.executor.block_on(fut)
    }

    /// Runs the blocking function `f` on the runtime's blocking pool, from any thread;
    /// awaiting the returned task gives its result (asyncio's `to_thread`).
    ///
    /// ```
    /// let rt = corio::Runtime::new()?;
    /// let job = rt.spawn_blocking(|| std::fs::read_to_string("Cargo.toml").is_ok())?;
    /// assert!(rt.block_on(job).unwrap());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn spawn_blocking<F, T>(&self, f: F) -> Result<BlockingTask<T>, crate::task::SpawnError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.executor.spawn_blocking(f)
    }

    /// A handle to this runtime for other threads: spawn tasks, `call_soon`, `call_later`,
    /// and `submit` a future and wait for its result from a plain thread (asyncio's
    /// `run_coroutine_threadsafe`). The handle does not keep the runtime alive.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = corio::Runtime::new()?;
    /// let handle = rt.handle();
    /// let answer = std::thread::spawn(move || {
    ///     let submission = handle.submit(async { 6 * 7 }).expect("the runtime is running");
    ///     submission.wait_timeout(Duration::from_secs(5))
    /// })
    /// .join()
    /// .unwrap()?;
    /// assert_eq!(answer, 42);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn handle(&self) -> Handle {
        self.executor.handle()
    }

    /// Shuts the runtime down within `timeout`: cancels every task (their destructors run),
    /// stops the workers and waits for running blocking work. Returns whether everything
    /// stopped in time; threads still busy after it are left to finish on their own.
    /// Dropping the runtime does the same with the configured timeouts.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = corio::Runtime::new()?;
    /// rt.spawn(std::future::pending::<()>())?.detach();
    /// assert!(rt.shutdown_timeout(Duration::from_secs(5)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn shutdown_timeout(&self, timeout: Duration) -> bool {
        self.executor.shutdown_timeout(timeout)
    }

    /// Spawns a task on this runtime from any thread, inside the runtime or not.
    ///
    /// On a current-thread runtime the task runs while some thread is inside
    /// [`block_on`](Self::block_on). Fails only once the runtime is shutting down.
    ///
    /// ```
    /// let rt = corio::Runtime::new()?;
    /// let task = std::thread::scope(|s| s.spawn(|| rt.spawn(async { 2 + 2 })).join().unwrap())?;
    /// assert_eq!(rt.block_on(task).unwrap(), 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, fut: F) -> Result<crate::Task<F::Output>, crate::task::SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.executor.spawn(fut)
    }
}

/// Runs `fut` on a new runtime and returns its output — asyncio's `asyncio.run(main())`.
///
/// The runtime is created for this call; when `fut` completes, the tasks still pending are
/// cancelled (their destructors run) and the worker threads are joined.
///
/// # Panics
///
/// Panics if the operating system refuses to create the loop's poller or threads (for
/// instance when the process is out of file descriptors); use [`Runtime::new`] to handle
/// that error instead.
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

/// Runs `fut` to completion on a new runtime; the same as [`run`], under the name Rust
/// runtimes use.
///
/// ```
/// assert_eq!(corio::block_on(async { 5 }), 5);
/// ```
pub fn block_on<F: Future>(fut: F) -> F::Output {
    run(fut)
}
