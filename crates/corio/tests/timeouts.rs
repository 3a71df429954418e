//! asyncio's `wait_for`, `timeout()` scopes and `shield`, scenario by scenario, on the virtual
//! clock: each asserts the exact outcome, what was cancelled, which clean-ups ran and how much
//! virtual time passed.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use corio::task::{shield, wait_for_task};
use corio::time::{TimeoutError, TimeoutScope, now, sleep};
use corio::{spawn, wait_for};

const S: Duration = Duration::from_secs(1);

/// Runs `f` on a fresh virtual-clock runtime.
fn virtual_run<F: Future>(f: F) -> F::Output {
    corio::Runtime::builder()
        .virtual_clock()
        .build()
        .expect("a runtime")
        .block_on(f)
}

/// Sets its flag when dropped: a clean-up that ran.
struct Cleanup(Arc<AtomicBool>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

fn flag() -> Arc<AtomicBool> {
    Arc::new(AtomicBool::new(false))
}

fn set(f: &AtomicBool) -> bool {
    f.load(Ordering::SeqCst)
}

#[test]
fn wait_for_returns_the_value_of_work_that_finishes_in_time() {
    virtual_run(async {
        let t0 = now();
        let out = wait_for(
            async {
                sleep(2 * S).await;
                "ok"
            },
            5 * S,
        )
        .await;
        assert_eq!(out, Ok("ok"));
        assert_eq!(now() - t0, 2 * S, "no waiting past the work");
    });
}

#[test]
fn wait_for_cancels_the_work_and_its_clean_up_runs_before_the_error() {
    virtual_run(async {
        let cleaned = flag();
        let t0 = now();
        let work = {
            let cleaned = cleaned.clone();
            async move {
                let _guard = Cleanup(cleaned);
                sleep(60 * S).await;
            }
        };
        assert_eq!(wait_for(work, 3 * S).await, Err(TimeoutError));
        assert!(set(&cleaned), "clean-up is over when wait_for returns");
        assert_eq!(now() - t0, 3 * S);
    });
}

#[test]
fn wait_for_with_zero_timeout_gives_the_value_of_ready_work() {
    virtual_run(async {
        assert_eq!(wait_for(async { 5 }, Duration::ZERO).await, Ok(5));
        assert_eq!(wait_for(sleep(S), Duration::ZERO).await, Err(TimeoutError));
    });
}

#[test]
fn wait_for_gives_the_value_of_work_done_in_the_tick_the_deadline_passes() {
    virtual_run(async {
        let t0 = now();
        assert_eq!(
            wait_for(
                async {
                    sleep(2 * S).await;
                    1
                },
                2 * S
            )
            .await,
            Ok(1)
        );
        assert_eq!(now() - t0, 2 * S);
    });
}

#[test]
fn wait_for_task_cancels_the_task_and_waits_for_it_to_stop() {
    virtual_run(async {
        let cleaned = flag();
        let task = {
            let cleaned = cleaned.clone();
            spawn(async move {
                let _guard = Cleanup(cleaned);
                sleep(60 * S).await;
            })
        };
        let t0 = now();
        assert!(matches!(wait_for_task(task, S).await, Err(TimeoutError)));
        assert!(
            set(&cleaned),
            "the task's destructors ran before the timeout returned"
        );
        assert_eq!(now() - t0, S);
    });
}

#[test]
fn wait_for_task_passes_on_the_task_s_own_result() {
    virtual_run(async {
        let ok = spawn(async {
            sleep(S).await;
            3
        });
        assert_eq!(wait_for_task(ok, 2 * S).await.unwrap().unwrap(), 3);
        let failing = spawn(async { panic!("boom") });
        let err = wait_for_task(failing, S).await.unwrap().unwrap_err();
        assert!(err.is_panic());
    });
}

#[test]
fn wait_for_of_a_task_only_detaches_it_on_timeout() {
    virtual_run(async {
        let finished = flag();
        let task = {
            let finished = finished.clone();
            spawn(async move {
                sleep(2 * S).await;
                finished.store(true, Ordering::SeqCst);
            })
        };
        assert!(matches!(wait_for(task, S).await, Err(TimeoutError)));
        sleep(2 * S).await;
        assert!(set(&finished), "a dropped Task is detached, not cancelled");
    });
}

#[test]
fn a_scope_that_expires_cancels_its_body_and_reports_the_timeout() {
    virtual_run(async {
        let cleaned = flag();
        let scope = TimeoutScope::after(2 * S);
        let t0 = now();
        let out = scope
            .run(async {
                let _guard = Cleanup(cleaned.clone());
                sleep(60 * S).await;
            })
            .await;
        assert_eq!(out, Err(TimeoutError));
        assert!(scope.expired());
        assert!(set(&cleaned));
        assert_eq!(now() - t0, 2 * S);
    });
}

#[test]
fn a_scope_whose_body_finishes_is_not_expired() {
    virtual_run(async {
        let scope = TimeoutScope::after(2 * S);
        assert_eq!(
            scope
                .run(async {
                    sleep(S).await;
                    9
                })
                .await,
            Ok(9)
        );
        assert!(!scope.expired());
        assert!(scope.deadline().is_some());
    });
}

#[test]
fn rescheduling_from_inside_the_body_extends_the_deadline() {
    virtual_run(async {
        let scope = TimeoutScope::after(S);
        let t0 = now();
        let out = scope
            .run(async {
                sleep(S / 2).await;
                scope.reschedule(Some(now() + 3 * S));
                sleep(2 * S).await;
                "done"
            })
            .await;
        assert_eq!(out, Ok("done"));
        assert_eq!(now() - t0, S / 2 + 2 * S);
    });
}

#[test]
fn rescheduling_to_none_lifts_the_deadline() {
    virtual_run(async {
        let scope = TimeoutScope::after(S);
        let out = scope
            .run(async {
                scope.reschedule(None);
                sleep(100 * S).await;
            })
            .await;
        assert_eq!(out, Ok(()));
        assert_eq!(scope.deadline(), None);
    });
}

#[test]
fn rescheduling_into_the_past_expires_at_once() {
    virtual_run(async {
        let scope = TimeoutScope::after(60 * S);
        let t0 = now();
        let out = scope
            .run(async {
                sleep(S).await;
                scope.reschedule(Some(now()));
                sleep(60 * S).await;
            })
            .await;
        assert_eq!(out, Err(TimeoutError));
        assert_eq!(now() - t0, S);
    });
}

#[test]
fn rescheduling_from_another_task_moves_a_running_scope() {
    virtual_run(async {
        let scope = TimeoutScope::after(60 * S);
        let remote = scope.clone();
        let t0 = now();
        spawn(async move {
            sleep(S).await;
            remote.reschedule(Some(now() + S));
        })
        .detach();
        assert_eq!(scope.run(sleep(100 * S)).await, Err(TimeoutError));
        assert_eq!(now() - t0, 2 * S);
    });
}

#[test]
fn a_deadline_already_past_still_gives_the_body_one_poll() {
    virtual_run(async {
        let past = TimeoutScope::at(Some(now()));
        assert_eq!(past.run(async { 1 }).await, Ok(1));
        assert!(!past.expired());
        let past = TimeoutScope::at(Some(now()));
        assert_eq!(past.run(sleep(S)).await, Err(TimeoutError));
        assert!(past.expired());
    });
}

#[test]
fn in_nested_scopes_only_the_inner_one_that_expired_reports() {
    virtual_run(async {
        let (outer, inner) = (TimeoutScope::after(10 * S), TimeoutScope::after(S));
        let t0 = now();
        let out = outer
            .run(async {
                let first = inner.run(sleep(5 * S)).await;
                sleep(S).await; // the outer body carries on
                first
            })
            .await;
        assert_eq!(out, Ok(Err(TimeoutError)));
        assert!(inner.expired() && !outer.expired());
        assert_eq!(now() - t0, 2 * S);
    });
}

#[test]
fn in_nested_scopes_an_outer_expiry_is_the_outer_one_s() {
    virtual_run(async {
        let (outer, inner) = (TimeoutScope::after(S), TimeoutScope::after(10 * S));
        let out = outer.run(async { inner.run(sleep(5 * S)).await }).await;
        assert_eq!(out, Err(TimeoutError));
        assert!(outer.expired() && !inner.expired());
    });
}

#[test]
fn a_cancellation_from_outside_an_unexpired_scope_stays_a_cancellation() {
    virtual_run(async {
        let scope = TimeoutScope::after(10 * S);
        let cleaned = flag();
        let body = {
            let cleaned = cleaned.clone();
            async move {
                let _guard = Cleanup(cleaned);
                sleep(60 * S).await;
            }
        };
        // Something else (here a shorter wait_for around the scope) cancels it first.
        assert_eq!(wait_for(scope.run(body), S).await, Err(TimeoutError));
        assert!(set(&cleaned));
        assert!(
            !scope.expired(),
            "the scope did not expire: it was cancelled"
        );
    });
}

#[test]
fn shielded_work_survives_the_cancellation_of_its_awaiter() {
    virtual_run(async {
        let mut work = shield(async {
            sleep(3 * S).await;
            "saved"
        });
        assert!(matches!(wait_for(&mut work, S).await, Err(TimeoutError)));
        let t0 = now();
        assert_eq!(work.await.unwrap(), "saved", "the result is still there");
        assert_eq!(now() - t0, 2 * S, "it kept running meanwhile");
    });
}

#[test]
fn cancelling_the_shielded_work_itself_reaches_the_awaiter() {
    virtual_run(async {
        let work = shield(sleep(60 * S));
        sleep(S).await;
        assert!(work.cancel());
        let t0 = now();
        assert!(work.await.unwrap_err().is_cancelled());
        assert_eq!(
            now() - t0,
            Duration::ZERO,
            "the awaiter hears of it at once"
        );
    });
}
