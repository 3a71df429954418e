//! Readiness of pipes and TCP sockets: not ready when empty, ready after a write, writes wait
//! on a full buffer and resume once the peer drains it, end of file is a read of 0.

mod common;

use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::pin::pin;
use std::task::{Poll, Waker};
use std::time::Duration;

use common::{
    NewReactor, counting_waker, drive, each_backend, pipe, poll_with, tcp_pair, watchdog,
};
use corio_reactor::Async;
use corio_timer::Clock;
use futures_lite::{AsyncReadExt, AsyncWriteExt};

const SHORT: Duration = Duration::from_millis(10);
const LONG: Duration = Duration::from_secs(2);

/// Reads everything available without blocking; returns how much.
fn drain<R: Read>(reader: &mut R) -> io::Result<usize> {
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0;
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => total += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(total),
            Err(e) => return Err(e),
        }
    }
}

/// Runs every check on one (reader, writer) pair of connected descriptors.
fn check_pair<R, W>(new_reactor: NewReactor, reader: R, writer: W) -> io::Result<()>
where
    R: AsFd + Read,
    W: AsFd + Write,
{
    let reactor = new_reactor(Clock::Real)?;
    let mut reader = Async::with_reactor(reader, &reactor)?;
    let mut writer = Async::with_reactor(writer, &reactor)?;

    // Empty: a readable() future stays pending across a park.
    let (woken, waker) = counting_waker();
    {
        let mut readable = pin!(reader.readable());
        assert!(poll_with(&mut readable, &waker).is_pending());
        reactor.park(Some(SHORT))?;
        assert!(poll_with(&mut readable, &waker).is_pending());
        assert_eq!(woken.get(), 0, "woken although nothing was written");

        // The write end is writable once the reactor has seen its first edge.
        {
            let mut writable = pin!(writer.writable());
            if poll_with(&mut writable, Waker::noop()).is_pending() {
                reactor.park(Some(LONG))?;
                assert!(poll_with(&mut writable, Waker::noop()).is_ready());
            }
        }

        // A write makes the read end readable and wakes the waiting future.
        writer.get_mut().write_all(b"abc")?;
        while woken.get() == 0 {
            reactor.park(Some(LONG))?;
        }
        assert_eq!(woken.get(), 1);
        assert!(poll_with(&mut readable, &waker).is_ready());
    }
    let mut buf = [0; 3];
    drive(&reactor, reader.read_exact(&mut buf))?;
    assert_eq!(&buf, b"abc");

    // Fill the buffer until a write has to wait.
    let chunk = vec![7u8; 64 * 1024];
    let mut filled = 0usize;
    let (woken, waker) = counting_waker();
    {
        let mut write = loop {
            let mut write = Box::pin(writer.write(&chunk));
            match poll_with(&mut write, &waker) {
                Poll::Ready(n) => filled += n?,
                Poll::Pending => break write,
            }
        };
        assert!(filled > 0);
        reactor.park(Some(SHORT))?;
        assert!(
            poll_with(&mut write, &waker).is_pending(),
            "wrote into a full buffer"
        );

        // The peer drains: the write is woken and completes.
        let mut drained = 0;
        let sent = loop {
            drained += drain(reader.get_mut())?;
            reactor.park(Some(SHORT))?;
            if woken.get() > 0 {
                if let Poll::Ready(n) = poll_with(&mut write, &waker) {
                    break n?;
                }
            }
        };
        assert!(sent > 0);
        drained += drain(reader.get_mut())?;
        assert!(drained <= filled + sent);
        // Everything written arrives, possibly after the last drain: finish reading it.
        let mut rest = vec![0u8; filled + sent - drained];
        drive(&reactor, reader.read_exact(&mut rest))?;
        assert!(rest.iter().all(|&b| b == 7));
    }

    // Closing the writer is seen as end of file.
    drop(writer);
    let mut buf = [0; 16];
    let n = drive(&reactor, reader.read(&mut buf))?;
    assert_eq!(n, 0);
    Ok(())
}

#[test]
fn pipe_readiness() -> io::Result<()> {
    let _watchdog = watchdog(30);
    each_backend(|new_reactor| {
        let (reader, writer) = pipe()?;
        check_pair(new_reactor, reader, writer)
    })
}

#[test]
fn tcp_readiness() -> io::Result<()> {
    let _watchdog = watchdog(30);
    each_backend(|new_reactor| {
        let (client, server) = tcp_pair()?;
        check_pair(new_reactor, server, client)
    })
}

#[test]
fn tcp_readiness_other_direction() -> io::Result<()> {
    let _watchdog = watchdog(30);
    each_backend(|new_reactor| {
        let (client, server) = tcp_pair()?;
        check_pair(new_reactor, client, server)
    })
}

/// `&Async<T>` reads and writes concurrently from two futures on one reactor.
#[test]
fn shared_reference_read_and_write() -> io::Result<()> {
    let _watchdog = watchdog(30);
    each_backend(|new_reactor| {
        let reactor = new_reactor(Clock::Real)?;
        let (a, b) = tcp_pair()?;
        let a = Async::with_reactor(a, &reactor)?;
        let b = Async::with_reactor(b, &reactor)?;
        let payload: Vec<u8> = (0..1_000_000u32).map(|i| i as u8).collect();
        let (sent, received) = drive(&reactor, async {
            let send = async {
                (&a).write_all(&payload).await?;
                io::Result::Ok(payload.len())
            };
            let receive = async {
                let mut got = vec![0u8; payload.len()];
                (&b).read_exact(&mut got).await?;
                io::Result::Ok(got)
            };
            futures_lite::future::zip(send, receive).await
        });
        assert_eq!(sent?, payload.len());
        assert!(received? == payload);
        Ok(())
    })
}

/// A write waiting on a full buffer is woken, and fails, when the peer goes away.
#[test]
fn blocked_write_sees_the_peer_reset() -> io::Result<()> {
    let _watchdog = watchdog(30);
    each_backend(|new_reactor| {
        let reactor = new_reactor(Clock::Real)?;
        let (client, server) = tcp_pair()?;
        let mut client = Async::with_reactor(client, &reactor)?;
        let chunk = vec![1u8; 64 * 1024];
        let (woken, waker) = counting_waker();
        let mut write = loop {
            let mut write = Box::pin(client.write(&chunk));
            match poll_with(&mut write, &waker) {
                Poll::Ready(n) => {
                    n?;
                }
                Poll::Pending => break write,
            }
        };
        // Closing with unread data makes the kernel reset the connection.
        drop(server);
        while woken.get() == 0 {
            reactor.park(Some(LONG))?;
        }
        let result = loop {
            match poll_with(&mut write, &waker) {
                Poll::Ready(result) => break result,
                Poll::Pending => {
                    reactor.park(Some(LONG))?;
                }
            }
        };
        assert!(result.is_err(), "wrote {result:?} to a reset connection");
        Ok(())
    })
}

/// Every waiter on a direction is woken by one event: any number of `readable()` futures
/// plus the `poll_readable` waker.
#[test]
fn one_event_wakes_every_waiter() -> io::Result<()> {
    let _watchdog = watchdog(30);
    each_backend(|new_reactor| {
        let reactor = new_reactor(Clock::Real)?;
        let (mut peer, socket) = std::os::unix::net::UnixStream::pair()?;
        let socket = Async::with_reactor(socket, &reactor)?;
        let (woken, waker) = counting_waker();
        let mut futures: Vec<_> = (0..100).map(|_| Box::pin(socket.readable())).collect();
        for fut in &mut futures {
            assert!(poll_with(fut, &waker).is_pending());
        }
        assert!(
            socket
                .poll_readable(&mut std::task::Context::from_waker(&waker))
                .is_pending()
        );
        peer.write_all(b"!")?;
        while woken.get() < 101 {
            reactor.park(Some(LONG))?;
        }
        assert_eq!(woken.get(), 101);
        for fut in &mut futures {
            assert!(poll_with(fut, &waker).is_ready());
        }
        Ok(())
    })
}
