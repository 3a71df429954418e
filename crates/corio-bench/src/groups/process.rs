//! Subprocesses: spawning `true` and waiting for it to exit.

use std::time::{Duration, Instant};

use crate::measure::{Bench, Measurement, Plan, Unit, compare};
use crate::rt::{Needs, Process, contenders};

/// `n` × (spawn `true`, wait for its exit), one after another.
fn spawn_wait<R: Process>(n: u64) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let started = Instant::now();
            for _ in 0..n {
                let status = R::status("true").await.expect("spawn `true`");
                assert!(status.success());
            }
            started.elapsed()
        })
    }
}

pub(crate) fn run(plan: Plan) -> Vec<Measurement> {
    compare(
        Bench {
            group: "process",
            name: "spawn_wait_true",
            unit: Unit::PerOp(500),
            needs: Needs::Process,
            about: "500 × (spawn `true`, wait for its exit), one at a time; op = one process",
        },
        plan,
        contenders!(process: spawn_wait(500)),
    )
}
