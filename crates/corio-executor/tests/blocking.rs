//! The blocking pool: results, panics, the thread cap, keep-alive and shutdown.

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use common::{both, eventually, watchdog};
use corio_executor::{
    BlockingConfig, Executor, SpawnError, ThreadDriver, spawn_blocking, to_thread,
    try_spawn_blocking,
};

/// Sets its flag when dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn results_and_panics_propagate() {
    both(|ex| {
        ex.block_on(async {
            assert_eq!(spawn_blocking(|| 21 * 2).await.unwrap(), 42);
            assert_eq!(to_thread(|| "asyncio").await.unwrap(), "asyncio");
            let err = spawn_blocking(|| -> u8 { panic!("blocking boom") })
                .await
                .unwrap_err();
            assert!(err.is_panic());
            assert_eq!(
                *err.into_panic().downcast::<&str>().unwrap(),
                "blocking boom"
            );
            // The thread that caught the panic still serves jobs.
            assert_eq!(spawn_blocking(|| 1).await.unwrap(), 1);
        });
    });
}

#[test]
fn jobs_run_in_the_runtime_and_off_its_workers() {
    both(|ex| {
        let (name, spawned) = ex.block_on(async {
            spawn_blocking(|| {
                // Inside the runtime: a job can spawn tasks.
                let t = corio_executor::spawn(async { 5 });
                (std::thread::current().name().map(String::from), t)
            })
            .await
            .unwrap()
        });
        assert!(name.unwrap().starts_with("corio-blocking-"));
        assert_eq!(ex.block_on(spawned).unwrap(), 5);
    });
}

#[test]
fn never_more_than_the_cap_at_once_and_all_complete() {
    watchdog(60, || {
        let ex = Executor::multi_thread(2, ThreadDriver::new())
            .unwrap()
            .with_blocking_config(BlockingConfig::new().max_threads(4));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let names = Arc::new(Mutex::new(HashSet::new()));
        let jobs: Vec<_> = (0..40)
            .map(|i| {
                let (running, peak, names) = (running.clone(), peak.clone(), names.clone());
                ex.spawn_blocking(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    names
                        .lock()
                        .unwrap()
                        .insert(std::thread::current().name().map(String::from));
                    std::thread::sleep(Duration::from_millis(2));
                    running.fetch_sub(1, Ordering::SeqCst);
                    i
                })
                .unwrap()
            })
            .collect();
        let sum: usize = ex.block_on(async {
            let mut sum = 0;
            for j in jobs {
                sum += j.await.unwrap();
            }
            sum
        });
        assert_eq!(sum, 40 * 39 / 2);
        let peak = peak.load(Ordering::SeqCst);
        assert!((1..=4).contains(&peak), "peak concurrency {peak}");
        assert!(names.lock().unwrap().len() <= 4);
        assert!(ex.blocking_threads() <= 4);
    });
}

#[test]
fn the_cap_is_reached_when_jobs_block() {
    watchdog(60, || {
        let ex = Executor::current_thread(ThreadDriver::new())
            .with_blocking_config(BlockingConfig::new().max_threads(4));
        let (tx, rx) = mpsc::channel::<()>();
        let rx = Arc::new(Mutex::new(rx));
        let started = Arc::new(AtomicUsize::new(0));
        let jobs: Vec<_> = (0..8)
            .map(|_| {
                let (rx, started) = (rx.clone(), started.clone());
                ex.spawn_blocking(move || {
                    started.fetch_add(1, Ordering::SeqCst);
                    let _ = rx.lock().unwrap().recv();
                })
                .unwrap()
            })
            .collect();
        // Four run (blocked); four wait in the queue.
        eventually(20, "four jobs started", || {
            started.load(Ordering::SeqCst) == 4
        });
        assert_eq!(ex.blocking_threads(), 4);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(started.load(Ordering::SeqCst), 4, "the cap holds");
        for _ in 0..8 {
            tx.send(()).unwrap();
        }
        ex.block_on(async {
            for j in jobs {
                j.await.unwrap();
            }
        });
        assert_eq!(started.load(Ordering::SeqCst), 8);
    });
}

#[test]
fn the_pool_shrinks_after_the_keep_alive() {
    watchdog(60, || {
        let ex = Executor::multi_thread(1, ThreadDriver::new())
            .unwrap()
            .with_blocking_config(BlockingConfig::new().keep_alive(Duration::from_millis(5)));
        let (tx, rx) = mpsc::channel::<()>();
        let rx = Arc::new(Mutex::new(rx));
        let jobs: Vec<_> = (0..3)
            .map(|_| {
                let rx = rx.clone();
                ex.spawn_blocking(move || {
                    let _ = rx.lock().unwrap().recv();
                })
                .unwrap()
            })
            .collect();
        eventually(20, "three threads", || ex.blocking_threads() == 3);
        for _ in 0..3 {
            tx.send(()).unwrap();
        }
        ex.block_on(async {
            for j in jobs {
                j.await.unwrap();
            }
        });
        eventually(20, "the pool emptied", || ex.blocking_threads() == 0);
        // And it grows again on demand.
        assert_eq!(ex.block_on(ex.spawn_blocking(|| 7).unwrap()).unwrap(), 7);
    });
}

#[test]
fn shutdown_drops_queued_jobs_and_bounds_the_wait() {
    watchdog(60, || {
        let ex = Executor::multi_thread(1, ThreadDriver::new())
            .unwrap()
            .with_blocking_config(
                BlockingConfig::new()
                    .max_threads(1)
                    .shutdown_timeout(Duration::from_millis(20)),
            );
        let (release, wait) = mpsc::channel::<()>();
        let (started_tx, started) = mpsc::channel::<()>();
        let long = ex
            .spawn_blocking(move || {
                started_tx.send(()).unwrap();
                // Runs until the test lets it go, long after shutdown returned.
                let _ = wait.recv();
                "long"
            })
            .unwrap();
        started.recv().unwrap();
        let ran = Arc::new(AtomicBool::new(false));
        let dropped = Arc::new(AtomicBool::new(false));
        let (r, d) = (ran.clone(), DropFlag(dropped.clone()));
        let queued = ex
            .spawn_blocking(move || {
                let _d = d;
                r.store(true, Ordering::SeqCst);
            })
            .unwrap();
        // Returns although the long job still runs (it would hang the watchdog otherwise).
        ex.shutdown();
        assert!(dropped.load(Ordering::SeqCst), "the queued job was dropped");
        assert!(!ran.load(Ordering::SeqCst), "the queued job never ran");
        assert!(
            futures_lite::future::block_on(queued)
                .unwrap_err()
                .is_cancelled()
        );
        assert_eq!(
            ex.spawn_blocking(|| ()).unwrap_err(),
            SpawnError::Shutdown,
            "no new jobs"
        );
        // The detached thread finishes its job; its result is still delivered.
        release.send(()).unwrap();
        assert_eq!(futures_lite::future::block_on(long).unwrap(), "long");
        eventually(20, "the detached thread exited", || {
            ex.blocking_threads() == 0
        });
    });
}

#[test]
fn spawn_blocking_after_shutdown_is_cancelled() {
    both(|ex| {
        ex.shutdown();
        assert_eq!(
            ex.handle().spawn_blocking(|| ()).unwrap_err(),
            SpawnError::Shutdown
        );
        ex.block_on(async {
            assert_eq!(try_spawn_blocking(|| ()).unwrap_err(), SpawnError::Shutdown);
            assert!(spawn_blocking(|| ()).await.unwrap_err().is_cancelled());
        });
    });
}

#[test]
fn outside_a_runtime_the_global_pool_runs_jobs() {
    watchdog(30, || {
        let job = spawn_blocking(|| std::thread::current().name().map(String::from));
        let name = futures_lite::future::block_on(job).unwrap().unwrap();
        assert!(name.starts_with("corio-blocking-"), "{name}");
    });
}

#[test]
fn a_queued_job_can_be_cancelled() {
    watchdog(30, || {
        let ex = Executor::current_thread(ThreadDriver::new())
            .with_blocking_config(BlockingConfig::new().max_threads(1));
        let (tx, rx) = mpsc::channel::<()>();
        let busy = ex.spawn_blocking(move || rx.recv().is_ok()).unwrap();
        let ran = Arc::new(AtomicBool::new(false));
        let r = ran.clone();
        let queued = ex
            .spawn_blocking(move || r.store(true, Ordering::SeqCst))
            .unwrap();
        assert!(queued.cancel());
        tx.send(()).unwrap();
        assert!(ex.block_on(busy).unwrap());
        assert!(ex.block_on(queued).unwrap_err().is_cancelled());
        assert!(!ran.load(Ordering::SeqCst));
    });
}
