//! Owned read and write halves of a stream socket, so one task can read while another writes.
//!
//! A socket's two directions are independent (each has its own readiness and waker), so the
//! halves simply share the socket: reads through one, writes through the other.

use std::error::Error;
use std::fmt;
use std::io::{self, IoSlice, IoSliceMut};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

/// The reading half of a stream socket, from `TcpStream::into_split` or
/// `UnixStream::into_split`.
///
/// ```
/// use futures_lite::{AsyncReadExt, AsyncWriteExt};
///
/// corio::run(async {
///     let (a, b) = corio_net::UnixStream::pair()?;
///     let (mut read, _write) = a.into_split();
///     let mut b = b;
///     b.write_all(b"hi").await?;
///     let mut buf = [0; 2];
///     read.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"hi");
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub struct OwnedReadHalf<S> {
    stream: Arc<S>,
}

/// The writing half of a stream socket, from `TcpStream::into_split` or
/// `UnixStream::into_split`. Closing it (`AsyncWriteExt::close`) shuts the socket down for
/// writing: the peer reads end of file while this side can still read.
///
/// ```
/// use futures_lite::{AsyncReadExt, AsyncWriteExt};
///
/// corio::run(async {
///     let (a, mut b) = corio_net::UnixStream::pair()?;
///     let (_read, mut write) = a.into_split();
///     write.write_all(b"bye").await?;
///     write.close().await?; // half-close
///     let mut got = Vec::new();
///     b.read_to_end(&mut got).await?;
///     assert_eq!(got, b"bye");
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub struct OwnedWriteHalf<S> {
    stream: Arc<S>,
}

pub(crate) fn split<S>(stream: S) -> (OwnedReadHalf<S>, OwnedWriteHalf<S>) {
    let stream = Arc::new(stream);
    (
        OwnedReadHalf {
            stream: Arc::clone(&stream),
        },
        OwnedWriteHalf { stream },
    )
}

fn reunite<S>(read: OwnedReadHalf<S>, write: OwnedWriteHalf<S>) -> Result<S, ReuniteError<S>> {
    if !Arc::ptr_eq(&read.stream, &write.stream) {
        return Err(ReuniteError(read, write));
    }
    drop(write);
    // `split` makes exactly two owners and neither half clones its `Arc`, so `read` is alone
    // now; should that ever change, the halves go back to the caller rather than panic.
    Arc::try_unwrap(read.stream).map_err(|stream| {
        ReuniteError(
            OwnedReadHalf {
                stream: Arc::clone(&stream),
            },
            OwnedWriteHalf { stream },
        )
    })
}

impl<S> OwnedReadHalf<S> {
    /// The whole socket (for addresses and options).
    ///
    /// ```
    /// let (a, _b) = corio::run(async { corio_net::UnixStream::pair() })?;
    /// let (read, _write) = a.into_split();
    /// assert!(read.get_ref().peer_addr().is_ok());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn get_ref(&self) -> &S {
        &self.stream
    }

    /// Puts the socket back together.
    ///
    /// # Errors
    ///
    /// If the halves come from two different sockets; the error gives them back.
    ///
    /// ```
    /// let (a, b) = corio::run(async { corio_net::UnixStream::pair() })?;
    /// let (read, write) = a.into_split();
    /// let a = read.reunite(write).expect("same socket");
    /// let (b_read, _b_write) = b.into_split();
    /// let (a_read, a_write) = a.into_split();
    /// assert!(b_read.reunite(a_write).is_err());
    /// # drop(a_read);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn reunite(self, write: OwnedWriteHalf<S>) -> Result<S, ReuniteError<S>> {
        reunite(self, write)
    }
}

impl<S> OwnedWriteHalf<S> {
    /// The whole socket (for addresses and options).
    ///
    /// ```
    /// let (a, _b) = corio::run(async { corio_net::UnixStream::pair() })?;
    /// let (_read, write) = a.into_split();
    /// assert!(write.get_ref().local_addr().is_ok());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn get_ref(&self) -> &S {
        &self.stream
    }

    /// Puts the socket back together; see [`OwnedReadHalf::reunite`].
    ///
    /// # Errors
    ///
    /// If the halves come from two different sockets; the error gives them back.
    ///
    /// ```
    /// let (a, _b) = corio::run(async { corio_net::UnixStream::pair() })?;
    /// let (read, write) = a.into_split();
    /// let _a = write.reunite(read).expect("same socket");
    /// # std::io::Result::Ok(())
    /// ```
    pub fn reunite(self, read: OwnedReadHalf<S>) -> Result<S, ReuniteError<S>> {
        reunite(read, self)
    }
}

impl<S> AsyncRead for OwnedReadHalf<S>
where
    for<'a> &'a S: AsyncRead,
{
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self.stream).poll_read(cx, buf)
    }

    fn poll_read_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self.stream).poll_read_vectored(cx, bufs)
    }
}

impl<S> AsyncWrite for OwnedWriteHalf<S>
where
    for<'a> &'a S: AsyncWrite,
{
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self.stream).poll_write_vectored(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut &*self.stream).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut &*self.stream).poll_close(cx)
    }
}

impl<S: fmt::Debug> fmt::Debug for OwnedReadHalf<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OwnedReadHalf").field(&self.stream).finish()
    }
}

impl<S: fmt::Debug> fmt::Debug for OwnedWriteHalf<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OwnedWriteHalf").field(&self.stream).finish()
    }
}

/// Two halves that belong to different sockets, given back by `reunite`.
///
/// ```
/// let (a, b) = corio::run(async { corio_net::UnixStream::pair() })?;
/// let (a_read, _a_write) = a.into_split();
/// let (_b_read, b_write) = b.into_split();
/// let corio_net::ReuniteError(read, write) = a_read.reunite(b_write).unwrap_err();
/// # drop((read, write));
/// # std::io::Result::Ok(())
/// ```
pub struct ReuniteError<S>(pub OwnedReadHalf<S>, pub OwnedWriteHalf<S>);

impl<S> fmt::Debug for ReuniteError<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReuniteError(..)")
    }
}

impl<S> fmt::Display for ReuniteError<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the two halves belong to different sockets")
    }
}

impl<S> Error for ReuniteError<S> {}
