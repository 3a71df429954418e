//! asyncio's synchronisation primitives in corio, one short scene each: `Lock`, `Event`,
//! `Condition`, `Semaphore`, `Barrier` and `Queue`.
//!
//! Run it with `cargo run -p corio --example sync_primitives`. See docs/guide.md,
//! "Synchronisation primitives".

use std::sync::Arc;
use std::time::Duration;

use corio::sync::{Barrier, Condition, Event, Mutex, Queue, Semaphore};

fn main() {
    corio::run(async {
        lock().await;
        event().await;
        condition().await;
        semaphore().await;
        barrier().await;
        queue().await;
    });
}

/// `Lock`: the data lives inside the lock, and the guard releases it when dropped
/// (`async with lock:`). Ten tasks add to one balance without losing an update.
async fn lock() {
    let balance = Arc::new(Mutex::new(0u32));
    let deposits: Vec<_> = (0..10)
        .map(|_| {
            let balance = balance.clone();
            corio::spawn(async move {
                let mut guard = balance.lock().await;
                let read = *guard;
                corio::yield_now().await; // another task runs here, and waits for the lock
                *guard = read + 10;
            })
        })
        .collect();
    for d in deposits {
        d.await.expect("the deposit ran");
    }
    println!(
        "Lock: balance after 10 deposits of 10: {}",
        *balance.lock().await
    );
}

/// `Event`: one task sets it, every task waiting for it wakes.
async fn event() {
    let ready = Arc::new(Event::new());
    let waiters: Vec<_> = (0..3)
        .map(|i| {
            let ready = ready.clone();
            corio::spawn(async move {
                ready.wait().await;
                i
            })
        })
        .collect();
    corio::sleep(Duration::from_millis(10)).await;
    ready.set();
    let mut woke = Vec::new();
    for w in waiters {
        woke.push(w.await.expect("the waiter ran"));
    }
    println!("Event: set once, woke waiters {woke:?}");
}

/// `Condition`: wait, holding a lock, until the shared state is what you need.
async fn condition() {
    let stock = Arc::new((Mutex::new(0u32), Condition::new()));
    let buyer = corio::spawn({
        let stock = stock.clone();
        async move {
            let (items, restocked) = &*stock;
            let mut items = restocked.wait_for(items.lock().await, |n| *n >= 3).await;
            *items -= 3;
            "bought 3"
        }
    });
    for _ in 0..3 {
        corio::sleep(Duration::from_millis(5)).await;
        let (items, restocked) = &*stock;
        *items.lock().await += 1;
        restocked.notify_all();
    }
    println!(
        "Condition: the buyer {} once the shelf had enough",
        buyer.await.expect("the buyer ran")
    );
}

/// `Semaphore`: at most two downloads at a time.
async fn semaphore() {
    let slots = Arc::new(Semaphore::new(2));
    let active = Arc::new(Mutex::new((0u32, 0u32))); // (now, most at once)
    let downloads: Vec<_> = (0..6)
        .map(|_| {
            let (slots, active) = (slots.clone(), active.clone());
            corio::spawn(async move {
                let _permit = slots.acquire().await; // given back when dropped
                {
                    let mut a = active.lock().await;
                    a.0 += 1;
                    a.1 = a.1.max(a.0);
                }
                corio::sleep(Duration::from_millis(50)).await;
                active.lock().await.0 -= 1;
            })
        })
        .collect();
    for d in downloads {
        d.await.expect("the download ran");
    }
    println!(
        "Semaphore: 6 downloads, at most {} at once",
        active.lock().await.1
    );
}

/// `Barrier`: three workers finish their setup, then all start together.
async fn barrier() {
    let start = Arc::new(Barrier::new(3).expect("parties > 0"));
    let t0 = corio::time::now();
    let workers: Vec<_> = [30, 10, 20]
        .into_iter()
        .map(|setup_ms| {
            let start = start.clone();
            corio::spawn(async move {
                corio::sleep(Duration::from_millis(setup_ms)).await;
                start.wait().await.expect("nobody breaks the barrier");
                corio::time::now() - t0
            })
        })
        .collect();
    let mut all_after_slowest = true;
    for w in workers {
        all_after_slowest &= w.await.expect("the worker ran") >= Duration::from_millis(30);
    }
    println!(
        "Barrier: setups of 30, 10 and 20 ms; every worker started after the slowest: \
         {all_after_slowest}"
    );
}

/// `Queue`: work handed from a producer to a consumer, with `task_done` and `join`.
async fn queue() {
    let jobs = Queue::new(2); // put waits while two jobs are queued
    let consumer = corio::spawn({
        let jobs = jobs.clone();
        async move {
            let mut total = 0;
            loop {
                let n: u32 = jobs.get().await.expect("the queue is never shut down");
                total += n;
                jobs.task_done().expect("one task_done per get");
                if n == 5 {
                    return total;
                }
            }
        }
    });
    for n in 1..=5 {
        jobs.put(n).await.expect("the queue is never shut down");
    }
    jobs.join().await; // every job processed
    println!(
        "Queue: the consumer summed {} and join() returned",
        consumer.await.expect("the consumer ran")
    );
}
