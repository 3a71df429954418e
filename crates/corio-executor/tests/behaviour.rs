//! Behaviour of tasks under both schedulers.

mod common;

use std::future::{Future, pending, poll_fn};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Poll, Waker};
use std::time::Duration;

use common::{both, watchdog};
use corio_executor::{
    Executor, SpawnError, TaskState, ThreadDriver, all_tasks, coop, current_task, spawn,
    spawn_local, spawn_named, try_spawn, yield_now,
};

/// Sets its flag when dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Waits (cooperatively) until `cond` holds.
async fn until(cond: impl Fn() -> bool) {
    while !cond() {
        yield_now().await;
    }
}

#[test]
fn hundred_thousand_tasks_spawned_and_joined() {
    both(|ex| {
        let sum = ex.block_on(async {
            let tasks: Vec<_> = (0..100_000u64).map(|i| spawn(async move { i })).collect();
            let mut sum = 0;
            for t in tasks {
                sum += t.await.unwrap();
            }
            sum
        });
        assert_eq!(sum, 100_000 * 99_999 / 2);
        assert!(ex.all_tasks().is_empty());
    });
}

#[test]
fn tasks_spawning_tasks() {
    both(|ex| {
        let n = ex.block_on(async {
            let outer: Vec<_> = (0..100)
                .map(|_| {
                    spawn(async {
                        let inner: Vec<_> = (0..100).map(|j| spawn(async move { j })).collect();
                        let mut s = 0;
                        for t in inner {
                            s += t.await.unwrap();
                        }
                        s
                    })
                })
                .collect();
            let mut total = 0;
            for t in outer {
                total += t.await.unwrap();
            }
            total
        });
        assert_eq!(n, 100 * 4950);
    });
}

#[test]
fn idle_worker_steals_from_a_blocked_one() {
    watchdog(30, || {
        let ex = Executor::multi_thread(2, ThreadDriver::new()).unwrap();
        let done = Arc::new(AtomicUsize::new(0));
        let d = done.clone();
        let spinner = ex
            .spawn(async move {
                let me = std::thread::current().id();
                // Queued on this worker, which then blocks until they are all done: only the
                // other worker can run them, by stealing.
                let ran_elsewhere = Arc::new(AtomicUsize::new(0));
                for _ in 0..64 {
                    let d = d.clone();
                    let r = ran_elsewhere.clone();
                    spawn(async move {
                        if std::thread::current().id() != me {
                            r.fetch_add(1, Ordering::SeqCst);
                        }
                        d.fetch_add(1, Ordering::SeqCst);
                    })
                    .detach();
                }
                while d.load(Ordering::SeqCst) < 64 {
                    std::hint::spin_loop();
                }
                ran_elsewhere.load(Ordering::SeqCst)
            })
            .unwrap();
        assert_eq!(ex.block_on(spinner).unwrap(), 64);
        assert_eq!(done.load(Ordering::SeqCst), 64);
    });
}

/// An always-ready future that only yields through the cooperative budget.
fn ready_with_coop() -> impl Future<Output = ()> {
    poll_fn(coop::consume)
}

#[test]
fn always_ready_task_does_not_starve_others() {
    let body = |ex: Executor| {
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let spins = ex
            .spawn(async move {
                let mut n = 0u64;
                while !s.load(Ordering::SeqCst) {
                    ready_with_coop().await;
                    n += 1;
                }
                n
            })
            .unwrap();
        let s = stop.clone();
        let stopper = ex
            .spawn(async move {
                s.store(true, Ordering::SeqCst);
            })
            .unwrap();
        ex.block_on(async {
            stopper.await.unwrap();
            spins.await.unwrap();
        });
    };
    let b = body;
    watchdog(30, move || {
        b(Executor::multi_thread(1, ThreadDriver::new()).unwrap())
    });
    both(body);
}

#[test]
fn yield_now_lets_others_run() {
    both(|ex| {
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        ex.block_on(async move {
            let f2 = f.clone();
            let looper = spawn(async move {
                let mut n = 0;
                while !f2.load(Ordering::SeqCst) {
                    yield_now().await;
                    n += 1;
                }
                n
            });
            spawn(async move { f.store(true, Ordering::SeqCst) })
                .await
                .unwrap();
            looper.await.unwrap();
        });
        assert!(flag.load(Ordering::SeqCst));
    });
}

#[test]
fn names_ids_listing_and_current_task() {
    both(|ex| {
        ex.block_on(async {
            assert!(current_task().is_none(), "the main future is not a task");
            let a = spawn_named("alpha", pending::<()>());
            let b = spawn(pending::<()>());
            assert_ne!(a.id(), b.id());
            assert_eq!(a.name(), Some("alpha"));
            assert_eq!(b.name(), None);
            let c = spawn_named("gamma", async {
                let me = current_task().unwrap();
                (me.id(), me.name().map(String::from))
            });
            let cid = c.id();
            assert_eq!(c.await.unwrap(), (cid, Some("gamma".to_owned())));
            yield_now().await;
            let listed = all_tasks();
            assert_eq!(listed.len(), 2, "{listed:?}");
            let la = listed.iter().find(|t| t.id() == a.id()).unwrap();
            assert_eq!(la.name(), Some("alpha"));
            assert!(la.location().unwrap().file().ends_with("behaviour.rs"));
            assert!(matches!(
                la.state(),
                TaskState::Waiting | TaskState::Scheduled
            ));
            assert!(listed.iter().any(|t| t.id() == b.id()));
            a.cancel();
            b.cancel();
            assert!(a.await.unwrap_err().is_cancelled());
            assert!(b.await.unwrap_err().is_cancelled());
            assert!(all_tasks().is_empty());
        });
    });
}

/// On a multi-thread executor, occupies every worker until the returned flag is set, so that
/// nothing else gets polled meanwhile.
fn hold_workers(ex: &Executor) -> Arc<AtomicBool> {
    let release = Arc::new(AtomicBool::new(false));
    if !format!("{ex:?}").contains("multi_thread") {
        return release;
    }
    let started = Arc::new(AtomicUsize::new(0));
    for _ in 0..ex.workers() {
        let (r, s) = (release.clone(), started.clone());
        ex.spawn(async move {
            s.fetch_add(1, Ordering::SeqCst);
            while !r.load(Ordering::SeqCst) {
                std::hint::spin_loop();
            }
        })
        .unwrap()
        .detach();
    }
    while started.load(Ordering::SeqCst) < ex.workers() {
        std::thread::yield_now();
    }
    release
}

#[test]
fn cancel_before_first_poll() {
    both(|ex| {
        let hold = hold_workers(&ex);
        let polled = Arc::new(AtomicBool::new(false));
        let dropped = Arc::new(AtomicBool::new(false));
        let (p, d) = (polled.clone(), DropFlag(dropped.clone()));
        let t = ex
            .spawn(async move {
                let _d = d;
                p.store(true, Ordering::SeqCst);
            })
            .unwrap();
        assert!(t.cancel());
        hold.store(true, Ordering::SeqCst);
        let err = ex.block_on(t).unwrap_err();
        assert!(err.is_cancelled(), "{err}");
        assert!(
            !polled.load(Ordering::SeqCst),
            "a task cancelled before its first poll never runs"
        );
        assert!(dropped.load(Ordering::SeqCst));
    });
}

#[test]
fn cancel_while_waiting() {
    both(|ex| {
        let dropped = Arc::new(AtomicBool::new(false));
        let started = Arc::new(AtomicBool::new(false));
        let (s, d) = (started.clone(), DropFlag(dropped.clone()));
        ex.block_on(async move {
            let t = spawn(async move {
                let _d = d;
                s.store(true, Ordering::SeqCst);
                pending::<()>().await
            });
            let s2 = started.clone();
            until(move || s2.load(Ordering::SeqCst)).await;
            assert!(!t.is_finished());
            assert!(t.cancel());
            assert!(t.await.unwrap_err().is_cancelled());
        });
        assert!(dropped.load(Ordering::SeqCst));
    });
}

#[test]
fn cancel_after_completion_keeps_the_result() {
    both(|ex| {
        ex.block_on(async {
            let t = spawn(async { 7 });
            let t2 = &t;
            until(|| t2.is_finished()).await;
            assert!(!t.cancel());
            assert_eq!(t.await.unwrap(), 7);
        });
    });
}

#[test]
fn panics_are_isolated_and_surface_when_awaited() {
    both(|ex| {
        let out = ex.block_on(async {
            let bad: Vec<_> = (0..10)
                .map(|i| spawn(async move { panic!("task {i} failed") }))
                .collect();
            // Unobserved panics (detached): reported on stderr, nothing else happens.
            spawn_named("careless", async { panic!("nobody listens") }).detach();
            let good = spawn(async {
                yield_now().await;
                1
            });
            let mut msgs = Vec::new();
            for t in bad {
                let e = t.await.unwrap_err();
                assert!(e.is_panic());
                msgs.push(*e.into_panic().downcast::<String>().unwrap());
            }
            assert_eq!(msgs[3], "task 3 failed");
            good.await.unwrap()
        });
        assert_eq!(out, 1);
        // The workers survived.
        assert_eq!(ex.block_on(ex.spawn(async { 2 }).unwrap()).unwrap(), 2);
    });
}

#[test]
fn dropping_a_task_detaches_it() {
    both(|ex| {
        let done = Arc::new(AtomicBool::new(false));
        let d = done.clone();
        ex.block_on(async move {
            let d2 = d.clone();
            drop(spawn(async move {
                for _ in 0..3 {
                    yield_now().await;
                }
                d2.store(true, Ordering::SeqCst);
            }));
            until(move || d.load(Ordering::SeqCst)).await;
        });
        assert!(done.load(Ordering::SeqCst));
    });
}

#[test]
fn many_threads_spawning_at_once() {
    both(|ex| {
        let ex = Arc::new(ex);
        let count = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let ex = ex.clone();
                let count = count.clone();
                std::thread::spawn(move || {
                    (0..2000)
                        .map(|_| {
                            let c = count.clone();
                            ex.spawn(async move {
                                c.fetch_add(1, Ordering::SeqCst);
                            })
                            .unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let tasks: Vec<_> = threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect();
        ex.block_on(async {
            for t in tasks {
                t.await.unwrap();
            }
        });
        assert_eq!(count.load(Ordering::SeqCst), 16_000);
    });
}

#[test]
fn shutdown_cancels_pending_tasks_and_runs_destructors() {
    both(|ex| {
        let flags: Vec<_> = (0..100).map(|_| Arc::new(AtomicBool::new(false))).collect();
        let handles = ex.block_on(async {
            let mut handles = Vec::new();
            for (i, f) in flags.iter().enumerate() {
                let d = DropFlag(f.clone());
                let t = spawn(async move {
                    let _d = d;
                    pending::<()>().await
                });
                // Half detached, half kept: both must be dropped.
                if i % 2 == 0 {
                    handles.push(t);
                }
            }
            yield_now().await;
            handles
        });
        assert_eq!(ex.all_tasks().len(), 100);
        ex.shutdown();
        assert!(flags.iter().all(|f| f.load(Ordering::SeqCst)));
        assert!(ex.all_tasks().is_empty());
        for t in handles {
            assert!(t.is_finished());
            assert!(ex.block_on(t).unwrap_err().is_cancelled());
        }
    });
}

#[test]
fn spawn_after_shutdown_is_an_error() {
    both(|ex| {
        ex.shutdown();
        assert_eq!(ex.spawn(async {}).unwrap_err(), SpawnError::Shutdown);
        assert_eq!(
            ex.spawn_named("x", async {}).unwrap_err(),
            SpawnError::Shutdown
        );
        // Inside the runtime, the free spawn gives an already-cancelled task.
        ex.block_on(async {
            assert_eq!(try_spawn(async {}).unwrap_err(), SpawnError::Shutdown);
            assert!(spawn(async {}).await.unwrap_err().is_cancelled());
        });
    });
    assert_eq!(try_spawn(async {}).unwrap_err(), SpawnError::NoRuntime);
}

#[test]
fn foreign_waker_after_shutdown_is_harmless() {
    both(|ex| {
        let slot: Arc<Mutex<Option<Waker>>> = Arc::new(Mutex::new(None));
        let dropped = Arc::new(AtomicBool::new(false));
        let (s, d) = (slot.clone(), DropFlag(dropped.clone()));
        let t = ex
            .spawn(async move {
                let _d = d;
                poll_fn(|cx| {
                    *s.lock().unwrap() = Some(cx.waker().clone());
                    Poll::<()>::Pending
                })
                .await
            })
            .unwrap();
        ex.block_on(async {
            let s = slot.clone();
            until(move || s.lock().unwrap().is_some()).await;
        });
        let waker = slot.lock().unwrap().take().unwrap();
        let clone = waker.clone();
        // Wake from another thread while shutting down.
        let w2 = waker.clone();
        let racer = std::thread::spawn(move || {
            for _ in 0..100 {
                w2.wake_by_ref();
            }
        });
        drop(ex);
        racer.join().unwrap();
        assert!(dropped.load(Ordering::SeqCst));
        // After the runtime is gone: wake, clone and drop on a foreign thread.
        std::thread::spawn(move || {
            waker.wake_by_ref();
            let c2 = clone.clone();
            clone.wake();
            c2.wake();
            waker.wake();
        })
        .join()
        .unwrap();
        assert!(
            futures_lite::future::block_on(t)
                .unwrap_err()
                .is_cancelled()
        );
    });
}

#[test]
fn spawn_local_runs_on_the_current_thread_scheduler() {
    watchdog(30, || {
        let ex = Executor::current_thread(ThreadDriver::new());
        let v = ex.block_on(async {
            let rc = std::rc::Rc::new(std::cell::Cell::new(1));
            let r = rc.clone();
            let t = spawn_local(async move {
                yield_now().await;
                r.set(r.get() + 1);
            })
            .unwrap();
            t.await.unwrap();
            rc.get()
        });
        assert_eq!(v, 2);
        assert_eq!(spawn_local(async {}).unwrap_err(), SpawnError::NoRuntime);
        let mt = Executor::multi_thread(1, ThreadDriver::new()).unwrap();
        let e = mt.block_on(async { spawn_local(async {}).unwrap_err() });
        assert_eq!(e, SpawnError::LocalUnsupported);
    });
}

#[test]
fn block_on_leaves_unfinished_tasks_for_later() {
    both(|ex| {
        let t = ex
            .spawn(async {
                for _ in 0..10 {
                    yield_now().await;
                }
                5
            })
            .unwrap();
        ex.block_on(async {});
        assert_eq!(ex.block_on(t).unwrap(), 5);
    });
}

#[test]
fn wake_from_a_foreign_thread_reaches_the_task() {
    both(|ex| {
        let slot: Arc<Mutex<Option<Waker>>> = Arc::new(Mutex::new(None));
        let go = Arc::new(AtomicBool::new(false));
        let (s, g) = (slot.clone(), go.clone());
        let t = ex
            .spawn(poll_fn(move |cx| {
                if g.load(Ordering::SeqCst) {
                    return Poll::Ready(9);
                }
                *s.lock().unwrap() = Some(cx.waker().clone());
                Poll::Pending
            }))
            .unwrap();
        let (s, g) = (slot.clone(), go.clone());
        let th = std::thread::spawn(move || {
            loop {
                if let Some(w) = s.lock().unwrap().take() {
                    std::thread::sleep(Duration::from_millis(2));
                    g.store(true, Ordering::SeqCst);
                    w.wake();
                    return;
                }
                std::thread::yield_now();
            }
        });
        assert_eq!(ex.block_on(t).unwrap(), 9);
        th.join().unwrap();
    });
}
