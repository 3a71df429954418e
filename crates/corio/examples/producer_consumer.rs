//! The producer–consumer pattern with asyncio's `Queue`: producers put jobs into a bounded
//! queue (so a fast producer waits for the consumers instead of filling memory), a pool of
//! consumers takes them, `join` waits until every job is done, and `shutdown` (asyncio
//! 3.13) ends the consumers' loops.
//!
//! Run it with `cargo run -p corio --example producer_consumer`. See docs/guide.md,
//! "Producer–consumer".

use std::time::Duration;

use corio::sync::{Queue, QueueShutDown};

const PRODUCERS: u32 = 3;
const JOBS_EACH: u32 = 4;
/// The consumers' names.
const CONSUMERS: [char; 2] = ['a', 'b'];

/// Puts `JOBS_EACH` jobs; `put` waits while the queue is full.
async fn producer(id: u32, jobs: Queue<(u32, u32)>) {
    for n in 0..JOBS_EACH {
        jobs.put((id, n))
            .await
            .expect("the queue is shut down only after the producers are done");
        corio::sleep(Duration::from_millis(2)).await;
    }
}

/// Takes jobs until the queue is shut down, and says how many it did.
async fn consumer(name: char, jobs: Queue<(u32, u32)>) -> usize {
    let mut done = 0;
    loop {
        match jobs.get().await {
            Ok((_producer, _n)) => {
                corio::sleep(Duration::from_millis(5)).await; // the work
                done += 1;
                jobs.task_done().expect("one task_done per job taken");
            }
            Err(QueueShutDown(())) => {
                println!("consumer {name}: queue shut down after {done} jobs");
                return done;
            }
        }
    }
}

fn main() {
    corio::run(async {
        let jobs = Queue::new(4);
        let consumers: Vec<_> = CONSUMERS
            .into_iter()
            .map(|name| corio::spawn(consumer(name, jobs.clone())))
            .collect();
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|id| corio::spawn(producer(id, jobs.clone())))
            .collect();

        for p in producers {
            p.await.expect("the producer ran");
        }
        jobs.join().await;
        println!(
            "all {} jobs done (join returned); {} left in the queue",
            PRODUCERS * JOBS_EACH,
            jobs.qsize()
        );

        // Nothing more will come: release the consumers waiting in get().
        jobs.shutdown(false);
        let mut total = 0;
        for c in consumers {
            total += c.await.expect("the consumer ran");
        }
        println!("the consumers did {total} jobs between them");
    });
}
