//! asyncio's `TaskGroup`, scenario by scenario on the virtual clock: who is cancelled, which
//! clean-ups ran, what the group reports, and how long it took.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use corio::task::{ChildError, GroupClosed, TaskGroupError, task_group};
use corio::time::{now, sleep};
use corio::wait_for;

const S: Duration = Duration::from_secs(1);

fn virtual_run<F: Future>(f: F) -> F::Output {
    corio::Runtime::builder()
        .virtual_clock()
        .build()
        .expect("a runtime")
        .block_on(f)
}

#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, s: impl Into<String>) {
        self.0.lock().unwrap().push(s.into());
    }
    fn sorted(&self) -> Vec<String> {
        let mut v = self.0.lock().unwrap().clone();
        v.sort();
        v
    }
}

struct OnDrop(Log, &'static str);

impl Drop for OnDrop {
    fn drop(&mut self) {
        self.0.push(format!("{} dropped", self.1));
    }
}

/// A child that sleeps `secs`, logs `"{name} done"` and returns `Ok(secs)`.
fn child(
    log: &Log,
    name: &'static str,
    secs: u32,
) -> impl Future<Output = Result<u32, String>> + use<> {
    let log = log.clone();
    async move {
        let _guard = OnDrop(log.clone(), name);
        sleep(secs * S).await;
        log.push(format!("{name} done"));
        Ok(secs)
    }
}

/// The failures' messages, in order.
fn failed(e: &TaskGroupError<String>) -> Vec<String> {
    e.errors()
        .iter()
        .map(|c| match c {
            ChildError::Failed(s) => s.clone(),
            ChildError::Panicked(_) => "panic".to_string(),
        })
        .collect()
}

#[test]
fn the_group_returns_the_body_s_value_once_every_child_finished() {
    virtual_run(async {
        let log = Log::default();
        let t0 = now();
        let out = task_group(|tg| {
            let log = log.clone();
            async move {
                let a = tg.spawn(child(&log, "a", 3)).unwrap();
                tg.spawn(child(&log, "b", 1)).unwrap();
                log.push("body done");
                Ok::<_, String>(a)
            }
        })
        .await
        .unwrap();
        assert_eq!(
            now() - t0,
            3 * S,
            "the group outlives its body until the last child"
        );
        assert_eq!(out.await, Some(3));
        assert_eq!(
            log.sorted(),
            ["a done", "a dropped", "b done", "b dropped", "body done"]
        );
    });
}

#[test]
fn the_first_failure_cancels_the_siblings_and_the_body() {
    virtual_run(async {
        let log = Log::default();
        let t0 = now();
        let err = task_group(|tg| {
            let log = log.clone();
            async move {
                let _body = OnDrop(log.clone(), "body");
                tg.spawn(child(&log, "slow", 10)).unwrap();
                tg.spawn(async {
                    sleep(2 * S).await;
                    Err::<(), _>("broken".to_string())
                })
                .unwrap();
                sleep(60 * S).await;
                log.push("body done");
                Ok(())
            }
        })
        .await
        .unwrap_err();
        assert_eq!(failed(&err), ["broken"]);
        assert_eq!(now() - t0, 2 * S);
        assert_eq!(log.sorted(), ["body dropped", "slow dropped"]);
    });
}

#[test]
fn every_failure_seen_before_the_cancellation_is_reported() {
    virtual_run(async {
        let err = task_group(|tg| async move {
            let child = tg
                .spawn(async { Err::<(), _>("child".to_string()) })
                .unwrap();
            // The body learns of the child's failure in the same step the group does, and
            // fails too: both are reported, the body's first (it is polled first).
            assert_eq!(child.await, None);
            Err::<(), _>("body".to_string())
        })
        .await
        .unwrap_err();
        assert_eq!(failed(&err), ["body", "child"]);
        assert_eq!(
            err.to_string(),
            "2 task(s) of the group failed: body; child"
        );
    });
}

#[test]
fn a_panicking_child_is_a_failure_with_its_payload() {
    virtual_run(async {
        let err = task_group(|tg| async move {
            tg.spawn(async {
                sleep(S).await;
                if true {
                    panic!("child exploded");
                }
                Ok::<(), String>(())
            })
            .unwrap();
            Ok(())
        })
        .await
        .unwrap_err();
        match err.errors() {
            [ChildError::Panicked(p)] => {
                assert_eq!(p.downcast_ref::<&str>(), Some(&"child exploded"))
            }
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn a_failing_body_cancels_the_children_and_is_reported() {
    virtual_run(async {
        let log = Log::default();
        let err = task_group(|tg| {
            let log = log.clone();
            async move {
                tg.spawn(child(&log, "kid", 10)).unwrap();
                sleep(S).await;
                Err::<(), _>("body failed".to_string())
            }
        })
        .await
        .unwrap_err();
        assert_eq!(failed(&err), ["body failed"]);
        assert_eq!(log.sorted(), ["kid dropped"]);
    });
}

#[test]
fn cancelling_the_parent_cancels_every_child_with_a_plain_cancellation() {
    virtual_run(async {
        let log = Log::default();
        let group = task_group(|tg| {
            let log = log.clone();
            async move {
                tg.spawn(child(&log, "a", 10)).unwrap();
                tg.spawn(child(&log, "b", 20)).unwrap();
                Ok::<_, String>(())
            }
        });
        // The parent gives up after a second: the group is dropped, not failed.
        assert!(wait_for(group, S).await.is_err());
        sleep(S).await;
        assert_eq!(log.sorted(), ["a dropped", "b dropped"]);
        sleep(30 * S).await;
        assert_eq!(log.sorted().len(), 2, "no child finished afterwards");
    });
}

#[test]
fn children_can_spawn_more_children_while_the_group_runs() {
    virtual_run(async {
        let log = Log::default();
        let t0 = now();
        task_group(|tg| {
            let log = log.clone();
            async move {
                let inner = tg.clone();
                tg.spawn(async move {
                    sleep(S).await;
                    inner.spawn(child(&log, "grandchild", 2)).unwrap();
                    Ok(())
                })
                .unwrap();
                Ok::<_, String>(())
            }
        })
        .await
        .unwrap();
        assert_eq!(now() - t0, 3 * S, "the group waited for the grandchild");
        assert_eq!(log.sorted(), ["grandchild done", "grandchild dropped"]);
    });
}

#[test]
fn spawning_into_a_finished_group_is_an_error() {
    virtual_run(async {
        let kept = task_group(|tg| async move { Ok::<_, String>(tg.clone()) })
            .await
            .unwrap();
        assert_eq!(kept.spawn(async { Ok(()) }).unwrap_err(), GroupClosed);
    });
}

#[test]
fn spawning_into_a_group_shutting_down_is_an_error() {
    virtual_run(async {
        let seen = Arc::new(Mutex::new(None));
        let _ = task_group(|tg| {
            let seen = seen.clone();
            async move {
                let handle = tg.clone();
                tg.spawn(async move {
                    // Cancelled at its next await, but first it tries to spawn.
                    let guard = Spawner(handle, seen);
                    sleep(60 * S).await;
                    drop(guard);
                    Ok(())
                })
                .unwrap();
                tg.spawn(async {
                    sleep(S).await;
                    Err::<(), _>("fail".to_string())
                })
                .unwrap();
                Ok(())
            }
        })
        .await;
        assert_eq!(*seen.lock().unwrap(), Some(true), "the spawn was refused");
    });
}

/// When dropped (its child is being cancelled), tries to spawn into the group.
struct Spawner(corio::TaskGroup<String>, Arc<Mutex<Option<bool>>>);

impl Drop for Spawner {
    fn drop(&mut self) {
        let refused = self.0.spawn(async { Ok(()) }).is_err();
        *self.1.lock().unwrap() = Some(refused);
    }
}

#[test]
fn nested_groups_give_nested_error_groups() {
    #[derive(Debug)]
    enum E {
        Leaf(&'static str),
        Group(TaskGroupError<E>),
    }
    virtual_run(async {
        let err = task_group(|outer| async move {
            outer
                .spawn(async {
                    task_group(|inner| async move {
                        inner
                            .spawn(async {
                                sleep(S).await;
                                Err::<(), _>(E::Leaf("deep"))
                            })
                            .unwrap();
                        Ok(())
                    })
                    .await
                    .map_err(E::Group)
                })
                .unwrap();
            Ok(())
        })
        .await
        .unwrap_err();
        match err.errors() {
            [ChildError::Failed(E::Group(inner))] => {
                assert!(matches!(
                    inner.errors(),
                    [ChildError::Failed(E::Leaf("deep"))]
                ));
            }
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn a_failed_child_s_handle_gives_none() {
    virtual_run(async {
        let out = task_group(|tg| async move {
            let bad = tg.spawn(async { Err::<u8, _>("no".to_string()) }).unwrap();
            Ok(bad.await)
        })
        .await;
        // The body saw `None`, but the group reports the failure.
        assert_eq!(failed(&out.unwrap_err()), ["no"]);
    });
}

#[test]
fn a_group_with_no_children_returns_the_body_s_value_at_once() {
    virtual_run(async {
        let t0 = now();
        assert_eq!(
            task_group(|_| async { Ok::<_, String>(1) }).await.unwrap(),
            1
        );
        assert_eq!(now() - t0, Duration::ZERO);
    });
}

#[test]
fn ten_thousand_children_are_joined() {
    virtual_run(async {
        let sum = Arc::new(Mutex::new(0u64));
        task_group(|tg| {
            let sum = sum.clone();
            async move {
                for i in 0..10_000u64 {
                    let sum = sum.clone();
                    tg.spawn(async move {
                        sleep(Duration::from_millis(i % 50)).await;
                        *sum.lock().unwrap() += i;
                        Ok::<_, String>(())
                    })
                    .unwrap();
                }
                Ok(())
            }
        })
        .await
        .unwrap();
        assert_eq!(*sum.lock().unwrap(), (0..10_000).sum::<u64>());
    });
}
