//! Synchronisation primitives: mutex (uncontended and contended), semaphore, reader–writer
//! lock, event fan-out and condition notify — each runtime with its own primitives.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::latch::Latch;
use crate::measure::{Bench, Measurement, Plan, Unit, compare};
use crate::rt::{Locks, Needs, contenders};

const G: &str = "sync";

/// One task locking and unlocking a mutex `n` times.
fn mutex_uncontended<R: Locks>(n: u64) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let m = R::mutex();
            let started = Instant::now();
            for _ in 0..n {
                *R::lock(&m).await += 1;
            }
            let elapsed = started.elapsed();
            assert_eq!(*R::lock(&m).await, n);
            elapsed
        })
    }
}

/// `tasks` tasks × `rounds` × (lock, yield while holding it, unlock): every acquire but the
/// first of a round waits for the holder, on any number of threads.
fn mutex_contended<R: Locks>(tasks: usize, rounds: usize) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let m = Arc::new(R::mutex());
            let done = Latch::new(tasks);
            let started = Instant::now();
            for _ in 0..tasks {
                let (m, done) = (m.clone(), done.clone());
                R::detach(R::spawn(async move {
                    for _ in 0..rounds {
                        let mut g = R::lock(&m).await;
                        R::yield_now().await;
                        *g += 1;
                    }
                    done.count_down();
                }));
            }
            done.wait().await;
            let elapsed = started.elapsed();
            assert_eq!(*R::lock(&m).await, (tasks * rounds) as u64);
            elapsed
        })
    }
}

/// `tasks` tasks × `rounds` × (acquire one of `permits` permits, yield holding it, release).
fn semaphore<R: Locks>(tasks: usize, rounds: usize, permits: usize) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let s = Arc::new(R::semaphore(permits));
            let done = Latch::new(tasks);
            let started = Instant::now();
            for _ in 0..tasks {
                let (s, done) = (s.clone(), done.clone());
                R::detach(R::spawn(async move {
                    for _ in 0..rounds {
                        let permit = R::acquire(&s).await;
                        R::yield_now().await;
                        drop(permit);
                    }
                    done.count_down();
                }));
            }
            done.wait().await;
            started.elapsed()
        })
    }
}

/// `tasks` tasks × `rounds` accesses to a reader–writer lock, one in ten a write; the guard
/// is held across a yield.
fn rwlock<R: Locks>(tasks: usize, rounds: usize) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let l = Arc::new(R::rwlock());
            let done = Latch::new(tasks);
            let started = Instant::now();
            for t in 0..tasks {
                let (l, done) = (l.clone(), done.clone());
                R::detach(R::spawn(async move {
                    for i in 0..rounds {
                        if (t + i) % 10 == 0 {
                            let mut w = R::write(&l).await;
                            R::yield_now().await;
                            *w += 1;
                        } else {
                            let r = R::read(&l).await;
                            R::yield_now().await;
                            std::hint::black_box(*r);
                        }
                    }
                    done.count_down();
                }));
            }
            done.wait().await;
            started.elapsed()
        })
    }
}

/// `rounds` × (`waiters` tasks wait on a fresh event; once all are waiting it is set and
/// all of them finish). Only set-to-all-woken is timed.
fn event_fan_out<R: Locks>(rounds: usize, waiters: usize) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let mut timed = Duration::ZERO;
            for _ in 0..rounds {
                let event = Arc::new(R::event());
                let waiting = Arc::new(AtomicUsize::new(0));
                let done = Latch::new(waiters);
                for _ in 0..waiters {
                    let (event, waiting, done) = (event.clone(), waiting.clone(), done.clone());
                    R::detach(R::spawn(async move {
                        waiting.fetch_add(1, Ordering::Relaxed);
                        R::wait(&event).await;
                        done.count_down();
                    }));
                }
                while waiting.load(Ordering::Relaxed) < waiters {
                    R::yield_now().await;
                }
                // Let the last waiters register after counting themselves in.
                R::yield_now().await;
                let started = Instant::now();
                R::set(&event);
                done.wait().await;
                timed += started.elapsed();
            }
            timed
        })
    }
}

/// Two tasks taking turns `n` times, each waiting (through a condition) for the other's
/// counter to move and then notifying one waiter.
fn condition_notify<R: Locks>(n: u64) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let ping = Arc::new((R::cond(), AtomicU64::new(0)));
            let pong = Arc::new((R::cond(), AtomicU64::new(0)));
            let started = Instant::now();
            let partner = {
                let (ping, pong) = (ping.clone(), pong.clone());
                R::spawn(async move {
                    for i in 1..=n {
                        R::wait_until(&ping.0, || ping.1.load(Ordering::Acquire) >= i).await;
                        pong.1.store(i, Ordering::Release);
                        R::notify_one(&pong.0);
                    }
                })
            };
            for i in 1..=n {
                ping.1.store(i, Ordering::Release);
                R::notify_one(&ping.0);
                R::wait_until(&pong.0, || pong.1.load(Ordering::Acquire) >= i).await;
            }
            partner.await;
            started.elapsed()
        })
    }
}

pub(crate) fn run(plan: Plan) -> Vec<Measurement> {
    let bench = |name, unit, about| Bench {
        group: G,
        name,
        unit,
        needs: Needs::Locks,
        about,
    };
    let mut out = Vec::new();
    out.extend(compare(
        bench(
            "mutex_uncontended",
            Unit::PerOp(1_000_000),
            "one task, 1,000,000 × lock + unlock",
        ),
        plan,
        contenders!(locks: mutex_uncontended(1_000_000)),
    ));
    out.extend(compare(
        bench(
            "mutex_contended",
            Unit::PerOp(1_000 * 1_000),
            "1,000 tasks × 1,000 × (lock, yield holding it, unlock): every acquire waits; \
             op = one lock/unlock",
        ),
        plan,
        contenders!(locks: mutex_contended(1_000, 1_000)),
    ));
    out.extend(compare(
        bench(
            "semaphore",
            Unit::PerOp(1_000 * 100),
            "1,000 tasks × 100 × (acquire one of 10 permits, yield holding it, release); \
             op = one acquire/release",
        ),
        plan,
        contenders!(locks: semaphore(1_000, 100, 10)),
    ));
    out.extend(compare(
        bench(
            "rwlock",
            Unit::PerOp(100 * 1_000),
            "100 tasks × 1,000 accesses, one in ten a write, each held across a yield; op = one access",
        ),
        plan,
        contenders!(locks: rwlock(100, 1_000)),
    ));
    out.extend(compare(
        bench(
            "event_fan_out",
            Unit::PerOp(10 * 1_000),
            "10 × (1,000 tasks waiting on an event, then set): time from set to all woken and done; \
             op = one waiter (corio: Event; tokio: flag + Notify; smol: flag + event_listener)",
        ),
        plan,
        contenders!(locks: event_fan_out(10, 1_000)),
    ));
    out.extend(compare(
        bench(
            "condition_notify",
            Unit::PerOp(10_000),
            "two tasks taking turns 10,000 times, each waiting on a condition for the other's notify_one \
             (corio: `Condition::wait_for` holding its `Mutex`; tokio: Notify; smol: event_listener); op = one round trip",
        ),
        plan,
        contenders!(locks: condition_notify(10_000)),
    ));
    out
}
