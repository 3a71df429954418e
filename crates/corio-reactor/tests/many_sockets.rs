//! 10,000 registered sockets each become readable and are read correctly.
//!
//! Both ends of 5,000 socket pairs are registered, so 10,000 sockets cost 10,000 descriptors.

mod common;

use std::io::{self, Write};
use std::os::unix::net::UnixStream;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use common::{counting_waker, each_backend, watchdog};
use corio_reactor::Async;
use corio_timer::Clock;
use futures_lite::AsyncRead;

const SOCKETS: usize = 10_000;
/// One descriptor per socket, plus room for the poller, the test harness and stdio.
const NEEDED_FDS: libc::rlim_t = SOCKETS as libc::rlim_t + 256;

/// Raises the soft RLIMIT_NOFILE to the hard limit; `false` if that is still too low.
fn raise_fd_limit() -> io::Result<bool> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid rlimit for getrlimit to fill.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == -1 {
        return Err(io::Error::last_os_error());
    }
    if limit.rlim_max < NEEDED_FDS {
        eprintln!(
            "skipping: RLIMIT_NOFILE hard limit is {}, this test needs {NEEDED_FDS} descriptors",
            limit.rlim_max
        );
        return Ok(false);
    }
    if limit.rlim_cur < NEEDED_FDS {
        limit.rlim_cur = limit.rlim_max;
        // SAFETY: `limit` is a valid rlimit; raising the soft limit up to the hard one is allowed.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } == -1 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(true)
}

#[test]
fn ten_thousand_sockets() -> io::Result<()> {
    let _watchdog = watchdog(60);
    if !raise_fd_limit()? {
        return Ok(());
    }
    each_backend(|new_reactor| {
        let reactor = new_reactor(Clock::Real)?;
        // sockets[2k] and sockets[2k + 1] are connected to each other.
        let mut sockets = Vec::with_capacity(SOCKETS);
        for _ in 0..SOCKETS / 2 {
            let (a, b) = UnixStream::pair()?;
            sockets.push(Async::with_reactor(a, &reactor)?);
            sockets.push(Async::with_reactor(b, &reactor)?);
        }
        assert_eq!(reactor.registered_sources(), SOCKETS);

        // Each read first finds nothing: from now on only an event can make it try again.
        let (woken, waker) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        let mut buf = [0u8; 8];
        for socket in &mut sockets {
            assert!(Pin::new(socket).poll_read(&mut cx, &mut buf).is_pending());
        }

        // Socket i receives the value i from its peer i ^ 1.
        for (i, socket) in sockets.iter_mut().enumerate() {
            socket
                .get_mut()
                .write_all(&((i ^ 1) as u64).to_le_bytes())?;
        }

        let mut done = vec![false; SOCKETS];
        let mut left = SOCKETS;
        let mut events = 0;
        while left > 0 {
            events += reactor.park(Some(Duration::from_secs(5)))?;
            for (i, socket) in sockets.iter_mut().enumerate() {
                if done[i] {
                    continue;
                }
                if let Poll::Ready(n) = Pin::new(socket).poll_read(&mut cx, &mut buf) {
                    assert_eq!(n?, 8);
                    assert_eq!(
                        u64::from_le_bytes(buf),
                        i as u64,
                        "socket {i} read another's data"
                    );
                    done[i] = true;
                    left -= 1;
                }
            }
        }
        assert!(events >= SOCKETS, "{events} events for {SOCKETS} sockets");
        assert_eq!(woken.get(), SOCKETS, "each socket's waker is woken once");

        drop(sockets);
        assert_eq!(reactor.registered_sources(), 0);
        Ok(())
    })
}
