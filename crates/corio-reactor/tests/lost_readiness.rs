//! Readiness that arrives while a system call runs is never lost.

mod common;

use std::cell::Cell;
use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::task::{Poll, Waker};
use std::time::Duration;

use common::{counting_waker, each_backend, poll_with, watchdog};
use corio_reactor::Async;
use corio_timer::Clock;

/// The "system call" sees an empty socket and returns `WouldBlock`, but data arrives and the
/// reactor delivers its event before the caller clears the readiness it observed earlier.
/// The newer tick keeps the direction ready, so the retry runs at once and reads the data.
#[test]
fn event_during_the_syscall_keeps_the_direction_ready() -> io::Result<()> {
    let _watchdog = watchdog(10);
    each_backend(|new_reactor| {
        let reactor = new_reactor(Clock::Real)?;
        let (mut peer, socket) = UnixStream::pair()?;
        let socket = Async::with_reactor(socket, &reactor)?;
        // Start ready, so that a clear which ignored the tick would really clear something.
        peer.write_all(b"a")?;
        while poll_with(&mut socket.readable(), Waker::noop()).is_pending() {
            reactor.park(Some(Duration::ZERO))?;
        }

        let calls = Cell::new(0);
        let mut read = Box::pin(socket.read_with(|s| {
            calls.set(calls.get() + 1);
            let mut buf = [0; 8];
            let n = (&*s).read(&mut buf)?;
            if calls.get() == 1 {
                assert_eq!(&buf[..n], b"a");
                // The socket is empty now, and read_with has already taken its snapshot:
                // new data arrives and the reactor delivers its event...
                peer.write_all(b"late")?;
                while reactor.park(Some(Duration::ZERO))? == 0 {}
                // ...while this "system call" still reports the emptiness it saw.
                return Err(io::ErrorKind::WouldBlock.into());
            }
            Ok(buf[..n].to_vec())
        }));
        let (woken, waker) = counting_waker();
        match poll_with(&mut read, &waker) {
            Poll::Ready(got) => assert_eq!(got?, b"late"),
            Poll::Pending => panic!("readiness delivered during the syscall was lost"),
        }
        assert_eq!(calls.get(), 2);
        assert_eq!(woken.get(), 0, "completed without waiting");
        Ok(())
    })
}

/// The control case: `WouldBlock` with no event meanwhile clears the readiness, the waiter
/// waits, and the next event wakes it.
#[test]
fn would_block_without_an_event_waits_for_the_next_one() -> io::Result<()> {
    let _watchdog = watchdog(10);
    each_backend(|new_reactor| {
        let reactor = new_reactor(Clock::Real)?;
        let (mut peer, socket) = UnixStream::pair()?;
        let socket = Async::with_reactor(socket, &reactor)?;
        // Readable before the test starts: an event was delivered.
        peer.write_all(b"x")?;
        while reactor.park(Some(Duration::ZERO))? == 0 {}
        assert!(poll_with(&mut socket.readable(), Waker::noop()).is_ready());

        let calls = Cell::new(0);
        let mut read = Box::pin(socket.read_with(|s| {
            calls.set(calls.get() + 1);
            let mut buf = [0; 8];
            // Empty it, then report WouldBlock as the next read would.
            let _ = (&*s).read(&mut buf);
            if calls.get() == 1 {
                return Err::<usize, _>(io::ErrorKind::WouldBlock.into());
            }
            Ok(calls.get())
        }));
        let (woken, waker) = counting_waker();
        assert!(poll_with(&mut read, &waker).is_pending());
        assert!(poll_with(&mut socket.readable(), Waker::noop()).is_pending());
        // Polling again does not retry the operation: it is known to block.
        assert!(poll_with(&mut read, &waker).is_pending());
        assert_eq!(calls.get(), 1);

        peer.write_all(b"y")?;
        while woken.get() == 0 {
            reactor.park(Some(Duration::from_secs(1)))?;
        }
        match poll_with(&mut read, &waker) {
            Poll::Ready(n) => assert_eq!(n?, 2),
            Poll::Pending => panic!("not ready after the event"),
        }
        Ok(())
    })
}

/// A short read on a byte stream settles the readiness without a `WouldBlock` call: the
/// next read waits for the poller, and data arriving after the short read wakes it. A full
/// read (as many bytes as asked) proves nothing and keeps the direction ready; end of file
/// stays ready for ever. (The epoll backend only: `polling` cannot tell a hang-up from data,
/// so with it a short read proves nothing and the next read makes the system call.)
#[test]
fn short_stream_read_waits_for_the_next_event() -> io::Result<()> {
    let _watchdog = watchdog(10);
    {
        let reactor = corio_reactor::Reactor::new(Clock::Real)?;
        let (mut peer, socket) = UnixStream::pair()?;
        let socket = Async::with_reactor(socket, &reactor)?;
        let mut buf = [0; 4];
        let mut read = |waker: &Waker| {
            let mut cx = std::task::Context::from_waker(waker);
            socket.poll_read_stream(&mut cx, &mut buf)
        };

        peer.write_all(b"abcdef")?;
        while reactor.park(Some(Duration::ZERO))? == 0 {}
        // Four of six bytes: a full read, still ready.
        assert!(matches!(read(Waker::noop()), Poll::Ready(Ok(4))));
        assert!(poll_with(&mut socket.readable(), Waker::noop()).is_ready());
        // Two of four: short, so drained, and known to be without a system call.
        assert!(matches!(read(Waker::noop()), Poll::Ready(Ok(2))));
        assert!(poll_with(&mut socket.readable(), Waker::noop()).is_pending());
        let (woken, waker) = counting_waker();
        assert!(read(&waker).is_pending());

        peer.write_all(b"g")?;
        while woken.get() == 0 {
            reactor.park(Some(Duration::from_secs(1)))?;
        }
        assert!(matches!(read(&waker), Poll::Ready(Ok(1))));

        drop(peer);
        while poll_with(&mut socket.readable(), Waker::noop()).is_pending() {
            reactor.park(Some(Duration::from_secs(1)))?;
        }
        for _ in 0..2 {
            assert!(
                matches!(read(Waker::noop()), Poll::Ready(Ok(0))),
                "end of file"
            );
        }
        Ok(())
    }
}

/// The peer writes and hangs up before the reader looks: one event carries both. The short
/// read of the data must not forget the readiness, or the end of file behind it would never
/// be seen.
#[test]
fn short_read_before_a_pending_end_of_file_keeps_the_direction_ready() -> io::Result<()> {
    let _watchdog = watchdog(10);
    each_backend(|new_reactor| {
        let reactor = new_reactor(Clock::Real)?;
        let (mut peer, socket) = UnixStream::pair()?;
        let socket = Async::with_reactor(socket, &reactor)?;
        peer.write_all(b"last words")?;
        drop(peer);
        while reactor.park(Some(Duration::ZERO))? == 0 {}
        let mut buf = [0; 64];
        let read = |buf: &mut [u8]| {
            let mut cx = std::task::Context::from_waker(Waker::noop());
            socket.poll_read_stream(&mut cx, buf)
        };
        assert!(matches!(read(&mut buf), Poll::Ready(Ok(10))));
        assert!(
            matches!(read(&mut buf), Poll::Ready(Ok(0))),
            "end of file is seen without another event"
        );
        Ok(())
    })
}
