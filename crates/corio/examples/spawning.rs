//! asyncio's coroutines and tasks, in corio: a future does nothing until it is awaited or
//! spawned; `spawn` (asyncio's `create_task`) starts it at once as a task running beside the
//! code that spawned it; a task has an id and a name and shows in `all_tasks()`; a dropped
//! `Task` handle detaches the task, which runs on.
//!
//! Run it with `cargo run -p corio --example spawning`. See docs/guide.md, "Coroutines and
//! tasks" and "Spawning".

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Something that takes a while: waits `ms` milliseconds, then says what it made.
async fn brew(what: &'static str, ms: u64) -> &'static str {
    corio::sleep(Duration::from_millis(ms)).await;
    what
}

fn main() {
    corio::run(async {
        // Awaited one after the other, two brews take the sum of their times.
        let started = Instant::now();
        let tea = brew("tea", 100).await;
        let coffee = brew("coffee", 100).await;
        println!(
            "awaited in turn: {tea} and {coffee} after {:?}",
            tenths(started)
        );

        // Spawned, they run at the same time: the total is the longest, not the sum.
        let started = Instant::now();
        let tea = corio::task::spawn_named("tea", brew("tea", 100));
        let coffee = corio::task::spawn_named("coffee", brew("coffee", 100));
        let mut running: Vec<String> = corio::task::all_tasks()
            .iter()
            .filter_map(|task| task.name().map(str::to_owned))
            .collect();
        running.sort();
        println!("running tasks: {}", running.join(", "));
        let (tea, coffee) = (tea.await, coffee.await);
        println!(
            "spawned: {} and {} after {:?}",
            tea.expect("the tea task ran"),
            coffee.expect("the coffee task ran"),
            tenths(started)
        );

        // A future that is never awaited never runs. (Left unused as a statement, it would
        // be a compiler warning: futures are #[must_use].)
        let ran = Arc::new(AtomicBool::new(false));
        let flag = ran.clone();
        let forgotten = async move { flag.store(true, Ordering::SeqCst) };
        drop(forgotten);
        corio::sleep(Duration::from_millis(10)).await;
        println!(
            "the future never awaited ran: {}",
            ran.load(Ordering::SeqCst)
        );

        // A detached task runs on after its handle is gone.
        let (done, report) = corio::sync::oneshot::channel();
        corio::spawn(async move {
            corio::sleep(Duration::from_millis(20)).await;
            let _ = done.send("the detached task finished on its own");
        })
        .detach();
        println!("{}", report.await.expect("the task sends before it ends"));

        // Inside a task, current_task() says which one it is.
        let me = corio::task::spawn_named("inspector", async {
            corio::task::current_task().and_then(|task| task.name().map(str::to_owned))
        });
        println!(
            "the inspector task calls itself {:?}",
            me.await.expect("it ran").expect("it has a name")
        );
    });
}

/// The time since `started`, to a tenth of a second: what the example shows, without noise.
fn tenths(started: Instant) -> Duration {
    Duration::from_millis((started.elapsed().as_millis() as u64 + 50) / 100 * 100)
}
