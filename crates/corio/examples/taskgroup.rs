//! asyncio 3.11's `TaskGroup`: a scope that owns its tasks. When one fails, the others are
//! cancelled — and the ones that need it say goodbye first (`on_cancel`).
//!
//! Run it with `cargo run -p corio --example taskgroup`.

use std::time::{Duration, Instant};

use corio::task::{ChildError, on_cancel, task_group};

async fn worker(name: &'static str, ms: u64) -> Result<&'static str, String> {
    corio::sleep(Duration::from_millis(ms)).await;
    println!("  {name} finished");
    Ok(name)
}

fn main() {
    corio::run(async {
        println!("1. every child succeeds: the group ends with its last child");
        let started = Instant::now();
        let names = task_group(|tg| async move {
            let a = tg.spawn(worker("a", 200)).expect("the group is open");
            let b = tg.spawn(worker("b", 100)).expect("the group is open");
            Ok::<_, String>((a.await, b.await))
        })
        .await;
        println!("  -> {names:?} after {:?}\n", started.elapsed());

        println!("2. one child fails: its siblings are cancelled, one of them cleans up first");
        let started = Instant::now();
        let outcome = task_group(|tg| async move {
            tg.spawn(worker("quick", 50)).expect("the group is open");
            tg.spawn(async {
                let work = worker("long job", 10_000);
                let goodbye = || async {
                    println!("  long job: cancelled, saving its progress…");
                    corio::sleep(Duration::from_millis(100)).await;
                    println!("  long job: saved");
                };
                on_cancel(work, Duration::from_secs(1), goodbye).await
            })
            .expect("the group is open");
            tg.spawn(async {
                corio::sleep(Duration::from_millis(200)).await;
                Err::<&str, _>("the database went away".to_string())
            })
            .expect("the group is open");
            Ok(())
        })
        .await;
        match outcome {
            Ok(()) => println!("  -> ok?"),
            Err(group) => {
                for e in group.errors() {
                    match e {
                        ChildError::Failed(msg) => println!("  -> failed: {msg}"),
                        ChildError::Panicked(_) => println!("  -> a child panicked"),
                    }
                }
            }
        }
        println!(
            "  the group returned after {:?}: the failure, then the clean-up",
            started.elapsed()
        );
    });
}
