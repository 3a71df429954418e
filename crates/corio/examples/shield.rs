//! asyncio's `shield`, timeouts and scopes: protect work that must finish even when the
//! code waiting for it gives up.
//!
//! Run it with `cargo run -p corio --example shield`.

use std::time::{Duration, Instant};

use corio::time::TimeoutScope;

/// Something that must not be interrupted half-way.
async fn save_to_disk() -> &'static str {
    corio::sleep(Duration::from_millis(300)).await;
    "saved"
}

fn main() {
    corio::run(async {
        let started = Instant::now();

        // The caller only waits 100 ms, but the save is shielded: it runs to the end.
        let mut save = corio::task::shield(save_to_disk());
        match corio::wait_for(&mut save, Duration::from_millis(100)).await {
            Ok(r) => println!("finished in time: {r:?}"),
            Err(_) => println!("gave up waiting after {:?}…", started.elapsed()),
        }
        let result = save.await.expect("the save was not cancelled");
        println!(
            "…but the save went on: {result} after {:?}",
            started.elapsed()
        );

        // Without the shield, the same timeout cancels the work.
        let started = Instant::now();
        let unshielded = corio::wait_for(save_to_disk(), Duration::from_millis(100)).await;
        println!(
            "unshielded: {:?} after {:?} (the save was dropped)",
            unshielded.map_err(|e| e.to_string()),
            started.elapsed()
        );

        // A timeout scope that the work extends once it knows it needs longer.
        let scope = TimeoutScope::after(Duration::from_millis(100));
        let out = scope
            .run(async {
                corio::sleep(Duration::from_millis(50)).await;
                println!("scope: needs more time, moving the deadline");
                scope.reschedule(Some(corio::time::now() + Duration::from_millis(500)));
                save_to_disk().await
            })
            .await;
        println!("scope: {out:?}, expired: {}", scope.expired());
    });
}
