//! `Timeout` on a virtual clock.

mod common;

use std::future::pending;
use std::task::Poll;
use std::time::Duration;

use common::{VirtualLoop, flag_waker, ms, poll_with};
use corio_timer::{TimeoutError, sleep, timeout, timeout_at};

#[test]
fn inner_future_finishing_first_wins() {
    let mut rt = VirtualLoop::new();
    let start = rt.now();
    let clock = rt.clock.clone();
    let out = rt.block_on(async move {
        let out = timeout(ms(10), async {
            sleep(ms(5)).await;
            "done"
        })
        .await;
        assert_eq!(clock.now() - start, ms(5));
        out
    });
    assert_eq!(out, Ok("done"));
    assert_eq!(
        rt.timers.park_timeout(),
        None,
        "the deadline left the wheel"
    );
}

#[test]
fn deadline_passing_first_gives_timeout_error_not_early() {
    let mut rt = VirtualLoop::new();
    let start = rt.now();
    let clock = rt.clock.clone();
    let out = rt.block_on(async move {
        let out = timeout(ms(5), sleep(ms(10))).await;
        assert_eq!(clock.now() - start, ms(5));
        out
    });
    assert_eq!(out, Err(TimeoutError));
    assert_eq!(
        rt.timers.park_timeout(),
        None,
        "the inner sleep was dropped"
    );
}

#[test]
fn work_ready_at_the_deadline_wins() {
    let mut rt = VirtualLoop::new();
    let out = rt.block_on(timeout(ms(5), async {
        sleep(ms(5)).await;
        1
    }));
    assert_eq!(out, Ok(1));
}

#[test]
fn timeout_at_and_never_deadline() {
    let mut rt = VirtualLoop::new();
    let deadline = rt.now() + ms(3);
    let clock = rt.clock.clone();
    let out = rt.block_on(async move {
        let out = timeout_at(deadline, pending::<()>()).await;
        assert!(clock.now() >= deadline);
        out
    });
    assert_eq!(out, Err(TimeoutError));

    // A deadline that does not fit never fires: the inner future decides.
    let out = rt.block_on(timeout(Duration::MAX, sleep(ms(2))));
    assert_eq!(out, Ok(()));
}

#[test]
fn ready_inner_future_never_touches_the_wheel() {
    let rt = VirtualLoop::new();
    let (_flag, waker) = flag_waker();
    let mut t = Box::pin(timeout(ms(5), async { 9 }));
    assert_eq!(poll_with(&mut t, &waker), Poll::Ready(Ok(9)));
    assert_eq!(rt.timers.park_timeout(), None);
}

#[test]
fn into_inner_gives_the_future_back_after_a_timeout() {
    let mut rt = VirtualLoop::new();
    let start = rt.now();
    let clock = rt.clock.clone();
    rt.block_on(async move {
        let mut t = timeout(ms(2), Box::pin(sleep(ms(6))));
        assert_eq!((&mut t).await, Err(TimeoutError));
        assert!(!t.get_ref().is_elapsed());
        t.into_inner().await;
        assert_eq!(clock.now() - start, ms(6));
    });
}

#[test]
fn timeout_error_is_a_typed_copy_error() {
    fn assert_error<E: std::error::Error + Copy + Send + Sync + 'static>(_: E) {}
    assert_error(TimeoutError);
    assert_eq!(TimeoutError.to_string(), "deadline has elapsed");
}
