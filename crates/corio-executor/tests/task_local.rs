//! Task-local values: per task, inherited by copy at spawn, reaching blocking jobs.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{both, eventually, watchdog};
use corio_executor::{
    Executor, TaskLocalError, ThreadDriver, spawn, spawn_blocking, task_local, to_thread, yield_now,
};

task_local! {
    static REQUEST: u64;
    static USER: String;
    static GUARD: Arc<()>;
}

#[test]
fn outside_every_task_nothing_is_set_and_nothing_panics() {
    assert_eq!(REQUEST.get(), None);
    assert_eq!(USER.with(|u| u.len()), None);
    assert_eq!(REQUEST.set(1), Err(TaskLocalError::NoScope));
    // A plain thread: the same.
    std::thread::spawn(|| assert_eq!(REQUEST.get(), None))
        .join()
        .unwrap();
}

#[test]
fn each_task_has_its_own_values() {
    both(|ex| {
        ex.block_on(async {
            let tasks: Vec<_> = (0..200u64)
                .map(|i| {
                    spawn(async move {
                        assert_eq!(REQUEST.get(), None, "nothing to inherit");
                        REQUEST.set(i).unwrap();
                        // Values survive suspension, whichever worker resumes the task.
                        for _ in 0..5 {
                            yield_now().await;
                            assert_eq!(REQUEST.get(), Some(i));
                        }
                        REQUEST.get()
                    })
                })
                .collect();
            for (i, t) in tasks.into_iter().enumerate() {
                assert_eq!(t.await.unwrap(), Some(i as u64));
            }
        });
    });
}

#[test]
fn children_inherit_a_copy() {
    both(|ex| {
        ex.block_on(async {
            let parent = spawn(async {
                REQUEST.set(1).unwrap();
                USER.set("ada".into()).unwrap();
                let child = spawn(async {
                    let seen = (REQUEST.get(), USER.get());
                    // The child's own set stays in the child.
                    REQUEST.set(2).unwrap();
                    let grandchild = spawn(async { REQUEST.get() }).await.unwrap();
                    (seen, REQUEST.get(), grandchild)
                });
                let child = child.await.unwrap();
                // Set after spawning: not seen by the already-spawned sibling.
                let sibling = spawn(async {
                    yield_now().await;
                    USER.get()
                });
                USER.set("bob".into()).unwrap();
                (REQUEST.get(), child, sibling.await.unwrap())
            });
            let (mine, child, sibling) = parent.await.unwrap();
            assert_eq!(mine, Some(1));
            assert_eq!(child, ((Some(1), Some("ada".into())), Some(2), Some(2)));
            assert_eq!(sibling, Some("ada".into()));
        });
    });
}

#[test]
fn blocking_jobs_inherit_the_values() {
    both(|ex| {
        let (a, b, after) = ex.block_on(async {
            spawn(async {
                REQUEST.set(9).unwrap();
                let a = spawn_blocking(|| {
                    let seen = REQUEST.get();
                    // A set in the job stays in the job.
                    REQUEST.set(10).unwrap();
                    seen
                })
                .await
                .unwrap();
                let b = to_thread(|| USER.get()).await.unwrap();
                (a, b, REQUEST.get())
            })
            .await
            .unwrap()
        });
        assert_eq!((a, b, after), (Some(9), None, Some(9)));
    });
}

#[test]
fn the_main_future_is_a_scope_too() {
    both(|ex| {
        let seen = ex.block_on(async {
            REQUEST.set(5).unwrap();
            yield_now().await;
            let child = spawn(async { REQUEST.get() }).await.unwrap();
            (REQUEST.get(), child)
        });
        assert_eq!(seen, (Some(5), Some(5)));
        // The next block_on starts afresh.
        assert_eq!(ex.block_on(async { REQUEST.get() }), None);
    });
}

#[test]
fn with_may_use_task_locals_inside() {
    both(|ex| {
        let v = ex
            .block_on(
                ex.spawn(async {
                    REQUEST.set(1).unwrap();
                    REQUEST.with(|r| {
                        REQUEST.set(r + 1).unwrap();
                        *r
                    })
                })
                .unwrap(),
            )
            .unwrap();
        assert_eq!(v, Some(1));
    });
}

#[test]
fn values_are_dropped_with_their_last_task() {
    watchdog(30, || {
        let ex = Executor::multi_thread(2, ThreadDriver::new()).unwrap();
        let value = Arc::new(());
        let v = value.clone();
        let released = Arc::new(AtomicBool::new(false));
        let r = released.clone();
        // The child handle comes back wrapped, so the parent does not await it.
        let t = ex
            .spawn(async move {
                GUARD.set(v).unwrap();
                let child = spawn(async move {
                    while !r.load(Ordering::SeqCst) {
                        yield_now().await;
                    }
                });
                Some(child)
            })
            .unwrap();
        let child = ex.block_on(t).unwrap().unwrap();
        // The parent is gone; the child still holds the inherited set.
        assert_eq!(Arc::strong_count(&value), 2);
        released.store(true, Ordering::SeqCst);
        ex.block_on(child).unwrap();
        // Dropped as the task leaves the listing, just after its output was delivered.
        eventually(10, "the child's values dropped", || {
            Arc::strong_count(&value) == 1
        });
        // Shutdown drops the values of tasks it cancels.
        let v = value.clone();
        ex.spawn(async move {
            GUARD.set(v).unwrap();
            std::future::pending::<()>().await
        })
        .unwrap()
        .detach();
        ex.block_on(async {
            while ex
                .all_tasks()
                .iter()
                .any(|t| t.state() != corio_executor::TaskState::Waiting)
            {
                yield_now().await;
            }
        });
        ex.shutdown();
        assert_eq!(Arc::strong_count(&value), 1);
    });
}
