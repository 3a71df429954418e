//! `with_shuffle_seed`: a current-thread loop runs its ready tasks in an order the seed
//! decides — the same for the same seed, different across seeds, and nothing lost.

use std::sync::{Arc, Mutex};

use corio_executor::{Executor, ThreadDriver, spawn, yield_now};

/// The order in which 16 tasks, each yielding twice, take their steps.
fn steps(seed: Option<u64>) -> Vec<(u32, u32)> {
    let mut ex = Executor::current_thread(ThreadDriver::new());
    if let Some(seed) = seed {
        ex = ex.with_shuffle_seed(seed).unwrap();
    }
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    ex.block_on(async move {
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let log = log.clone();
                spawn(async move {
                    for step in 0..3 {
                        log.lock().unwrap().push((i, step));
                        yield_now().await;
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    });
    Arc::try_unwrap(seen).unwrap().into_inner().unwrap()
}

#[test]
fn without_a_seed_ready_tasks_run_first_come_first_served() {
    let order = steps(None);
    let expected: Vec<_> = (0..3)
        .flat_map(|step| (0..16).map(move |i| (i, step)))
        .collect();
    assert_eq!(order, expected);
}

#[test]
fn the_same_seed_gives_the_same_order() {
    for seed in [0, 1, 42, u64::MAX] {
        assert_eq!(steps(Some(seed)), steps(Some(seed)), "seed {seed}");
    }
}

#[test]
fn different_seeds_give_different_orders_and_lose_nothing() {
    let orders: Vec<_> = (0..6).map(|seed| steps(Some(seed))).collect();
    for order in &orders {
        let mut sorted = order.clone();
        sorted.sort_unstable();
        let all: Vec<_> = (0..16).flat_map(|i| (0..3).map(move |s| (i, s))).collect();
        assert_eq!(sorted, all, "every step of every task ran once");
        // Each task's own steps stay in order.
        for i in 0..16 {
            let mine: Vec<_> = order
                .iter()
                .filter(|(t, _)| *t == i)
                .map(|(_, s)| *s)
                .collect();
            assert_eq!(mine, [0, 1, 2]);
        }
    }
    let distinct: std::collections::HashSet<_> = orders.iter().collect();
    assert!(
        distinct.len() >= 5,
        "only {} orders from 6 seeds",
        distinct.len()
    );
    assert!(
        orders.iter().all(|o| *o != steps(None)),
        "a seed left FIFO order"
    );
}

#[test]
fn tasks_woken_from_other_threads_are_shuffled_in_too() {
    let ex = Executor::current_thread(ThreadDriver::new())
        .with_shuffle_seed(9)
        .unwrap();
    let handle = ex.handle();
    let remote: Vec<_> = std::thread::spawn(move || {
        (0..50u32)
            .map(|i| handle.spawn(async move { i }).unwrap())
            .collect()
    })
    .join()
    .unwrap();
    let total: u32 = ex.block_on(async move {
        let mut sum = 0;
        for t in remote {
            sum += t.await.unwrap();
        }
        sum
    });
    assert_eq!(total, (0..50).sum());
}

#[test]
fn a_multi_thread_executor_refuses_a_seed() {
    let err = Executor::multi_thread(2, ThreadDriver::new())
        .unwrap()
        .with_shuffle_seed(1)
        .err()
        .unwrap();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}
