//! [`StreamWriter`]: asyncio's buffered writer, shared by tasks, over any `futures-io`
//! writer.
//!
//! asyncio's writer hands bytes to a transport that sends them in the background. corio has
//! no background flusher, so the tasks that wait do the sending: `write` only buffers, and
//! `drain`, `write_eof` and `wait_closed` write the buffer out. Three locks, none held
//! across an `.await` except the third:
//!
//! * `state` (a std mutex): the buffer and the flags, held for a few instructions;
//! * `writer` (a std mutex): the inner writer, held for one `poll_*` call at a time, so
//!   [`StreamWriter::with_inner`] never waits for the socket;
//! * `flusher` (corio-sync's FIFO mutex): whoever writes the buffer out holds it while it
//!   waits for the socket, together with the bytes it took from the buffer. A cancelled
//!   flusher leaves those bytes to the next one, in order.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::mem;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker, ready};

use corio_sync::Event;
use futures_io::AsyncWrite;

use super::error::{StickyError, WriterClosedError};

/// asyncio's default high-water mark.
const DEFAULT_HIGH: usize = 64 * 1024;
/// asyncio's default low-water mark: a quarter of the high one.
const DEFAULT_LOW: usize = DEFAULT_HIGH / 4;

/// A buffered writer with asyncio's `StreamWriter` methods, shared by any number of tasks.
///
/// Cloning is cheap (an `Arc`); every clone writes to the same stream and methods take
/// `&self`. It works under any executor: it never spawns.
///
/// * [`write`](Self::write) and [`writelines`](Self::writelines) are synchronous, as in
///   asyncio: they append to the buffer, so many small writes (pipelined replies) leave
///   in one system call. They do not touch the inner writer, except that once the buffer
///   holds more than the high-water mark (64 KiB by default) they send what it takes at
///   once, down to the low-water mark (16 KiB), if no other task is writing the buffer
///   out.
/// * [`drain`](Self::drain) writes the whole buffer out, waiting for the inner writer as
///   needed. Call it after writing, as asyncio asks: bytes only go out on `drain`,
///   [`write_eof`](Self::write_eof) and [`wait_closed`](Self::wait_closed) (and on the
///   send-ahead above).
/// * [`close`](Self::close) marks the writer closing; [`wait_closed`](Self::wait_closed)
///   writes out what is buffered, closes the inner writer and returns when that is done.
///
/// The first error of the inner writer (the peer reset the connection, `EPIPE`…) is kept
/// and the buffer dropped: the `drain`, `write_eof` or `wait_closed` that met it, and
/// every later call of those and of `write`, report it.
///
/// The inner writer should only be written through this `StreamWriter`. Dropping the last
/// clone drops it and whatever was still buffered: await `drain` or `wait_closed` first.
///
/// ```
/// use corio::io::Async;
/// use corio_net::{StreamReader, StreamWriter};
/// use std::os::unix::net::UnixStream;
///
/// corio::run(async {
///     let (a, b) = UnixStream::pair()?;
///     let writer = StreamWriter::new(Async::new(a)?);
///     let mut reader = StreamReader::new(Async::new(b)?);
///
///     writer.write(b"ping\n")?;
///     writer.writelines([&b"pong"[..], b"\n"])?;
///     writer.drain().await?;
///     assert_eq!(reader.readline().await.unwrap(), b"ping\n");
///     assert_eq!(reader.readline().await.unwrap(), b"pong\n");
///
///     writer.close();
///     writer.wait_closed().await
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub struct StreamWriter<W> {
    shared: Arc<Shared<W>>,
}

struct Shared<W> {
    state: Mutex<State>,
    writer: Mutex<W>,
    flusher: corio_sync::Mutex<Outgoing>,
    /// Set by `close`; `wait_closed` waits for it.
    closing: Event,
}

struct State {
    /// Bytes written to the `StreamWriter` and not yet taken by a flusher.
    buf: Vec<u8>,
    /// Bytes a flusher took from `buf` and has not handed to the inner writer yet.
    in_flight: usize,
    /// Positions in the stream: bytes accepted by `write`, handed to the inner writer,
    /// and covered by a successful flush or close of it.
    accepted: u64,
    written: u64,
    flushed: u64,
    high: usize,
    low: usize,
    closing: bool,
    eof: bool,
    /// The inner writer's `poll_close` completed.
    closed: bool,
    /// The inner writer's first error.
    error: Option<StickyError>,
}

/// The bytes the current flusher took from the buffer: `bytes[pos..]` are still to go.
#[derive(Default)]
struct Outgoing {
    bytes: Vec<u8>,
    pos: usize,
}

/// How far a flusher writes.
#[derive(Clone, Copy)]
enum Goal {
    /// Until the stream has been written up to this position.
    Written(u64),
    /// Until at most this many bytes are left in the buffer.
    AtMost(usize),
}

impl State {
    fn buffered(&self) -> usize {
        self.buf.len() + self.in_flight
    }

    fn reached(&self, goal: Goal) -> bool {
        match goal {
            Goal::Written(position) => self.written >= position,
            Goal::AtMost(len) => self.buffered() <= len,
        }
    }

    fn check_writable(&self) -> io::Result<()> {
        if self.closing {
            Err(WriterClosedError::Closing.into())
        } else if self.eof {
            Err(WriterClosedError::EofWritten.into())
        } else if let Some(e) = &self.error {
            Err(e.report())
        } else {
            Ok(())
        }
    }
}

impl<W> Clone for StreamWriter<W> {
    fn clone(&self) -> Self {
        StreamWriter {
            shared: self.shared.clone(),
        }
    }
}

impl<W> StreamWriter<W> {
    /// A writer over `inner`, with asyncio's write-buffer limits (64 KiB high, 16 KiB low).
    ///
    /// ```
    /// use corio_net::StreamWriter;
    ///
    /// let writer = StreamWriter::new(Vec::<u8>::new());
    /// assert_eq!(writer.get_write_buffer_size(), 0);
    /// ```
    pub fn new(inner: W) -> StreamWriter<W> {
        StreamWriter {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    buf: Vec::new(),
                    in_flight: 0,
                    accepted: 0,
                    written: 0,
                    flushed: 0,
                    high: DEFAULT_HIGH,
                    low: DEFAULT_LOW,
                    closing: false,
                    eof: false,
                    closed: false,
                    error: None,
                }),
                writer: Mutex::new(inner),
                flusher: corio_sync::Mutex::new(Outgoing::default()),
                closing: Event::new(),
            }),
        }
    }

    // A panic in the inner writer's poll (or in `with_inner`'s closure) poisons a lock;
    // the state it guards is still consistent, so carry on.
    fn state(&self) -> MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn writer(&self) -> MutexGuard<'_, W> {
        self.shared
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// How many bytes are buffered and not yet handed to the inner writer (asyncio's
    /// `transport.get_write_buffer_size()`).
    ///
    /// ```
    /// use corio_net::StreamWriter;
    ///
    /// let writer = StreamWriter::new(Vec::<u8>::new());
    /// writer.write(b"abc")?;
    /// assert_eq!(writer.get_write_buffer_size(), 3);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn get_write_buffer_size(&self) -> usize {
        self.state().buffered()
    }

    /// The write-buffer limits as `(low, high)`, in the order of asyncio's
    /// `transport.get_write_buffer_limits()`.
    ///
    /// ```
    /// use corio_net::StreamWriter;
    ///
    /// let writer = StreamWriter::new(Vec::<u8>::new());
    /// assert_eq!(writer.get_write_buffer_limits(), (16 * 1024, 64 * 1024));
    /// ```
    pub fn get_write_buffer_limits(&self) -> (usize, usize) {
        let st = self.state();
        (st.low, st.high)
    }

    /// Sets the write-buffer limits (asyncio's `transport.set_write_buffer_limits(high,
    /// low)`). A `low` above `high` is taken as `high`.
    ///
    /// Once a `write` leaves more than `high` bytes buffered, it sends what the inner
    /// writer takes at once, down to `low`, if no other task is writing the buffer out.
    /// A high mark of 0 makes every `write` try to send at once; a very large one makes
    /// `write` only ever buffer. `drain` always writes the whole buffer out, whatever the
    /// marks.
    ///
    /// ```
    /// use corio_net::StreamWriter;
    ///
    /// let writer = StreamWriter::new(Vec::<u8>::new());
    /// writer.set_write_buffer_limits(4, 1);
    /// writer.write(b"12345")?; // above the high mark: sent at once
    /// assert_eq!(writer.get_write_buffer_size(), 0);
    /// assert_eq!(writer.with_inner(|v| v.clone()), b"12345");
    /// # std::io::Result::Ok(())
    /// ```
    pub fn set_write_buffer_limits(&self, high: usize, low: usize) {
        let mut st = self.state();
        st.high = high;
        st.low = low.min(high);
    }

    /// Marks the writer closing (asyncio's `close()`): later writes fail with
    /// [`WriterClosedError::Closing`]. What is buffered is kept:
    /// [`wait_closed`](Self::wait_closed) writes it out and closes the inner writer.
    ///
    /// ```
    /// use corio_net::StreamWriter;
    ///
    /// let writer = StreamWriter::new(Vec::<u8>::new());
    /// writer.close();
    /// assert!(writer.is_closing());
    /// assert!(writer.write(b"x").is_err());
    /// ```
    pub fn close(&self) {
        self.state().closing = true;
        self.shared.closing.set();
    }

    /// Whether [`close`](Self::close) was called (asyncio's `is_closing()`).
    ///
    /// ```
    /// use corio_net::StreamWriter;
    ///
    /// let writer = StreamWriter::new(Vec::<u8>::new());
    /// assert!(!writer.is_closing());
    /// writer.clone().close();
    /// assert!(writer.is_closing());
    /// ```
    pub fn is_closing(&self) -> bool {
        self.state().closing
    }

    /// Runs `f` with the inner writer, e.g. to ask a socket for its address.
    ///
    /// It waits at most for one poll of the inner writer by another thread, never for the
    /// socket. `f` must not call this writer's methods (the lock is held), and should not
    /// write to the inner writer: those bytes would overtake the buffered ones.
    ///
    /// ```
    /// use corio::io::Async;
    /// use corio_net::StreamWriter;
    /// use std::os::unix::net::UnixStream;
    ///
    /// let (a, _b) = UnixStream::pair()?;
    /// let writer = StreamWriter::new(Async::new(a)?);
    /// let addr = writer.with_inner(|s| s.get_ref().local_addr())?;
    /// assert!(addr.is_unnamed());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn with_inner<T>(&self, f: impl FnOnce(&W) -> T) -> T {
        f(&self.writer())
    }
}

impl<W: AsyncWrite + Unpin> StreamWriter<W> {
    /// Appends `data` to the buffer (asyncio's `write`). Synchronous: the bytes go out on
    /// [`drain`](Self::drain) (or once the buffer passes the high-water mark, see
    /// [`set_write_buffer_limits`](Self::set_write_buffer_limits)).
    ///
    /// # Errors
    ///
    /// Nothing is buffered when it fails:
    ///
    /// * [`WriterClosedError`] (kind `BrokenPipe`) after [`close`](Self::close) or
    ///   [`write_eof`](Self::write_eof);
    /// * the inner writer's error, if an earlier call met one. A send-ahead that meets one
    ///   does not fail this call (the data was accepted, as in asyncio); `drain` and the
    ///   calls after report it.
    ///
    /// ```
    /// use corio_net::StreamWriter;
    ///
    /// futures_lite::future::block_on(async {
    ///     let writer = StreamWriter::new(Vec::<u8>::new());
    ///     writer.write(b"hello, ")?;
    ///     writer.write(b"world")?;
    ///     writer.drain().await?;
    ///     assert_eq!(writer.with_inner(|v| v.clone()), b"hello, world");
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn write(&self, data: &[u8]) -> io::Result<()> {
        self.append(&[data])
    }

    /// Appends every chunk to the buffer in one go (asyncio's `writelines`), so that
    /// `drain` sends them in one write.
    ///
    /// # Errors
    ///
    /// As [`write`](Self::write).
    ///
    /// ```
    /// use corio_net::StreamWriter;
    ///
    /// futures_lite::future::block_on(async {
    ///     let writer = StreamWriter::new(Vec::<u8>::new());
    ///     writer.writelines(["GET / HTTP/1.1\r\n", "Host: example\r\n", "\r\n"])?;
    ///     writer.drain().await?;
    ///     assert!(writer.with_inner(|v| v.ends_with(b"example\r\n\r\n")));
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn writelines<I>(&self, chunks: I) -> io::Result<()>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        // Gathered first: no code of the caller's runs while the state is locked.
        let chunks: Vec<I::Item> = chunks.into_iter().collect();
        let slices: Vec<&[u8]> = chunks.iter().map(AsRef::as_ref).collect();
        self.append(&slices)
    }

    fn append(&self, chunks: &[&[u8]]) -> io::Result<()> {
        let over_high = {
            let mut st = self.state();
            st.check_writable()?;
            let len: usize = chunks.iter().map(|c| c.len()).sum();
            st.buf.reserve(len);
            for chunk in chunks {
                st.buf.extend_from_slice(chunk);
            }
            st.accepted += len as u64;
            st.buffered() > st.high
        };
        if over_high {
            self.send_ahead();
        }
        Ok(())
    }

    /// Sends what the inner writer takes now, without waiting, down to the low-water mark.
    ///
    /// The inner writer is polled with a no-op waker, which its `poll_write` registers if
    /// it cannot take the bytes (the latest waker wins). That is only done when the flusher
    /// lock is free and nobody waits for it: then no flusher has a waker registered there
    /// for this one to replace, and whoever flushes next polls again with a waker of its
    /// own, so no wake-up is lost. An error is recorded for the next call to report.
    fn send_ahead(&self) {
        if let Ok(mut out) = self.shared.flusher.try_lock() {
            let goal = Goal::AtMost(self.state().low);
            let mut cx = Context::from_waker(Waker::noop());
            let _ = self.poll_write_out(&mut out, &mut cx, goal);
        }
    }

    /// Writes the whole buffer out (asyncio's `drain`): returns once every byte written
    /// before the call has been handed to the inner writer and flushed, waiting for it as
    /// needed.
    ///
    /// asyncio's `drain` only waits for the buffer to fall below the low-water mark while
    /// its transport sends in the background. With nobody sending in the background, bytes
    /// left behind would sit in memory until the next call, and a peer waiting for a reply
    /// would wait forever; so `drain` empties the buffer. Bytes other tasks write while it
    /// waits may go out with its own, but it does not wait for them.
    ///
    /// Any number of tasks may drain at once: one writes, the others wait for it (first
    /// come, first served) and return as soon as their bytes are out.
    ///
    /// Cancel safety: cancel safe. Nothing is lost: bytes taken for writing stay queued,
    /// in order, for the next `drain`, `write_eof` or `wait_closed`.
    ///
    /// # Errors
    ///
    /// The inner writer's error (e.g. `BrokenPipe` or `ConnectionReset` when the peer is
    /// gone), now and on every later call: the buffer is dropped.
    ///
    /// ```
    /// use corio::io::Async;
    /// use corio_net::StreamWriter;
    /// use std::os::unix::net::UnixStream;
    ///
    /// corio::run(async {
    ///     let (a, b) = UnixStream::pair()?;
    ///     let writer = StreamWriter::new(Async::new(a)?);
    ///     drop(b); // the peer is gone
    ///     writer.write(b"anyone?")?;
    ///     let err = writer.drain().await.unwrap_err();
    ///     assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
    ///     assert_eq!(writer.drain().await.unwrap_err().kind(), err.kind());
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn drain(&self) -> io::Result<()> {
        let target = {
            let st = self.state();
            if let Some(e) = &st.error {
                return Err(e.report());
            }
            if st.flushed >= st.accepted {
                return Ok(());
            }
            st.accepted
        };
        let mut out = self.shared.flusher.lock().await;
        poll_fn(|cx| self.poll_write_out(&mut out, cx, Goal::Written(target))).await?;
        if self.state().flushed >= target {
            return Ok(()); // flushed by whoever wrote it
        }
        poll_fn(|cx| self.poll_inner(&mut out, cx, W::poll_flush)).await
    }

    /// Writes out what is buffered, then closes the inner writer's side (asyncio's
    /// `write_eof`): for a socket whose `poll_close` shuts down writing, the peer reads the
    /// end of the stream and can still send. Later writes fail with
    /// [`WriterClosedError::EofWritten`].
    ///
    /// `corio_reactor::Async`'s `poll_close` only flushes (the descriptor closes when it
    /// drops); corio's socket types shut down writing.
    ///
    /// Cancel safety: cancel safe as [`drain`](Self::drain); the writer stays closed to
    /// writes, and a later `write_eof` or `wait_closed` finishes the work.
    ///
    /// # Errors
    ///
    /// As [`drain`](Self::drain), and the inner writer's `poll_close` error.
    ///
    /// ```
    /// use corio_net::StreamWriter;
    ///
    /// futures_lite::future::block_on(async {
    ///     let writer = StreamWriter::new(Vec::<u8>::new());
    ///     writer.write(b"last words")?;
    ///     writer.write_eof().await?;
    ///     assert!(writer.write(b"more").is_err());
    ///     assert!(!writer.is_closing()); // as in asyncio: only close() closes
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn write_eof(&self) -> io::Result<()> {
        self.state().eof = true;
        self.finish().await
    }

    /// Waits until [`close`](Self::close) is called, then writes out what is buffered and
    /// closes the inner writer (asyncio's `wait_closed`).
    ///
    /// As in asyncio, it does not close the writer itself: without a `close()` from some
    /// task it waits forever. Any number of tasks may wait; all return once the writer is
    /// closed, and all report the same outcome: `Ok`, or the inner writer's error (the
    /// first error it gave, on this or an earlier call), as asyncio's `wait_closed` raises
    /// the exception the connection was lost with.
    ///
    /// Cancel safety: cancel safe. If the task doing the work is cancelled, the next
    /// waiter (or a later call) carries on from where it stopped.
    ///
    /// # Errors
    ///
    /// The inner writer's error, from writing the buffer out or from `poll_close`.
    ///
    /// ```
    /// use corio_net::StreamWriter;
    ///
    /// futures_lite::future::block_on(async {
    ///     let writer = StreamWriter::new(Vec::<u8>::new());
    ///     writer.write(b"bye")?;
    ///     writer.close();
    ///     writer.wait_closed().await?;
    ///     assert_eq!(writer.with_inner(|v| v.clone()), b"bye");
    ///     writer.wait_closed().await // again: at once, same outcome
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn wait_closed(&self) -> io::Result<()> {
        self.shared.closing.wait().await;
        self.finish().await
    }

    /// Writes everything out and closes the inner writer, once; after that, reports how
    /// it went.
    async fn finish(&self) -> io::Result<()> {
        let mut out = self.shared.flusher.lock().await;
        let target = {
            let st = self.state();
            if let Some(e) = &st.error {
                return Err(e.report());
            }
            if st.closed {
                return Ok(());
            }
            // No more bytes can arrive: this is everything.
            st.accepted
        };
        poll_fn(|cx| self.poll_write_out(&mut out, cx, Goal::Written(target))).await?;
        poll_fn(|cx| self.poll_inner(&mut out, cx, W::poll_close)).await?;
        self.state().closed = true;
        Ok(())
    }

    /// Hands buffered bytes to the inner writer until `goal` is reached or nothing is
    /// left. Called with the flusher lock held (`out` is what it guards).
    fn poll_write_out(
        &self,
        out: &mut Outgoing,
        cx: &mut Context<'_>,
        goal: Goal,
    ) -> Poll<io::Result<()>> {
        loop {
            {
                let mut st = self.state();
                if let Some(e) = &st.error {
                    return Poll::Ready(Err(e.report()));
                }
                if st.reached(goal) {
                    return Poll::Ready(Ok(()));
                }
                if out.pos == out.bytes.len() {
                    if st.buf.is_empty() {
                        return Poll::Ready(Ok(()));
                    }
                    // Swap the buffers rather than copy: the emptied one, capacity kept
                    // unless a burst made it large, takes the next writes.
                    out.bytes.clear();
                    out.pos = 0;
                    if out.bytes.capacity() > st.high.max(DEFAULT_HIGH).saturating_mul(4) {
                        out.bytes = Vec::new();
                    }
                    mem::swap(&mut out.bytes, &mut st.buf);
                    st.in_flight = out.bytes.len();
                }
            }
            let polled = Pin::new(&mut *self.writer()).poll_write(cx, &out.bytes[out.pos..]);
            match ready!(polled) {
                Ok(0) => {
                    let e = io::ErrorKind::WriteZero.into();
                    return Poll::Ready(Err(self.fail(out, e)));
                }
                Ok(n) => {
                    // A writer claiming more than it was given is not trusted further.
                    let n = n.min(out.bytes.len() - out.pos);
                    out.pos += n;
                    let mut st = self.state();
                    st.in_flight -= n;
                    st.written += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Poll::Ready(Err(self.fail(out, e))),
            }
        }
    }

    /// Polls the inner writer's `poll_flush` or `poll_close` until it is done; what was
    /// written is then flushed. Called with the flusher lock held.
    fn poll_inner(
        &self,
        out: &mut Outgoing,
        cx: &mut Context<'_>,
        op: fn(Pin<&mut W>, &mut Context<'_>) -> Poll<io::Result<()>>,
    ) -> Poll<io::Result<()>> {
        loop {
            let polled = op(Pin::new(&mut *self.writer()), cx);
            match ready!(polled) {
                Ok(()) => {
                    let mut st = self.state();
                    st.flushed = st.written;
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Poll::Ready(Err(self.fail(out, e))),
            }
        }
    }

    /// Records the inner writer's first error and drops the bytes that can no longer go
    /// out. Gives the error to report.
    fn fail(&self, out: &mut Outgoing, e: io::Error) -> io::Error {
        *out = Outgoing::default();
        let mut st = self.state();
        st.buf = Vec::new();
        st.in_flight = 0;
        st.error.get_or_insert(StickyError::new(e)).report()
    }
}

impl<W> fmt::Debug for StreamWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.state();
        f.debug_struct("StreamWriter")
            .field("buffered", &st.buffered())
            .field("closing", &st.closing)
            .field("eof", &st.eof)
            .field("closed", &st.closed)
            .field("error", &st.error)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixStream;

    #[test]
    fn writers_and_their_futures_are_send_and_sync() {
        fn check<T: Send + Sync>(_: &T) {}
        type W = corio_reactor::Async<UnixStream>;
        let (a, _b) = UnixStream::pair().expect("a socket pair");
        let writer = StreamWriter::new(W::new(a).expect("registered"));
        check(&writer);
        check(&writer.drain());
        check(&writer.write_eof());
        check(&writer.wait_closed());
    }
}
