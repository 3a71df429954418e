//! The streams' errors, as typed values: asyncio's `IncompleteReadError` and
//! `LimitOverrunError`, the [`ReadError`] the framed read methods return, and the
//! [`WriterClosedError`] a writer gives once it no longer takes data.
//!
//! Each converts into an [`io::Error`] (with itself as the payload, reachable through
//! [`io::Error::get_ref`]), so `?` works in functions returning `io::Result`.

use std::error::Error;
use std::fmt;
use std::io;
use std::sync::Arc;

/// The stream ended before a read was complete (asyncio's `IncompleteReadError`).
///
/// [`StreamReader::readexactly`](super::StreamReader::readexactly) gives it with `expected:
/// Some(n)`, [`readuntil`](super::StreamReader::readuntil) with `expected: None` (no
/// separator came). `partial` holds every byte that was left before the end; they are
/// consumed.
///
/// As an [`io::Error`] its kind is [`UnexpectedEof`](io::ErrorKind::UnexpectedEof).
///
/// ```
/// use corio_net::{IncompleteReadError, StreamReader};
///
/// futures_lite::future::block_on(async {
///     let mut reader = StreamReader::new(&b"abc"[..]);
///     let err = reader.readexactly(5).await.unwrap_err();
///     let incomplete: IncompleteReadError = err.into_incomplete_read().unwrap();
///     assert_eq!(incomplete.partial, b"abc");
///     assert_eq!(incomplete.expected, Some(5));
///     assert_eq!(incomplete.to_string(), "the stream ended after 3 of 5 expected bytes");
/// });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncompleteReadError {
    /// The bytes read before the end of the stream.
    pub partial: Vec<u8>,
    /// How many bytes were expected, if the read knew.
    pub expected: Option<usize>,
}

impl fmt::Display for IncompleteReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.expected {
            Some(n) => write!(
                f,
                "the stream ended after {} of {n} expected bytes",
                self.partial.len()
            ),
            None => write!(
                f,
                "the stream ended after {} bytes, before the separator",
                self.partial.len()
            ),
        }
    }
}

impl Error for IncompleteReadError {}

impl From<IncompleteReadError> for io::Error {
    fn from(e: IncompleteReadError) -> io::Error {
        io::Error::new(io::ErrorKind::UnexpectedEof, e)
    }
}

/// The data before a separator is longer than the reader's limit (asyncio's
/// `LimitOverrunError`).
///
/// `consumed` is how many bytes to consume to get past the overlong data:
/// [`readuntil`](super::StreamReader::readuntil) leaves the buffer as it was, so
/// `read(consumed)` (or `readexactly(consumed)`) recovers. `readline` has already dropped
/// the bytes when it returns this error.
///
/// As an [`io::Error`] its kind is [`InvalidData`](io::ErrorKind::InvalidData).
///
/// ```
/// use corio_net::{LimitOverrunError, ReadError, StreamReader};
///
/// futures_lite::future::block_on(async {
///     let mut reader = StreamReader::with_limit(&b"a long line\nshort\n"[..], 8);
///     let err = reader.readuntil(b"\n").await.unwrap_err();
///     assert!(matches!(err, ReadError::LimitOverrun(LimitOverrunError { consumed: 11 })));
///     // The data is still there: skip it, newline included, and go on.
///     assert_eq!(reader.read(12).await?, b"a long line\n");
///     assert_eq!(reader.readuntil(b"\n").await.unwrap(), b"short\n");
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitOverrunError {
    /// How many bytes to consume to get past the data that overran the limit.
    pub consumed: usize,
}

impl fmt::Display for LimitOverrunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the data before the separator exceeds the stream reader's limit ({} bytes to consume)",
            self.consumed
        )
    }
}

impl Error for LimitOverrunError {}

impl From<LimitOverrunError> for io::Error {
    fn from(e: LimitOverrunError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, e)
    }
}

/// Why a framed read of a [`StreamReader`](super::StreamReader) failed: `readline`,
/// `readuntil`, `readuntil_any` and `readexactly` return it.
///
/// Converts into an [`io::Error`]: an `Io` error as it was, the others with the error as
/// the payload (kinds `UnexpectedEof`, `InvalidData`, `InvalidInput`).
///
/// ```
/// use corio_net::{ReadError, StreamReader};
///
/// async fn greeting(reader: &mut StreamReader<&[u8]>) -> std::io::Result<Vec<u8>> {
///     Ok(reader.readuntil(b"!").await?) // a ReadError becomes an io::Error
/// }
///
/// futures_lite::future::block_on(async {
///     let mut reader = StreamReader::new(&b"hello! hel"[..]);
///     assert_eq!(greeting(&mut reader).await.unwrap(), b"hello!");
///     let err = greeting(&mut reader).await.unwrap_err();
///     assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
/// });
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum ReadError {
    /// The underlying reader failed. The bytes buffered so far stay buffered.
    Io(io::Error),
    /// The stream ended first; the bytes left are in the error and were consumed.
    IncompleteRead(IncompleteReadError),
    /// The data before the separator is longer than the limit.
    LimitOverrun(LimitOverrunError),
    /// An empty separator, or an empty list of separators (asyncio's `ValueError`).
    EmptySeparator,
}

impl ReadError {
    /// The [`IncompleteReadError`], if that is what this is.
    ///
    /// ```
    /// use corio_net::StreamReader;
    ///
    /// futures_lite::future::block_on(async {
    ///     let mut reader = StreamReader::new(&b"ab"[..]);
    ///     let e = reader.readuntil(b";").await.unwrap_err();
    ///     assert_eq!(e.into_incomplete_read().unwrap().partial, b"ab");
    /// });
    /// ```
    pub fn into_incomplete_read(self) -> Option<IncompleteReadError> {
        match self {
            ReadError::IncompleteRead(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => e.fmt(f),
            ReadError::IncompleteRead(e) => e.fmt(f),
            ReadError::LimitOverrun(e) => e.fmt(f),
            ReadError::EmptySeparator => f.write_str("a separator must be at least one byte"),
        }
    }
}

// Transparent: the message is the inner error's, so the source is the inner error's.
impl Error for ReadError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            ReadError::Io(e) => e.source(),
            _ => None,
        }
    }
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> ReadError {
        ReadError::Io(e)
    }
}

impl From<IncompleteReadError> for ReadError {
    fn from(e: IncompleteReadError) -> ReadError {
        ReadError::IncompleteRead(e)
    }
}

impl From<LimitOverrunError> for ReadError {
    fn from(e: LimitOverrunError) -> ReadError {
        ReadError::LimitOverrun(e)
    }
}

impl From<ReadError> for io::Error {
    fn from(e: ReadError) -> io::Error {
        match e {
            ReadError::Io(e) => e,
            ReadError::IncompleteRead(e) => e.into(),
            ReadError::LimitOverrun(e) => e.into(),
            e @ ReadError::EmptySeparator => io::Error::new(io::ErrorKind::InvalidInput, e),
        }
    }
}

/// A [`StreamWriter`](super::StreamWriter) refused data: it is closing, or its end of the
/// stream was already written.
///
/// `write` and `writelines` return it inside an [`io::Error`] of kind
/// [`BrokenPipe`](io::ErrorKind::BrokenPipe) (what writing to a socket shut down for
/// writing gives), reachable with `get_ref` and `downcast_ref`.
///
/// ```
/// use corio_net::{StreamWriter, WriterClosedError};
///
/// let writer = StreamWriter::new(Vec::<u8>::new());
/// writer.close();
/// let err = writer.write(b"late").unwrap_err();
/// assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
/// let why = err.get_ref().and_then(|e| e.downcast_ref::<WriterClosedError>());
/// assert_eq!(why, Some(&WriterClosedError::Closing));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WriterClosedError {
    /// [`close`](super::StreamWriter::close) was called.
    Closing,
    /// [`write_eof`](super::StreamWriter::write_eof) was called.
    EofWritten,
}

impl fmt::Display for WriterClosedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WriterClosedError::Closing => "the stream writer is closing",
            WriterClosedError::EofWritten => {
                "the stream writer already wrote the end of the stream"
            }
        })
    }
}

impl Error for WriterClosedError {}

impl From<WriterClosedError> for io::Error {
    fn from(e: WriterClosedError) -> io::Error {
        io::Error::new(io::ErrorKind::BrokenPipe, e)
    }
}

/// An error of the inner writer, kept so that every later call can report it again.
#[derive(Debug, Clone)]
pub(crate) struct StickyError(Arc<io::Error>);

impl StickyError {
    pub(crate) fn new(e: io::Error) -> StickyError {
        StickyError(Arc::new(e))
    }

    /// A fresh `io::Error` equal to the original: the same OS error, or the same kind
    /// and message with the original behind it.
    pub(crate) fn report(&self) -> io::Error {
        match self.0.raw_os_error() {
            Some(code) => io::Error::from_raw_os_error(code),
            None => io::Error::new(self.0.kind(), self.clone()),
        }
    }
}

impl fmt::Display for StickyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Error for StickyError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.0.source()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_keep_a_kind_and_the_typed_payload() {
        let e: io::Error = ReadError::from(IncompleteReadError {
            partial: b"ab".to_vec(),
            expected: Some(4),
        })
        .into();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        let inner = e
            .get_ref()
            .and_then(|e| e.downcast_ref::<IncompleteReadError>());
        assert_eq!(inner.map(|e| e.expected), Some(Some(4)));

        let e: io::Error = ReadError::from(LimitOverrunError { consumed: 9 }).into();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(e.to_string().contains("9 bytes"), "{e}");

        let e: io::Error = ReadError::EmptySeparator.into();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);

        let os = io::Error::from_raw_os_error(libc::EPIPE);
        let e: io::Error = ReadError::from(os).into();
        assert_eq!(e.raw_os_error(), Some(libc::EPIPE));
    }

    #[test]
    fn a_sticky_error_reports_the_same_error_every_time() {
        let os = StickyError::new(io::Error::from_raw_os_error(libc::ECONNRESET));
        for _ in 0..2 {
            assert_eq!(os.report().raw_os_error(), Some(libc::ECONNRESET));
        }

        let custom = StickyError::new(io::Error::new(io::ErrorKind::WriteZero, "no room"));
        let e = custom.report();
        assert_eq!(e.kind(), io::ErrorKind::WriteZero);
        assert_eq!(e.to_string(), "no room");
        assert_eq!(custom.report().to_string(), "no room");
    }

    #[test]
    fn incomplete_read_messages() {
        let e = IncompleteReadError {
            partial: b"xyz".to_vec(),
            expected: None,
        };
        assert_eq!(
            e.to_string(),
            "the stream ended after 3 bytes, before the separator"
        );
    }
}
