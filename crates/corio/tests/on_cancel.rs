//! Async clean-up on cancel (`corio::task::on_cancel`), on the virtual clock: what runs,
//! when, for how long, and what the waiters see.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use corio::task::{on_cancel, task_group, wait_for_task};
use corio::time::{now, sleep};
use corio::{spawn, wait_for, yield_now};

const S: Duration = Duration::from_secs(1);

fn virtual_run<F: Future>(f: F) -> F::Output {
    corio::Runtime::builder()
        .virtual_clock()
        .build()
        .expect("a runtime")
        .block_on(f)
}

/// Events with the virtual second they happened at, from the start of the test.
#[derive(Clone)]
struct Log(Arc<Mutex<Vec<(String, u64)>>>, std::time::Instant);

impl Log {
    fn new() -> Log {
        Log(Arc::default(), now())
    }
    fn push(&self, what: &str) {
        let at = (now() - self.1).as_millis() as u64;
        self.0.lock().unwrap().push((what.to_string(), at));
    }
    fn get(&self) -> Vec<(String, u64)> {
        self.0.lock().unwrap().clone()
    }
}

/// A worker: `work_s` seconds of work, then a clean-up of `cleanup_s` seconds.
fn worker(
    log: &Log,
    work_s: u32,
    cleanup_s: u32,
    grace: Duration,
) -> impl Future<Output = &'static str> + Send + use<> {
    let (log, log2) = (log.clone(), log.clone());
    async move {
        let work = async move {
            sleep(work_s * S).await;
            log.push("work done");
            "finished"
        };
        let cleanup = move || async move {
            log2.push("cleanup started");
            sleep(cleanup_s * S).await;
            log2.push("cleanup done");
        };
        on_cancel(work, grace, cleanup).await
    }
}

fn ev(what: &str, ms: u64) -> (String, u64) {
    (what.to_string(), ms)
}

#[test]
fn a_cancelled_task_runs_its_async_clean_up_and_ends_cancelled() {
    virtual_run(async {
        let log = Log::new();
        let task = spawn(worker(&log, 60, 2, 5 * S));
        sleep(S).await;
        assert!(task.cancel());
        let t0 = now();
        assert!(task.await.unwrap_err().is_cancelled());
        assert_eq!(
            now() - t0,
            2 * S,
            "awaiting the task waited for its clean-up"
        );
        assert_eq!(
            log.get(),
            [ev("cleanup started", 1000), ev("cleanup done", 3000)]
        );
    });
}

#[test]
fn a_clean_up_longer_than_the_grace_period_is_dropped_at_its_end() {
    virtual_run(async {
        let log = Log::new();
        let task = spawn(worker(&log, 60, 10, 3 * S));
        sleep(S).await;
        task.cancel();
        assert!(task.await.unwrap_err().is_cancelled());
        assert_eq!(log.get(), [ev("cleanup started", 1000)]);
        assert_eq!((now() - log.1), 4 * S, "one second of work, three of grace");
    });
}

#[test]
fn without_a_cancellation_the_clean_up_never_runs() {
    virtual_run(async {
        let log = Log::new();
        let out = spawn(worker(&log, 2, 1, S)).await.unwrap();
        assert_eq!(out, "finished");
        assert_eq!(log.get(), [ev("work done", 2000)]);
    });
}

#[test]
fn wait_for_task_waits_for_the_clean_up_before_reporting_the_timeout() {
    virtual_run(async {
        let log = Log::new();
        let task = spawn(worker(&log, 60, 2, 5 * S));
        assert!(wait_for_task(task, S).await.is_err());
        assert_eq!(now() - log.1, 3 * S);
        assert_eq!(
            log.get(),
            [ev("cleanup started", 1000), ev("cleanup done", 3000)]
        );
    });
}

#[test]
fn a_task_group_waits_for_the_clean_up_of_the_children_it_cancels() {
    virtual_run(async {
        let log = Log::new();
        let child = worker(&log, 60, 2, 5 * S);
        let err = task_group(|tg| async move {
            tg.spawn(async move { Ok::<_, String>(child.await) })
                .unwrap();
            tg.spawn(async {
                sleep(S).await;
                Err::<&str, _>("failed".to_string())
            })
            .unwrap();
            Ok(())
        })
        .await
        .unwrap_err();
        assert_eq!(err.errors().len(), 1);
        assert_eq!(now() - log.1, 3 * S, "the group waited for the clean-up");
        assert_eq!(
            log.get(),
            [ev("cleanup started", 1000), ev("cleanup done", 3000)]
        );
    });
}

#[test]
fn a_second_cancel_during_the_clean_up_changes_nothing() {
    virtual_run(async {
        let log = Log::new();
        let task = spawn(worker(&log, 60, 2, 5 * S));
        sleep(S).await;
        assert!(task.cancel());
        sleep(S).await;
        task.cancel();
        assert!(task.await.unwrap_err().is_cancelled());
        assert_eq!(
            log.get(),
            [ev("cleanup started", 1000), ev("cleanup done", 3000)]
        );
    });
}

#[test]
fn dropping_the_future_itself_is_a_plain_cancellation_without_clean_up() {
    virtual_run(async {
        let log = Log::new();
        assert!(wait_for(worker(&log, 60, 2, 5 * S), S).await.is_err());
        sleep(10 * S).await;
        assert!(
            log.get().is_empty(),
            "only a task's cancel runs the async clean-up"
        );
    });
}

#[test]
fn a_task_cancelled_before_its_first_poll_never_runs_its_clean_up() {
    virtual_run(async {
        let log = Log::new();
        let task = spawn(worker(&log, 60, 2, 5 * S));
        task.cancel();
        assert!(task.await.unwrap_err().is_cancelled());
        yield_now().await;
        assert!(log.get().is_empty());
    });
}
