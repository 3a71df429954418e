//! asyncio's `gather`, scenario by scenario on the virtual clock: result order, the first
//! error, siblings that keep running, `return_exceptions`, and cancelling the gather.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use corio::task::{GatherError, gather, gather_results, try_gather};
use corio::time::{now, sleep};
use corio::wait_for;

const S: Duration = Duration::from_secs(1);
const N: u64 = 10_000;

fn virtual_run<F: Future>(f: F) -> F::Output {
    corio::Runtime::builder()
        .virtual_clock()
        .build()
        .expect("a runtime")
        .block_on(f)
}

/// Records what happened, in order.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, s: impl Into<String>) {
        self.0.lock().unwrap().push(s.into());
    }
    fn get(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// Logs `"{name} dropped"` when dropped: a cancelled child's clean-up.
struct OnDrop(Log, &'static str);

impl Drop for OnDrop {
    fn drop(&mut self) {
        self.0.push(format!("{} dropped", self.1));
    }
}

fn child(log: &Log, name: &'static str, secs: u32) -> impl Future<Output = &'static str> + use<> {
    let log = log.clone();
    async move {
        let _guard = OnDrop(log.clone(), name);
        sleep(secs * S).await;
        log.push(format!("{name} done"));
        name
    }
}

type Boxed<T> = Pin<Box<dyn Future<Output = T> + Send>>;

#[test]
fn results_come_in_argument_order_whatever_the_completion_order() {
    virtual_run(async {
        let log = Log::default();
        let t0 = now();
        let out = gather([
            child(&log, "a", 3),
            child(&log, "b", 1),
            child(&log, "c", 2),
        ])
        .await;
        assert_eq!(out.unwrap(), ["a", "b", "c"]);
        assert_eq!(now() - t0, 3 * S, "concurrently: as long as the longest");
        let done: Vec<_> = log
            .get()
            .into_iter()
            .filter(|e| e.ends_with("done"))
            .collect();
        assert_eq!(done, ["b done", "c done", "a done"]);
    });
}

#[test]
fn the_macro_gathers_futures_of_different_types() {
    virtual_run(async {
        let t0 = now();
        let (n, s, unit) = corio::gather!(
            async {
                sleep(2 * S).await;
                7u64
            },
            async { String::from("x") },
            sleep(S),
        )
        .await
        .unwrap();
        assert_eq!((n, s.as_str(), unit), (7, "x", ()));
        assert_eq!(now() - t0, 2 * S);
    });
}

#[test]
fn the_first_error_is_returned_at_once_and_the_siblings_keep_running() {
    virtual_run(async {
        let log = Log::default();
        let failing: Boxed<&'static str> = Box::pin(async {
            sleep(S).await;
            panic!("child failed")
        });
        let t0 = now();
        let err = gather([Box::pin(child(&log, "slow", 5)) as Boxed<_>, failing])
            .await
            .unwrap_err();
        assert!(err.is_panic());
        assert_eq!(now() - t0, S, "returned when the error happened");
        sleep(10 * S).await;
        assert!(
            log.get().contains(&"slow done".to_string()),
            "the sibling was not cancelled"
        );
    });
}

#[test]
fn the_first_error_is_the_first_in_time_not_in_argument_order() {
    virtual_run(async {
        let late: Boxed<Result<u8, &str>> = Box::pin(async {
            sleep(3 * S).await;
            Err("late")
        });
        let early: Boxed<Result<u8, &str>> = Box::pin(async {
            sleep(S).await;
            Err("early")
        });
        match try_gather([late, early]).await {
            Err(GatherError::Failed(e)) => assert_eq!(e, "early"),
            other => panic!("{other:?}"),
        }
    });
}

#[test]
fn try_gather_returns_every_value_when_none_fails() {
    virtual_run(async {
        let out = corio::try_gather!(
            async {
                sleep(S).await;
                Ok::<_, String>(1)
            },
            async { Ok(2.5) },
        )
        .await
        .unwrap();
        assert_eq!(out, (1, 2.5));
    });
}

#[test]
fn try_gather_macro_reports_the_child_s_error() {
    virtual_run(async {
        let log = Log::default();
        let sibling = child(&log, "sibling", 4);
        let out = corio::try_gather!(async move { Ok::<_, String>(sibling.await) }, async {
            sleep(S).await;
            Err::<(), _>("bad".to_string())
        },)
        .await;
        assert!(matches!(out, Err(GatherError::Failed(ref e)) if e == "bad"));
        sleep(5 * S).await;
        assert!(log.get().contains(&"sibling done".to_string()));
    });
}

#[test]
fn return_exceptions_waits_for_all_and_keeps_each_result() {
    virtual_run(async {
        let t0 = now();
        let results = gather_results([
            Box::pin(async {
                sleep(2 * S).await;
                1
            }) as Boxed<i32>,
            Box::pin(async {
                sleep(S).await;
                panic!("boom")
            }),
            Box::pin(async { 3 }),
        ])
        .await;
        assert_eq!(now() - t0, 2 * S, "the error did not end the wait");
        assert_eq!(*results[0].as_ref().unwrap(), 1);
        let panic = results[1].as_ref().unwrap_err();
        assert!(panic.is_panic());
        assert_eq!(*results[2].as_ref().unwrap(), 3);
    });
}

#[test]
fn the_return_exceptions_macro_keeps_each_result() {
    virtual_run(async {
        let (a, b) = corio::gather_results!(async { "ok" }, async {
            sleep(S).await;
            panic!("no")
        })
        .await;
        assert_eq!(a.unwrap(), "ok");
        assert!(b.unwrap_err().is_panic());
    });
}

#[test]
fn cancelling_the_gather_cancels_every_child() {
    virtual_run(async {
        let log = Log::default();
        let gathered = gather([child(&log, "a", 5), child(&log, "b", 6)]);
        assert!(wait_for(gathered, S).await.is_err());
        // The children were cancelled: their clean-up runs on the executor, at once.
        sleep(S).await;
        let mut events = log.get();
        events.sort();
        assert_eq!(events, ["a dropped", "b dropped"]);
        sleep(10 * S).await;
        assert_eq!(log.get().len(), 2, "neither finished afterwards");
    });
}

#[test]
fn cancelling_the_gather_macro_cancels_every_child() {
    virtual_run(async {
        let log = Log::default();
        let gathered = corio::gather!(child(&log, "a", 5), child(&log, "b", 6));
        assert!(wait_for(gathered, S).await.is_err());
        sleep(S).await;
        let mut events = log.get();
        events.sort();
        assert_eq!(events, ["a dropped", "b dropped"]);
    });
}

#[test]
fn gathering_nothing_gives_nothing() {
    virtual_run(async {
        let none: Vec<Boxed<u8>> = Vec::new();
        assert_eq!(gather(none).await.unwrap(), Vec::<u8>::new());
        let none: Vec<Boxed<u8>> = Vec::new();
        assert!(gather_results(none).await.is_empty());
    });
}

#[test]
fn ten_thousand_children_are_gathered_in_order() {
    virtual_run(async {
        let futures = (0..N).map(|i| async move {
            sleep(Duration::from_millis(i % 97)).await;
            i
        });
        let out = gather(futures).await.unwrap();
        assert!(out.iter().copied().eq(0..N));
    });
}
