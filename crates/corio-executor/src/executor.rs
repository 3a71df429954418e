//! `Executor`: a runtime's scheduler, current-thread or multi-thread, behind one type.

use std::fmt;
use std::future::Future;
use std::io;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::blocking::{BlockingConfig, BlockingTask};
use crate::debug::DebugConfig;
use crate::dump::TaskDump;

use crate::context;
use crate::current_thread;
use crate::driver::Driver;
use crate::error::SpawnError;
use crate::handle::Handle;
use crate::info::TaskInfo;
use crate::multi_thread;
use crate::parker::lock;
use crate::scheduler::{Origin, Scheduler};
use crate::task::Task;

/// A task scheduler: runs spawned tasks and drives a main future, parking in a [`Driver`]
/// when idle.
///
/// Dropping an `Executor` shuts it down (see [`shutdown`](Executor::shutdown)).
///
/// ```
/// use corio_executor::{Executor, ThreadDriver};
///
/// let ex = Executor::multi_thread(2, ThreadDriver::new())?;
/// let out = ex.block_on(async {
///     let tasks: Vec<_> = (0..10).map(|i| corio_executor::spawn(async move { i * 2 })).collect();
///     let mut sum = 0;
///     for t in tasks {
///         sum += t.await.unwrap();
///     }
///     sum
/// });
/// assert_eq!(out, 90);
/// # std::io::Result::Ok(())
/// ```
pub struct Executor {
    sched: Scheduler,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Executor {
    /// A scheduler that runs every task on the thread calling [`block_on`](Executor::block_on).
    ///
    /// Tasks spawned while no thread is in `block_on` wait for the next `block_on`.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// let t = ex.spawn(async { std::thread::current().id() }).unwrap();
    /// assert_eq!(ex.block_on(t).unwrap(), std::thread::current().id());
    /// ```
    pub fn current_thread(driver: impl Driver) -> Executor {
        Executor {
            sched: Scheduler::Current(current_thread::Shared::new(Arc::new(driver))),
            threads: Mutex::new(Vec::new()),
        }
    }

    /// A work-stealing scheduler on `workers` threads (`0` means one per available core).
    /// The thread calling [`block_on`](Executor::block_on) drives only the main future.
    ///
    /// Fails when the operating system refuses to start a thread.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::multi_thread(0, ThreadDriver::new())?;
    /// assert!(ex.workers() >= 1);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn multi_thread(workers: usize, driver: impl Driver) -> io::Result<Executor> {
        let workers = if workers == 0 {
            std::thread::available_parallelism().map_or(1, usize::from)
        } else {
            workers
        };
        let (shared, threads) = multi_thread::Shared::start(workers, Arc::new(driver))?;
        Ok(Executor {
            sched: Scheduler::Multi(shared),
            threads: Mutex::new(threads),
        })
    }

    /// Worker threads: `1` for a current-thread executor.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// assert_eq!(Executor::current_thread(ThreadDriver::new()).workers(), 1);
    /// assert_eq!(Executor::multi_thread(3, ThreadDriver::new())?.workers(), 3);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn workers(&self) -> usize {
        match &self.sched {
            Scheduler::Current(_) => 1,
            Scheduler::Multi(s) => s.workers(),
        }
    }

    /// Runs `fut` to completion on the calling thread and returns its output; the free
    /// functions ([`spawn`](crate::spawn), [`all_tasks`](crate::all_tasks) …) use this
    /// executor meanwhile.
    ///
    /// Current-thread: the calling thread also runs the spawned tasks and waits in the driver
    /// (if another thread is already running this executor's loop, this one only waits for
    /// `fut`). Multi-thread: the calling thread only polls `fut`. Tasks left when `fut`
    /// completes keep their place; [`shutdown`](Executor::shutdown) cancels them.
    ///
    /// A panic in `fut` propagates to the caller.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// assert_eq!(ex.block_on(async { "hi" }), "hi");
    /// ```
    pub fn block_on<F: Future>(&self, fut: F) -> F::Output {
        match &self.sched {
            Scheduler::Current(s) => s.block_on(fut),
            Scheduler::Multi(s) => s.block_on(fut),
        }
    }

    /// Runs `fut` to completion, then shuts the executor down: what `asyncio.run` does.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::multi_thread(2, ThreadDriver::new())?;
    /// let v = ex.run(async {
    ///     corio_executor::spawn(std::future::pending::<()>()).detach(); // cancelled at the end
    ///     5
    /// });
    /// assert_eq!(v, 5);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn run<F: Future>(self, fut: F) -> F::Output {
        let out = self.block_on(fut);
        self.shutdown();
        out
    }

    /// Spawns a task. Fails with [`SpawnError::Shutdown`] once the executor is shut down.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::multi_thread(2, ThreadDriver::new())?;
    /// let t = ex.spawn(async { 1 + 1 })?;
    /// assert_eq!(ex.block_on(t).unwrap(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, fut: F) -> Result<Task<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.sched.spawn(Origin::caller(), fut)
    }

    /// Spawns a task with a name (listed by [`all_tasks`](Executor::all_tasks) with its spawn
    /// location).
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// let t = ex.spawn_named("job", async {})?;
    /// assert_eq!(t.name(), Some("job"));
    /// # Ok::<(), corio_executor::SpawnError>(())
    /// ```
    #[track_caller]
    pub fn spawn_named<F>(&self, name: &str, fut: F) -> Result<Task<F::Output>, SpawnError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.sched.spawn(Origin::named(Some(name)), fut)
    }

    /// The live tasks of this executor, by id.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// let _a = ex.spawn(std::future::pending::<()>()).unwrap();
    /// assert_eq!(ex.all_tasks().len(), 1);
    /// ```
    pub fn all_tasks(&self) -> Vec<TaskInfo> {
        self.sched.all_tasks()
    }

    /// Whether [`shutdown`](Executor::shutdown) was called.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// assert!(!ex.is_shutdown());
    /// ex.shutdown();
    /// assert!(ex.is_shutdown());
    /// ```
    pub fn is_shutdown(&self) -> bool {
        self.sched.is_closed()
    }

    /// Shuts down: new spawns fail, every remaining task is cancelled and dropped (its
    /// destructors run), worker threads are joined. The blocking pool stops accepting jobs,
    /// drops the queued ones and waits for the running ones up to its
    /// [`shutdown_timeout`](BlockingConfig::shutdown_timeout) (10 s by default); threads still
    /// running then are detached. Idempotent.
    ///
    /// Called from inside one of this executor's tasks, it cannot wait for the task it runs
    /// in: it cancels everything and returns; the rest happens when the workers (or the loop)
    /// get to it, and at the latest when the `Executor` is dropped.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    /// use std::sync::Arc;
    ///
    /// let ex = Executor::multi_thread(2, ThreadDriver::new())?;
    /// let guard = Arc::new(());
    /// let g = guard.clone();
    /// ex.spawn(async move { let _g = g; std::future::pending::<()>().await })?.detach();
    /// ex.shutdown();
    /// assert_eq!(Arc::strong_count(&guard), 1); // the task's future was dropped
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn shutdown(&self) {
        let pool = Instant::now().checked_add(self.sched.blocking().config().shutdown_timeout);
        self.stop(None, pool);
    }

    /// Shuts down like [`shutdown`](Executor::shutdown), but waits at most `timeout` in all:
    /// for the workers to leave the tasks they are polling, for the tasks to be dropped and
    /// for the blocking jobs to end. Returns `true` when everything stopped in time. Workers
    /// and blocking threads still busy after `timeout` are detached (threads cannot be
    /// killed): each stops as soon as its task yields or its job returns.
    ///
    /// Called from inside this executor (a task, or a blocking job), it cannot wait for the
    /// thread it runs on, so it may return `false` although everything else stopped.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    /// use std::time::Duration;
    ///
    /// let ex = Executor::multi_thread(2, ThreadDriver::new())?;
    /// ex.spawn(std::future::pending::<()>())?.detach();
    /// assert!(ex.shutdown_timeout(Duration::from_secs(10)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn shutdown_timeout(&self, timeout: Duration) -> bool {
        let deadline = Instant::now().checked_add(timeout);
        self.stop(deadline.or(Some(far_future())), deadline)
    }

    /// Closes the blocking pool, shuts the scheduler down (waiting for workers until
    /// `workers`, `None` = as long as it takes), then waits for blocking jobs until `pool`.
    fn stop(&self, workers: Option<Instant>, pool: Option<Instant>) -> bool {
        let blocking = self.sched.blocking();
        blocking.close();
        let sched = match &self.sched {
            Scheduler::Current(s) => s.shutdown(workers),
            Scheduler::Multi(s) => s.shutdown(std::mem::take(&mut *lock(&self.threads)), workers),
        };
        if matches!(context::worker_of(self.sched.addr()), Some(w) if w != context::NO_WORKER) {
            // On a thread that runs this runtime's tasks: waiting would hold it up.
            return false;
        }
        blocking.wait_idle(pool) && sched
    }

    /// A [`Handle`] to this executor: cloneable, usable from any thread, and never keeping
    /// the executor alive.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::multi_thread(2, ThreadDriver::new())?;
    /// let h = ex.handle();
    /// let t = std::thread::spawn(move || h.spawn(async { 5 }).unwrap()).join().unwrap();
    /// assert_eq!(ex.block_on(t).unwrap(), 5);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn handle(&self) -> Handle {
        Handle::new(&self.sched)
    }

    /// Runs `f` on this executor's blocking pool; see [`spawn_blocking`](crate::spawn_blocking).
    /// Fails with [`SpawnError::Shutdown`] once the executor is shut down.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// let job = ex.spawn_blocking(|| std::thread::sleep(std::time::Duration::from_millis(1)))?;
    /// ex.block_on(job).unwrap();
    /// # Ok::<(), corio_executor::SpawnError>(())
    /// ```
    pub fn spawn_blocking<F, T>(&self, f: F) -> Result<BlockingTask<T>, SpawnError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.sched.spawn_blocking(f)
    }

    /// Configures the blocking pool (thread cap, keep-alive, shutdown wait). Applies to
    /// threads already running too.
    ///
    /// ```
    /// use corio_executor::{BlockingConfig, Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new())
    ///     .with_blocking_config(BlockingConfig::new().max_threads(8));
    /// # drop(ex);
    /// ```
    pub fn with_blocking_config(self, config: BlockingConfig) -> Executor {
        self.sched.blocking().configure(config);
        self
    }

    /// Sets what this executor records and reports about its tasks (debug mode); tasks
    /// spawned from now on follow it. See [`DebugConfig`].
    ///
    /// ```
    /// use corio_executor::{DebugConfig, Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new()).with_debug(DebugConfig::on());
    /// let _t = ex.spawn(std::future::pending::<()>()).unwrap();
    /// assert!(ex.all_tasks()[0].location().is_some()); // tracked: even unnamed tasks
    /// ```
    pub fn with_debug(self, config: DebugConfig) -> Executor {
        self.sched.registry().diagnostics().configure(config);
        self
    }

    /// Runs the ready tasks of a current-thread executor in an order shuffled by a
    /// pseudo-random generator seeded with `seed`, instead of first come, first served: the
    /// same seed gives the same order, so an ordering bug found this way can be replayed.
    /// Fails with `InvalidInput` for a multi-thread executor, whose order no seed decides.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver, spawn};
    /// use std::sync::{Arc, Mutex};
    ///
    /// let order = |seed| {
    ///     let ex = Executor::current_thread(ThreadDriver::new()).with_shuffle_seed(seed).unwrap();
    ///     let seen = Arc::new(Mutex::new(Vec::new()));
    ///     ex.block_on(async {
    ///         let tasks: Vec<_> = (0..8)
    ///             .map(|i| {
    ///                 let seen = seen.clone();
    ///                 spawn(async move { seen.lock().unwrap().push(i) })
    ///             })
    ///             .collect();
    ///         for t in tasks {
    ///             t.await.unwrap();
    ///         }
    ///     });
    ///     Arc::try_unwrap(seen).unwrap().into_inner().unwrap()
    /// };
    /// assert_eq!(order(7), order(7));
    /// assert!(Executor::multi_thread(1, ThreadDriver::new())?.with_shuffle_seed(7).is_err());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn with_shuffle_seed(self, seed: u64) -> io::Result<Executor> {
        match &self.sched {
            Scheduler::Current(s) => {
                s.shuffle(seed);
                Ok(self)
            }
            Scheduler::Multi(_) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a shuffle seed needs a current-thread executor: a multi-thread one's order \
                 depends on its threads, not on a seed",
            )),
        }
    }

    /// The live tasks of this executor as a tree (see [`dump`](crate::dump)), from any
    /// thread.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// let _t = ex.spawn_named("waiter", std::future::pending::<()>()).unwrap();
    /// assert!(ex.dump().to_string().contains("\"waiter\""));
    /// ```
    pub fn dump(&self) -> TaskDump {
        TaskDump::new(self.all_tasks())
    }

    /// Threads in the blocking pool right now, busy or idle; it drops back to 0 once they
    /// have all been idle for the keep-alive.
    ///
    /// ```
    /// use corio_executor::{Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new());
    /// assert_eq!(ex.blocking_threads(), 0); // started on demand
    /// ex.block_on(ex.spawn_blocking(|| ()).unwrap()).unwrap();
    /// assert!(ex.blocking_threads() <= 1);
    /// ```
    pub fn blocking_threads(&self) -> usize {
        self.sched.blocking().threads()
    }
}

/// A deadline no wait reaches, for a timeout too large for an `Instant`.
fn far_future() -> Instant {
    let now = Instant::now();
    now.checked_add(Duration::from_secs(100 * 365 * 24 * 3600))
        .unwrap_or(now)
}

impl Drop for Executor {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl fmt::Debug for Executor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Executor")
            .field(
                "kind",
                &match self.sched {
                    Scheduler::Current(_) => "current_thread",
                    Scheduler::Multi(_) => "multi_thread",
                },
            )
            .field("workers", &self.workers())
            .field("shutdown", &self.is_shutdown())
            .finish()
    }
}
