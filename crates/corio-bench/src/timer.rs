//! Timers: the cost of a sleep that is created, polled once (registered) and dropped
//! (cancelled), with an empty wheel and with 1,000,000 live timers; the raw wheel; and
//! 100,000 sleeps firing.

use std::future::Future;
use std::hint::black_box;
use std::pin::{Pin, pin};
use std::task::{Context, Waker};
use std::time::{Duration, Instant};

use crate::join::join_all;
use crate::measure::{Contender, Measurement, Plan, compare};

const HOUR: Duration = Duration::from_secs(3600);
const LIVE: usize = 1_000_000;

/// Deadlines spread over an hour, an hour from now: live timers that never fire mid-bench.
fn spread(i: usize) -> Duration {
    HOUR + Duration::from_millis((i as u64).wrapping_mul(2_654_435_761) % 3_600_000)
}

/// Polls `fut` once with a waker that does nothing.
fn poll_once<F: Future>(fut: Pin<&mut F>) {
    let _ = fut.poll(&mut Context::from_waker(Waker::noop()));
}

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Creates a sleep, polls it once and drops it, `n` times.
macro_rules! sleep_poll_drop {
    ($n:expr, $make:expr) => {{
        let started = Instant::now();
        for _ in 0..$n {
            let mut s = pin!($make);
            poll_once(s.as_mut());
            black_box(&s);
        }
        started.elapsed()
    }};
}

/// Registers `LIVE` boxed timers, each polled once.
macro_rules! live_timers {
    ($make:expr) => {{
        let mut v = Vec::with_capacity(LIVE);
        for i in 0..LIVE {
            let mut s = Box::pin($make(spread(i)));
            poll_once(s.as_mut());
            v.push(s);
        }
        v
    }};
}

pub(crate) fn run(plan: Plan) -> Vec<Measurement> {
    let mut out = Vec::new();
    let iters = 200_000;

    // Empty wheel.
    {
        let corio = corio::Runtime::new().expect("corio runtime");
        let tokio = tokio_rt();
        out.extend(compare(
            "timer",
            "sleep_poll_drop",
            iters,
            plan,
            &mut [
                Contender::new("corio-ct", |n| {
                    corio.block_on(async { sleep_poll_drop!(n, corio::sleep(HOUR)) })
                }),
                Contender::new("tokio-ct", |n| {
                    tokio.block_on(async { sleep_poll_drop!(n, tokio::time::sleep(HOUR)) })
                }),
                Contender::new("smol-ct", |n| {
                    async_io::block_on(async { sleep_poll_drop!(n, async_io::Timer::after(HOUR)) })
                }),
            ],
        ));
    }

    // 1,000,000 live timers in each runtime's wheel (set up outside the timed part).
    {
        let corio = corio::Runtime::new().expect("corio runtime");
        let tokio = tokio_rt();
        let corio_live = corio.block_on(async { live_timers!(corio::sleep) });
        let tokio_live = tokio.block_on(async { live_timers!(tokio::time::sleep) });
        let smol_live = async_io::block_on(async { live_timers!(async_io::Timer::after) });
        out.extend(compare(
            "timer",
            "sleep_poll_drop_1m_live",
            iters,
            plan,
            &mut [
                Contender::new("corio-ct", |n| {
                    corio.block_on(async { sleep_poll_drop!(n, corio::sleep(HOUR)) })
                }),
                Contender::new("tokio-ct", |n| {
                    tokio.block_on(async { sleep_poll_drop!(n, tokio::time::sleep(HOUR)) })
                }),
                Contender::new("smol-ct", |n| {
                    async_io::block_on(async { sleep_poll_drop!(n, async_io::Timer::after(HOUR)) })
                }),
            ],
        ));
        drop((corio_live, tokio_live, smol_live));
    }

    // The wheel alone: insert + cancel, with 0 and with 1,000,000 live entries.
    for (bench, live) in [
        ("wheel_insert_cancel", 0),
        ("wheel_insert_cancel_1m_live", LIVE),
    ] {
        let mut wheel = corio_timer::wheel::Wheel::new();
        for i in 0..live {
            wheel.insert(spread(i).as_millis() as u64, ());
        }
        out.extend(compare(
            "timer",
            bench,
            iters,
            plan,
            &mut [Contender::new("corio-ct", |n| {
                let started = Instant::now();
                for i in 0..n {
                    let key = wheel.insert(black_box(3_600_000 + i % 1024), ());
                    black_box(wheel.remove(key));
                }
                started.elapsed()
            })],
        ));
    }

    // 100,000 one-millisecond sleeps, all awaited together until every one has fired.
    {
        let fire = 100_000;
        let ms = Duration::from_millis(1);
        let corio = corio::Runtime::new().expect("corio runtime");
        let tokio = tokio_rt();
        out.extend(compare(
            "timer",
            "sleeps_100k_fire",
            fire,
            plan,
            &mut [
                Contender::new("corio-ct", |n| {
                    corio.block_on(async {
                        let started = Instant::now();
                        join_all((0..n).map(|_| corio::sleep(ms))).await;
                        started.elapsed()
                    })
                }),
                Contender::new("tokio-ct", |n| {
                    tokio.block_on(async {
                        let started = Instant::now();
                        join_all((0..n).map(|_| tokio::time::sleep(ms))).await;
                        started.elapsed()
                    })
                }),
                Contender::new("smol-ct", |n| {
                    async_io::block_on(async {
                        let started = Instant::now();
                        join_all((0..n).map(|_| async_io::Timer::after(ms))).await;
                        started.elapsed()
                    })
                }),
            ],
        ));
    }
    out
}
