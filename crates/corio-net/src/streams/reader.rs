//! [`StreamReader`]: asyncio's buffered reader, over any `futures-io` reader.
//!
//! The buffer is one `Vec<u8>` kept initialised: `buf[start..end]` are the unread bytes,
//! `buf[end..]` the room the next read fills. Consuming moves `start`; the bytes are moved
//! to the front only when a read needs room, and the vector grows by doubling. Each fill is
//! one read of the underlying reader, and every method keeps what it has read in the buffer
//! until it returns, so dropping a waiting future loses nothing.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_io::{AsyncBufRead, AsyncRead};

use super::error::{IncompleteReadError, LimitOverrunError, ReadError};

/// The limit of [`StreamReader::new`]: 64 KiB, asyncio's default.
///
/// ```
/// use corio_net::streams::{DEFAULT_LIMIT, StreamReader};
///
/// assert_eq!(StreamReader::new(&b""[..]).limit(), DEFAULT_LIMIT);
/// ```
pub const DEFAULT_LIMIT: usize = 64 * 1024;

/// The most one read of the underlying reader asks for.
const MAX_READ: usize = 64 * 1024;
/// The least room a read is given (and the buffer's first size).
const MIN_READ: usize = 8 * 1024;

/// A buffered reader with asyncio's `StreamReader` methods: [`readline`](Self::readline),
/// [`readuntil`](Self::readuntil), [`readexactly`](Self::readexactly),
/// [`read`](Self::read), [`read_to_end`](Self::read_to_end) and [`at_eof`](Self::at_eof).
///
/// It reads from any [`AsyncRead`] (a socket, a pipe, `&[u8]`…), one underlying read at a
/// time and only when a method needs more data. The *limit* bounds how much data
/// `readline` and `readuntil` accept before a separator, and so how much a peer that never
/// sends one can make the reader buffer: about the limit plus one read (64 KiB).
///
/// It is itself an [`AsyncRead`] and an [`AsyncBufRead`], so codecs and the
/// `futures-lite` / `futures` extension traits work on it. The inherent `read(n)` and
/// `read_to_end()` shadow the extension traits' `read` and `read_to_end`; call those as
/// `AsyncReadExt::read(&mut reader, buf)` when you want them.
///
/// ```
/// use corio_net::StreamReader;
///
/// futures_lite::future::block_on(async {
///     let mut reader = StreamReader::new(&b"HELLO 3\r\nabcrest"[..]);
///     assert_eq!(reader.readuntil(b"\r\n").await.unwrap(), b"HELLO 3\r\n");
///     assert_eq!(reader.readexactly(3).await.unwrap(), b"abc");
///     assert_eq!(reader.read_to_end().await?, b"rest");
///     assert!(reader.at_eof());
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub struct StreamReader<R> {
    inner: R,
    /// Initialised storage: `buf[start..end]` is unread, `buf[end..]` is room.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// The underlying reader returned 0: it is not read again.
    eof: bool,
    limit: usize,
}

impl<R> StreamReader<R> {
    /// A reader over `inner` with the default limit of 64 KiB ([`DEFAULT_LIMIT`]).
    ///
    /// Nothing is read or allocated until a method needs data.
    ///
    /// ```
    /// use corio_net::StreamReader;
    ///
    /// let reader = StreamReader::new(&b"data"[..]);
    /// assert_eq!(reader.limit(), 64 * 1024);
    /// ```
    pub fn new(inner: R) -> StreamReader<R> {
        StreamReader::with_limit(inner, DEFAULT_LIMIT)
    }

    /// A reader over `inner` whose `readline` and `readuntil` accept at most `limit` bytes
    /// before the separator. A limit of 0 accepts only empty lines.
    ///
    /// ```
    /// use corio_net::{ReadError, StreamReader};
    ///
    /// futures_lite::future::block_on(async {
    ///     let mut reader = StreamReader::with_limit(&b"12345\n"[..], 4);
    ///     assert!(matches!(reader.readline().await, Err(ReadError::LimitOverrun(_))));
    /// });
    /// ```
    pub fn with_limit(inner: R, limit: usize) -> StreamReader<R> {
        StreamReader {
            inner,
            buf: Vec::new(),
            start: 0,
            end: 0,
            eof: false,
            limit,
        }
    }

    /// The limit on the data before a separator.
    ///
    /// ```
    /// use corio_net::StreamReader;
    ///
    /// assert_eq!(StreamReader::with_limit(&b""[..], 100).limit(), 100);
    /// ```
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The underlying reader.
    ///
    /// ```
    /// use corio_net::StreamReader;
    ///
    /// let reader = StreamReader::new(&b"abc"[..]);
    /// assert_eq!(*reader.get_ref(), b"abc");
    /// ```
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The underlying reader, mutably. Reading from it directly skips the bytes already
    /// buffered here: they come out of the `StreamReader` later, out of order.
    ///
    /// ```
    /// use corio_net::StreamReader;
    ///
    /// let mut reader = StreamReader::new(&b"abc"[..]);
    /// *reader.get_mut() = &b"xyz"[..];
    /// assert_eq!(*reader.get_ref(), b"xyz");
    /// ```
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// The unread bytes already taken from the underlying reader (like
    /// `BufReader::buffer`).
    ///
    /// ```
    /// use corio_net::StreamReader;
    ///
    /// futures_lite::future::block_on(async {
    ///     let mut reader = StreamReader::new(&b"one\ntwo\n"[..]);
    ///     assert_eq!(reader.buffer(), b""); // nothing read yet
    ///     reader.readline().await.unwrap();
    ///     assert_eq!(reader.buffer(), b"two\n");
    /// });
    /// ```
    pub fn buffer(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Whether the stream is exhausted: the buffer is empty and the underlying reader has
    /// reported the end of the stream (asyncio's `at_eof()`).
    ///
    /// The end is only seen when a read returns it, so this is `false` until a method
    /// tried to read past the last byte.
    ///
    /// ```
    /// use corio_net::StreamReader;
    ///
    /// futures_lite::future::block_on(async {
    ///     let mut reader = StreamReader::new(&b"line\n"[..]);
    ///     assert_eq!(reader.readline().await.unwrap(), b"line\n");
    ///     assert!(!reader.at_eof()); // the end has not been read yet
    ///     assert_eq!(reader.readline().await.unwrap(), b"");
    ///     assert!(reader.at_eof());
    /// });
    /// ```
    pub fn at_eof(&self) -> bool {
        self.eof && self.start == self.end
    }

    /// The underlying reader. The buffered bytes are dropped: use
    /// [`into_parts`](Self::into_parts) to keep them.
    ///
    /// ```
    /// use corio_net::StreamReader;
    ///
    /// let reader = StreamReader::new(&b"abc"[..]);
    /// let inner: &[u8] = reader.into_inner();
    /// assert_eq!(inner, b"abc");
    /// ```
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// The underlying reader and the bytes buffered but not yet read, which come before
    /// whatever the reader gives next.
    ///
    /// ```
    /// use corio_net::StreamReader;
    ///
    /// futures_lite::future::block_on(async {
    ///     let mut reader = StreamReader::new(&b"header\nbody"[..]);
    ///     reader.readline().await.unwrap();
    ///     let (rest, buffered) = reader.into_parts();
    ///     assert_eq!([buffered.as_slice(), rest].concat(), b"body");
    /// });
    /// ```
    pub fn into_parts(mut self) -> (R, Vec<u8>) {
        let buffered = self.take_all();
        (self.inner, buffered)
    }

    /// Consumes `n` buffered bytes (at most all of them).
    fn advance(&mut self, n: usize) {
        self.start += n.min(self.end - self.start);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
            // Let go of the room a large read_to_end or readexactly made.
            if self.buf.len() > self.limit.max(MAX_READ).saturating_mul(4) {
                self.buf = Vec::new();
            }
        }
    }

    /// The first `n` buffered bytes (at most all of them), consumed.
    fn take(&mut self, n: usize) -> Vec<u8> {
        let n = n.min(self.end - self.start);
        if n == self.end - self.start && n >= MAX_READ && 2 * n >= self.buf.len() {
            // A large buffer that is mostly data: hand it over rather than copy it.
            let mut out = std::mem::take(&mut self.buf);
            out.truncate(self.end);
            out.drain(..self.start);
            self.start = 0;
            self.end = 0;
            return out;
        }
        let out = self.buf[self.start..self.start + n].to_vec();
        self.advance(n);
        out
    }

    /// Every buffered byte, consumed.
    fn take_all(&mut self) -> Vec<u8> {
        self.take(self.end - self.start)
    }

    /// Makes sure at least `MIN_READ` bytes of room follow the data: first by moving the
    /// data to the front, then by growing the buffer.
    fn make_room(&mut self) {
        if self.buf.len() - self.end >= MIN_READ {
            return;
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            if self.buf.len() - self.end >= MIN_READ {
                return;
            }
        }
        let len = (2 * self.buf.len()).max(self.end + MIN_READ);
        self.buf.resize(len, 0);
    }
}

impl<R: AsyncRead + Unpin> StreamReader<R> {
    /// One read of the underlying reader into the buffer's room. `Ok(0)` is the end of the
    /// stream, after which the underlying reader is not read again.
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        if self.eof {
            return Poll::Ready(Ok(0));
        }
        self.make_room();
        let room = (self.buf.len() - self.end).min(MAX_READ);
        let space = &mut self.buf[self.end..self.end + room];
        loop {
            match ready!(Pin::new(&mut self.inner).poll_read(cx, space)) {
                Ok(0) => {
                    self.eof = true;
                    return Poll::Ready(Ok(0));
                }
                Ok(n) => {
                    // A reader claiming more than it was given is not trusted further.
                    let n = n.min(room);
                    self.end += n;
                    return Poll::Ready(Ok(n));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    async fn fill(&mut self) -> io::Result<usize> {
        poll_fn(|cx| self.poll_fill(cx)).await
    }

    /// Reads up to `n` bytes (asyncio's `read(n)`): what is buffered, or, if nothing is,
    /// what one read of the underlying reader gives. An empty vector means the end of
    /// the stream; `read(0)` returns one at once.
    ///
    /// Cancel safety: cancel safe. Bytes read from the underlying reader stay buffered
    /// until the call returns them.
    ///
    /// # Errors
    ///
    /// The underlying reader's errors; buffered bytes stay buffered.
    ///
    /// ```
    /// use corio_net::StreamReader;
    ///
    /// futures_lite::future::block_on(async {
    ///     let mut reader = StreamReader::new(&b"abcdef"[..]);
    ///     assert_eq!(reader.read(4).await?, b"abcd");
    ///     assert_eq!(reader.read(4).await?, b"ef");
    ///     assert_eq!(reader.read(4).await?, b""); // end of stream
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn read(&mut self, n: usize) -> io::Result<Vec<u8>> {
        if n == 0 {
            return Ok(Vec::new());
        }
        if self.start == self.end {
            self.fill().await?;
        }
        Ok(self.take(n))
    }

    /// Reads everything up to the end of the stream (asyncio's `read()` / `read(-1)`).
    /// The limit does not apply.
    ///
    /// Cancel safety: cancel safe. What was read so far stays buffered, and the next call
    /// returns it too.
    ///
    /// # Errors
    ///
    /// The underlying reader's errors; the bytes read so far stay buffered.
    ///
    /// ```
    /// use corio_net::StreamReader;
    ///
    /// futures_lite::future::block_on(async {
    ///     let mut reader = StreamReader::new(&b"all of it"[..]);
    ///     assert_eq!(reader.read_to_end().await?, b"all of it");
    ///     assert_eq!(reader.read_to_end().await?, b"");
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn read_to_end(&mut self) -> io::Result<Vec<u8>> {
        while !self.eof {
            self.fill().await?;
        }
        Ok(self.take_all())
    }

    /// Reads exactly `n` bytes (asyncio's `readexactly`). The limit does not apply, so
    /// bound a length that came from the peer before asking for it; the buffer only grows
    /// as bytes arrive, never to `n` up front.
    ///
    /// Cancel safety: cancel safe. The bytes gathered so far stay buffered.
    ///
    /// # Errors
    ///
    /// * [`ReadError::IncompleteRead`] if the stream ends first, with `expected: Some(n)`
    ///   and every byte that was left (consumed) as `partial`;
    /// * [`ReadError::Io`] if the underlying reader fails (the bytes stay buffered).
    ///
    /// ```
    /// use corio_net::StreamReader;
    ///
    /// futures_lite::future::block_on(async {
    ///     let mut reader = StreamReader::new(&b"\x00\x03abc"[..]);
    ///     let len = reader.readexactly(2).await.unwrap();
    ///     let len = u16::from_be_bytes([len[0], len[1]]) as usize;
    ///     assert_eq!(reader.readexactly(len).await.unwrap(), b"abc");
    /// });
    /// ```
    pub async fn readexactly(&mut self, n: usize) -> Result<Vec<u8>, ReadError> {
        while self.end - self.start < n {
            if self.eof {
                return Err(IncompleteReadError {
                    partial: self.take_all(),
                    expected: Some(n),
                }
                .into());
            }
            self.fill().await?;
        }
        Ok(self.take(n))
    }

    /// Reads a line: up to and including the next `b"\n"` (asyncio's `readline`).
    ///
    /// At the end of the stream it returns what is left, without a newline, and then an
    /// empty vector.
    ///
    /// If more than [`limit`](Self::limit) bytes come before the newline, it fails and
    /// drops the overlong data so the next call can go on: up to and including the newline
    /// if it is buffered, else the whole buffer (the rest of that line then comes out of
    /// the next call). This keeps the memory a peer can make the reader hold at about the
    /// limit plus one read.
    ///
    /// Cancel safety: cancel safe. A partial line stays buffered and the next call returns
    /// it whole.
    ///
    /// # Errors
    ///
    /// * [`ReadError::LimitOverrun`] as described (its bytes already dropped);
    /// * [`ReadError::Io`] if the underlying reader fails (the bytes stay buffered).
    ///
    /// ```
    /// use corio_net::StreamReader;
    ///
    /// futures_lite::future::block_on(async {
    ///     let mut reader = StreamReader::new(&b"first\nlast"[..]);
    ///     assert_eq!(reader.readline().await.unwrap(), b"first\n");
    ///     assert_eq!(reader.readline().await.unwrap(), b"last");
    ///     assert_eq!(reader.readline().await.unwrap(), b"");
    /// });
    /// ```
    pub async fn readline(&mut self) -> Result<Vec<u8>, ReadError> {
        match self.find_separator(&[b"\n"]).await {
            Ok(end) => Ok(self.take(end)),
            Err(ReadError::IncompleteRead(e)) => Ok(e.partial),
            Err(ReadError::LimitOverrun(e)) => {
                if self.buffer().get(e.consumed) == Some(&b'\n') {
                    self.advance(e.consumed + 1);
                } else {
                    self.advance(self.end - self.start);
                }
                Err(e.into())
            }
            Err(e) => Err(e),
        }
    }

    /// Reads up to and including `separator` (asyncio's `readuntil`).
    ///
    /// Cancel safety: cancel safe. The bytes read so far stay buffered, and the next call
    /// searches them again.
    ///
    /// # Errors
    ///
    /// * [`ReadError::LimitOverrun`] if more than [`limit`](Self::limit) bytes come before
    ///   the separator. The buffer is left as it was: consume `consumed` bytes (with
    ///   [`read`](Self::read) or [`readexactly`](Self::readexactly)) to get past them;
    /// * [`ReadError::IncompleteRead`] if the stream ends before a separator, with every
    ///   byte that was left (consumed) as `partial` and `expected: None`;
    /// * [`ReadError::EmptySeparator`] if `separator` is empty;
    /// * [`ReadError::Io`] if the underlying reader fails (the bytes stay buffered).
    ///
    /// ```
    /// use corio_net::StreamReader;
    ///
    /// futures_lite::future::block_on(async {
    ///     let mut reader = StreamReader::new(&b"GET / HTTP/1.1\r\n\r\n"[..]);
    ///     let head = reader.readuntil(b"\r\n\r\n").await.unwrap();
    ///     assert_eq!(head, b"GET / HTTP/1.1\r\n\r\n");
    /// });
    /// ```
    pub async fn readuntil(&mut self, separator: &[u8]) -> Result<Vec<u8>, ReadError> {
        let end = self.find_separator(&[separator]).await?;
        Ok(self.take(end))
    }

    /// Reads up to and including the first of several separators (asyncio 3.13's
    /// `readuntil` with a tuple).
    ///
    /// The returned data is the shortest that ends with any of the separators: the match
    /// that *ends* first wins, whatever the separators' order. So when one separator is a
    /// prefix of another (`b"\r"` and `b"\r\n"`), the shorter one wins, and the `\n` of a
    /// `\r\n` is left for the next read. Deciding by the end means no match ever waits for
    /// bytes that might complete a longer one. When two matches end at the same byte (one
    /// separator is a suffix of the other) the data is the same; for the limit, the shorter
    /// separator counts, as in asyncio.
    ///
    /// Cancel safety: cancel safe, as [`readuntil`](Self::readuntil).
    ///
    /// # Errors
    ///
    /// As [`readuntil`](Self::readuntil); [`ReadError::EmptySeparator`] if the list is
    /// empty or holds an empty separator.
    ///
    /// ```
    /// use corio_net::StreamReader;
    ///
    /// futures_lite::future::block_on(async {
    ///     let mut reader = StreamReader::new(&b"one\r\ntwo\nthree;"[..]);
    ///     let seps: &[&[u8]] = &[b"\r\n", b"\n", b";"];
    ///     assert_eq!(reader.readuntil_any(seps).await.unwrap(), b"one\r\n");
    ///     assert_eq!(reader.readuntil_any(seps).await.unwrap(), b"two\n");
    ///     assert_eq!(reader.readuntil_any(seps).await.unwrap(), b"three;");
    /// });
    /// ```
    pub async fn readuntil_any(&mut self, separators: &[&[u8]]) -> Result<Vec<u8>, ReadError> {
        let end = self.find_separator(separators).await?;
        Ok(self.take(end))
    }

    /// Reads until the buffer holds one of `separators`, and gives the offset in the buffer
    /// just past the winning match (nothing is consumed). Only bytes that arrived since the
    /// last search are searched again, apart from a separator's length of overlap.
    async fn find_separator(&mut self, separators: &[&[u8]]) -> Result<usize, ReadError> {
        let lens = separators.iter().map(|s| s.len());
        let (Some(shortest), Some(longest)) = (lens.clone().min(), lens.max()) else {
            return Err(ReadError::EmptySeparator);
        };
        if shortest == 0 {
            return Err(ReadError::EmptySeparator);
        }
        // No separator starts before `offset`.
        let mut offset = 0;
        loop {
            let data = self.buffer();
            if data.len() - offset >= shortest {
                if let Some((start, end)) = first_match(data, offset, separators) {
                    if start > self.limit {
                        return Err(LimitOverrunError { consumed: start }.into());
                    }
                    return Ok(end);
                }
                // The last `longest - 1` bytes may begin a separator that is still arriving.
                offset = (data.len() + 1).saturating_sub(longest);
                if offset > self.limit {
                    return Err(LimitOverrunError { consumed: offset }.into());
                }
            }
            // Checked after the search: the read that saw the end may have brought the
            // separator.
            if self.eof {
                return Err(IncompleteReadError {
                    partial: self.take_all(),
                    expected: None,
                }
                .into());
            }
            self.fill().await?;
        }
    }
}

/// The match of `separators` in `data[from..]` that ends first, as `(start, end)`; of two
/// ending at the same byte, the shorter.
fn first_match(data: &[u8], from: usize, separators: &[&[u8]]) -> Option<(usize, usize)> {
    let mut best: Option<(usize, usize)> = None;
    for sep in separators {
        // A match of `sep` can only win if it ends no later than the best one.
        let searched = match best {
            Some((_, end)) => &data[..end],
            None => data,
        };
        let Some(at) = searched.get(from..).and_then(|hay| find(hay, sep)) else {
            continue;
        };
        let (start, end) = (from + at, from + at + sep.len());
        if best.is_none_or(|(best_start, best_end)| (end, best_start) < (best_end, start)) {
            best = Some((start, end));
        }
    }
    best
}

/// The first position of `needle` (not empty) in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let last_start = hay.len().checked_sub(needle.len())?;
    let mut at = 0;
    while at <= last_start {
        let i = at + hay[at..=last_start].iter().position(|&b| b == first)?;
        if hay[i + 1..i + needle.len()] == *rest {
            return Some(i);
        }
        at = i + 1;
    }
    None
}

impl<R: AsyncRead + Unpin> AsyncRead for StreamReader<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if out.is_empty() {
            return Poll::Ready(Ok(0));
        }
        // Nothing buffered and a caller's buffer at least as large as one of our reads:
        // read straight into it rather than copying through ours.
        if this.start == this.end && !this.eof && out.len() >= MAX_READ {
            let n = ready!(Pin::new(&mut this.inner).poll_read(cx, out))?;
            if n == 0 {
                this.eof = true;
            }
            return Poll::Ready(Ok(n.min(out.len())));
        }
        let data = ready!(Pin::new(&mut *this).poll_fill_buf(cx))?;
        let n = data.len().min(out.len());
        out[..n].copy_from_slice(&data[..n]);
        this.advance(n);
        Poll::Ready(Ok(n))
    }
}

impl<R: AsyncRead + Unpin> AsyncBufRead for StreamReader<R> {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        if this.start == this.end {
            ready!(this.poll_fill(cx))?;
        }
        Poll::Ready(Ok(&this.buf[this.start..this.end]))
    }

    fn consume(self: Pin<&mut Self>, amt: usize) {
        self.get_mut().advance(amt);
    }
}

impl<R: std::fmt::Debug> std::fmt::Debug for StreamReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamReader")
            .field("inner", &self.inner)
            .field("buffered", &(self.end - self.start))
            .field("eof", &self.eof)
            .field("limit", &self.limit)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_looks_for_the_whole_needle() {
        assert_eq!(find(b"abcabd", b"abd"), Some(3));
        assert_eq!(find(b"aaab", b"aab"), Some(1));
        assert_eq!(find(b"ab", b"abc"), None);
        assert_eq!(find(b"", b"a"), None);
        assert_eq!(find(b"xa", b"a"), Some(1));
    }

    #[test]
    fn the_match_that_ends_first_wins() {
        let seps: &[&[u8]] = &[b"abc", b"b"];
        assert_eq!(first_match(b"xabc", 0, seps), Some((2, 3)));
        // Same end: the shorter separator, so the later start.
        let seps: &[&[u8]] = &[b"\r\n", b"\n"];
        assert_eq!(first_match(b"ab\r\n", 0, seps), Some((3, 4)));
        // A prefix of another: ends first.
        let seps: &[&[u8]] = &[b"\r\n", b"\r"];
        assert_eq!(first_match(b"ab\r\n", 0, seps), Some((2, 3)));
        assert_eq!(first_match(b"ab\r\n", 3, seps), None);
    }

    /// Hands out `total` bytes of `x`, `chunk` at a time, then the end.
    struct NoNewline {
        left: usize,
        chunk: usize,
    }

    impl AsyncRead for NoNewline {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<io::Result<usize>> {
            let n = buf.len().min(self.chunk).min(self.left);
            buf[..n].fill(b'x');
            self.left -= n;
            Poll::Ready(Ok(n))
        }
    }

    #[test]
    fn a_peer_that_never_sends_a_newline_cannot_grow_the_buffer_past_the_limit() {
        futures_lite::future::block_on(async {
            for chunk in [100, 5000, 1 << 20] {
                let limit = 10_000;
                let mut reader = StreamReader::with_limit(
                    NoNewline {
                        left: 1 << 20,
                        chunk,
                    },
                    limit,
                );
                let mut overruns = 0;
                loop {
                    match reader.readline().await {
                        Err(ReadError::LimitOverrun(_)) => overruns += 1,
                        Ok(line) => {
                            assert!(line.len() <= limit, "{}", line.len());
                            if line.is_empty() {
                                break;
                            }
                        }
                        Err(e) => panic!("{e}"),
                    }
                    // The allocation only grows, so its size bounds the peak.
                    assert!(
                        reader.buf.len() <= 2 * (limit + MAX_READ),
                        "chunk {chunk}: buffer of {}",
                        reader.buf.len()
                    );
                }
                assert!(overruns >= (1 << 20) / (limit + MAX_READ), "{overruns}");
            }
        });
    }

    #[test]
    fn room_is_made_by_compacting_before_growing() {
        let mut reader = StreamReader::new(&b""[..]);
        reader.make_room();
        assert_eq!(reader.buf.len(), MIN_READ);
        reader.buf.resize(4 * MIN_READ, 0);
        (reader.start, reader.end) = (3 * MIN_READ, 4 * MIN_READ);
        reader.make_room();
        assert_eq!(
            (reader.start, reader.end, reader.buf.len()),
            (0, MIN_READ, 4 * MIN_READ)
        );
        reader.end = 4 * MIN_READ - 1;
        reader.make_room();
        assert_eq!(reader.buf.len(), 8 * MIN_READ);
    }
}
