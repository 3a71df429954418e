//! Several threads in `block_on` of one current-thread executor: when the thread running
//! the loop leaves, a waiting one takes the loop over, so its future still completes.

mod common;

use std::sync::Arc;
use std::sync::mpsc;
use std::task::Poll;

use common::watchdog;
use corio_executor::{Executor, ThreadDriver, spawn};

#[test]
fn a_waiting_block_on_takes_the_loop_over_when_its_owner_leaves() {
    watchdog(30, || {
        let ex = Arc::new(Executor::current_thread(ThreadDriver::new()));
        let (held_tx, held_rx) = mpsc::channel::<()>();
        let (finish_tx, finish_rx) = mpsc::channel::<()>();

        // Thread 1 holds the loop while blocked inside its own poll, so it runs no task.
        let owner = {
            let ex = ex.clone();
            std::thread::spawn(move || {
                ex.block_on(std::future::poll_fn(move |_| {
                    held_tx.send(()).unwrap();
                    finish_rx.recv().unwrap();
                    Poll::Ready(())
                }))
            })
        };
        held_rx.recv().unwrap();

        // Thread 2 spawns a task and waits for it: it can only run once thread 2 holds the
        // loop, which thread 1 releases after the spawn.
        let out = ex.block_on(async move {
            let task = spawn(async { 7 });
            finish_tx.send(()).unwrap();
            task.await.unwrap()
        });
        assert_eq!(out, 7);
        owner.join().unwrap();
    });
}

#[test]
fn many_threads_in_block_on_at_once_all_complete() {
    watchdog(60, || {
        let ex = Arc::new(Executor::current_thread(ThreadDriver::new()));
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let ex = ex.clone();
                std::thread::spawn(move || {
                    (0..50)
                        .map(|j| {
                            ex.block_on(async move {
                                let a = spawn(async move { i * 100 + j });
                                corio_executor::yield_now().await;
                                a.await.unwrap()
                            })
                        })
                        .sum::<usize>()
                })
            })
            .collect();
        let total: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
        let want: usize = (0..8).flat_map(|i| (0..50).map(move |j| i * 100 + j)).sum();
        assert_eq!(total, want);
    });
}
