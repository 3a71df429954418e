//! [`Child::communicate`]: feed stdin and drain stdout and stderr at the same time.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::process::Output;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use crate::child::Child;

/// How much a read asks for at a time.
const CHUNK: usize = 64 * 1024;

impl Child {
    /// Writes `input` to the child's stdin and closes it, while reading its stdout and
    /// stderr to the end, then waits for it to exit (asyncio's `Process.communicate`).
    ///
    /// The three streams progress together in one task, so a child that writes a lot
    /// before it reads (or the reverse) never deadlocks against the parent: 100 MiB each way
    /// through `cat` works. Streams that were not piped, or were taken out of the `Child`,
    /// are skipped (their part of the [`Output`] is empty). With no `input`, a piped stdin is
    /// simply closed. A child that exits or closes its stdin before reading all of `input`
    /// is not an error (asyncio ignores `BrokenPipeError` here too).
    ///
    /// Cancelling `communicate` drops the pipes it took and what it had read; the child
    /// keeps running and [`wait`](Self::wait) still works.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if `input` is given but stdin is not piped; otherwise a failed read or
    /// write (other than a broken pipe), or a failed wait.
    ///
    /// ```
    /// use corio_process::{Command, Stdio};
    ///
    /// corio::run(async {
    ///     let mut child = Command::new("tr").arg("a-z").arg("A-Z")
    ///         .stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped())
    ///         .spawn()?;
    ///     let out = child.communicate(Some(b"shout")).await?;
    ///     assert_eq!(out.stdout, b"SHOUT");
    ///     assert!(out.stderr.is_empty());
    ///     assert!(out.status.success());
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn communicate(&mut self, input: Option<&[u8]>) -> io::Result<Output> {
        if input.is_some() && self.stdin.is_none() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "communicate: input given but the child's stdin is not piped",
            ));
        }
        let mut stdin = self.stdin.take();
        let mut input = input.unwrap_or_default();
        let mut stdout = Drain::new(self.stdout.take());
        let mut stderr = Drain::new(self.stderr.take());
        poll_fn(|cx| {
            if let Some(pipe) = &mut stdin
                && feed(pipe, &mut input, cx)?.is_ready()
            {
                // Everything written (or the child stopped reading): end of file for it.
                stdin = None;
            }
            let out = stdout.poll(cx)?;
            let err = stderr.poll(cx)?;
            if stdin.is_none() && out.is_ready() && err.is_ready() {
                Poll::Ready(io::Result::Ok(()))
            } else {
                Poll::Pending
            }
        })
        .await?;
        Ok(Output {
            status: self.wait().await?,
            stdout: stdout.data,
            stderr: stderr.data,
        })
    }
}

/// Writes as much of `input` as the pipe takes. Ready when all is written, or when the
/// child will read no more.
fn feed<W: AsyncWrite + Unpin>(
    pipe: &mut W,
    input: &mut &[u8],
    cx: &mut Context<'_>,
) -> Poll<io::Result<()>> {
    while !input.is_empty() {
        match Pin::new(&mut *pipe).poll_write(cx, input) {
            Poll::Ready(Ok(0)) => break,
            Poll::Ready(Ok(n)) => *input = &input[n..],
            Poll::Ready(Err(e))
                if matches!(
                    e.kind(),
                    io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset
                ) =>
            {
                break;
            }
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        }
    }
    Poll::Ready(Ok(()))
}

/// Reads one output pipe to the end into `data`.
struct Drain<R> {
    pipe: Option<R>,
    data: Vec<u8>,
    /// Where reads land before they are appended, allocated at the first read.
    buf: Vec<u8>,
}

impl<R: AsyncRead + Unpin> Drain<R> {
    fn new(pipe: Option<R>) -> Drain<R> {
        Drain {
            pipe,
            data: Vec::new(),
            buf: Vec::new(),
        }
    }

    /// Ready at end of file (the pipe is closed then).
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let Some(pipe) = &mut self.pipe else {
            return Poll::Ready(Ok(()));
        };
        if self.buf.is_empty() {
            self.buf = vec![0; CHUNK];
        }
        loop {
            match Pin::new(&mut *pipe).poll_read(cx, &mut self.buf) {
                Poll::Ready(Ok(0)) => {
                    self.pipe = None;
                    return Poll::Ready(Ok(()));
                }
                Poll::Ready(Ok(n)) => self.data.extend_from_slice(&self.buf[..n]),
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}
