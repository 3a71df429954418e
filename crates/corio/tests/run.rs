//! The event loop as users see it: `run`, `Runtime::block_on`, sleeps and timeouts on the real
//! and the virtual clock, wake-ups from other threads, I/O.

use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use futures_lite::future::{poll_fn, zip};
use futures_lite::{AsyncReadExt, AsyncWriteExt};

fn virtual_rt() -> corio::Runtime {
    corio::Runtime::builder().virtual_clock().build().unwrap()
}

#[test]
fn run_returns_the_output() {
    assert_eq!(corio::run(async { 40 + 2 }), 42);
}

#[test]
fn real_sleep_is_never_early() {
    let started = Instant::now();
    corio::run(corio::sleep(Duration::from_millis(15)));
    assert!(started.elapsed() >= Duration::from_millis(15));
}

#[test]
fn an_hour_on_the_virtual_clock_takes_milliseconds() {
    let rt = virtual_rt();
    let wall = Instant::now();
    let slept = rt.block_on(async {
        let t0 = corio::time::now();
        corio::sleep(Duration::from_secs(3600)).await;
        corio::time::now() - t0
    });
    assert_eq!(slept, Duration::from_secs(3600));
    assert!(
        wall.elapsed() < Duration::from_secs(2),
        "took {:?}",
        wall.elapsed()
    );
}

#[test]
fn sequential_sleeps_add_up_and_concurrent_ones_overlap() {
    let rt = virtual_rt();
    let one = Duration::from_secs(1);
    let (sequential, concurrent) = rt.block_on(async {
        let t0 = corio::time::now();
        for _ in 0..5 {
            corio::sleep(one).await;
        }
        let sequential = corio::time::now() - t0;
        let t1 = corio::time::now();
        zip(
            zip(corio::sleep(one), corio::sleep(one)),
            zip(corio::sleep(one), zip(corio::sleep(one), corio::sleep(one))),
        )
        .await;
        (sequential, corio::time::now() - t1)
    });
    assert_eq!(sequential, 5 * one);
    assert_eq!(concurrent, one);
}

#[test]
fn timeout_expires_on_the_virtual_clock_and_passes_values_through() {
    let rt = virtual_rt();
    rt.block_on(async {
        let t0 = corio::time::now();
        let late = corio::timeout(
            Duration::from_secs(10),
            corio::sleep(Duration::from_secs(60)),
        );
        assert!(matches!(late.await, Err(corio::TimeoutError { .. })));
        assert_eq!(corio::time::now() - t0, Duration::from_secs(10));

        let quick = corio::timeout(Duration::from_secs(10), async { "fast" });
        assert_eq!(quick.await, Ok("fast"));
    });
}

#[test]
fn a_wake_from_another_thread_ends_the_wait() {
    // The main future waits on a flag that a plain thread sets after 20 ms; no timer is
    // pending, so only the cross-thread wake can end the loop's wait.
    let state: Arc<Mutex<(bool, Option<Waker>)>> = Arc::default();
    let remote = state.clone();
    let setter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        let mut s = remote.lock().unwrap();
        s.0 = true;
        if let Some(w) = s.1.take() {
            w.wake();
        }
    });
    corio::run(poll_fn(|cx| {
        let mut s = state.lock().unwrap();
        if s.0 {
            Poll::Ready(())
        } else {
            s.1 = Some(cx.waker().clone());
            Poll::Pending
        }
    }));
    setter.join().unwrap();
}

#[test]
fn io_and_timers_share_the_loop() {
    corio::run(async {
        let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        let mut a = corio::io::Async::new(a).unwrap();
        let mut b = corio::io::Async::new(b).unwrap();
        let writer = async {
            corio::sleep(Duration::from_millis(5)).await;
            a.write_all(b"hello over the loop").await.unwrap();
        };
        let reader = async {
            let mut buf = vec![0; 19];
            b.read_exact(&mut buf).await.unwrap();
            buf
        };
        let ((), got) = zip(writer, reader).await;
        assert_eq!(got, b"hello over the loop");
    });
}

#[test]
fn runtimes_nest_and_keep_their_own_clocks() {
    let outer = virtual_rt();
    outer.block_on(async {
        let inner = corio::Runtime::new().unwrap();
        assert!(!inner.clock().is_virtual());
        // Futures belong to the loop they were created in: create it inside the inner one.
        inner.block_on(async { corio::sleep(Duration::from_millis(1)).await });
        // Back on the outer loop: virtual time again.
        let t0 = corio::time::now();
        corio::sleep(Duration::from_secs(30)).await;
        assert_eq!(corio::time::now() - t0, Duration::from_secs(30));
    });
}

#[test]
fn a_sleep_created_outside_runs_on_the_runtime_that_polls_it() {
    let rt = virtual_rt();
    let t0 = rt.clock().now();
    let wall = Instant::now();
    rt.block_on(corio::sleep(Duration::from_secs(3600)));
    assert_eq!(rt.clock().now() - t0, Duration::from_secs(3600));
    assert!(
        wall.elapsed() < Duration::from_secs(2),
        "took {:?}",
        wall.elapsed()
    );
}
