//! Channels: bounded mpsc with one and with four producers, an unbounded queue's put/get,
//! and broadcast fan-out — each runtime with its own channels.

use std::time::{Duration, Instant};

use crate::latch::Latch;
use crate::measure::{Bench, Measurement, Plan, Unit, compare};
use crate::rt::{Channels, Needs, contenders};

const G: &str = "channel";

/// `producers` tasks sending `per_producer` values each into one bounded(`cap`) channel,
/// received by the root task.
fn mpsc<R: Channels>(producers: usize, per_producer: u64, cap: usize) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let (tx, mut rx) = R::bounded::<u64>(cap);
            let started = Instant::now();
            for _ in 0..producers {
                let tx = tx.clone();
                R::detach(R::spawn(async move {
                    for i in 0..per_producer {
                        assert!(R::send(&tx, i).await, "the receiver outlives the producers");
                    }
                }));
            }
            drop(tx);
            let mut received = 0;
            while R::recv(&mut rx).await.is_some() {
                received += 1;
            }
            let elapsed = started.elapsed();
            assert_eq!(received, producers as u64 * per_producer);
            elapsed
        })
    }
}

/// One task: `rounds` × (`batch` puts into an unbounded queue, then `batch` gets).
fn queue_put_get<R: Channels>(rounds: u64, batch: u64) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let (tx, mut rx) = R::queue::<u64>();
            let started = Instant::now();
            for _ in 0..rounds {
                for i in 0..batch {
                    R::put(&tx, i);
                }
                for _ in 0..batch {
                    std::hint::black_box(R::get(&mut rx).await);
                }
            }
            started.elapsed()
        })
    }
}

/// One sender publishing `msgs` values to `receivers` receiver tasks over a channel with
/// room for all of them (no receiver lags, the sender never waits).
fn broadcast<R: Channels>(receivers: usize, msgs: u64) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let (tx, first) = R::broadcast::<u64>(msgs as usize);
            let done = Latch::new(receivers);
            let mut rxs: Vec<_> = (1..receivers).map(|_| R::subscribe(&tx)).collect();
            rxs.push(first);
            let started = Instant::now();
            for mut rx in rxs {
                let done = done.clone();
                R::detach(R::spawn(async move {
                    let mut got = 0;
                    while R::next(&mut rx).await.is_some() {
                        got += 1;
                    }
                    assert_eq!(got, msgs, "every receiver sees every value");
                    done.count_down();
                }));
            }
            for i in 0..msgs {
                R::publish(&tx, i).await;
            }
            drop(tx);
            done.wait().await;
            started.elapsed()
        })
    }
}

pub(crate) fn run(plan: Plan) -> Vec<Measurement> {
    let bench = |name, unit, about| Bench {
        group: G,
        name,
        unit,
        needs: Needs::Channels,
        about,
    };
    let mut out = Vec::new();
    out.extend(compare(
        bench(
            "mpsc_1to1",
            Unit::PerOp(100_000),
            "one producer task → the consumer, 100,000 values through bounded(1024); op = one value",
        ),
        plan,
        contenders!(channels: mpsc(1, 100_000, 1024)),
    ));
    out.extend(compare(
        bench(
            "mpsc_4to1",
            Unit::PerOp(100_000),
            "four producer tasks × 25,000 values → one consumer through bounded(1024); op = one value",
        ),
        plan,
        contenders!(channels: mpsc(4, 25_000, 1024)),
    ));
    out.extend(compare(
        bench(
            "queue_put_get",
            Unit::PerOp(100_000),
            "one task, 1,000 × (100 puts into an unbounded queue, 100 gets) (corio: asyncio's `Queue`; tokio: unbounded mpsc; \
             smol: unbounded async-channel); op = one put + get",
        ),
        plan,
        contenders!(channels: queue_put_get(1_000, 100)),
    ));
    out.extend(compare(
        bench(
            "broadcast_fan_out",
            Unit::PerOp(10 * 10_000),
            "one sender → 10 receiver tasks, 10,000 values, capacity 10,000 (corio and tokio: broadcast; smol: \
             async-broadcast); op = one delivery",
        ),
        plan,
        contenders!(channels: broadcast(10, 10_000)),
    ));
    out
}
