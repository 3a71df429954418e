//! asyncio's timeouts in corio: `wait_for` and `timeout` around one future, one deadline
//! shared by several steps (`timeout_at`), a scope whose deadline the work can move
//! (`async with asyncio.timeout(...)`), and a task that is cancelled when its time is up.
//!
//! Run it with `cargo run -p corio --example timeouts`. See docs/guide.md, "Timeouts".

use std::time::Duration;

use corio::TimeoutError;
use corio::time::TimeoutScope;

/// A pretend request that takes `ms` milliseconds.
async fn request(name: &'static str, ms: u64) -> &'static str {
    corio::sleep(Duration::from_millis(ms)).await;
    name
}

fn main() {
    corio::run(async {
        // wait_for: the reply, or TimeoutError once the limit passes (the request is
        // dropped, i.e. cancelled, before the error comes back).
        let fast = corio::wait_for(request("fast", 10), Duration::from_millis(500)).await;
        let slow = corio::wait_for(request("slow", 5_000), Duration::from_millis(50)).await;
        println!("wait_for: fast -> {fast:?}, slow -> {slow:?}");

        // timeout: the same, with tokio's argument order.
        match corio::timeout(Duration::from_millis(50), request("slow", 1_000)).await {
            Ok(reply) => println!("timeout: {reply}"),
            Err(TimeoutError) => println!("timeout: gave up after 50 ms"),
        }

        // One deadline for a whole conversation: each step gets what is left of it.
        let deadline = corio::time::now() + Duration::from_millis(300);
        let mut steps = Vec::new();
        for (step, ms) in [("login", 20), ("query", 20), ("report", 5_000)] {
            match corio::timeout_at(deadline, request(step, ms)).await {
                Ok(done) => steps.push(done),
                Err(TimeoutError) => {
                    println!("timeout_at: {steps:?} done, {step} ran out of time");
                    break;
                }
            }
        }

        // A scope (asyncio's `async with asyncio.timeout(d) as cm:`): the work finds it
        // needs longer and moves the deadline from inside.
        let scope = TimeoutScope::after(Duration::from_millis(200));
        let outcome = scope
            .run(async {
                let first = request("part 1", 10).await;
                scope.reschedule(Some(corio::time::now() + Duration::from_secs(5)));
                let second = request("part 2", 300).await; // past the first deadline
                (first, second)
            })
            .await;
        println!(
            "scope: {outcome:?}, expired: {}, deadline moved: {}",
            scope.expired(),
            scope.deadline().is_some()
        );

        // A task given a time limit: on timeout it is cancelled, and its destructors have
        // run by the time wait_for_task returns.
        let task = corio::spawn(request("background job", 5_000));
        match corio::task::wait_for_task(task, Duration::from_millis(50)).await {
            Ok(result) => println!("wait_for_task: {result:?}"),
            Err(TimeoutError) => println!("wait_for_task: timed out, the job was cancelled"),
        }
    });
}
