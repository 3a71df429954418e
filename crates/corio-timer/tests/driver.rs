//! `Timers` and `Sleep` on a virtual clock, driven by a hand-written loop.

mod common;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::task::Poll;
use std::thread;
use std::time::{Duration, Instant};

use common::{VirtualLoop, flag_waker, ms, poll_with};
use corio_timer::{Clock, Timers, VirtualClock, sleep, sleep_until};

#[test]
fn sleeps_complete_in_deadline_order_and_never_early() {
    let mut rt = VirtualLoop::new();
    let start = rt.now();
    let done = Rc::new(RefCell::new(Vec::new()));
    let durations = [
        Duration::from_micros(300),
        ms(1),
        Duration::from_micros(1500),
        ms(64),
        ms(63),
        ms(5000),
        ms(4096),
        ms(70_000),
        ms(3),
        ms(3),
        Duration::ZERO,
    ];
    for (i, &d) in durations.iter().enumerate() {
        let done = done.clone();
        let clock = rt.clock.clone();
        rt.spawn(async move {
            let deadline = clock.now() + d;
            sleep(d).await;
            let now = clock.now();
            assert!(now >= deadline, "sleep {i} of {d:?} woke early");
            // Resolution 1 ms: late by less than one tick.
            assert!(
                now - deadline < ms(1),
                "sleep {i} woke late: {:?}",
                now - deadline
            );
            done.borrow_mut().push((d, i));
        });
    }
    rt.run();
    let mut expected: Vec<_> = durations.iter().copied().zip(0..).collect();
    expected.sort(); // stable: equal durations keep spawn order
    assert_eq!(*done.borrow(), expected);
    assert_eq!(rt.now() - start, ms(70_000));
    assert_eq!(rt.timers.park_timeout(), None, "every entry left the wheel");
}

#[test]
fn hour_long_sleep_finishes_in_milliseconds_of_real_time() {
    let real = Instant::now();
    let mut rt = VirtualLoop::new();
    let start = rt.now();
    rt.spawn(sleep(Duration::from_secs(3600)));
    let jumps = rt.run();
    assert_eq!(rt.now() - start, Duration::from_secs(3600));
    assert!(
        jumps <= 8,
        "only cascade points and the deadline: {jumps} jumps"
    );
    assert!(real.elapsed() < Duration::from_millis(500));
}

#[test]
fn deadline_already_passed_is_ready_at_once_without_registering() {
    let rt = VirtualLoop::new();
    rt.clock.advance(Duration::from_secs(10));
    rt.timers.process();
    let (flag, waker) = flag_waker();
    let mut past = sleep_until(rt.now() - Duration::from_secs(1));
    assert!(past.is_elapsed());
    assert_eq!(poll_with(&mut past, &waker), Poll::Ready(()));
    let mut zero = sleep(Duration::ZERO);
    assert_eq!(poll_with(&mut zero, &waker), Poll::Ready(()));
    assert_eq!(rt.timers.park_timeout(), None, "the wheel was not touched");
    assert_eq!(flag.count.load(Ordering::SeqCst), 0);
}

#[test]
fn duration_max_never_fires_and_never_registers() {
    let rt = VirtualLoop::new();
    let (flag, waker) = flag_waker();
    let mut never = sleep(Duration::MAX);
    assert!(never.deadline() > rt.now() + Duration::from_secs(86_400 * 365));
    assert!(poll_with(&mut never, &waker).is_pending());
    assert_eq!(rt.timers.park_timeout(), None);
    rt.clock.advance(Duration::from_secs(86_400 * 365 * 1000));
    rt.timers.process();
    assert!(poll_with(&mut never, &waker).is_pending());
    assert!(!never.is_elapsed());
    assert_eq!(flag.count.load(Ordering::SeqCst), 0);
    // An instant so far away that its tick does not fit is "never" as well.
    let mut far = sleep(Duration::from_secs(u64::MAX / 4));
    assert!(poll_with(&mut far, &waker).is_pending());
    assert_eq!(rt.timers.park_timeout(), None);
}

#[test]
fn reset_before_and_after_registration_and_after_completion() {
    let mut rt = VirtualLoop::new();
    let start = rt.now();
    let clock = rt.clock.clone();
    let end = rt.block_on(async move {
        // Reset before the first poll.
        let mut nap = sleep(Duration::from_secs(10));
        nap.reset(clock.now() + ms(100));
        (&mut nap).await;
        assert_eq!(clock.now() - start, ms(100));
        // Reset after completion re-arms it.
        nap.reset(clock.now() + ms(50));
        assert!(!nap.is_elapsed());
        (&mut nap).await;
        assert_eq!(clock.now() - start, ms(150));
        clock.now()
    });
    assert_eq!(end - start, ms(150));

    // Reset while registered: later, then earlier.
    let rt = VirtualLoop::new();
    let (flag, waker) = flag_waker();
    let mut nap = sleep(ms(10));
    assert!(poll_with(&mut nap, &waker).is_pending());
    nap.reset(rt.now() + ms(30));
    assert_eq!(rt.timers.park_timeout(), Some(ms(30)));
    rt.clock.advance(ms(10));
    rt.timers.process();
    assert_eq!(flag.count.load(Ordering::SeqCst), 0, "old deadline is gone");
    nap.reset(rt.now() + ms(5)); // the waker of the last poll stays registered
    rt.clock.advance(ms(5));
    rt.timers.process();
    assert_eq!(flag.count.load(Ordering::SeqCst), 1);
    assert!(nap.is_elapsed());
    assert_eq!(poll_with(&mut nap, &waker), Poll::Ready(()));
}

#[test]
fn reset_of_a_never_sleep_wakes_its_task() {
    let rt = VirtualLoop::new();
    let (flag, waker) = flag_waker();
    let mut nap = sleep(Duration::MAX);
    assert!(poll_with(&mut nap, &waker).is_pending());
    nap.reset(rt.now() + ms(2));
    rt.clock.advance(ms(2));
    rt.timers.process();
    assert_eq!(flag.count.load(Ordering::SeqCst), 1);
    assert_eq!(poll_with(&mut nap, &waker), Poll::Ready(()));
}

#[test]
fn drop_before_and_after_firing_leaves_the_wheel() {
    let rt = VirtualLoop::new();
    let (flag, waker) = flag_waker();

    let mut early = sleep(ms(5));
    assert!(poll_with(&mut early, &waker).is_pending());
    assert_eq!(rt.timers.park_timeout(), Some(ms(5)));
    drop(early);
    assert_eq!(rt.timers.park_timeout(), None);

    let mut late = sleep(ms(5));
    assert!(poll_with(&mut late, &waker).is_pending());
    rt.clock.advance(ms(5));
    assert_eq!(rt.timers.process(), 1);
    assert_eq!(flag.count.load(Ordering::SeqCst), 1);
    drop(late); // fired, never polled again
    assert_eq!(rt.timers.park_timeout(), None);
    rt.clock.advance(ms(100));
    assert_eq!(rt.timers.process(), 0);

    // Dropping a sleep that was never polled is free.
    drop(sleep(ms(1)));
    assert_eq!(rt.timers.park_timeout(), None);
}

#[test]
fn repoll_with_another_waker_wakes_the_new_one() {
    let rt = VirtualLoop::new();
    let (first, first_waker) = flag_waker();
    let (second, second_waker) = flag_waker();
    let mut nap = sleep(ms(7));
    assert!(poll_with(&mut nap, &first_waker).is_pending());
    assert!(poll_with(&mut nap, &second_waker).is_pending());
    rt.clock.advance(ms(7));
    rt.timers.process();
    assert_eq!(first.count.load(Ordering::SeqCst), 0);
    assert_eq!(second.count.load(Ordering::SeqCst), 1);
    assert_eq!(poll_with(&mut nap, &first_waker), Poll::Ready(()));
}

#[test]
fn process_fires_in_deadline_order_and_counts() {
    let rt = VirtualLoop::new();
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut sleeps = Vec::new();
    for (i, d) in [30u64, 10, 20, 10].into_iter().enumerate() {
        let order = order.clone();
        let waker = std::task::Waker::from(Arc::new(Recorder(i, order)));
        let mut nap = sleep(ms(d));
        assert!(poll_with(&mut nap, &waker).is_pending());
        sleeps.push(nap);
    }
    rt.clock.advance(ms(100)); // one big jump: still woken in deadline order
    assert_eq!(rt.timers.process(), 4);
    assert_eq!(*order.lock().unwrap(), [1, 3, 2, 0]);
}

struct Recorder(usize, Arc<std::sync::Mutex<Vec<usize>>>);

impl std::task::Wake for Recorder {
    fn wake(self: Arc<Self>) {
        self.1.lock().unwrap().push(self.0);
    }
}

#[test]
fn park_timeout_reports_the_next_deadline() {
    let rt = VirtualLoop::new();
    let waker = std::task::Waker::noop();
    assert_eq!(rt.timers.park_timeout(), None);
    let mut a = sleep(Duration::from_micros(2500)); // rounds up to 3 ms
    assert!(poll_with(&mut a, waker).is_pending());
    assert_eq!(rt.timers.park_timeout(), Some(ms(3)));
    rt.clock.advance(ms(10));
    assert_eq!(rt.timers.park_timeout(), Some(Duration::ZERO));
    // A deadline at a cascade point may need several jumps but never overshoots.
    let rt = VirtualLoop::new();
    let start = rt.now();
    let mut b = sleep(ms(4100));
    assert!(poll_with(&mut b, waker).is_pending());
    while !b.is_elapsed() {
        let wait = rt.timers.park_timeout().unwrap();
        assert!(rt.now() + wait <= start + ms(4100));
        rt.clock.advance(wait);
        rt.timers.process();
    }
    assert_eq!(rt.now() - start, ms(4100));
}

#[test]
fn unparker_is_called_only_for_an_earlier_deadline_while_parked() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let clock = VirtualClock::new();
    let timers = Timers::with_unparker(
        Clock::Virtual(clock.clone()),
        Arc::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        }),
    );
    let _guard = timers.enter();
    let waker = std::task::Waker::noop();
    let calls = || calls.load(Ordering::SeqCst);

    // Not parked: registering never unparks.
    let mut a = sleep(ms(40));
    assert!(poll_with(&mut a, waker).is_pending());
    assert_eq!(calls(), 0);

    assert_eq!(timers.park_timeout(), Some(ms(40)));
    let mut later = sleep(ms(50));
    assert!(poll_with(&mut later, waker).is_pending());
    let mut same = sleep(ms(40));
    assert!(poll_with(&mut same, waker).is_pending());
    assert_eq!(calls(), 0, "not earlier than the parked deadline");

    let mut earlier = sleep(ms(20));
    assert!(poll_with(&mut earlier, waker).is_pending());
    assert_eq!(calls(), 1);
    let mut earliest = sleep(ms(10));
    assert!(poll_with(&mut earliest, waker).is_pending());
    assert_eq!(calls(), 1, "one unpark per park");

    timers.unparked();
    let mut running = sleep(ms(1));
    assert!(poll_with(&mut running, waker).is_pending());
    assert_eq!(calls(), 1, "not parked");

    // Parked with no timer: any registration unparks; so does resetting to earlier.
    drop((a, later, same, earlier, earliest, running));
    assert_eq!(timers.park_timeout(), None);
    let mut b = sleep(ms(500));
    assert!(poll_with(&mut b, waker).is_pending());
    assert_eq!(calls(), 2);
    timers.unparked();
    // 500 ms sits in level 1 of the wheel: the loop parks until the start of its slot
    // (448 ms), where it cascades, never later than the deadline.
    assert_eq!(timers.park_timeout(), Some(ms(448)));
    b.reset(clock.now() + ms(460));
    assert_eq!(calls(), 2, "not earlier than the cascade point");
    b.reset(clock.now() + ms(400));
    assert_eq!(calls(), 3);
}

#[test]
fn cross_thread_registration_unparks_a_blocked_loop() {
    let clock = VirtualClock::new();
    let main = thread::current();
    let unparks = Arc::new(AtomicUsize::new(0));
    let counter = unparks.clone();
    let timers = Timers::with_unparker(
        Clock::Virtual(clock.clone()),
        Arc::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            main.unpark();
        }),
    );
    // The loop parks with nothing registered, before the worker exists.
    assert_eq!(timers.park_timeout(), None);
    let worker_timers = timers.clone();
    let worker_clock = clock.clone();
    let worker = thread::spawn(move || {
        let _guard = worker_timers.enter();
        let deadline = worker_clock.now() + ms(250);
        let (flag, waker) = flag_waker();
        let mut nap = sleep(ms(250));
        assert!(poll_with(&mut nap, &waker).is_pending());
        while !flag.woken.load(Ordering::SeqCst) {
            thread::park_timeout(ms(1));
        }
        assert_eq!(poll_with(&mut nap, &waker), Poll::Ready(()));
        assert!(worker_clock.now() >= deadline);
    });
    // Blocks until the worker's registration unparks it (a lost unpark would take 30 s).
    let blocked = Instant::now();
    while unparks.load(Ordering::SeqCst) == 0 && blocked.elapsed() < Duration::from_secs(30) {
        thread::park_timeout(Duration::from_secs(30));
    }
    assert!(
        blocked.elapsed() < Duration::from_secs(10),
        "the unpark was lost"
    );
    timers.unparked();
    // Run the loop until the worker saw its sleep complete.
    while !worker.is_finished() {
        match timers.park_timeout() {
            None => thread::park_timeout(ms(1)),
            Some(wait) => clock.advance(wait),
        }
        timers.unparked();
        timers.process();
    }
    worker.join().unwrap();
    assert_eq!(unparks.load(Ordering::SeqCst), 1);
}

#[test]
fn many_threads_register_and_cancel_concurrently() {
    const THREADS: usize = 4;
    const PER_THREAD: u64 = 500;
    let clock = VirtualClock::new();
    let timers = Timers::new(Clock::Virtual(clock.clone()));
    let registered = Arc::new(Barrier::new(THREADS + 1));
    let fired = Arc::new(Barrier::new(THREADS + 1));
    let mut workers = Vec::new();
    for t in 0..THREADS {
        let (timers, registered, fired) = (timers.clone(), registered.clone(), fired.clone());
        workers.push(thread::spawn(move || {
            let _guard = timers.enter();
            let (flag, waker) = flag_waker();
            let mut kept = Vec::new();
            for i in 0..PER_THREAD {
                let mut nap = sleep(ms(1 + (i * 7 + t as u64) % 300));
                assert!(poll_with(&mut nap, &waker).is_pending());
                if i % 3 == 0 {
                    drop(nap); // cancelled
                } else {
                    kept.push(nap);
                }
            }
            registered.wait();
            fired.wait();
            assert_eq!(flag.count.load(Ordering::SeqCst), kept.len());
            for nap in &mut kept {
                assert_eq!(poll_with(nap, &waker), Poll::Ready(()));
            }
        }));
    }
    registered.wait();
    let mut total = 0;
    while let Some(wait) = timers.park_timeout() {
        clock.advance(wait);
        total += timers.process();
    }
    fired.wait();
    for worker in workers {
        worker.join().unwrap();
    }
    let kept_per_thread = PER_THREAD - PER_THREAD.div_ceil(3);
    assert_eq!(total as u64, THREADS as u64 * kept_per_thread);
    assert_eq!(timers.park_timeout(), None);
}

#[test]
fn sleep_uses_the_entered_drivers_clock_and_guards_nest() {
    let outer = VirtualClock::new();
    outer.advance(Duration::from_secs(1000));
    let outer_timers = Timers::new(Clock::Virtual(outer.clone()));
    let inner_timers = Timers::new(Clock::new_virtual());
    let g1 = outer_timers.enter();
    let a = sleep(ms(5));
    assert_eq!(a.deadline(), outer.now() + ms(5));
    {
        let _g2 = inner_timers.enter();
        let b = sleep(ms(5));
        assert_eq!(b.deadline(), inner_timers.now() + ms(5));
    }
    let c = sleep(ms(5));
    assert_eq!(c.deadline(), outer.now() + ms(5));
    drop(g1);
    assert!(Timers::try_current().is_none());
}

#[test]
fn is_elapsed_follows_processed_time() {
    let rt = VirtualLoop::new();
    let nap = sleep(ms(3));
    assert!(!nap.is_elapsed());
    rt.clock.advance(ms(3));
    assert!(
        !nap.is_elapsed(),
        "the driver has not processed that time yet"
    );
    rt.timers.process();
    assert!(nap.is_elapsed());
}

#[test]
fn handles_and_futures_are_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    fn unpin<T: Unpin>() {}
    send_sync::<Timers>();
    send_sync::<Clock>();
    send_sync::<corio_timer::Sleep>();
    send_sync::<corio_timer::Interval>();
    send_sync::<corio_timer::Timeout<corio_timer::Sleep>>();
    send_sync::<corio_timer::wheel::Wheel<std::task::Waker>>();
    unpin::<corio_timer::Sleep>();
    unpin::<corio_timer::Interval>();
}

#[test]
fn sleeps_created_outside_any_driver_run_on_the_driver_that_first_polls_them() {
    // No driver is current on this thread yet: these belong to whoever polls them first.
    let nap = sleep(Duration::from_secs(3600));
    let until = Instant::now() + Duration::from_secs(60);
    let nap_until = sleep_until(until);
    let mut ticks = corio_timer::interval(ms(10));
    let never = sleep(Duration::MAX);

    let mut rt = VirtualLoop::new();
    let wall = Instant::now();
    let t0 = rt.now();
    let clock = rt.clock.clone();
    rt.block_on(async move {
        // Counted from the first poll, on the virtual clock.
        nap.await;
        assert_eq!(clock.now() - t0, Duration::from_secs(3600));
        // An absolute deadline stays what it was: long past on the virtual clock by now.
        nap_until.await;
        let first = ticks.tick().await;
        let second = ticks.tick().await;
        assert_eq!(first, clock.now() - ms(10));
        assert_eq!(second - first, ms(10));
    });
    assert!(wall.elapsed() < Duration::from_secs(5));
    assert_eq!(rt.now() - t0, Duration::from_secs(3600) + ms(10));
    assert!(!never.is_elapsed());
}

#[test]
fn a_fired_sleep_leaves_the_wheel_before_it_is_polled_again() {
    let rt = VirtualLoop::new();
    let (flag, waker) = flag_waker();
    let mut nap = sleep(ms(5));
    assert!(poll_with(&mut nap, &waker).is_pending());
    rt.clock.advance(ms(5));
    assert_eq!(rt.timers.process(), 1);
    assert!(flag.woken.load(Ordering::SeqCst));
    // Nothing left in the wheel although the sleep was not polled since.
    assert_eq!(rt.timers.park_timeout(), None);
    rt.timers.unparked();
    assert!(poll_with(&mut nap, &waker).is_ready());
    drop(nap);
    assert_eq!(rt.timers.park_timeout(), None);
}

#[test]
fn reset_after_firing_but_before_the_next_poll_waits_for_the_new_deadline() {
    let rt = VirtualLoop::new();
    let (_, waker) = flag_waker();
    let mut nap = sleep(ms(5));
    assert!(poll_with(&mut nap, &waker).is_pending());
    rt.clock.advance(ms(5));
    rt.timers.process(); // fires and drains the entry
    let new_deadline = rt.now() + ms(10);
    nap.reset(new_deadline);
    assert!(poll_with(&mut nap, &waker).is_pending(), "completed early");
    rt.clock.advance(ms(9));
    rt.timers.process();
    assert!(poll_with(&mut nap, &waker).is_pending(), "completed early");
    rt.clock.advance(ms(1));
    rt.timers.process();
    assert!(poll_with(&mut nap, &waker).is_ready());
    assert!(rt.now() >= new_deadline);
}

#[test]
fn reset_of_a_registered_sleep_into_the_past_wakes_it_and_leaves_no_entry() {
    let rt = VirtualLoop::new();
    let (flag, waker) = flag_waker();
    let start = rt.now();
    let mut nap = sleep(ms(50));
    assert!(poll_with(&mut nap, &waker).is_pending());
    rt.clock.advance(ms(20));
    rt.timers.process();
    flag.woken.store(false, Ordering::SeqCst);
    nap.reset(start + ms(10)); // already passed
    assert!(
        flag.woken.load(Ordering::SeqCst),
        "the waiting task is told to poll again"
    );
    assert_eq!(rt.timers.park_timeout(), None, "no stale entry");
    rt.timers.unparked();
    assert!(poll_with(&mut nap, &waker).is_ready());
}
