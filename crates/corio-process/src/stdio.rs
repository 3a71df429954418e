//! The parent's ends of a child's piped standard streams, as async readers and writers.

use std::fmt;
use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsFd, BorrowedFd};
use std::pin::Pin;
use std::process;
use std::task::{Context, Poll};

use corio_reactor::Async;
use futures_io::{AsyncRead, AsyncWrite};

/// The writing end of a child's standard input ([`Stdio::piped`](crate::Stdio::piped)), in
/// [`Child::stdin`](crate::Child::stdin).
///
/// An [`AsyncWrite`] on the reactor. `close` (futures-lite's `AsyncWriteExt::close`, or
/// dropping it) closes the pipe, so the child reads end of file; writes after `close` fail
/// with `BrokenPipe`. A write to a child that has closed its end, or exited, fails with
/// `BrokenPipe` too (Rust programs ignore `SIGPIPE`).
///
/// ```
/// use corio_process::{Command, Stdio};
/// use futures_lite::AsyncWriteExt;
///
/// corio::run(async {
///     let mut child = Command::new("wc").arg("-l").stdin(Stdio::piped()).stdout(Stdio::null()).spawn()?;
///     let mut stdin = child.stdin.take().unwrap();
///     stdin.write_all(b"one\ntwo\n").await?;
///     stdin.close().await?; // end of file for `wc`
///     assert!(child.wait().await?.success());
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub struct ChildStdin {
    /// `None` once closed.
    pipe: Option<Async<process::ChildStdin>>,
}

impl ChildStdin {
    pub(crate) fn new(pipe: process::ChildStdin) -> io::Result<ChildStdin> {
        Ok(ChildStdin {
            pipe: Some(Async::new(pipe)?),
        })
    }

    fn pipe(&mut self) -> io::Result<Pin<&mut Async<process::ChildStdin>>> {
        match &mut self.pipe {
            Some(pipe) => Ok(Pin::new(pipe)),
            None => Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the child's stdin was closed",
            )),
        }
    }
}

impl AsyncWrite for ChildStdin {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().pipe()?.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().pipe()?.poll_write_vectored(cx, bufs)
    }

    /// A pipe has no buffer to flush: always ready.
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Closes the pipe: the child reads end of file.
    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().pipe = None;
        Poll::Ready(Ok(()))
    }
}

impl fmt::Debug for ChildStdin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildStdin")
            .field("open", &self.pipe.is_some())
            .finish()
    }
}

/// Declares the reading end of a child's output stream: the same type for stdout and
/// stderr, under two names.
macro_rules! child_output {
    ($(#[$doc:meta])* $name:ident, $std:ty) => {
        $(#[$doc])*
        pub struct $name {
            pipe: Async<$std>,
        }

        impl $name {
            pub(crate) fn new(pipe: $std) -> io::Result<$name> {
                Ok($name { pipe: Async::new(pipe)? })
            }
        }

        impl AsyncRead for $name {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut self.get_mut().pipe).poll_read(cx, buf)
            }

            fn poll_read_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &mut [IoSliceMut<'_>],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut self.get_mut().pipe).poll_read_vectored(cx, bufs)
            }
        }

        impl AsFd for $name {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.pipe.as_fd()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.pipe.as_fd()).finish()
            }
        }
    };
}

child_output! {
    /// The reading end of a child's standard output ([`Stdio::piped`](crate::Stdio::piped)),
    /// in [`Child::stdout`](crate::Child::stdout).
    ///
    /// An [`AsyncRead`] on the reactor: wrap it in a buffered reader to read lines. It reads
    /// end of file once the child (and every process it passed the pipe to) has closed it.
    ///
    /// ```
    /// use corio_process::{Command, Stdio};
    /// use futures_lite::io::{AsyncBufReadExt, BufReader};
    ///
    /// corio::run(async {
    ///     let mut child = Command::new("printf").arg("a\nb\n").stdout(Stdio::piped()).spawn()?;
    ///     let mut lines = BufReader::new(child.stdout.take().unwrap());
    ///     let mut line = String::new();
    ///     lines.read_line(&mut line).await?;
    ///     assert_eq!(line, "a\n");
    ///     child.wait().await?;
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    ChildStdout, process::ChildStdout
}

child_output! {
    /// The reading end of a child's standard error ([`Stdio::piped`](crate::Stdio::piped)),
    /// in [`Child::stderr`](crate::Child::stderr). Like [`ChildStdout`].
    ///
    /// ```
    /// use corio_process::{Stdio, shell};
    /// use futures_lite::AsyncReadExt;
    ///
    /// corio::run(async {
    ///     let mut child = shell("echo oops >&2").stderr(Stdio::piped()).spawn()?;
    ///     let mut text = String::new();
    ///     child.stderr.take().unwrap().read_to_string(&mut text).await?;
    ///     assert_eq!(text, "oops\n");
    ///     child.wait().await?;
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    ChildStderr, process::ChildStderr
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdio_types_are_send_sync_unpin() {
        fn check<T: Send + Sync + Unpin>() {}
        check::<ChildStdin>();
        check::<ChildStdout>();
        check::<ChildStderr>();
    }
}
