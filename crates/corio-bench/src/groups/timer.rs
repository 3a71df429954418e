//! Timers: registering and cancelling sleeps and timeouts (with an empty wheel and with
//! 1,000,000 live timers), the raw wheel, many sleeps firing, and an interval's drift.

use std::any::Any;
use std::future::{Future, pending};
use std::hint::black_box;
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Waker};
use std::time::{Duration, Instant};

use crate::join::join_all;
use crate::measure::{Bench, Contender, Measurement, Plan, Unit, compare};
use crate::rt::{Needs, Rt, Tick, contenders};

const G: &str = "timer";
const HOUR: Duration = Duration::from_secs(3600);
const MS: Duration = Duration::from_millis(1);
const LIVE: usize = 1_000_000;
const POLL_DROP: u64 = 200_000;

/// Deadlines spread over an hour, an hour from now: live timers that never fire mid-bench.
fn spread(i: usize) -> Duration {
    HOUR + Duration::from_millis((i as u64).wrapping_mul(2_654_435_761) % 3_600_000)
}

/// Polls `fut` once with a waker that does nothing (registers a timer).
fn poll_once<F: Future>(fut: Pin<&mut F>) {
    let _ = fut.poll(&mut Context::from_waker(Waker::noop()));
}

/// `n` × (create a one-hour sleep, poll it once, drop it).
fn sleep_poll_drop<R: Rt>(n: u64) -> impl FnMut() -> Duration {
    move || {
        R::run(R::unconstrained(async move {
            let started = Instant::now();
            for _ in 0..n {
                let mut s = pin!(R::sleep(HOUR));
                poll_once(s.as_mut());
                black_box(&s);
            }
            started.elapsed()
        }))
    }
}

/// The live timers of each timer store, shared by the flavours that share the store.
type Fixture = Arc<dyn Any + Send + Sync>;
static LIVE_TIMERS: Mutex<Vec<(&'static str, Weak<dyn Any + Send + Sync>)>> =
    Mutex::new(Vec::new());

/// `LIVE` registered timers in `R`'s timer store, created once per store.
fn live_timers<R: Rt>() -> Fixture {
    let mut fixtures = LIVE_TIMERS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(live) = fixtures
        .iter()
        .find(|(store, _)| *store == R::TIMERS)
        .and_then(|(_, live)| live.upgrade())
    {
        return live;
    }
    let timers = R::run(R::unconstrained(async {
        let mut v = Vec::with_capacity(LIVE);
        for i in 0..LIVE {
            let mut s = Box::pin(R::sleep(spread(i)));
            poll_once(s.as_mut());
            v.push(s);
        }
        v
    }));
    let live: Fixture = Arc::new(Mutex::new(timers));
    fixtures.retain(|(store, _)| *store != R::TIMERS);
    fixtures.push((R::TIMERS, Arc::downgrade(&live)));
    live
}

/// [`sleep_poll_drop`] with `LIVE` other timers registered.
fn sleep_poll_drop_live<R: Rt>(n: u64) -> impl FnMut() -> Duration {
    let live = live_timers::<R>();
    let mut work = sleep_poll_drop::<R>(n);
    move || {
        black_box(&live);
        work()
    }
}

/// `n` × (create a one-hour timeout around a pending future, poll it once, drop it).
fn timeout_cancel<R: Rt>(n: u64) -> impl FnMut() -> Duration {
    move || {
        R::run(R::unconstrained(async move {
            let started = Instant::now();
            for _ in 0..n {
                let mut t = pin!(R::timeout(HOUR, pending::<()>()));
                poll_once(t.as_mut());
                black_box(&t);
            }
            started.elapsed()
        }))
    }
}

/// `n` one-millisecond sleeps awaited together until every one has fired.
fn sleeps_fire<R: Rt>(n: u64) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let started = Instant::now();
            R::unconstrained(join_all((0..n).map(|_| R::sleep(MS)))).await;
            started.elapsed()
        })
    }
}

/// Durations of 1 to `max_ms` ms, pseudo-random and the same for every runtime and run.
fn random_ms(n: usize, max_ms: u64) -> Vec<Duration> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            // xorshift64
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            Duration::from_millis(1 + x % max_ms)
        })
        .collect()
}

/// `n` sleeps of random 1–50 ms awaited together: how long after the last deadline (50 ms)
/// the last one completes.
fn sleep_many<R: Rt>(n: usize) -> impl FnMut() -> Duration {
    let durations = random_ms(n, 50);
    let longest = durations.iter().copied().max().unwrap_or_default();
    move || {
        let durations = durations.clone();
        R::run(async move {
            let started = Instant::now();
            R::unconstrained(join_all(durations.into_iter().map(R::sleep))).await;
            started.elapsed().saturating_sub(longest)
        })
    }
}

/// An interval of 1 ms: how late its `ticks`-th tick after the first is taken, against the
/// schedule the first tick set.
fn interval_drift<R: Rt>(ticks: u32) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let mut every = R::interval(MS);
            let first = every.tick().await;
            for _ in 0..ticks {
                every.tick().await;
            }
            Instant::now().duration_since(first + MS * ticks)
        })
    }
}

/// corio's timing wheel alone: insert + cancel with `live` other entries.
fn wheel_insert_cancel(n: u64, live: usize) -> Vec<Contender<'static>> {
    let mut wheel = corio_timer::wheel::Wheel::new();
    for i in 0..live {
        wheel.insert(spread(i).as_millis() as u64, ());
    }
    vec![Contender::new("corio-ct", move || {
        let started = Instant::now();
        for i in 0..n {
            let key = wheel.insert(black_box(3_600_000 + i % 1024), ());
            black_box(wheel.remove(key));
        }
        started.elapsed()
    })]
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
            "sleep_poll_drop",
            Unit::PerOp(POLL_DROP),
            Needs::Time,
            "a one-hour sleep created, polled once (registered) and dropped (cancelled); empty timer \
             store. Like every loop or join here that stands in for many tasks, it runs outside \
             tokio's per-task coop budget (which would otherwise stop registering after 128 polls)",
        ),
        plan,
        contenders!(time: sleep_poll_drop(POLL_DROP)),
    ));
    out.extend(compare(
        bench(
            "sleep_poll_drop_1m_live",
            Unit::PerOp(POLL_DROP),
            Needs::Time,
            "the same with 1,000,000 live timers registered (smol-mt and smol-ct share async-io's one \
             process-wide timer store, and so its 1,000,000)",
        ),
        plan,
        contenders!(time: sleep_poll_drop_live(POLL_DROP)),
    ));
    for (name, live, about) in [
        (
            "wheel_insert_cancel",
            0,
            "corio's timing wheel alone: insert + remove, empty wheel",
        ),
        (
            "wheel_insert_cancel_1m_live",
            LIVE,
            "corio's timing wheel alone: insert + remove with 1,000,000 live entries",
        ),
    ] {
        out.extend(compare(
            bench(name, Unit::PerOp(POLL_DROP), Needs::CorioInternal, about),
            plan,
            wheel_insert_cancel(POLL_DROP, live),
        ));
    }
    out.extend(compare(
        bench(
            "timeout_cancel",
            Unit::PerOp(1_000_000),
            Needs::Time,
            "1,000,000 × a one-hour timeout around a pending future, polled once and dropped",
        ),
        plan,
        contenders!(time: timeout_cancel(1_000_000)),
    ));
    out.extend(compare(
        bench(
            "sleeps_100k_fire",
            Unit::PerOp(100_000),
            Needs::Time,
            "100,000 sleeps of 1 ms awaited together (one join, polling only woken sleeps) until all \
             have fired; op = one sleep",
        ),
        plan,
        contenders!(time: sleeps_fire(100_000)),
    ));
    out.extend(compare(
        bench(
            "sleep_many",
            Unit::PerRun,
            Needs::Time,
            "100,000 sleeps of random 1–50 ms awaited together: time beyond the 50 ms deadline until \
             the last completes (creation and registration included)",
        ),
        plan,
        contenders!(time: sleep_many(100_000)),
    ));
    out.extend(compare(
        bench(
            "interval_drift",
            Unit::PerRun,
            Needs::Time,
            "a 1 ms interval (missed ticks burst): how late its 200th tick after the first is taken, \
             against the schedule (first tick + 200 ms)",
        ),
        plan,
        contenders!(time: interval_drift(200)),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_sleeps_span_one_to_fifty_ms() {
        let d = random_ms(10_000, 50);
        assert_eq!(d.iter().min(), Some(&Duration::from_millis(1)));
        assert_eq!(d.iter().max(), Some(&Duration::from_millis(50)));
        assert_eq!(d, random_ms(10_000, 50));
    }
}
