//! asyncio's `wait` and `as_completed`, scenario by scenario on the virtual clock.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use corio::task::{ReturnWhen, as_completed, wait};
use corio::time::{TimeoutError, now, sleep};
use corio::{Task, spawn};
use futures_lite::StreamExt;

const S: Duration = Duration::from_secs(1);

fn virtual_run<F: Future>(f: F) -> F::Output {
    corio::Runtime::builder()
        .virtual_clock()
        .build()
        .expect("a runtime")
        .block_on(f)
}

/// A task that sleeps `secs` and returns them.
fn nap(secs: u32) -> Task<u32> {
    spawn(async move {
        sleep(secs * S).await;
        secs
    })
}

fn indices<T>(v: &[(usize, T)]) -> Vec<usize> {
    v.iter().map(|(i, _)| *i).collect()
}

#[test]
fn first_completed_returns_with_the_earliest_and_hands_back_the_rest_running() {
    virtual_run(async {
        let t0 = now();
        let (done, pending) = wait([nap(3), nap(1), nap(2)], ReturnWhen::FirstCompleted, None)
            .await
            .unwrap();
        assert_eq!(now() - t0, S);
        assert_eq!(indices(&done), [1]);
        assert_eq!(*done[0].1.as_ref().unwrap(), 1);
        assert_eq!(indices(&pending), [0, 2]);
        let mut rest = Vec::new();
        for (_, task) in pending {
            rest.push(task.await.unwrap());
        }
        assert_eq!(rest, [3, 2], "the pending tasks kept running");
        assert_eq!(now() - t0, 3 * S);
    });
}

#[test]
fn first_exception_returns_when_a_task_panics() {
    virtual_run(async {
        let boom = spawn(async {
            sleep(2 * S).await;
            panic!("boom")
        });
        let t0 = now();
        let (done, pending) = wait([nap(1), boom, nap(5)], ReturnWhen::FirstException, None)
            .await
            .unwrap();
        assert_eq!(now() - t0, 2 * S);
        assert_eq!(indices(&done), [0, 1]);
        assert!(done[1].1.as_ref().unwrap_err().is_panic());
        assert_eq!(indices(&pending), [2]);
    });
}

#[test]
fn first_exception_without_any_is_all_completed() {
    virtual_run(async {
        let t0 = now();
        let (done, pending) = wait([nap(2), nap(1)], ReturnWhen::FirstException, None)
            .await
            .unwrap();
        assert_eq!(now() - t0, 2 * S);
        assert_eq!(indices(&done), [1, 0], "in completion order");
        assert!(pending.is_empty());
    });
}

#[test]
fn all_completed_waits_for_every_task() {
    virtual_run(async {
        let t0 = now();
        let (done, pending) = wait([nap(1), nap(4), nap(2)], ReturnWhen::AllCompleted, None)
            .await
            .unwrap();
        assert_eq!(now() - t0, 4 * S);
        assert_eq!(done.len(), 3);
        assert!(pending.is_empty());
    });
}

#[test]
fn a_timeout_ends_the_wait_without_an_error_or_a_cancellation() {
    virtual_run(async {
        let t0 = now();
        let (done, pending) = wait([nap(1), nap(5)], ReturnWhen::AllCompleted, Some(2 * S))
            .await
            .unwrap();
        assert_eq!(now() - t0, 2 * S);
        assert_eq!(indices(&done), [0]);
        let (_, slow) = pending.into_iter().next().unwrap();
        assert_eq!(slow.await.unwrap(), 5, "not cancelled by the timeout");
    });
}

#[test]
fn waiting_on_nothing_is_an_error() {
    virtual_run(async {
        let none: Vec<Task<u8>> = Vec::new();
        assert!(wait(none, ReturnWhen::FirstCompleted, None).await.is_err());
    });
}

#[test]
fn as_completed_yields_in_completion_order() {
    virtual_run(async {
        let t0 = now();
        let mut stream = as_completed([nap(3), nap(1), nap(2)], None);
        let mut seen = Vec::new();
        while let Some(out) = stream.next().await {
            seen.push((out.unwrap().unwrap(), (now() - t0).as_secs()));
        }
        assert_eq!(seen, [(1, 1), (2, 2), (3, 3)]);
    });
}

#[test]
fn as_completed_with_a_timeout_yields_one_timeout_error_and_ends() {
    virtual_run(async {
        let finished = Arc::new(AtomicUsize::new(0));
        let futures = [1, 5, 6].map(|s| {
            let finished = finished.clone();
            async move {
                sleep(s * S).await;
                finished.fetch_add(1, Ordering::SeqCst);
                s
            }
        });
        let t0 = now();
        let items: Vec<_> = as_completed(futures, Some(2 * S)).collect().await;
        assert_eq!(items, [Ok(1), Err(TimeoutError)]);
        assert_eq!(now() - t0, 2 * S);
        sleep(10 * S).await;
        assert_eq!(
            finished.load(Ordering::SeqCst),
            1,
            "plain futures left behind are dropped with the stream"
        );
    });
}

#[test]
fn as_completed_over_tasks_leaves_them_running_after_a_timeout() {
    virtual_run(async {
        let finished = Arc::new(AtomicUsize::new(0));
        let tasks = [1u32, 5].map(|s| {
            let finished = finished.clone();
            spawn(async move {
                sleep(s * S).await;
                finished.fetch_add(1, Ordering::SeqCst);
            })
        });
        let items: Vec<_> = as_completed(tasks, Some(2 * S)).collect().await;
        assert_eq!(items.len(), 2);
        assert!(items[1].is_err());
        sleep(10 * S).await;
        assert_eq!(
            finished.load(Ordering::SeqCst),
            2,
            "the task was detached, not cancelled"
        );
    });
}

#[test]
fn as_completed_of_nothing_ends_at_once() {
    virtual_run(async {
        let none: Vec<std::future::Ready<u8>> = Vec::new();
        assert_eq!(as_completed(none, Some(S)).count().await, 0);
    });
}
