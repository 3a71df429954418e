//! The executor: spawning, yielding, waking across tasks, spawning from a foreign thread,
//! and the memory a pending task costs. Named after tokio's scheduler benchmarks.

use std::future::pending;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::latch::Latch;
use crate::measure::{Bench, Bytes, Measurement, Plan, Unit, compare};
use crate::rt::{Channels, Needs, Spawn, contenders, dispatch};

const G: &str = "executor";
const IDLE_TASKS: usize = 100_000;

/// `n` tasks that do nothing but count down, spawned from a task.
fn spawn_many<R: Spawn>(n: usize) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let done = Latch::new(n);
            let started = Instant::now();
            for _ in 0..n {
                let done = done.clone();
                R::detach(R::spawn(async move { done.count_down() }));
            }
            done.wait().await;
            started.elapsed()
        })
    }
}

/// `tasks` tasks, each yielding `yields` times.
fn yield_many<R: Spawn>(tasks: usize, yields: usize) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let done = Latch::new(tasks);
            let started = Instant::now();
            for _ in 0..tasks {
                let done = done.clone();
                R::detach(R::spawn(async move {
                    for _ in 0..yields {
                        R::yield_now().await;
                    }
                    done.count_down();
                }));
            }
            done.wait().await;
            started.elapsed()
        })
    }
}

/// `n` tasks, each spawning a partner and trading a oneshot message with it both ways.
fn ping_pong<R: Channels>(n: usize) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let done = Latch::new(n);
            let started = Instant::now();
            for _ in 0..n {
                let done = done.clone();
                R::detach(R::spawn(async move {
                    let (ping_tx, ping_rx) = R::oneshot::<()>();
                    let (pong_tx, pong_rx) = R::oneshot::<()>();
                    R::detach(R::spawn(async move {
                        ping_rx.await.expect("ping");
                        R::fire(pong_tx, ());
                    }));
                    R::fire(ping_tx, ());
                    pong_rx.await.expect("pong");
                    done.count_down();
                }));
            }
            done.wait().await;
            started.elapsed()
        })
    }
}

/// Spawns a task that spawns the next, `left` deep; the last opens `done`.
fn chain<R: Spawn>(left: usize, done: Latch) {
    if left == 0 {
        done.count_down();
    } else {
        R::detach(R::spawn(async move { chain::<R>(left - 1, done) }));
    }
}

/// A chain of `depth` tasks, each spawning the next.
fn chained_spawn<R: Spawn>(depth: usize) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let done = Latch::new(1);
            let started = Instant::now();
            chain::<R>(depth, done.clone());
            done.wait().await;
            started.elapsed()
        })
    }
}

/// `n` tasks spawned from a thread outside the runtime while a task waits for them all.
fn remote_spawn<R: Spawn>(n: usize) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let done = Latch::new(n);
            let started = Instant::now();
            let remote = {
                let done = done.clone();
                std::thread::spawn(move || {
                    for _ in 0..n {
                        let done = done.clone();
                        R::detach(R::spawn(async move { done.count_down() }));
                    }
                })
            };
            done.wait().await;
            let elapsed = started.elapsed();
            remote.join().expect("the spawning thread");
            elapsed
        })
    }
}

/// Bytes per pending task: the median of fresh child processes, each spawning `n` tasks.
fn idle_task_memory<R: Spawn>(n: usize) -> impl FnMut() -> Bytes {
    move || {
        let exe = std::env::current_exe().expect("the benchmark binary's path");
        let out = Command::new(exe)
            .args(["--child", "idle_task_memory", R::NAME, &n.to_string()])
            .output()
            .expect("run the idle_task_memory child");
        let text = String::from_utf8_lossy(&out.stdout);
        match (out.status.success(), text.trim().parse::<f64>()) {
            (true, Ok(bytes)) => Bytes(bytes),
            _ => panic!(
                "idle_task_memory child for {} failed ({}): {}{}",
                R::NAME,
                out.status,
                text,
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }
}

/// Tasks of the idle-memory measurement that have been polled once.
static POLLED: AtomicUsize = AtomicUsize::new(0);

/// Resident memory of this process, in bytes (Linux `/proc/self/statm`).
fn rss_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("read /proc/self/statm");
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .expect("the resident field of /proc/self/statm");
    // SAFETY: sysconf with a constant name has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * usize::try_from(page).unwrap_or(4096)
}

/// In a fresh process: the RSS growth per task for `n` spawned tasks that are all pending
/// (each polled once), after a warm-up that brought the runtime's own structures up.
fn idle_task_bytes<R: Spawn>(n: usize) -> f64 {
    // Warm-up: threads started, queues allocated.
    spawn_many::<R>(1_000)();
    R::run(async move {
        let before = rss_bytes();
        for _ in 0..n {
            R::detach(R::spawn(async {
                POLLED.fetch_add(1, Ordering::Relaxed);
                pending::<()>().await
            }));
        }
        while POLLED.load(Ordering::Relaxed) < n {
            R::sleep(Duration::from_millis(1)).await;
        }
        let after = rss_bytes();
        after.saturating_sub(before) as f64 / n as f64
    })
}

/// The child side of `idle_task_memory`: `--child idle_task_memory RUNTIME N`. Prints the
/// bytes per task; `None` if the arguments name no such runtime.
pub(crate) fn child(args: &[String]) -> Option<f64> {
    match args {
        [what, runtime, n] if what == "idle_task_memory" => {
            let n: usize = n.parse().ok()?;
            dispatch!(spawn: runtime.as_str(), idle_task_bytes(n))
        }
        _ => None,
    }
}

pub(crate) fn run(plan: Plan) -> Vec<Measurement> {
    let bench = |name, unit, needs, about| Bench {
        group: G,
        name,
        unit,
        needs,
        about,
    };
    let mut out = Vec::new();
    out.extend(compare(
        bench(
            "spawn_many",
            Unit::PerOp(10_000),
            Needs::Spawn,
            "10,000 empty tasks spawned from a task, which waits until all have run; op = one task",
        ),
        plan,
        contenders!(spawn: spawn_many(10_000)),
    ));
    out.extend(compare(
        bench(
            "yield_many",
            Unit::PerOp(200 * 1_000),
            Needs::Spawn,
            "200 tasks × 1,000 yields; op = one yield",
        ),
        plan,
        contenders!(spawn: yield_many(200, 1_000)),
    ));
    out.extend(compare(
        bench(
            "ping_pong",
            Unit::PerOp(1_000),
            Needs::Channels,
            "1,000 tasks, each spawning a partner and trading oneshot messages with it both ways; \
             op = one pair",
        ),
        plan,
        contenders!(channels: ping_pong(1_000)),
    ));
    out.extend(compare(
        bench(
            "chained_spawn",
            Unit::PerOp(1_000),
            Needs::Spawn,
            "a chain of 1,000 tasks, each spawning the next; op = one task",
        ),
        plan,
        contenders!(spawn: chained_spawn(1_000)),
    ));
    out.extend(compare(
        bench(
            "remote_spawn",
            Unit::PerOp(10_000),
            Needs::Spawn,
            "10,000 empty tasks spawned from a thread outside the runtime; op = one task",
        ),
        plan,
        contenders!(spawn: remote_spawn(10_000)),
    ));
    out.extend(compare(
        bench(
            "idle_task_memory",
            Unit::Bytes("task"),
            Needs::Spawn,
            "resident memory per pending task: 100,000 spawned tasks that never complete, each polled \
             once, measured from /proc/self/statm in a fresh process per run",
        ),
        plan,
        contenders!(spawn: idle_task_memory(IDLE_TASKS)),
    ));
    out
}
