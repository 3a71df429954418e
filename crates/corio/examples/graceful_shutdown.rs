//! asyncio's graceful shutdown: a service with background tasks that, on SIGINT or
//! SIGTERM, cancels them, gives their clean-up up to a grace period, ignores further
//! signals while it shuts down, and exits 0.
//!
//! Run it with `cargo run -p corio --example graceful_shutdown`, then press Ctrl-C (or
//! `kill -TERM <pid>`). An optional argument sets how long each worker's clean-up takes, in
//! milliseconds (default 200), to try a second Ctrl-C during it.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use corio::signal::{Signal, Signals};
use corio::sync::Barrier;
use corio::task::on_cancel;
use futures_lite::future::or;

/// How long the workers' clean-up may take in all before the service exits anyway.
const GRACE: Duration = Duration::from_secs(5);

const WORKERS: usize = 3;

/// A background task: works until cancelled, then cleans up for `cleanup`.
async fn worker(id: usize, cleanup: Duration, started: Arc<Barrier>) {
    let work = async move {
        // Inside `on_cancel`: from here on a cancellation runs the clean-up. (A task
        // cancelled before it first runs never starts, as in asyncio.)
        let _ = started.wait().await; // never broken: nobody aborts it
        loop {
            corio::sleep(Duration::from_millis(50)).await; // one unit of work
        }
    };
    on_cancel(work, GRACE, move || async move {
        println!("worker {id}: cleaning up");
        corio::sleep(cleanup).await; // flush buffers, say goodbye to peers, …
        println!("worker {id}: cleaned up");
    })
    .await
}

/// What ends one turn of the shutdown loop.
enum Event {
    Signal(Signal),
    CleanedUp,
    GraceOver,
}

fn main() -> std::io::Result<()> {
    let cleanup = std::env::args()
        .nth(1)
        .and_then(|ms| ms.parse().ok())
        .map_or(Duration::from_millis(200), Duration::from_millis);

    corio::run(async move {
        // Catch the signals before anything else: from here on they cannot kill the process.
        let mut signals = Signals::new([Signal::INT, Signal::TERM])?;
        let started = Arc::new(Barrier::new(WORKERS + 1).expect("parties > 0"));
        let workers: Vec<_> = (0..WORKERS)
            .map(|id| corio::spawn(worker(id, cleanup, started.clone())))
            .collect();
        let _ = started.wait().await; // every worker runs
        println!("running as pid {}", std::process::id());

        let first = signals.recv().await;
        println!("received {first}: shutting down");
        for worker in &workers {
            worker.cancel();
        }

        // Wait for the clean-up, at most GRACE. The signals stay caught meanwhile, so a
        // second Ctrl-C is reported and ignored instead of killing the clean-up half-way.
        let mut cleaned_up = pin!(async {
            for worker in workers {
                let _ = worker.await; // cancelled, once its clean-up has run
            }
        });
        let mut grace_over = pin!(corio::sleep(GRACE));
        loop {
            let event = or(
                async { Event::Signal(signals.recv().await) },
                or(
                    after(cleaned_up.as_mut(), Event::CleanedUp),
                    after(grace_over.as_mut(), Event::GraceOver),
                ),
            )
            .await;
            match event {
                Event::Signal(sig) => {
                    println!("received {sig} again: ignored, still shutting down")
                }
                Event::CleanedUp => {
                    println!("clean shutdown");
                    break;
                }
                Event::GraceOver => {
                    println!("clean-up took longer than {GRACE:?}: exiting anyway");
                    break;
                }
            }
        }
        std::io::Result::Ok(())
    })
}

/// `fut`, then `event`.
async fn after(fut: impl Future<Output = ()>, event: Event) -> Event {
    fut.await;
    event
}
