//! The pool of threads that run blocking jobs.
//!
//! * **On demand.** A job goes to an idle thread if there is one; otherwise a new thread is
//!   started, up to `max_threads`; otherwise it waits in the queue.
//! * **Handing a job to an idle thread** decrements `idle` and adds a `notified` token under
//!   the lock before `notify_one`. A waking thread that finds a token takes it (it was
//!   claimed); one that finds none woke spuriously or timed out and stays idle, or leaves.
//!   So each job wakes at most one thread and never starts one while another sits idle.
//! * **Keep-alive.** An idle thread that sees no job for `keep_alive` exits.
//! * **Shutdown** closes the queue, drops the jobs not yet started (their tasks resolve to
//!   `Cancelled`), wakes the idle threads so they exit, then waits, within a bound, for the
//!   running jobs to end. Threads still running then are detached.

use std::cell::Cell;
use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

use async_task::Runnable;

use super::config::BlockingConfig;
use crate::meta::Meta;
use crate::parker::lock;
use crate::scheduler::drop_runnable;

/// A handle to a pool; clones share it.
#[derive(Clone)]
pub(crate) struct Pool {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    /// Idle threads wait here for a job.
    work: Condvar,
    /// Shutdown waits here for threads to exit.
    exited: Condvar,
}

struct State {
    queue: VecDeque<Runnable<Meta>>,
    /// Live threads.
    threads: usize,
    /// Threads waiting for a job that nobody has claimed yet.
    idle: usize,
    /// Wake-ups sent to idle threads and not yet taken.
    notified: usize,
    /// Threads started so far, for their names.
    started: usize,
    config: BlockingConfig,
    closed: bool,
}

thread_local! {
    /// The pool this thread belongs to (its address), so shutdown from inside a job does
    /// not wait for itself.
    static POOL_OF_THREAD: Cell<usize> = const { Cell::new(0) };
}

impl Pool {
    pub(crate) fn new(config: BlockingConfig) -> Pool {
        Pool {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    queue: VecDeque::new(),
                    threads: 0,
                    idle: 0,
                    notified: 0,
                    started: 0,
                    config,
                    closed: false,
                }),
                work: Condvar::new(),
                exited: Condvar::new(),
            }),
        }
    }

    fn addr(&self) -> usize {
        Arc::as_ptr(&self.shared) as usize
    }

    /// Changes the limits; idle threads re-read the keep-alive at once.
    pub(crate) fn configure(&self, config: BlockingConfig) {
        lock(&self.shared.state).config = config;
        self.shared.work.notify_all();
    }

    pub(crate) fn config(&self) -> BlockingConfig {
        lock(&self.shared.state).config
    }

    /// Live threads, busy or idle.
    pub(crate) fn threads(&self) -> usize {
        lock(&self.shared.state).threads
    }

    pub(crate) fn is_closed(&self) -> bool {
        lock(&self.shared.state).closed
    }

    /// Queues a job (a blocking task's `Runnable`); dropped, so its task resolves to
    /// `Cancelled`, once the pool is closed.
    pub(crate) fn push(&self, r: Runnable<Meta>) {
        let mut st = lock(&self.shared.state);
        if st.closed {
            drop(st);
            drop_runnable(r);
            return;
        }
        st.queue.push_back(r);
        if st.idle > 0 {
            st.idle -= 1;
            st.notified += 1;
            drop(st);
            self.shared.work.notify_one();
            return;
        }
        if st.threads >= st.config.max_threads {
            // At the cap: the job waits for a thread to come back for more.
            return;
        }
        st.threads += 1;
        st.started += 1;
        let n = st.started;
        drop(st);
        // Started outside the lock: creating a thread takes tens of microseconds.
        let pool = self.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("corio-blocking-{n}"))
            .spawn(move || pool.run());
        if let Err(e) = spawned {
            self.thread_failed(&e);
        }
    }

    /// The operating system refused a thread: forget it, and if no thread is left to run
    /// the queue, drop the queued jobs (their tasks resolve to `Cancelled`) rather than let
    /// them wait forever.
    fn thread_failed(&self, e: &std::io::Error) {
        eprintln!("corio: cannot start a blocking thread: {e}");
        let orphans = {
            let mut st = lock(&self.shared.state);
            st.threads -= 1;
            if st.threads == 0 {
                std::mem::take(&mut st.queue)
            } else {
                VecDeque::new()
            }
        };
        self.shared.exited.notify_all();
        orphans.into_iter().for_each(drop_runnable);
    }

    /// A pool thread's life: run jobs while there are some, wait idle up to the keep-alive,
    /// exit.
    fn run(self) {
        let _ = POOL_OF_THREAD.try_with(|p| p.set(self.addr()));
        let shared = &*self.shared;
        let mut st = lock(&shared.state);
        'jobs: loop {
            if let Some(r) = st.queue.pop_front() {
                drop(st);
                run_job(r);
                st = lock(&shared.state);
                continue;
            }
            if st.closed {
                break;
            }
            st.idle += 1;
            let idle_since = Instant::now();
            loop {
                let deadline = idle_since.checked_add(st.config.keep_alive);
                let wait = deadline.map(|d| d.saturating_duration_since(Instant::now()));
                st = match wait {
                    Some(w) => {
                        shared
                            .work
                            .wait_timeout(st, w)
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .0
                    }
                    None => shared
                        .work
                        .wait(st)
                        .unwrap_or_else(std::sync::PoisonError::into_inner),
                };
                if st.notified > 0 {
                    // Claimed by a push (which already took us off `idle`).
                    st.notified -= 1;
                    continue 'jobs;
                }
                if st.closed {
                    st.idle -= 1;
                    break 'jobs;
                }
                let expired = idle_since
                    .checked_add(st.config.keep_alive)
                    .is_some_and(|d| Instant::now() >= d);
                if expired {
                    st.idle -= 1;
                    break 'jobs;
                }
            }
        }
        st.threads -= 1;
        drop(st);
        shared.exited.notify_all();
    }

    /// Stops accepting jobs and drops the queued ones.
    pub(crate) fn close(&self) {
        let queued = {
            let mut st = lock(&self.shared.state);
            st.closed = true;
            std::mem::take(&mut st.queue)
        };
        self.shared.work.notify_all();
        // Dropped outside the lock: a job's destructor is user code.
        queued.into_iter().for_each(drop_runnable);
    }

    /// Waits until every thread has exited, or `deadline` passes (`None`: no bound); true when
    /// they all did. A pool thread calling this does not wait for itself.
    pub(crate) fn wait_idle(&self, deadline: Option<Instant>) -> bool {
        let me = POOL_OF_THREAD
            .try_with(|p| p.get() == self.addr())
            .unwrap_or(false);
        let own = usize::from(me);
        let mut st = lock(&self.shared.state);
        while st.threads > own {
            st = match deadline {
                None => self
                    .shared
                    .exited
                    .wait(st)
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return false;
                    }
                    self.shared
                        .exited
                        .wait_timeout(st, left)
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .0
                }
            };
        }
        true
    }
}

/// Runs one job, unless it was cancelled before it started.
fn run_job(r: Runnable<Meta>) {
    if r.metadata().cancel_requested() {
        drop_runnable(r);
        return;
    }
    // The job's own panic is caught by its harness; this only contains a panicking
    // destructor, so the thread survives.
    if catch_unwind(AssertUnwindSafe(|| r.run())).is_err() {
        eprintln!("corio: a blocking job's destructor panicked; the panic was contained");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blocking::spawn_on;
    use futures_lite::future::block_on;

    impl Pool {
        fn idle(&self) -> usize {
            lock(&self.shared.state).idle
        }
    }

    fn eventually(cond: impl Fn() -> bool) {
        let deadline = Instant::now() + std::time::Duration::from_secs(20);
        while !cond() {
            assert!(Instant::now() < deadline, "condition not reached");
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    fn thread_name() -> String {
        std::thread::current().name().unwrap_or("").to_owned()
    }

    #[test]
    fn an_idle_thread_is_reused_and_none_is_started_for_it() {
        let pool = Pool::new(BlockingConfig::default());
        let first = block_on(spawn_on(&pool, None, thread_name)).unwrap();
        assert!(first.starts_with("corio-blocking-"), "{first}");
        // The thread goes back to idle just after completing the job.
        eventually(|| pool.idle() == 1);
        for _ in 0..10 {
            let again = block_on(spawn_on(&pool, None, thread_name)).unwrap();
            assert_eq!(again, first);
            assert_eq!(pool.threads(), 1);
            eventually(|| pool.idle() == 1);
        }
        pool.close();
        assert!(pool.wait_idle(None));
        assert_eq!(pool.threads(), 0);
    }

    #[test]
    fn a_closed_pool_drops_jobs() {
        let pool = Pool::new(BlockingConfig::default());
        pool.close();
        let job = spawn_on(&pool, None, || 1);
        assert!(block_on(job).unwrap_err().is_cancelled());
        assert_eq!(pool.threads(), 0);
    }
}
