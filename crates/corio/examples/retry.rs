//! Retry with exponential back-off: call something flaky, give each attempt a time limit,
//! wait twice as long after each failure (up to a cap, with jitter so many clients do not
//! retry in lockstep), and give up after a few attempts.
//!
//! Run it with `cargo run -p corio --example retry`. See docs/guide.md, "Retry with
//! exponential back-off".

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// How to retry.
struct Backoff {
    attempts: u32,
    first_delay: Duration,
    max_delay: Duration,
    per_attempt: Duration,
}

/// Why the last attempt failed.
#[derive(Debug)]
enum Failure<E> {
    Error(E),
    TimedOut,
}

impl Backoff {
    /// The pause after failed attempt `n` (0-based): `first_delay * 2^n`, capped, then a
    /// pseudo-random part of it taken away ("equal jitter": between half and all of it).
    fn delay(&self, n: u32, jitter_seed: &mut u64) -> Duration {
        let exponential = self.first_delay.saturating_mul(1 << n.min(16));
        let capped = exponential.min(self.max_delay);
        // xorshift: jitter without a dependency; any source of randomness does.
        *jitter_seed ^= *jitter_seed << 13;
        *jitter_seed ^= *jitter_seed >> 7;
        *jitter_seed ^= *jitter_seed << 17;
        let half = capped / 2;
        half + half.mul_f64((*jitter_seed % 1000) as f64 / 1000.0)
    }

    /// Calls `operation` until it succeeds or the attempts run out.
    async fn retry<T, E, F, Fut>(&self, mut operation: F) -> Result<T, Failure<E>>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: std::fmt::Display,
    {
        let mut seed = 0x9E37_79B9_7F4A_7C15;
        let mut n = 0;
        loop {
            let failure = match corio::wait_for(operation(), self.per_attempt).await {
                Ok(Ok(value)) => return Ok(value),
                Ok(Err(e)) => Failure::Error(e),
                Err(corio::TimeoutError) => Failure::TimedOut,
            };
            n += 1;
            if n == self.attempts {
                return Err(failure);
            }
            let pause = self.delay(n - 1, &mut seed);
            let ms = pause.as_millis();
            match &failure {
                Failure::Error(e) => println!("attempt {n} failed: {e}; retrying in {ms} ms"),
                Failure::TimedOut => println!("attempt {n} timed out; retrying in {ms} ms"),
            }
            corio::sleep(pause).await;
        }
    }
}

/// A service that fails its first calls: refuses, then hangs, then answers.
async fn flaky_service(calls: &AtomicU32) -> Result<&'static str, String> {
    match calls.fetch_add(1, Ordering::SeqCst) {
        0 | 1 => Err("connection refused".to_string()),
        2 => {
            corio::sleep(Duration::from_secs(60)).await; // hangs: the attempt times out
            Ok("too late")
        }
        _ => Ok("42"),
    }
}

fn main() {
    let policy = Backoff {
        attempts: 5,
        first_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
        per_attempt: Duration::from_millis(50),
    };
    corio::run(async {
        let calls = AtomicU32::new(0);
        match policy.retry(|| flaky_service(&calls)).await {
            Ok(answer) => println!(
                "succeeded with {answer:?} after {} attempts",
                calls.load(Ordering::SeqCst)
            ),
            Err(failure) => println!("gave up: {failure:?}"),
        }

        // A service that never recovers: the attempts run out.
        let hopeless = || async { Err::<(), _>("service unavailable") };
        match policy.retry(hopeless).await {
            Ok(()) => println!("unexpected success"),
            Err(failure) => println!("gave up after {} attempts: {failure:?}", policy.attempts),
        }
    });
}
