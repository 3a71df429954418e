//! `Handle`: spawning, call_soon, call_later and submit from other threads.

mod common;

use std::future::pending;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{both, eventually, watchdog};
use corio_executor::{
    Executor, Handle, SpawnError, ThreadDriver, WaitError, spawn, spawn_blocking, yield_now,
};

/// Sets its flag when dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Runs the executor's loop on this thread until `done` reaches `n` (a current-thread
/// runtime runs tasks only meanwhile).
fn run_until(ex: &Executor, done: &AtomicUsize, n: usize) {
    ex.block_on(async {
        while done.load(Ordering::SeqCst) < n {
            yield_now().await;
        }
    });
}

#[test]
fn every_method_from_many_threads_at_once() {
    both(|ex| {
        const THREADS: usize = 8;
        const EACH: usize = 50;
        let h = ex.handle();
        let done = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..THREADS)
            .map(|_| {
                let (h, done) = (h.clone(), done.clone());
                std::thread::spawn(move || {
                    let mut subs = Vec::new();
                    for i in 0..EACH {
                        let d = done.clone();
                        h.spawn(async move {
                            d.fetch_add(1, Ordering::SeqCst);
                        })
                        .unwrap()
                        .detach();
                        let d = done.clone();
                        h.call_soon(move || {
                            d.fetch_add(1, Ordering::SeqCst);
                        })
                        .unwrap();
                        let d = done.clone();
                        h.call_later(Duration::from_millis(1), move || {
                            d.fetch_add(1, Ordering::SeqCst);
                        })
                        .unwrap();
                        let d = done.clone();
                        subs.push(
                            h.submit(async move {
                                yield_now().await;
                                d.fetch_add(1, Ordering::SeqCst);
                                i
                            })
                            .unwrap(),
                        );
                    }
                    // Blocks this plain thread until each submitted future finished.
                    subs.into_iter().map(|s| s.wait().unwrap()).sum::<usize>()
                })
            })
            .collect();
        run_until(&ex, &done, THREADS * EACH * 4);
        for t in threads {
            assert_eq!(t.join().unwrap(), EACH * (EACH - 1) / 2);
        }
    });
}

#[test]
fn call_later_runs_in_deadline_order() {
    watchdog(60, || {
        let ex = Executor::current_thread(ThreadDriver::new());
        let h = ex.handle();
        let order = Arc::new(Mutex::new(Vec::new()));
        let done = Arc::new(AtomicUsize::new(0));
        for (ms, tag) in [(60, "60"), (20, "20a"), (40, "40"), (20, "20b"), (0, "0")] {
            let (order, done) = (order.clone(), done.clone());
            h.call_later(Duration::from_millis(ms), move || {
                order.lock().unwrap().push(tag);
                done.fetch_add(1, Ordering::SeqCst);
            })
            .unwrap();
        }
        run_until(&ex, &done, 5);
        assert_eq!(*order.lock().unwrap(), ["0", "20a", "20b", "40", "60"]);
    });
}

#[test]
fn a_cancelled_call_later_never_runs() {
    both(|ex| {
        let h = ex.handle();
        let ran = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicUsize::new(0));
        let r = ran.clone();
        let first = h
            .call_later(Duration::from_millis(5), move || {
                r.store(true, Ordering::SeqCst)
            })
            .unwrap();
        let d = done.clone();
        let second = h
            .call_later(Duration::from_millis(30), move || {
                d.fetch_add(1, Ordering::SeqCst);
            })
            .unwrap();
        assert!(first.cancel());
        assert!(!first.cancel(), "only once");
        // The later call ran, so the cancelled one would have too.
        run_until(&ex, &done, 1);
        assert!(!ran.load(Ordering::SeqCst));
        eventually(10, "the later call finished", || second.is_finished());
        assert!(!second.cancel(), "too late to cancel");
    });
}

#[test]
fn wait_timeout_cancels_the_task_and_its_destructor_runs() {
    watchdog(60, || {
        let ex = Executor::multi_thread(2, ThreadDriver::new()).unwrap();
        let h = ex.handle();
        let dropped = Arc::new(AtomicBool::new(false));
        let d = DropFlag(dropped.clone());
        let sub = h
            .submit(async move {
                let _d = d;
                pending::<()>().await
            })
            .unwrap();
        let err = std::thread::spawn(move || sub.wait_timeout(Duration::from_millis(10)))
            .join()
            .unwrap()
            .unwrap_err();
        assert!(matches!(err, WaitError::TimedOut), "{err}");
        assert!(dropped.load(Ordering::SeqCst), "cancelled and dropped");
        assert!(ex.all_tasks().is_empty());
        // In time: the output.
        let sub = h.submit(async { 3 }).unwrap();
        assert_eq!(sub.wait_timeout(Duration::from_secs(20)).unwrap(), 3);
    });
}

#[test]
fn wait_timeout_on_a_current_thread_runtime() {
    watchdog(60, || {
        let ex = Arc::new(Executor::current_thread(ThreadDriver::new()));
        let h = ex.handle();
        let dropped = Arc::new(AtomicBool::new(false));
        let d = DropFlag(dropped.clone());
        let sub = h
            .submit(async move {
                let _d = d;
                pending::<()>().await
            })
            .unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let (ex2, s) = (ex.clone(), stop.clone());
        let looper = std::thread::spawn(move || {
            ex2.block_on(async move {
                while !s.load(Ordering::SeqCst) {
                    yield_now().await;
                    std::thread::sleep(Duration::from_micros(100));
                }
            });
        });
        let err = sub.wait_timeout(Duration::from_millis(10)).unwrap_err();
        assert!(matches!(err, WaitError::TimedOut), "{err}");
        assert!(dropped.load(Ordering::SeqCst));
        stop.store(true, Ordering::SeqCst);
        looper.join().unwrap();
    });
}

#[test]
fn waiting_inside_the_runtime_is_refused() {
    watchdog(30, || {
        let ex = Executor::current_thread(ThreadDriver::new());
        let h = ex.handle();
        let err = ex.block_on(async move {
            let sub = h.submit(async {}).unwrap();
            let t = spawn(async move { sub.wait() });
            t.await.unwrap().unwrap_err()
        });
        assert!(matches!(err, WaitError::InsideRuntime), "{err}");
    });
}

#[test]
fn current_works_in_tasks_and_blocking_jobs() {
    both(|ex| {
        assert!(Handle::current().is_none());
        let (from_task, from_job) = ex.block_on(async {
            let t = spawn(async { Handle::current().is_some() }).await.unwrap();
            let j = spawn_blocking(|| {
                let h = Handle::current().unwrap();
                h.spawn(async { 1 }).is_ok()
            })
            .await
            .unwrap();
            (t, j)
        });
        assert!(from_task && from_job);
    });
}

#[test]
fn after_shutdown_everything_is_an_error() {
    both(|ex| {
        let h = ex.handle();
        let pending_sub = h.submit(pending::<()>()).unwrap();
        ex.shutdown();
        assert!(h.is_shutdown());
        assert_eq!(h.spawn(async {}).unwrap_err(), SpawnError::Shutdown);
        assert_eq!(h.call_soon(|| {}).unwrap_err(), SpawnError::Shutdown);
        assert_eq!(
            h.call_later(Duration::ZERO, || {}).unwrap_err(),
            SpawnError::Shutdown
        );
        assert_eq!(h.submit(async {}).unwrap_err(), SpawnError::Shutdown);
        assert_eq!(h.spawn_blocking(|| {}).unwrap_err(), SpawnError::Shutdown);
        // A submission made before: cancelled by the shutdown, and waiting does not hang.
        assert!(pending_sub.wait().unwrap_err().is_cancelled());
        drop(ex);
        assert!(h.is_shutdown());
        assert_eq!(h.spawn(async {}).unwrap_err(), SpawnError::Shutdown);
    });
}

#[test]
fn a_handle_does_not_keep_the_runtime_alive() {
    watchdog(30, || {
        let ex = Executor::multi_thread(2, ThreadDriver::new()).unwrap();
        let h = ex.handle();
        let dropped = Arc::new(AtomicBool::new(false));
        let d = DropFlag(dropped.clone());
        h.spawn(async move {
            let _d = d;
            pending::<()>().await
        })
        .unwrap()
        .detach();
        drop(ex);
        eventually(10, "the task was dropped", || {
            dropped.load(Ordering::SeqCst)
        });
        assert!(h.is_shutdown());
    });
}
