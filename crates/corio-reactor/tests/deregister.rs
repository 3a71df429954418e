//! Dropping an `Async` deregisters it, even with a waker pending, and a descriptor number
//! reused afterwards never reaches the dropped source. Alone in its process so that descriptor
//! numbers are reused deterministically.

mod common;

use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::task::Context;
use std::time::Duration;

use common::{counting_waker, each_backend, poll_with, watchdog};
use corio_reactor::Async;
use corio_timer::Clock;

#[test]
fn drop_with_a_pending_waker_deregisters() -> io::Result<()> {
    let _watchdog = watchdog(10);
    each_backend(|new_reactor| {
        let reactor = new_reactor(Clock::Real)?;
        let (mut old_peer, old) = UnixStream::pair()?;
        let old = Async::with_reactor(old, &reactor)?;
        let old_fd = old.as_raw_fd();
        let (dropped, dropped_waker) = counting_waker();
        assert!(
            old.poll_readable(&mut Context::from_waker(&dropped_waker))
                .is_pending()
        );
        assert_eq!(reactor.registered_sources(), 1);

        drop(old);
        assert_eq!(reactor.registered_sources(), 0);
        // The peer of the dropped socket sees it closed.
        assert!(old_peer.write_all(b"x").is_err());
        drop(old_peer);

        // The lowest free number is reused: the new socket gets the dropped one's descriptor.
        let (mut peer, new) = UnixStream::pair()?;
        let new = Async::with_reactor(new, &reactor)?;
        assert_eq!(new.as_raw_fd(), old_fd, "descriptor number not reused");
        assert_eq!(reactor.registered_sources(), 1);

        let (woken, waker) = counting_waker();
        let mut readable = Box::pin(new.readable());
        assert!(poll_with(&mut readable, &waker).is_pending());
        peer.write_all(b"y")?;
        while woken.get() == 0 {
            reactor.park(Some(Duration::from_secs(1)))?;
        }
        assert!(poll_with(&mut readable, &waker).is_ready());
        assert_eq!(dropped.get(), 0, "an event reached the dropped source");
        Ok(())
    })
}
