//! The corio tour: asyncio's first lessons, in Rust.
//!
//! Run it with `cargo run --release --example tour`. Each part prints what it does and the
//! time it measured, so you can see the event loop at work.

use std::time::{Duration, Instant};

fn main() {
    println!("corio tour\n==========\n");
    corio::run(async {
        hello_goodbye().await;
        fetches().await;
    });
}

/// asyncio's "hello world": print, sleep one second without blocking the loop, print again.
async fn hello_goodbye() {
    println!("1. hello / sleep 1 s / goodbye");
    let started = Instant::now();
    println!("   hello");
    corio::sleep(Duration::from_secs(1)).await;
    println!(
        "   goodbye (after {:.3} s)\n",
        started.elapsed().as_secs_f64()
    );
}

/// A pretend network call: one second of waiting, then a result.
async fn fetch(id: u32) -> String {
    corio::sleep(Duration::from_secs(1)).await;
    format!("page {id}")
}

/// Five one-second fetches, first one after the other, then all at once.
async fn fetches() {
    println!("2. five 1-second fetches");

    let started = Instant::now();
    let mut pages = Vec::new();
    for id in 1..=5 {
        pages.push(fetch(id).await);
    }
    let sequential = started.elapsed();
    println!(
        "   sequential: {:?} in {:.3} s",
        pages,
        sequential.as_secs_f64()
    );

    let started = Instant::now();
    // asyncio.create_task for each, then await them in order.
    let tasks: Vec<_> = (1..=5).map(|id| corio::spawn(fetch(id))).collect();
    let mut pages = Vec::new();
    for task in tasks {
        pages.push(task.await.expect("a fetch task failed"));
    }
    let concurrent = started.elapsed();
    println!(
        "   concurrent: {:?} in {:.3} s",
        pages,
        concurrent.as_secs_f64()
    );
    println!(
        "   waiting together is {:.1}x faster: five tasks sleep at once\n",
        sequential.as_secs_f64() / concurrent.as_secs_f64()
    );
}
