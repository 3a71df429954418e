//! The virtual clock moves only when the loop would otherwise sleep for a timer.

mod common;

use std::io::{self, Write};
use std::os::unix::net::UnixStream;
use std::task::Waker;
use std::time::{Duration, Instant};

use common::{each_backend, poll_with, watchdog};
use corio_reactor::Async;
use corio_timer::{Clock, sleep};

const HOUR: Duration = Duration::from_secs(3600);

#[test]
fn unbounded_park_jumps_to_the_next_deadline() -> io::Result<()> {
    let _watchdog = watchdog(10);
    each_backend(|new_reactor| {
        let reactor = new_reactor(Clock::new_virtual())?;
        let _entered = reactor.enter();
        let clock = reactor.timers().clock().clone();
        let mut nap = Box::pin(sleep(HOUR));
        assert!(poll_with(&mut nap, Waker::noop()).is_pending());
        let deadline = nap.deadline();

        let real = Instant::now();
        assert_eq!(reactor.park(None)?, 0);
        assert!(
            real.elapsed() < Duration::from_secs(1),
            "slept in real time"
        );
        assert_eq!(
            clock.now(),
            deadline,
            "the clock must land exactly on the deadline"
        );
        assert!(poll_with(&mut nap, Waker::noop()).is_ready());
        Ok(())
    })
}

#[test]
fn pending_io_readiness_does_not_move_the_clock() -> io::Result<()> {
    let _watchdog = watchdog(10);
    each_backend(|new_reactor| {
        let reactor = new_reactor(Clock::new_virtual())?;
        let _entered = reactor.enter();
        let clock = reactor.timers().clock().clone();
        let mut nap = Box::pin(sleep(HOUR));
        assert!(poll_with(&mut nap, Waker::noop()).is_pending());

        let (mut peer, socket) = UnixStream::pair()?;
        let _socket = Async::new(socket)?;
        peer.write_all(b"ready")?;
        let before = clock.now();
        assert!(
            reactor.park(None)? > 0,
            "the readiness event was not delivered"
        );
        assert_eq!(clock.now(), before, "time moved although I/O was ready");
        assert!(poll_with(&mut nap, Waker::noop()).is_pending());

        // Nothing new is ready now: the next unbounded park jumps.
        reactor.park(None)?;
        assert!(clock.now() > before);
        assert!(poll_with(&mut nap, Waker::noop()).is_ready());
        Ok(())
    })
}

#[test]
fn unpark_does_not_move_the_clock() -> io::Result<()> {
    let _watchdog = watchdog(10);
    each_backend(|new_reactor| {
        let reactor = new_reactor(Clock::new_virtual())?;
        let _entered = reactor.enter();
        let clock = reactor.timers().clock().clone();
        let mut nap = Box::pin(sleep(HOUR));
        assert!(poll_with(&mut nap, Waker::noop()).is_pending());

        let before = clock.now();
        reactor.unparker().unpark();
        reactor.park(None)?;
        assert_eq!(
            clock.now(),
            before,
            "time moved although the loop was unparked"
        );
        Ok(())
    })
}

#[test]
fn bounded_park_never_moves_the_clock() -> io::Result<()> {
    let _watchdog = watchdog(10);
    each_backend(|new_reactor| {
        let reactor = new_reactor(Clock::new_virtual())?;
        let _entered = reactor.enter();
        let clock = reactor.timers().clock().clone();
        let mut nap = Box::pin(sleep(Duration::from_millis(1)));
        assert!(poll_with(&mut nap, Waker::noop()).is_pending());

        let before = clock.now();
        reactor.park(Some(Duration::from_millis(5)))?;
        assert_eq!(clock.now(), before);
        assert!(poll_with(&mut nap, Waker::noop()).is_pending());
        Ok(())
    })
}
