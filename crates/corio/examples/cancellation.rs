//! Cancellation in corio, beside asyncio's `task.cancel()` and `CancelledError`: a cancelled
//! task stops at its next await point and its destructors run; whoever awaits it sees
//! `TaskError::Cancelled`; a task that must await something on its way out (asyncio's
//! `except CancelledError: await cleanup(); raise`) wraps its work in `on_cancel`.
//!
//! Run it with `cargo run -p corio --example cancellation`. See docs/guide.md,
//! "Cancellation", and docs/cancellation.md.

use std::time::Duration;

use corio::task::on_cancel;

/// Prints when it is dropped: shows where a cancelled task's destructors run.
struct Noisy(&'static str);

impl Drop for Noisy {
    fn drop(&mut self) {
        println!("  {}: dropped", self.0);
    }
}

fn main() -> std::io::Result<()> {
    // One thread, as asyncio's loop: a spawned task runs only when this code awaits, which
    // makes step 2 (cancelling a task before it ran) deterministic.
    let rt = corio::Runtime::builder().current_thread().build()?;
    rt.block_on(async {
        println!("1. cancel() stops a task at its next await point");
        let worker = corio::spawn(async {
            let _connection = Noisy("the worker's connection");
            loop {
                corio::sleep(Duration::from_millis(10)).await;
            }
        });
        corio::sleep(Duration::from_millis(30)).await;
        println!("  cancel() -> {}", worker.cancel());
        match worker.await {
            Err(e) if e.is_cancelled() => println!("  awaiting it: {e}"),
            other => println!("  unexpected: {other:?}"),
        }

        println!("2. a task cancelled before it ever ran never starts");
        let never = corio::spawn(async { println!("  (this line is never printed)") });
        never.cancel();
        println!("  awaiting it: {}", never.await.unwrap_err());

        println!("3. a cancelled task can clean up asynchronously with on_cancel");
        let uploader = corio::spawn(async {
            let upload = async {
                corio::sleep(Duration::from_secs(60)).await;
                "uploaded"
            };
            let clean_up = || async {
                println!("  uploader: cancelled, removing the partial upload…");
                corio::sleep(Duration::from_millis(20)).await; // an async call
                println!("  uploader: partial upload removed");
            };
            on_cancel(upload, Duration::from_secs(1), clean_up).await
        });
        corio::sleep(Duration::from_millis(20)).await;
        uploader.cancel();
        // The waiter waits for the clean-up too.
        println!("  awaiting it: {}", uploader.await.unwrap_err());

        println!("4. a timeout cancels the future it bounds");
        let bounded = corio::wait_for(
            async {
                let _lease = Noisy("the timed-out request's lease");
                corio::sleep(Duration::from_secs(60)).await;
            },
            Duration::from_millis(20),
        )
        .await;
        println!("  wait_for: {bounded:?}");
    });
    Ok(())
}
