//! A hand-written event loop on raw epoll, no runtime: the floor the runtimes'
//! single-connection echo round trip is measured against (the `epoll` contender).
//!
//! It makes the system calls the runtimes' code makes, with nothing around them: both
//! sockets non-blocking and registered edge-triggered in one epoll set, one `epoll_wait` per
//! batch of events, and on each event reads of one message size until `EAGAIN` (the
//! workload's `read_exact` asks for exactly one message, so it cannot tell a drained socket
//! from a full one either). A round trip is eight system calls: two `epoll_wait`s, two
//! writes, two reads that return a message and two that return `EAGAIN`. The difference
//! between a runtime and this loop is what the runtime itself costs.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::{Duration, Instant};

const SERVER: u64 = 0;
const CLIENT: u64 = 1;

/// One connection, `msgs` round trips of `size` bytes (at most 4 KiB), the client sending
/// the next message when the echo of the last is complete; the time includes connect and
/// accept, as the runtimes' does.
pub(crate) fn tcp_echo(msgs: usize, size: usize) -> impl FnMut() -> Duration {
    assert!(size <= 4096);
    move || run(msgs, size).expect("epoll echo loop")
}

fn run(msgs: usize, size: usize) -> io::Result<Duration> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let started = Instant::now();
    let mut client = TcpStream::connect(listener.local_addr()?)?;
    let (mut server, _) = listener.accept()?;
    for s in [&client, &server] {
        s.set_nodelay(true)?;
        s.set_nonblocking(true)?;
    }
    let epoll = epoll_create()?;
    add(&epoll, server.as_raw_fd(), SERVER)?;
    add(&epoll, client.as_raw_fd(), CLIENT)?;

    let msg = vec![7u8; size];
    let mut buf = vec![0u8; size];
    let mut events = [libc::epoll_event { events: 0, u64: 0 }; 8];
    let (mut sent, mut echoed_bytes) = (1, 0);
    write_all(&mut client, &msg)?;
    while echoed_bytes < msgs * size {
        for ev in wait(&epoll, &mut events)? {
            if ev == SERVER {
                // Echo whatever arrived.
                drain(&mut server, &mut buf, |server, bytes| {
                    write_all(server, bytes)
                })?;
            } else {
                drain(&mut client, &mut buf, |_, bytes| {
                    echoed_bytes += bytes.len();
                    Ok(())
                })?;
                if echoed_bytes == sent * size && sent < msgs {
                    write_all(&mut client, &msg)?;
                    sent += 1;
                }
            }
        }
    }
    Ok(started.elapsed())
}

/// Reads until `EAGAIN`, handing each chunk to `f`.
fn drain(
    s: &mut TcpStream,
    buf: &mut [u8],
    mut f: impl FnMut(&mut TcpStream, &[u8]) -> io::Result<()>,
) -> io::Result<()> {
    loop {
        match s.read(buf) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => f(s, &buf[..n])?,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
            Err(e) => return Err(e),
        }
    }
}

/// Small messages into a socket with room: one `write`. (Spins on a full send buffer, which
/// these sizes never meet.)
fn write_all(s: &mut TcpStream, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        match s.write(bytes) {
            Ok(n) => bytes = &bytes[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => std::hint::spin_loop(),
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn epoll_create() -> io::Result<OwnedFd> {
    // SAFETY: plain flags; returns a new descriptor or -1.
    let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
    if fd == -1 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a new descriptor nobody else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

fn add(epoll: &OwnedFd, fd: RawFd, key: u64) -> io::Result<()> {
    let mut ev = libc::epoll_event {
        events: (libc::EPOLLIN | libc::EPOLLET) as u32,
        u64: key,
    };
    // SAFETY: both descriptors are open; `ev` is a valid event for the call.
    let rc = unsafe { libc::epoll_ctl(epoll.as_raw_fd(), libc::EPOLL_CTL_ADD, fd, &mut ev) };
    if rc == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Waits for events; returns their keys.
fn wait<'a>(
    epoll: &OwnedFd,
    events: &'a mut [libc::epoll_event; 8],
) -> io::Result<impl Iterator<Item = u64> + 'a> {
    loop {
        // SAFETY: `events` has room for 8 events; the epoll descriptor is open.
        let n = unsafe { libc::epoll_wait(epoll.as_raw_fd(), events.as_mut_ptr(), 8, -1) };
        if n >= 0 {
            return Ok(events[..n as usize].iter().map(|e| e.u64));
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}
