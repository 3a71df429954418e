//! Tasks in concert: gather, task groups, and what a timeout around ready work costs. corio
//! uses its asyncio-style combinators; tokio and smol their idioms for the same job.

use std::hint::black_box;
use std::time::{Duration, Instant};

use crate::measure::{Bench, Measurement, Plan, Unit, compare};
use crate::rt::{Concert, Needs, Rt, contenders};

const G: &str = "tasks";

/// Gathers `n` futures that are ready at once.
fn gather_ready<R: Concert>(n: u64) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let futures: Vec<_> = (0..n).map(|i| async move { i }).collect();
            let started = Instant::now();
            let out = R::gather(futures).await;
            let elapsed = started.elapsed();
            assert_eq!(out.iter().sum::<u64>(), n * (n - 1) / 2);
            elapsed
        })
    }
}

/// Gathers `n` tasks that each yield once before returning.
fn gather_yielding<R: Concert>(n: u64) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let futures: Vec<_> = (0..n)
                .map(|i| async move {
                    R::yield_now().await;
                    i
                })
                .collect();
            let started = Instant::now();
            let out = R::gather(futures).await;
            let elapsed = started.elapsed();
            assert_eq!(out.len() as u64, n);
            elapsed
        })
    }
}

/// A scope with `n` children that each yield once; it ends when all have.
fn task_group<R: Concert>(n: usize) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let futures: Vec<_> = (0..n).map(|_| R::yield_now()).collect();
            let started = Instant::now();
            R::group(futures).await;
            started.elapsed()
        })
    }
}

/// `n` × a timeout of one second around a future that is ready at once.
fn wait_for_ready<R: Concert>(n: u64) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let started = Instant::now();
            let mut sum = 0;
            for i in 0..n {
                sum += R::wait_for(Duration::from_secs(1), std::future::ready(i))
                    .await
                    .expect("ready at once");
            }
            black_box(sum);
            started.elapsed()
        })
    }
}

/// `n` × awaiting the same ready future bare: the baseline of `wait_for_ready`.
fn bare_await<R: Rt>(n: u64) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let started = Instant::now();
            let mut sum = 0;
            for i in 0..n {
                sum += black_box(std::future::ready(i)).await;
            }
            black_box(sum);
            started.elapsed()
        })
    }
}

pub(crate) fn run(plan: Plan) -> Vec<Measurement> {
    let bench = |name, unit, about| Bench {
        group: G,
        name,
        unit,
        needs: Needs::Spawn,
        about,
    };
    let mut out = Vec::new();
    out.extend(compare(
        bench(
            "gather_ready",
            Unit::PerOp(10_000),
            "gather of 10,000 futures ready at once, outputs in order (corio: `gather`; tokio, smol: \
             spawn each, await the handles in order); op = one child",
        ),
        plan,
        contenders!(concert: gather_ready(10_000)),
    ));
    out.extend(compare(
        bench(
            "gather_yielding",
            Unit::PerOp(10_000),
            "gather of 10,000 tasks that each yield once; op = one child",
        ),
        plan,
        contenders!(concert: gather_yielding(10_000)),
    ));
    out.extend(compare(
        bench(
            "task_group",
            Unit::PerOp(10_000),
            "a scope of 10,000 children that each yield once (corio: `task_group`; tokio: \
             `JoinSet`; smol: spawned tasks awaited); op = one child",
        ),
        plan,
        contenders!(concert: task_group(10_000)),
    ));
    out.extend(compare(
        bench(
            "wait_for_ready",
            Unit::PerOp(1_000_000),
            "1,000,000 × a 1 s timeout around a future ready at once (corio: `wait_for`; tokio: \
             `time::timeout`; smol: `or` with a `Timer`); op = one await",
        ),
        plan,
        contenders!(concert: wait_for_ready(1_000_000)),
    ));
    out.extend(compare(
        bench(
            "bare_await",
            Unit::PerOp(1_000_000),
            "1,000,000 × awaiting a ready future, no timeout: the baseline of `wait_for_ready`; \
             op = one await",
        ),
        plan,
        contenders!(time: bare_await(1_000_000)),
    ));
    out
}
