//! [`Io`]: futures-io streams as hyper's `Read` / `Write`, and back.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_lite::io::{AsyncRead, AsyncWrite};
use hyper::rt::ReadBufCursor;

use super::read_size::ReadSize;

pin_project_lite::pin_project! {
    /// A stream that speaks both I/O dialects: around any futures-io reader/writer
    /// (corio's [`TcpStream`](crate::net::TcpStream), `UnixStream`, [`Async`](crate::io::Async)…)
    /// it is hyper's [`Read`](hyper::rt::Read) and [`Write`](hyper::rt::Write), what hyper's
    /// `serve_connection` and `handshake` take; around a hyper reader/writer (such as
    /// `hyper::upgrade::Upgraded`) it is futures-io's [`AsyncRead`] and [`AsyncWrite`].
    ///
    /// hyper's `poll_shutdown` is futures-io's `poll_close` (for corio's sockets: shut down
    /// the writing side, so the peer reads end of file), and back.
    ///
    /// Writes: made with [`Io::new`], hyper gathers each message (head and body) into one
    /// buffer and writes it with one call. Made with [`Io::vectored`], hyper keeps the
    /// pieces apart and writes them with `poll_write_vectored` — one `writev` for corio's
    /// sockets, saving a copy of large bodies. That only pays with a writer whose vectored
    /// write really gathers: with futures-io's default one, each call writes the first
    /// piece alone (correct, but a call per piece).
    ///
    /// Reads: hyper reads into uninitialised memory, and a futures-io reader needs
    /// initialised memory, so `Io` zeroes what each read is offered: from 512 B to 64 KiB,
    /// following what the last reads brought, rather than hyper's whole spare buffer.
    ///
    /// ```
    /// use corio::hyper::Io;
    /// use corio::net::{TcpListener, TcpStream};
    /// use hyper::rt::{Read as _, Write as _};
    ///
    /// corio::run(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let client = TcpStream::connect(listener.local_addr()?).await?;
    ///     let (server, _) = listener.accept().await?;
    ///     // hyper's traits over corio's sockets:
    ///     let (mut client, mut server) = (Io::new(client), Io::new(server));
    ///     std::future::poll_fn(|cx| std::pin::Pin::new(&mut client).poll_write(cx, b"hi")).await?;
    ///     let mut bytes = [0u8; 2];
    ///     let mut buf = hyper::rt::ReadBuf::new(&mut bytes);
    ///     std::future::poll_fn(|cx| std::pin::Pin::new(&mut server).poll_read(cx, buf.unfilled()))
    ///         .await?;
    ///     assert_eq!(buf.filled(), b"hi");
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    #[derive(Debug)]
    pub struct Io<T> {
        #[pin]
        inner: T,
        vectored: bool,
        read_size: ReadSize,
    }
}

impl<T> Io<T> {
    /// Wraps `inner`; hyper writes each message as one buffer (see [`Io`]).
    ///
    /// ```
    /// corio::run(async {
    ///     let listener = corio::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let stream = corio::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let io = corio::hyper::Io::new(stream);
    ///     assert!(!hyper::rt::Write::is_write_vectored(&io));
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn new(inner: T) -> Io<T> {
        Io {
            inner,
            vectored: false,
            read_size: ReadSize::new(),
        }
    }

    /// Wraps `inner`, a writer whose `poll_write_vectored` writes several buffers at once
    /// (corio's sockets do, with `writev`); hyper then writes a message's head and body
    /// without first copying them into one buffer (see [`Io`]).
    ///
    /// ```
    /// corio::run(async {
    ///     let listener = corio::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let stream = corio::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let io = corio::hyper::Io::vectored(stream);
    ///     assert!(hyper::rt::Write::is_write_vectored(&io));
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn vectored(inner: T) -> Io<T> {
        Io {
            inner,
            vectored: true,
            read_size: ReadSize::new(),
        }
    }

    /// The wrapped stream.
    ///
    /// ```
    /// let io = corio::hyper::Io::new(futures_lite::io::empty());
    /// let _inner: &futures_lite::io::Empty = io.get_ref();
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The wrapped stream, mutably (reading or writing through it skips hyper's buffers).
    ///
    /// ```
    /// let mut io = corio::hyper::Io::new(futures_lite::io::Cursor::new(vec![1, 2]));
    /// io.get_mut().set_position(1);
    /// assert_eq!(io.get_ref().position(), 1);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwraps the stream.
    ///
    /// ```
    /// let io = corio::hyper::Io::new(futures_lite::io::Cursor::new(vec![1, 2]));
    /// assert_eq!(io.into_inner().into_inner(), [1, 2]);
    /// ```
    pub fn into_inner(self) -> T {
        self.inner
    }
}

/// futures-io → hyper: what hyper's connections read from.
impl<T: AsyncRead> hyper::rt::Read for Io<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.project();
        // hyper's memory is uninitialised and futures-io takes initialised memory: zero
        // what this read offers, sized to what the last reads brought (see ReadSize).
        let want = this.read_size.offer(buf.remaining());
        let dst = buf.initialize_unfilled_to(want);
        let n = ready!(this.inner.poll_read(cx, dst))?;
        if n > want {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the reader reported more bytes than the buffer holds",
            )));
        }
        this.read_size.record(want, n);
        // SAFETY: the first `want` bytes of the unfilled part were initialised just above
        // (`initialize_unfilled_to`), and `n <= want`: `advance` marks as filled only bytes
        // that are initialised — and hold what the reader wrote.
        unsafe { buf.advance(n) };
        Poll::Ready(Ok(()))
    }
}

/// futures-io → hyper: what hyper's connections write to.
impl<T: AsyncWrite> hyper::rt::Write for Io<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_close(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.vectored
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write_vectored(cx, bufs)
    }
}

/// hyper → futures-io: an upgraded connection (`hyper::upgrade::Upgraded`) as a stream.
impl<T: hyper::rt::Read> AsyncRead for Io<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let mut read = hyper::rt::ReadBuf::new(buf);
        ready!(self.project().inner.poll_read(cx, read.unfilled()))?;
        Poll::Ready(Ok(read.filled().len()))
    }
}

/// hyper → futures-io.
impl<T: hyper::rt::Write> AsyncWrite for Io<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_lite::io::{AsyncReadExt, AsyncWriteExt, Cursor};
    use std::future::poll_fn;

    /// Reads through hyper's `Read` into a `capacity`-byte buffer.
    async fn hyper_read<R: hyper::rt::Read + Unpin>(io: &mut R, capacity: usize) -> Vec<u8> {
        let mut storage = vec![std::mem::MaybeUninit::uninit(); capacity];
        let mut buf = hyper::rt::ReadBuf::uninit(&mut storage);
        poll_fn(|cx| hyper::rt::Read::poll_read(Pin::new(&mut *io), cx, buf.unfilled()))
            .await
            .unwrap();
        buf.filled().to_vec()
    }

    #[test]
    fn hyper_reads_what_the_stream_holds_into_uninitialised_memory() {
        futures_lite::future::block_on(async {
            let mut io = Io::new(Cursor::new(b"GET / HTTP/1.1\r\n".to_vec()));
            assert_eq!(hyper_read(&mut io, 8).await, b"GET / HT");
            assert_eq!(hyper_read(&mut io, 100).await, b"TP/1.1\r\n");
            assert_eq!(hyper_read(&mut io, 100).await, b"", "end of stream");
        });
    }

    #[test]
    fn one_read_offers_at_most_the_read_size_and_big_reads_grow_it() {
        futures_lite::future::block_on(async {
            let total = 3 * super::super::read_size::MAX;
            let mut io = Io::new(Cursor::new(vec![7u8; total]));
            let mut sizes = Vec::new();
            let mut read = 0;
            while read < total {
                let n = hyper_read(&mut io, total).await.len();
                sizes.push(n);
                read += n;
            }
            assert_eq!(sizes[..5], [4096, 8192, 16384, 32768, 65536]);
            assert_eq!(*sizes.iter().max().unwrap(), super::super::read_size::MAX);
        });
    }

    /// A reader that claims more than it was given room for.
    struct Boastful;
    impl AsyncRead for Boastful {
        fn poll_read(
            self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<io::Result<usize>> {
            Poll::Ready(Ok(buf.len() + 1))
        }
    }

    #[test]
    fn a_reader_claiming_too_many_bytes_is_an_error_not_undefined_behaviour() {
        futures_lite::future::block_on(async {
            let mut io = Io::new(Boastful);
            let mut storage = [std::mem::MaybeUninit::uninit(); 4];
            let mut buf = hyper::rt::ReadBuf::uninit(&mut storage);
            let err =
                poll_fn(|cx| hyper::rt::Read::poll_read(Pin::new(&mut io), cx, buf.unfilled()))
                    .await
                    .unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidData);
            assert!(buf.filled().is_empty());
        });
    }

    #[test]
    fn vectored_writes_reach_the_stream_and_shutdown_closes_it() {
        futures_lite::future::block_on(async {
            let mut io = Io::vectored(Vec::new());
            let bufs = [IoSlice::new(b"head "), IoSlice::new(b"body")];
            let n =
                poll_fn(|cx| hyper::rt::Write::poll_write_vectored(Pin::new(&mut io), cx, &bufs))
                    .await
                    .unwrap();
            assert_eq!(&io.get_ref()[..n], &b"head body"[..n]);
            poll_fn(|cx| hyper::rt::Write::poll_shutdown(Pin::new(&mut io), cx))
                .await
                .unwrap();
        });
    }

    #[test]
    fn the_reverse_direction_reads_and_writes_through_hyper_traits() {
        futures_lite::future::block_on(async {
            // hyper's traits over a cursor, then futures-io's over those.
            let mut io = Io::new(Io::new(Cursor::new(Vec::new())));
            io.write_all(b"round trip").await.unwrap();
            io.close().await.unwrap();
            io.get_mut().get_mut().set_position(0);
            let mut back = String::new();
            io.read_to_string(&mut back).await.unwrap();
            assert_eq!(back, "round trip");
        });
    }
}
