//! `Executor::shutdown_timeout`: everything stops within the bound, or it says it did not.

mod common;

use std::future::pending;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use common::{both, watchdog};
use corio_executor::{Executor, ThreadDriver, spawn, yield_now};

/// Sets its flag when dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn everything_idle_stops_in_time() {
    both(|ex| {
        let dropped = Arc::new(AtomicBool::new(false));
        let d = DropFlag(dropped.clone());
        ex.spawn(async move {
            let _d = d;
            pending::<()>().await
        })
        .unwrap()
        .detach();
        ex.block_on(ex.spawn_blocking(|| ()).unwrap()).unwrap();
        ex.block_on(yield_now());
        assert!(ex.shutdown_timeout(Duration::from_secs(20)));
        assert!(dropped.load(Ordering::SeqCst));
        assert!(ex.all_tasks().is_empty());
        assert_eq!(ex.blocking_threads(), 0);
        assert!(ex.shutdown_timeout(Duration::from_secs(1)), "idempotent");
    });
}

#[test]
fn a_worker_stuck_in_a_poll_is_detached() {
    watchdog(60, || {
        let ex = Executor::multi_thread(2, ThreadDriver::new()).unwrap();
        let release = Arc::new(AtomicBool::new(false));
        let (started_tx, started) = mpsc::channel();
        let r = release.clone();
        ex.spawn(async move {
            started_tx.send(()).unwrap();
            // Never yields until released: shutdown cannot stop it.
            while !r.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(1));
            }
        })
        .unwrap()
        .detach();
        started.recv().unwrap();
        assert!(!ex.shutdown_timeout(Duration::from_millis(20)));
        release.store(true, Ordering::SeqCst);
    });
}

#[test]
fn a_long_blocking_job_is_detached() {
    both(|ex| {
        let (release, wait) = mpsc::channel::<()>();
        let (started_tx, started) = mpsc::channel();
        let job = ex
            .spawn_blocking(move || {
                started_tx.send(()).unwrap();
                let _ = wait.recv();
            })
            .unwrap();
        started.recv().unwrap();
        assert!(!ex.shutdown_timeout(Duration::from_millis(20)));
        release.send(()).unwrap();
        futures_lite::future::block_on(job).unwrap();
    });
}

#[test]
fn from_inside_a_task_it_cannot_wait_for_itself() {
    both(|ex| {
        let ex = Arc::new(ex);
        let inner = ex.clone();
        let t = ex
            .spawn(async move {
                let stopped = inner.shutdown_timeout(Duration::from_secs(5));
                // Still running: this poll finishes normally.
                (stopped, spawn(async {}).await.is_err())
            })
            .unwrap();
        let (stopped, refused) = ex.block_on(t).unwrap_or((true, false));
        assert!(!stopped);
        assert!(refused);
    });
}
