//! `Interval` on a virtual clock: schedule, missed-tick policies, reset, Stream.

mod common;

use std::cell::RefCell;
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use common::{VirtualLoop, ms, poll_with};
use corio_timer::{Interval, MissedTickBehavior, interval, interval_at};
use futures_lite::StreamExt;

fn poll_tick(every: &mut Interval) -> Poll<Instant> {
    every.poll_tick(&mut std::task::Context::from_waker(Waker::noop()))
}

#[test]
fn ticks_on_schedule_first_one_immediately() {
    let mut rt = VirtualLoop::new();
    let start = rt.now();
    let clock = rt.clock.clone();
    let ticks = rt.block_on(async move {
        let mut every = interval(ms(10));
        let mut ticks = Vec::new();
        for _ in 0..4 {
            let scheduled = every.tick().await;
            assert!(clock.now() >= scheduled, "tick before its instant");
            ticks.push(scheduled - start);
        }
        ticks
    });
    assert_eq!(ticks, [ms(0), ms(10), ms(20), ms(30)]);
    assert_eq!(rt.now() - start, ms(30));
}

#[test]
fn interval_at_starts_later_and_works_as_a_stream() {
    let mut rt = VirtualLoop::new();
    let start = rt.now() + ms(100);
    let clock = rt.clock.clone();
    let ticks = rt.block_on(async move {
        let every = interval_at(start, ms(7));
        let ticks: Vec<Instant> = every.take(3).collect().await;
        assert_eq!(clock.now(), start + ms(14));
        ticks
    });
    assert_eq!(ticks, [start, start + ms(7), start + ms(14)]);
}

/// Takes the first tick at 0, then lets 35 ms pass (ticks 10, 20 and 30 are due) and
/// returns what can be taken at once, and when the tick after that comes.
fn after_a_stall(behavior: MissedTickBehavior) -> (Vec<Duration>, Duration) {
    let rt = VirtualLoop::new();
    let start = rt.now();
    let mut every = interval(ms(10));
    every.set_missed_tick_behavior(behavior);
    assert_eq!(poll_tick(&mut every), Poll::Ready(start));
    assert!(poll_tick(&mut every).is_pending());
    rt.clock.advance(ms(35));
    rt.timers.process();
    let mut at_once = Vec::new();
    while let Poll::Ready(t) = poll_tick(&mut every) {
        at_once.push(t - start);
        assert!(at_once.len() < 10, "a stalled interval must not spin");
    }
    let next = loop {
        let wait = rt
            .timers
            .park_timeout()
            .expect("the interval is registered");
        rt.clock.advance(wait);
        rt.timers.process();
        if let Poll::Ready(t) = poll_tick(&mut every) {
            assert!(rt.now() >= t);
            break t - start;
        }
    };
    (at_once, next)
}

#[test]
fn burst_yields_missed_ticks_back_to_back() {
    assert_eq!(
        after_a_stall(MissedTickBehavior::Burst),
        (vec![ms(10), ms(20), ms(30)], ms(40))
    );
}

#[test]
fn delay_restarts_one_period_after_the_late_tick() {
    assert_eq!(
        after_a_stall(MissedTickBehavior::Delay),
        (vec![ms(10)], ms(45))
    );
}

#[test]
fn skip_drops_missed_ticks_and_keeps_the_schedule() {
    assert_eq!(
        after_a_stall(MissedTickBehavior::Skip),
        (vec![ms(10)], ms(40))
    );
}

#[test]
fn a_tick_that_is_merely_late_does_not_count_as_missed() {
    // Taken 5 ms late (before the next one is due): Delay and Skip keep the schedule.
    for behavior in [MissedTickBehavior::Delay, MissedTickBehavior::Skip] {
        let rt = VirtualLoop::new();
        let start = rt.now();
        let mut every = interval(ms(10));
        every.set_missed_tick_behavior(behavior);
        assert!(poll_tick(&mut every).is_ready());
        rt.clock.advance(ms(15));
        rt.timers.process();
        assert_eq!(poll_tick(&mut every), Poll::Ready(start + ms(10)));
        assert!(poll_tick(&mut every).is_pending());
        rt.clock.advance(ms(5));
        rt.timers.process();
        assert_eq!(poll_tick(&mut every), Poll::Ready(start + ms(20)));
    }
}

#[test]
fn reset_moves_the_next_tick_one_period_from_now() {
    let rt = VirtualLoop::new();
    let start = rt.now();
    let mut every = interval(ms(10));
    assert!(poll_tick(&mut every).is_ready());
    rt.clock.advance(ms(4));
    every.reset();
    assert_eq!(
        rt.timers.park_timeout(),
        None,
        "reset does not register by itself"
    );
    assert!(poll_tick(&mut every).is_pending());
    assert_eq!(rt.timers.park_timeout(), Some(ms(10)));
    rt.clock.advance(ms(10));
    rt.timers.process();
    assert_eq!(poll_tick(&mut every), Poll::Ready(start + ms(14)));
}

#[test]
fn zero_period_is_raised_to_one_millisecond() {
    let mut rt = VirtualLoop::new();
    let start = rt.now();
    let ticks = rt.block_on(async {
        let mut every = interval(Duration::ZERO);
        assert_eq!(every.period(), ms(1));
        let mut ticks = Vec::new();
        for _ in 0..3 {
            ticks.push(every.tick().await);
        }
        ticks
    });
    assert_eq!(ticks, [start, start + ms(1), start + ms(2)]);
}

#[test]
fn huge_period_ends_the_schedule_without_overflow() {
    let rt = VirtualLoop::new();
    let mut every = interval(Duration::MAX);
    assert!(poll_tick(&mut every).is_ready());
    assert!(poll_tick(&mut every).is_pending());
    assert_eq!(rt.timers.park_timeout(), None);
    every.reset(); // now + MAX overflows too
    assert!(poll_tick(&mut every).is_pending());
}

#[test]
fn dropping_a_pending_tick_future_loses_no_tick() {
    let mut rt = VirtualLoop::new();
    let start = rt.now();
    let got = Rc::new(RefCell::new(Vec::new()));
    let out = got.clone();
    rt.spawn(async move {
        let mut every = interval(ms(10));
        every.tick().await;
        // Race the tick against a shorter sleep; the tick future is dropped.
        let raced = futures_lite::future::or(
            async {
                every.tick().await;
                false
            },
            async {
                corio_timer::sleep(ms(3)).await;
                true
            },
        )
        .await;
        assert!(raced);
        let next = every.tick().await;
        out.borrow_mut().push(next);
    });
    rt.run();
    assert_eq!(*got.borrow(), [start + ms(10)]);
    // The waker seen by the interval is the one of the last poll.
    let (flag, waker) = common::flag_waker();
    let mut every = interval(ms(1));
    assert!(poll_with(&mut Box::pin(every.tick()), &waker).is_ready());
    assert!(
        every
            .poll_tick(&mut std::task::Context::from_waker(&waker))
            .is_pending()
    );
    rt.clock.advance(ms(1));
    rt.timers.process();
    assert_eq!(flag.count.load(std::sync::atomic::Ordering::SeqCst), 1);
}
