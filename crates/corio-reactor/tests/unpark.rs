//! Unparking: from another thread, before the park, and through the timer wheel.

mod common;

use std::io;
use std::task::Waker;
use std::thread;
use std::time::{Duration, Instant};

use common::{each_backend, poll_with, watchdog};
use corio_timer::Clock;

#[test]
fn unpark_from_another_thread_ends_an_unbounded_park() -> io::Result<()> {
    let _watchdog = watchdog(10);
    each_backend(|new_reactor| {
        let reactor = new_reactor(Clock::Real)?;
        let unparker = reactor.unparker();
        let waker = thread::spawn(move || {
            thread::sleep(Duration::from_millis(20));
            unparker.unpark();
        });
        // Nothing registered, no timer: only the unpark can end this.
        assert_eq!(reactor.park(None)?, 0);
        waker.join().expect("unparking thread");
        Ok(())
    })
}

#[test]
fn unpark_before_park_makes_the_next_park_return_and_is_consumed() -> io::Result<()> {
    let _watchdog = watchdog(10);
    each_backend(|new_reactor| {
        let reactor = new_reactor(Clock::Real)?;
        let unparker = reactor.unparker();
        unparker.unpark();
        unparker.unpark(); // coalesced with the first
        assert_eq!(reactor.park(None)?, 0);
        // Consumed: the next park waits for its full limit.
        let start = Instant::now();
        reactor.park(Some(Duration::from_millis(20)))?;
        assert!(start.elapsed() >= Duration::from_millis(20));
        Ok(())
    })
}

#[test]
fn earlier_timer_from_another_thread_ends_an_unbounded_park() -> io::Result<()> {
    let _watchdog = watchdog(10);
    each_backend(|new_reactor| {
        let reactor = new_reactor(Clock::Real)?;
        let timers = reactor.timers().clone();
        let inserter = thread::spawn(move || {
            thread::sleep(Duration::from_millis(20));
            let _entered = timers.enter();
            let mut sleep = Box::pin(corio_timer::sleep(Duration::from_millis(5)));
            assert!(poll_with(&mut sleep, Waker::noop()).is_pending());
            sleep
        });
        // No timer yet: parks until the other thread's insert unparks it.
        reactor.park(None)?;
        let mut sleep = inserter.join().expect("inserting thread");
        // The loop then waits for the new deadline and fires the timer.
        while poll_with(&mut sleep, Waker::noop()).is_pending() {
            reactor.park(None)?;
        }
        Ok(())
    })
}
