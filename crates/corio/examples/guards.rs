//! asyncio's async context managers (`async with`), in Rust: a guard value whose `Drop`
//! releases what it holds, whatever way the scope ends — normally, by `?`, by a panic or by
//! cancellation. `Drop` cannot await, so clean-up that must await is either an explicit
//! `async fn close(self)` (with `Drop` as the fallback), or a function that runs the body
//! between an async set-up and an async tear-down.
//!
//! Run it with `cargo run -p corio --example guards`. See docs/guide.md, "Async context
//! managers as guards".

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use corio::sync::{Mutex, Semaphore};

/// A transaction: `commit().await` ends it; dropped uncommitted, it rolls back.
struct Transaction {
    log: Arc<Mutex<Vec<String>>>,
    done: bool,
}

impl Transaction {
    async fn begin(log: Arc<Mutex<Vec<String>>>) -> Transaction {
        log.lock().await.push("begin".into());
        Transaction { log, done: false }
    }

    /// The async exit (`__aexit__` without an exception): awaits the commit.
    async fn commit(mut self) {
        corio::sleep(Duration::from_millis(5)).await; // the round trip to the database
        self.log.lock().await.push("commit".into());
        self.done = true;
    }
}

impl Drop for Transaction {
    /// The fallback exit: `Drop` cannot await, so the async rollback runs as a task of its
    /// own. It runs when the owner returned early, failed, or was cancelled.
    fn drop(&mut self) {
        if !self.done {
            let log = self.log.clone();
            corio::spawn(async move {
                log.lock().await.push("rollback".into());
            })
            .detach();
        }
    }
}

/// `async with temporary_table() as t:` with an async set-up and tear-down around `body`.
/// The tear-down runs when the body returns, `Ok` or `Err`.
async fn with_temporary_table<T, E, F, Fut>(log: &Mutex<Vec<String>>, body: F) -> Result<T, E>
where
    F: FnOnce(&'static str) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    log.lock().await.push("create table".into());
    let out = body("tmp_orders").await;
    corio::sleep(Duration::from_millis(1)).await; // an async tear-down
    log.lock().await.push("drop table".into());
    out
}

fn main() {
    corio::run(async {
        // The built-in guards: a lock and a semaphore permit, released by `?`.
        let (counter, slots) = (Mutex::new(0), Semaphore::new(1));
        let failed: Result<(), &str> = async {
            let _permit = slots.acquire().await;
            let mut count = counter.lock().await;
            *count += 1;
            Err("failed half-way")?; // both guards are dropped here
            Ok(())
        }
        .await;
        println!(
            "built-in guards: {failed:?}; lock free: {}, permit back: {}",
            !counter.locked(),
            slots.available_permits() == 1
        );

        // A guard with an async exit: committed, and left uncommitted by a failure.
        let log = Arc::new(Mutex::new(Vec::new()));
        Transaction::begin(log.clone()).await.commit().await;
        let failing: Result<(), &str> = async {
            let _tx = Transaction::begin(log.clone()).await;
            Err("constraint violated")
        }
        .await;
        // And one cancelled by a timeout while it waited.
        let _ = corio::wait_for(
            async {
                let _tx = Transaction::begin(log.clone()).await;
                corio::sleep(Duration::from_secs(60)).await;
            },
            Duration::from_millis(10),
        )
        .await;
        // The rollbacks run as tasks of their own: wait (at most a few seconds) until they have.
        let rolled_back = || async { log.lock().await.iter().filter(|e| *e == "rollback").count() };
        let _ = corio::wait_for(
            async {
                while rolled_back().await < 2 {
                    corio::sleep(Duration::from_millis(1)).await;
                }
            },
            Duration::from_secs(5),
        )
        .await;
        let log = log.lock().await;
        let count = |what: &str| log.iter().filter(|entry| *entry == what).count();
        println!(
            "transactions: {} begun, {} committed, {} rolled back ({failing:?} and a timeout)",
            count("begin"),
            count("commit"),
            count("rollback")
        );

        // Set-up and tear-down around a body.
        let log = &Mutex::new(Vec::new());
        let rows: Result<usize, String> = with_temporary_table(log, |table| async move {
            log.lock().await.push(format!("insert 3 rows into {table}"));
            Ok(3)
        })
        .await;
        println!("scoped: {rows:?}, {:?}", log.lock().await);
    });
}
