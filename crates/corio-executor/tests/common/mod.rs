//! Test helpers: a watchdog so no test can hang, and a runner for both schedulers.

#![allow(dead_code, unreachable_pub)]

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::mpsc;
use std::time::Duration;

use corio_executor::{Executor, ThreadDriver};

/// Runs `f` on its own thread and fails the test if it takes longer than `secs`.
pub fn watchdog<R: Send + 'static>(secs: u64, f: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(catch_unwind(AssertUnwindSafe(f)));
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(Ok(r)) => r,
        Ok(Err(panic)) => resume_unwind(panic),
        Err(_) => panic!("watchdog: the test did not finish within {secs} s"),
    }
}

/// Runs `body` on a current-thread executor, then on a 2-worker multi-thread executor, each
/// under a watchdog.
pub fn both(body: impl Fn(Executor) + Send + Sync + Clone + 'static) {
    let b = body.clone();
    watchdog(60, move || b(Executor::current_thread(ThreadDriver::new())));
    watchdog(60, move || {
        body(Executor::multi_thread(2, ThreadDriver::new()).unwrap())
    });
}

/// Polls `cond` every millisecond until it holds; fails the test after `secs`.
pub fn eventually(secs: u64, what: &str, cond: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    while !cond() {
        assert!(
            std::time::Instant::now() < deadline,
            "not within {secs} s: {what}"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}
