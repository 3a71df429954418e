//! Rough per-operation costs of the wheel and of `Sleep`, for quick checks while working
//! on this crate: `cargo run --release -p corio-timer --example timer_cost`.
//! The comparison with tokio and smol lives in corio-bench.

use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::task::{Context, Waker};
use std::time::{Duration, Instant};

use corio_timer::wheel::Wheel;
use corio_timer::{Clock, Timers, sleep};

const LIVE: u64 = 1_000_000;
const N: u32 = 5_000_000;

fn xorshift(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

fn report(label: &str, start: Instant) {
    let ns = start.elapsed().as_nanos() as f64 / f64::from(N);
    println!("{label:<44} {ns:>7.1} ns");
}

fn sleep_once(cx: &mut Context<'_>, i: u32) {
    let mut nap = sleep(Duration::from_millis(1 + u64::from(i) % 60_000));
    black_box(Pin::new(&mut nap).poll(cx).is_pending());
}

fn main() {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut wheel = Wheel::new();
    for _ in 0..LIVE {
        wheel.insert(xorshift(&mut x) % 600_000, ());
    }
    let start = Instant::now();
    for _ in 0..N {
        let key = wheel.insert(xorshift(&mut x) % 600_000, ());
        black_box(wheel.remove(key));
    }
    report("wheel insert + remove, 1M live", start);

    let timers = Timers::new(Clock::Real);
    let _guard = timers.enter();
    let mut cx = Context::from_waker(Waker::noop());
    let start = Instant::now();
    for i in 0..N {
        sleep_once(&mut cx, i);
    }
    report("sleep create + poll + drop, empty wheel", start);

    let mut live = Vec::with_capacity(LIVE as usize);
    for i in 0..LIVE {
        let mut nap = sleep(Duration::from_millis(1000 + i % 600_000));
        let _ = Pin::new(&mut nap).poll(&mut cx);
        live.push(nap);
    }
    let start = Instant::now();
    for i in 0..N {
        sleep_once(&mut cx, i);
    }
    report("sleep create + poll + drop, 1M live", start);

    let start = Instant::now();
    for _ in 0..N {
        black_box(Instant::now());
    }
    report("Instant::now (part of every sleep())", start);
}
