//! [`Async`]: a file descriptor registered with a reactor, with async reads and writes.

use std::fmt;
use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use crate::Reactor;
use crate::current::current_or_fallback;
use crate::ready::Ready;
use crate::source::{Direction, READ, Source, WRITE};
use crate::sys::set_nonblocking;

/// An I/O object (socket, pipe, terminal…) in non-blocking mode, registered with a reactor.
///
/// Operations try the system call first and wait for readiness only when it returns
/// `WouldBlock`. Readiness is cached per direction, so a wait never costs a system call to
/// re-arm the poller. `Async<T>` implements [`AsyncRead`] / [`AsyncWrite`] when `T`
/// implements [`Read`] / [`Write`], and `&Async<T>` does when `&T` does, so one task can
/// read while another writes.
///
/// Dropping it removes the descriptor from the reactor, then closes the I/O object.
///
/// ```
/// use corio_reactor::Async;
/// use futures_lite::{AsyncReadExt, AsyncWriteExt};
/// use std::os::unix::net::UnixStream;
///
/// futures_lite::future::block_on(async {
///     let (a, b) = UnixStream::pair()?;
///     let (mut a, mut b) = (Async::new(a)?, Async::new(b)?);
///     a.write_all(b"ping").await?;
///     let mut buf = [0; 4];
///     b.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"ping");
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub struct Async<T: AsFd> {
    // Declared first so that it drops first: the descriptor leaves the poller while `io`
    // still keeps it open.
    registration: Registration,
    io: T,
}

/// The reactor-side half of an [`Async`]: removes the source when dropped.
struct Registration {
    reactor: Reactor,
    source: Arc<Source>,
    /// The descriptor the source was registered with.
    fd: RawFd,
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: a `Registration` only lives as the first field of an `Async`, or briefly in
        // `Async::into_inner` before the I/O object is returned; in both cases the I/O object
        // that owns `fd` is still alive, so `fd` is open.
        let fd = unsafe { BorrowedFd::borrow_raw(self.fd) };
        self.reactor.deregister(&self.source, fd);
    }
}

impl<T: AsFd> Async<T> {
    /// Puts `io` in non-blocking mode and registers it with the current reactor (see
    /// [`Reactor::enter`]), or, outside any reactor, with a shared fallback reactor that a
    /// background thread named `corio-reactor` drives. The fallback makes `Async` work
    /// under any executor.
    ///
    /// # Errors
    ///
    /// Fails if the descriptor is closed or invalid, cannot be made non-blocking, or is
    /// refused by the poller (epoll refuses regular files, for example).
    ///
    /// ```
    /// use corio_reactor::Async;
    /// use std::net::TcpListener;
    ///
    /// let listener = Async::new(TcpListener::bind("127.0.0.1:0")?)?;
    /// println!("listening on {}", listener.get_ref().local_addr()?);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn new(io: T) -> io::Result<Async<T>> {
        Async::register(io, current_or_fallback()?)
    }

    /// Like [`Async::new`], but registers with `reactor` whatever the current reactor is.
    ///
    /// # Errors
    ///
    /// As for [`Async::new`].
    ///
    /// ```
    /// use corio_reactor::{Async, Reactor};
    /// use corio_timer::Clock;
    /// use std::os::unix::net::UnixStream;
    ///
    /// let reactor = Reactor::new(Clock::Real)?;
    /// let (a, _b) = UnixStream::pair()?;
    /// let a = Async::with_reactor(a, &reactor)?;
    /// assert_eq!(reactor.registered_sources(), 1);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn with_reactor(io: T, reactor: &Reactor) -> io::Result<Async<T>> {
        Async::register(io, reactor.clone())
    }

    fn register(io: T, reactor: Reactor) -> io::Result<Async<T>> {
        let fd = io.as_fd();
        set_nonblocking(fd)?;
        let fd = fd.as_raw_fd();
        // SAFETY: `fd` stays open until it is deleted from the poller: the returned `Async`
        // owns `io`, and its `Registration`, dropped before `io`, deletes `fd` first. On
        // error the source is already removed and `io` is dropped afterwards.
        let source = unsafe { reactor.register(fd) }?;
        Ok(Async {
            registration: Registration {
                reactor,
                source,
                fd,
            },
            io,
        })
    }

    /// The I/O object.
    ///
    /// ```
    /// use corio_reactor::Async;
    /// use std::net::UdpSocket;
    ///
    /// let socket = Async::new(UdpSocket::bind("127.0.0.1:0")?)?;
    /// assert!(socket.get_ref().local_addr()?.ip().is_loopback());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.io
    }

    /// The I/O object, mutably.
    ///
    /// Do not replace the I/O object or close its descriptor through this reference: the
    /// reactor keeps the descriptor it was registered with and removes that one when the
    /// `Async` drops. Do not put it back into blocking mode either, or operations will block
    /// the executor's thread. Reading and writing through it is fine; a `WouldBlock` seen
    /// here is simply not remembered, which at worst costs one extra system call later.
    ///
    /// ```
    /// use corio_reactor::Async;
    /// use std::net::UdpSocket;
    ///
    /// let mut socket = Async::new(UdpSocket::bind("127.0.0.1:0")?)?;
    /// socket.get_mut().set_ttl(7)?;
    /// assert_eq!(socket.get_ref().ttl()?, 7);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.io
    }

    /// Removes the descriptor from the reactor and returns the I/O object, still in
    /// non-blocking mode.
    ///
    /// ```
    /// use corio_reactor::Async;
    /// use std::os::unix::net::UnixStream;
    ///
    /// let (a, _b) = UnixStream::pair()?;
    /// let a: UnixStream = Async::new(a)?.into_inner();
    /// a.set_nonblocking(false)?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn into_inner(self) -> T {
        let Async { registration, io } = self;
        drop(registration);
        io
    }

    fn dir(&self, dir: usize) -> &Direction {
        self.registration.source.dir(dir)
    }

    /// Waits until the I/O object is readable: an event said so and no read has returned
    /// `WouldBlock` since. Completes at once if it already is.
    ///
    /// Any number of tasks may wait on the same `Async` at once.
    ///
    /// ```
    /// use corio_reactor::Async;
    /// use std::io::Write;
    /// use std::os::unix::net::UnixStream;
    ///
    /// let (mut a, b) = UnixStream::pair()?;
    /// let b = Async::new(b)?;
    /// a.write_all(b"x")?;
    /// futures_lite::future::block_on(b.readable())?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn readable(&self) -> Ready<'_> {
        Ready::new(self.dir(READ))
    }

    /// Waits until the I/O object is writable: an event said so and no write has returned
    /// `WouldBlock` since. Completes at once if it already is.
    ///
    /// Any number of tasks may wait on the same `Async` at once.
    ///
    /// ```
    /// use corio_reactor::Async;
    /// use std::os::unix::net::UnixStream;
    ///
    /// let (a, _b) = UnixStream::pair()?;
    /// let a = Async::new(a)?;
    /// futures_lite::future::block_on(a.writable())?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn writable(&self) -> Ready<'_> {
        Ready::new(self.dir(WRITE))
    }

    /// Polls for read readiness, as [`readable`](Async::readable) does.
    ///
    /// Only the waker of the most recent call is kept (like tokio's `poll_read_ready`), so
    /// use it from one task at a time; use `readable()` when several tasks wait.
    ///
    /// ```
    /// use corio_reactor::Async;
    /// use std::io::Write;
    /// use std::os::unix::net::UnixStream;
    ///
    /// let (mut a, b) = UnixStream::pair()?;
    /// let b = Async::new(b)?;
    /// a.write_all(b"x")?;
    /// futures_lite::future::block_on(std::future::poll_fn(|cx| b.poll_readable(cx)))?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn poll_readable(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.dir(READ).poll_ready(cx).map(Ok)
    }

    /// Polls for write readiness, as [`writable`](Async::writable) does.
    ///
    /// Only the waker of the most recent call is kept, so use it from one task at a time.
    ///
    /// ```
    /// use corio_reactor::Async;
    /// use std::os::unix::net::UnixStream;
    ///
    /// let (a, _b) = UnixStream::pair()?;
    /// let a = Async::new(a)?;
    /// futures_lite::future::block_on(std::future::poll_fn(|cx| a.poll_writable(cx)))?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn poll_writable(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.dir(WRITE).poll_ready(cx).map(Ok)
    }

    /// Runs the read-side operation `op` until it does not return `WouldBlock`, waiting for
    /// read readiness in between.
    ///
    /// `op` runs first without waiting; after a `WouldBlock` it runs again only once the
    /// poller has reported new readiness. Use it for operations `AsyncRead` does not cover
    /// (`accept`, `recv_from`, `peek`…).
    ///
    /// # Errors
    ///
    /// Whatever error other than `WouldBlock` `op` returns.
    ///
    /// ```
    /// use corio_reactor::Async;
    /// use std::net::{TcpListener, TcpStream};
    ///
    /// futures_lite::future::block_on(async {
    ///     let listener = Async::new(TcpListener::bind("127.0.0.1:0")?)?;
    ///     let _client = TcpStream::connect(listener.get_ref().local_addr()?)?;
    ///     let (_stream, peer) = listener.read_with(|l| l.accept()).await?;
    ///     assert!(peer.ip().is_loopback());
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn read_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        retry(self.dir(READ), || op(&self.io)).await
    }

    /// Like [`read_with`](Async::read_with), with mutable access to the I/O object.
    ///
    /// # Errors
    ///
    /// Whatever error other than `WouldBlock` `op` returns.
    ///
    /// ```
    /// use corio_reactor::Async;
    /// use std::io::{Read, Write};
    /// use std::os::unix::net::UnixStream;
    ///
    /// let (mut a, b) = UnixStream::pair()?;
    /// let mut b = Async::new(b)?;
    /// a.write_all(b"hello")?;
    /// let mut buf = [0; 5];
    /// let n = futures_lite::future::block_on(b.read_with_mut(|s| s.read(&mut buf)))?;
    /// assert_eq!(&buf[..n], &b"hello"[..n]);
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn read_with_mut<R>(
        &mut self,
        mut op: impl FnMut(&mut T) -> io::Result<R>,
    ) -> io::Result<R> {
        let io = &mut self.io;
        retry(self.registration.source.dir(READ), || op(io)).await
    }

    /// Runs the write-side operation `op` until it does not return `WouldBlock`, waiting for
    /// write readiness in between.
    ///
    /// `op` runs first without waiting; after a `WouldBlock` it runs again only once the
    /// poller has reported new readiness. Use it for operations `AsyncWrite` does not cover
    /// (`send_to`, `connect` completion…).
    ///
    /// # Errors
    ///
    /// Whatever error other than `WouldBlock` `op` returns.
    ///
    /// ```
    /// use corio_reactor::Async;
    /// use std::net::UdpSocket;
    ///
    /// futures_lite::future::block_on(async {
    ///     let a = Async::new(UdpSocket::bind("127.0.0.1:0")?)?;
    ///     let b = UdpSocket::bind("127.0.0.1:0")?;
    ///     let to = b.local_addr()?;
    ///     let sent = a.write_with(|s| s.send_to(b"hi", to)).await?;
    ///     assert_eq!(sent, 2);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn write_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        retry(self.dir(WRITE), || op(&self.io)).await
    }

    /// Like [`write_with`](Async::write_with), with mutable access to the I/O object.
    ///
    /// # Errors
    ///
    /// Whatever error other than `WouldBlock` `op` returns.
    ///
    /// ```
    /// use corio_reactor::Async;
    /// use std::io::{Read, Write};
    /// use std::os::unix::net::UnixStream;
    ///
    /// let (a, mut b) = UnixStream::pair()?;
    /// let mut a = Async::new(a)?;
    /// futures_lite::future::block_on(a.write_with_mut(|s| s.write_all(b"hey")))?;
    /// let mut buf = [0; 3];
    /// b.read_exact(&mut buf)?;
    /// assert_eq!(&buf, b"hey");
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn write_with_mut<R>(
        &mut self,
        mut op: impl FnMut(&mut T) -> io::Result<R>,
    ) -> io::Result<R> {
        let io = &mut self.io;
        retry(self.registration.source.dir(WRITE), || op(io)).await
    }
}

impl<T: AsFd> Async<T> {
    /// The poll form of [`read_with`](Async::read_with), for hand-written futures and
    /// `poll_*` methods: runs `op`, and on `WouldBlock` registers `cx` to be woken by the next
    /// read readiness. Like the other `poll_*` methods, one waker per direction: the latest
    /// caller's.
    ///
    /// # Errors
    ///
    /// Whatever error other than `WouldBlock` `op` returns.
    ///
    /// ```
    /// use corio_reactor::Async;
    /// use std::net::{TcpListener, TcpStream};
    ///
    /// futures_lite::future::block_on(async {
    ///     let listener = Async::new(TcpListener::bind("127.0.0.1:0")?)?;
    ///     let _client = TcpStream::connect(listener.get_ref().local_addr()?)?;
    ///     let accept = std::future::poll_fn(|cx| listener.poll_read_with(cx, |l| l.accept()));
    ///     let (_stream, peer) = accept.await?;
    ///     assert!(peer.ip().is_loopback());
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn poll_read_with<R>(
        &self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        poll_io(self.dir(READ), cx, || op(&self.io), unknown)
    }

    /// The poll form of [`write_with`](Async::write_with); see
    /// [`poll_read_with`](Async::poll_read_with).
    ///
    /// # Errors
    ///
    /// Whatever error other than `WouldBlock` `op` returns.
    ///
    /// ```
    /// use corio_reactor::Async;
    /// use std::net::UdpSocket;
    ///
    /// futures_lite::future::block_on(async {
    ///     let a = Async::new(UdpSocket::bind("127.0.0.1:0")?)?;
    ///     let to = UdpSocket::bind("127.0.0.1:0")?.local_addr()?;
    ///     let send = std::future::poll_fn(|cx| a.poll_write_with(cx, |s| s.send_to(b"hi", to)));
    ///     assert_eq!(send.await?, 2);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn poll_write_with<R>(
        &self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        poll_io(self.dir(WRITE), cx, || op(&self.io), unknown)
    }
}

impl<T: AsFd> Async<T>
where
    for<'a> &'a T: Read + Write,
{
    /// Reads from a *byte stream* — a TCP or Unix stream socket, a pipe, a FIFO — where a
    /// read that returns fewer bytes than asked for proves the kernel buffer empty. Such a
    /// short read forgets the read readiness at once, so the next read waits for the poller
    /// instead of making a system call only to hear `WouldBlock`: one system call saved per
    /// message for a reader with a roomy buffer.
    ///
    /// Not for sources whose reads stop short with more to come: datagram sockets, terminals
    /// (one line per read), signalfd or inotify (whole records), Unix sockets receiving
    /// credentials or descriptors (`SO_PASSCRED`, `SCM_RIGHTS`). Use
    /// [`AsyncRead`](futures_io::AsyncRead) there.
    ///
    /// # Errors
    ///
    /// As `read(2)`, `WouldBlock` aside.
    ///
    /// ```
    /// use corio_reactor::Async;
    /// use std::io::Write;
    /// use std::os::unix::net::UnixStream;
    ///
    /// futures_lite::future::block_on(async {
    ///     let (mut a, b) = UnixStream::pair()?;
    ///     let b = Async::new(b)?;
    ///     a.write_all(b"hi")?;
    ///     let mut buf = [0; 64];
    ///     let n = std::future::poll_fn(|cx| b.poll_read_stream(cx, &mut buf)).await?;
    ///     assert_eq!(&buf[..n], b"hi");
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn poll_read_stream(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let len = buf.len();
        poll_io(self.dir(READ), cx, || (&self.io).read(buf), short(len))
    }

    /// Writes to a byte stream, where a short write proves the kernel's send buffer full:
    /// the write readiness is forgotten at once. See
    /// [`poll_read_stream`](Async::poll_read_stream) for which sources qualify.
    ///
    /// # Errors
    ///
    /// As `write(2)`, `WouldBlock` aside: `BrokenPipe` or `ConnectionReset` once the peer is
    /// gone.
    ///
    /// ```
    /// use corio_reactor::Async;
    /// use std::io::Read;
    /// use std::os::unix::net::UnixStream;
    ///
    /// futures_lite::future::block_on(async {
    ///     let (a, mut b) = UnixStream::pair()?;
    ///     let a = Async::new(a)?;
    ///     let n = std::future::poll_fn(|cx| a.poll_write_stream(cx, b"hi")).await?;
    ///     let mut buf = [0; 2];
    ///     b.read_exact(&mut buf[..n])?;
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn poll_write_stream(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        poll_io(
            self.dir(WRITE),
            cx,
            || (&self.io).write(buf),
            short(buf.len()),
        )
    }
}

/// Tries `op` until it gives something other than `WouldBlock`, waiting for `dir`'s
/// readiness between tries (a waiter of its own, so concurrent callers each get woken).
async fn retry<R>(dir: &Direction, mut op: impl FnMut() -> io::Result<R>) -> io::Result<R> {
    loop {
        if let Some(done) = attempt(dir, &mut op, unknown) {
            return done;
        }
        Ready::new(dir).await?;
    }
}

/// One try of an operation on `dir`: `None` means "wait for readiness, then try again".
///
/// The snapshot is taken before the system call, so an event that arrives while it runs
/// bumps the tick and keeps the direction ready despite the `WouldBlock`. After a
/// `WouldBlock` with no event since, the call is skipped: it would block again. A result
/// for which `exhausted` says the kernel buffer is now empty (or full) forgets the readiness
/// the same way, saving the `WouldBlock` call that would prove it.
fn attempt<R>(
    dir: &Direction,
    op: impl FnOnce() -> io::Result<R>,
    exhausted: impl FnOnce(&R) -> bool,
) -> Option<io::Result<R>> {
    let before = dir.snapshot();
    if before.is_blocked() {
        return None;
    }
    match op() {
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
            dir.clear(before);
            None
        }
        Ok(done) => {
            // After a hang-up, end of file may wait behind the data: a short read proves
            // nothing then.
            if !before.hung_up() && exhausted(&done) {
                dir.clear(before);
            }
            Some(Ok(done))
        }
        failed => Some(failed),
    }
}

/// [`attempt`] for `poll_*` methods: registers `cx` (latest waker wins) instead of a future.
fn poll_io<R>(
    dir: &Direction,
    cx: &mut Context<'_>,
    mut op: impl FnMut() -> io::Result<R>,
    exhausted: impl Fn(&R) -> bool,
) -> Poll<io::Result<R>> {
    loop {
        if let Some(done) = attempt(dir, &mut op, &exhausted) {
            return Poll::Ready(done);
        }
        if dir.poll_ready(cx).is_pending() {
            return Poll::Pending;
        }
    }
}

/// For operations whose result says nothing about what is left in the kernel's buffer.
fn unknown<R>(_: &R) -> bool {
    false
}

/// A byte count short of `len`, on a byte stream, means the kernel had no more (to read) or
/// no more room (to write). Zero is end of file, which stays readable.
fn short(len: usize) -> impl Fn(&usize) -> bool {
    move |&n| n > 0 && n < len
}

// `Async` never pins `T` in place: it is only reached through `&`/`&mut`.
impl<T: AsFd> Unpin for Async<T> {}

impl<T: AsFd + Read> AsyncRead for Async<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        poll_io(
            this.registration.source.dir(READ),
            cx,
            || this.io.read(buf),
            unknown,
        )
    }

    fn poll_read_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        poll_io(
            this.registration.source.dir(READ),
            cx,
            || this.io.read_vectored(bufs),
            unknown,
        )
    }
}

impl<T: AsFd> AsyncRead for &Async<T>
where
    for<'a> &'a T: Read,
{
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this: &Async<T> = self.get_mut();
        poll_io(this.dir(READ), cx, || (&this.io).read(buf), unknown)
    }

    fn poll_read_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        let this: &Async<T> = self.get_mut();
        poll_io(
            this.dir(READ),
            cx,
            || (&this.io).read_vectored(bufs),
            unknown,
        )
    }
}

impl<T: AsFd + Write> AsyncWrite for Async<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        poll_io(
            this.registration.source.dir(WRITE),
            cx,
            || this.io.write(buf),
            unknown,
        )
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        poll_io(
            this.registration.source.dir(WRITE),
            cx,
            || this.io.write_vectored(bufs),
            unknown,
        )
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        poll_io(
            this.registration.source.dir(WRITE),
            cx,
            || this.io.flush(),
            unknown,
        )
    }

    /// Flushes; the descriptor itself is closed when the `Async` drops.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

impl<T: AsFd> AsyncWrite for &Async<T>
where
    for<'a> &'a T: Write,
{
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this: &Async<T> = self.get_mut();
        poll_io(this.dir(WRITE), cx, || (&this.io).write(buf), unknown)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this: &Async<T> = self.get_mut();
        poll_io(
            this.dir(WRITE),
            cx,
            || (&this.io).write_vectored(bufs),
            unknown,
        )
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this: &Async<T> = self.get_mut();
        poll_io(this.dir(WRITE), cx, || (&this.io).flush(), unknown)
    }

    /// Flushes; the descriptor itself is closed when the `Async` drops.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

impl<T: AsFd> AsFd for Async<T> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.io.as_fd()
    }
}

impl<T: AsFd> AsRawFd for Async<T> {
    fn as_raw_fd(&self) -> RawFd {
        self.io.as_fd().as_raw_fd()
    }
}

impl<T: AsFd + fmt::Debug> fmt::Debug for Async<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Async")
            .field("io", &self.io)
            .field("key", &self.registration.source.key)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixStream;

    #[test]
    fn async_and_its_futures_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Async<UnixStream>>();
        check::<Ready<'static>>();
    }
}
