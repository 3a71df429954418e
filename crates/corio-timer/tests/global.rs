//! The global fallback driver: futures polled outside any entered `Timers`.

use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use corio_timer::{TimeoutError, Timers, sleep, timeout};
use futures_lite::future::block_on;

#[test]
fn sleep_outside_any_driver_completes_after_its_duration() {
    assert!(Timers::try_current().is_none());
    let start = Instant::now();
    block_on(sleep(Duration::from_millis(5)));
    assert!(start.elapsed() >= Duration::from_millis(5));
}

#[test]
fn many_concurrent_global_sleeps_and_a_timeout() {
    let start = Instant::now();
    let out = block_on(async {
        let a = sleep(Duration::from_millis(3));
        let b = sleep(Duration::from_millis(1));
        futures_lite::future::zip(a, b).await;
        timeout(Duration::from_millis(2), std::future::pending::<()>()).await
    });
    assert_eq!(out, Err(TimeoutError));
    assert!(start.elapsed() >= Duration::from_millis(5));
}

struct WokenBy(Mutex<Option<String>>);

impl Wake for WokenBy {
    fn wake(self: Arc<Self>) {
        let name = std::thread::current().name().map(str::to_owned);
        *self.0.lock().unwrap() = name;
    }
}

#[test]
fn the_wake_comes_from_the_corio_timer_thread() {
    let woken_by = Arc::new(WokenBy(Mutex::new(None)));
    let waker = Waker::from(woken_by.clone());
    let mut nap = sleep(Duration::from_millis(2));
    let deadline = nap.deadline();
    assert!(
        std::pin::Pin::new(&mut nap)
            .poll(&mut Context::from_waker(&waker))
            .is_pending()
    );
    let give_up = Instant::now() + Duration::from_secs(5);
    while woken_by.0.lock().unwrap().is_none() {
        assert!(Instant::now() < give_up, "the global driver never fired");
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(Instant::now() >= deadline);
    assert_eq!(woken_by.0.lock().unwrap().as_deref(), Some("corio-timer"));
    assert_eq!(
        std::pin::Pin::new(&mut nap).poll(&mut Context::from_waker(&waker)),
        Poll::Ready(())
    );
}
