//! asyncio's `gather`, `wait_for` and `as_completed`: fetch a few "pages" concurrently.
//!
//! Run it with `cargo run -p corio --example gather`. Each step prints what happened and how
//! long it took on the real clock.

use std::time::{Duration, Instant};

use corio::task::{as_completed, gather, gather_results};
use futures_lite::StreamExt;

/// A pretend download: waits `ms` milliseconds, then returns the page's size.
async fn fetch(name: &'static str, ms: u64) -> usize {
    corio::sleep(Duration::from_millis(ms)).await;
    name.len() * 100
}

fn main() {
    // One line per panic instead of the default report: one child below panics on purpose.
    std::panic::set_hook(Box::new(|info| eprintln!("(a task panicked: {info})")));
    corio::run(async {
        let started = Instant::now();

        // gather!: different kinds of work at once, results in argument order.
        let (home, about, answer) =
            corio::gather!(fetch("home", 300), fetch("about", 100), async { 6 * 7 },)
                .await
                .expect("nothing panicked");
        println!(
            "gather!: home={home} about={about} answer={answer} after {:?} (the slowest, not the sum)",
            rounded(started.elapsed())
        );

        // gather over a list.
        let started = Instant::now();
        let pages = ["a", "bb", "ccc", "dddd"];
        let sizes = gather(pages.map(|p| fetch(p, 50 * p.len() as u64)))
            .await
            .expect("nothing panicked");
        println!(
            "gather(list): {sizes:?} after {:?}",
            rounded(started.elapsed())
        );

        // return_exceptions: one child fails, the others' results are still there.
        let results = gather_results([
            Box::pin(fetch("ok", 10)) as std::pin::Pin<Box<dyn Future<Output = usize> + Send>>,
            Box::pin(async { panic!("this page is broken") }),
        ])
        .await;
        for (i, r) in results.iter().enumerate() {
            match r {
                Ok(size) => println!("gather_results: page {i} -> {size} bytes"),
                Err(e) => println!("gather_results: page {i} -> error: {e}"),
            }
        }

        // wait_for: give up on a slow page.
        match corio::wait_for(fetch("slow", 2_000), Duration::from_millis(200)).await {
            Ok(size) => println!("wait_for: {size}"),
            Err(e) => println!("wait_for: {e} (the download was cancelled)"),
        }

        // as_completed: handle pages as they arrive.
        let started = Instant::now();
        let mut arrivals = as_completed(
            [("big", 300), ("small", 100), ("medium", 200)].map(|(n, ms)| async move {
                fetch(n, ms).await;
                n
            }),
            None,
        );
        while let Some(page) = arrivals.next().await {
            println!(
                "as_completed: {} after {:?}",
                page.expect("no timeout"),
                rounded(started.elapsed())
            );
        }
    });
}

fn rounded(d: Duration) -> Duration {
    Duration::from_millis((d.as_millis() as u64).div_ceil(10) * 10)
}
