//! Blocking work without blocking the loop: asyncio's `to_thread` / `run_in_executor`, and
//! the way back from a plain thread into the loop (`call_soon_threadsafe`,
//! `run_coroutine_threadsafe`).
//!
//! A blocking call made directly in a task stops every other task on that worker until it
//! returns; `to_thread` runs it on the runtime's blocking pool instead and gives a future
//! of its result.
//!
//! Run it with `cargo run -p corio --example to_thread`. See docs/guide.md, "Blocking code:
//! `to_thread`".

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// A call that blocks its thread: a synchronous client library, a big computation…
fn blocking_lookup(key: &str) -> usize {
    std::thread::sleep(Duration::from_millis(100));
    key.len()
}

/// Counts ticks every 10 ms until cancelled: shows whether the loop keeps running.
async fn ticker(ticks: Arc<AtomicU32>) {
    loop {
        corio::sleep(Duration::from_millis(10)).await;
        ticks.fetch_add(1, Ordering::Relaxed);
    }
}

fn main() -> std::io::Result<()> {
    // One thread runs every task, as in asyncio: blocking it would stop them all.
    let rt = corio::Runtime::builder().current_thread().build()?;
    rt.block_on(async {
        let ticks = Arc::new(AtomicU32::new(0));
        let clock = corio::spawn(ticker(ticks.clone()));

        // On the loop's own thread: the ticker cannot tick while the call blocks.
        let before = ticks.load(Ordering::Relaxed);
        blocking_lookup("on the loop");
        let on_loop = ticks.load(Ordering::Relaxed) - before;

        // On the blocking pool: the ticker ticks meanwhile.
        let before = ticks.load(Ordering::Relaxed);
        let len = corio::task::to_thread(|| blocking_lookup("in a thread"))
            .await
            .expect("the lookup does not panic");
        let off_loop = ticks.load(Ordering::Relaxed) - before;
        println!("blocking call on the loop: the ticker ticked {on_loop} times");
        println!(
            "to_thread: got {len}, and the ticker ticked meanwhile: {}",
            off_loop > 0
        );

        // The function's own errors come back as its value (a panic would be the task's
        // TaskError::Panicked).
        let read = corio::task::to_thread(|| std::fs::read("/no/such/file"))
            .await
            .expect("the read does not panic");
        println!("to_thread with an error: {:?}", read.map_err(|e| e.kind()));
        clock.cancel();
    });

    // From a plain thread into the runtime: a Handle.
    let handle = rt.handle();
    let thread = std::thread::spawn(move || {
        // asyncio's run_coroutine_threadsafe(coro, loop).result()
        let answer = handle
            .submit(async {
                corio::sleep(Duration::from_millis(10)).await;
                6 * 7
            })
            .expect("the runtime is running")
            .wait()
            .expect("the coroutine finished");
        // asyncio's loop.call_soon_threadsafe(callback)
        let (tx, rx) = std::sync::mpsc::channel();
        handle
            .call_soon(move || tx.send("called on the loop").expect("the thread waits"))
            .expect("the runtime is running");
        (answer, rx.recv().expect("the callback ran"))
    });
    // A current-thread runtime runs its tasks inside block_on: drive it while the thread
    // works, waiting for the thread to finish (a blocking join, so on the pool).
    let (answer, called) = rt
        .block_on(corio::task::to_thread(move || thread.join()))
        .expect("the join does not panic")
        .expect("the thread did not panic");
    println!("from a plain thread: submit -> {answer}, call_soon -> {called:?}");
    Ok(())
}
