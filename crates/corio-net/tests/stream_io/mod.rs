//! Shared by the stream tests: each scenario runs under corio's two schedulers and under
//! `futures_lite::future::block_on` (no runtime at all), with a watchdog so that a bug
//! fails the test instead of hanging it; and readers and writers whose every step the
//! test chooses.

#![allow(dead_code, unreachable_pub)]

use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::net::Shutdown;
use std::os::unix::net::UnixStream;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use corio::io::Async;
use futures_io::{AsyncRead, AsyncWrite};

/// How long a scenario may take before the watchdog fails it (it takes milliseconds).
const WATCHDOG: Duration = Duration::from_secs(30);

/// Where a scenario runs; it can start concurrent tasks there.
#[derive(Clone, Copy, Debug)]
pub enum Flavour {
    CurrentThread,
    MultiThread,
    /// `futures_lite::future::block_on`: no runtime, sockets on the fallback reactor.
    BlockOn,
}

impl Flavour {
    /// Runs `fut` as a task of its own (a corio task, or a thread blocking on it) and
    /// gives a future of its output.
    pub fn spawn<T: Send + 'static>(
        self,
        fut: impl Future<Output = T> + Send + 'static,
    ) -> impl Future<Output = T> + Send + 'static {
        let (tx, rx) = corio_sync::oneshot::channel();
        match self {
            Flavour::BlockOn => {
                std::thread::spawn(move || {
                    let _ = tx.send(futures_lite::future::block_on(fut));
                });
            }
            _ => {
                // Detached: the result comes back through the channel.
                drop(corio::spawn(async move {
                    let _ = tx.send(fut.await);
                }));
            }
        }
        async move { rx.await.expect("the spawned scenario task finished") }
    }
}

/// Runs `scenario` under a current-thread runtime, a two-worker runtime (as a task on its
/// workers) and plain `block_on`. A failure names the flavour.
pub fn on_all<F, Fut>(name: &str, scenario: F)
where
    F: Fn(Flavour) -> Fut,
    Fut: Future<Output = io::Result<()>> + Send + 'static,
{
    let ct = corio::Builder::new()
        .current_thread()
        .build()
        .expect("a current-thread runtime");
    let out = ct.block_on(watchdog(name.to_owned(), scenario(Flavour::CurrentThread)));
    check(name, Flavour::CurrentThread, out);

    let mt = corio::Builder::new()
        .worker_threads(2)
        .build()
        .expect("a multi-thread runtime");
    let task = mt
        .spawn(watchdog(name.to_owned(), scenario(Flavour::MultiThread)))
        .expect("the runtime runs");
    let out = mt.block_on(task).expect("the scenario task did not fail");
    check(name, Flavour::MultiThread, out);

    let out = futures_lite::future::block_on(watchdog(name.to_owned(), scenario(Flavour::BlockOn)));
    check(name, Flavour::BlockOn, out);
}

fn check(name: &str, flavour: Flavour, out: io::Result<()>) {
    if let Err(e) = out {
        panic!("{name} under {flavour:?}: {e}");
    }
}

/// `fut`, or a panic if it takes longer than the watchdog allows.
pub async fn watchdog<F: Future>(name: String, fut: F) -> F::Output {
    let (tx, rx) = corio_sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        std::thread::sleep(WATCHDOG);
        let _ = tx.send(());
    });
    let out = futures_lite::future::or(async { Some(fut.await) }, async {
        let _ = rx.await;
        None
    })
    .await;
    match out {
        Some(out) => out,
        None => panic!("{name}: no result after {WATCHDOG:?}: it hangs"),
    }
}

/// `len` bytes that differ from their neighbours, so misplaced data shows.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// A connected pair of Unix stream sockets on the current reactor.
pub fn socket_pair() -> io::Result<(Async<UnixStream>, Async<UnixStream>)> {
    let (a, b) = UnixStream::pair()?;
    Ok((Async::new(a)?, Async::new(b)?))
}

/// One end of a Unix socket pair, shareable by a reader and a writer, whose `poll_close`
/// shuts down writing, as corio's socket types do.
#[derive(Clone)]
pub struct Duplex(pub Arc<Async<UnixStream>>);

/// A connected pair of [`Duplex`] ends.
pub fn duplex_pair() -> io::Result<(Duplex, Duplex)> {
    let (a, b) = socket_pair()?;
    Ok((Duplex(Arc::new(a)), Duplex(Arc::new(b))))
}

impl AsyncRead for Duplex {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Duplex {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut &*self.0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut &*self.0).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.0.get_ref().shutdown(Shutdown::Write))
    }
}

/// A reader fed by the test, one chunk per read, through a [`Feed`].
pub struct Fed {
    shared: Arc<Mutex<FeedState>>,
}

/// The test's end of a [`Fed`] reader. Dropping it ends the stream.
pub struct Feed {
    shared: Arc<Mutex<FeedState>>,
}

#[derive(Default)]
struct FeedState {
    steps: VecDeque<io::Result<Vec<u8>>>,
    ended: bool,
    waker: Option<Waker>,
    reads: usize,
}

/// A reader the test feeds as it goes.
pub fn feed() -> (Feed, Fed) {
    let shared = Arc::new(Mutex::new(FeedState::default()));
    (
        Feed {
            shared: shared.clone(),
        },
        Fed { shared },
    )
}

/// A reader that gives these chunks, one per read, then the end of the stream.
pub fn chunks(chunks: &[&[u8]]) -> Fed {
    let (feed, fed) = feed();
    for c in chunks {
        feed.send(c);
    }
    fed
}

impl Feed {
    fn push(&self, step: io::Result<Vec<u8>>) {
        let mut st = self.shared.lock().unwrap();
        st.steps.push_back(step);
        if let Some(w) = st.waker.take() {
            w.wake();
        }
    }

    /// The next read gives these bytes (as many as fit; the rest comes next).
    pub fn send(&self, bytes: &[u8]) {
        self.push(Ok(bytes.to_vec()));
    }

    /// The next read fails with `kind`.
    pub fn fail(&self, kind: io::ErrorKind) {
        self.push(Err(kind.into()));
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        let mut st = self.shared.lock().unwrap();
        st.ended = true;
        if let Some(w) = st.waker.take() {
            w.wake();
        }
    }
}

impl Fed {
    /// How many reads returned something (data, end or error).
    pub fn reads(&self) -> usize {
        self.shared.lock().unwrap().reads
    }
}

impl AsyncRead for Fed {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let mut st = self.shared.lock().unwrap();
        match st.steps.pop_front() {
            Some(Ok(mut bytes)) => {
                st.reads += 1;
                let n = bytes.len().min(buf.len());
                buf[..n].copy_from_slice(&bytes[..n]);
                if n < bytes.len() {
                    st.steps.push_front(Ok(bytes.split_off(n)));
                }
                Poll::Ready(Ok(n))
            }
            Some(Err(e)) => {
                st.reads += 1;
                Poll::Ready(Err(e))
            }
            None if st.ended => {
                st.reads += 1;
                Poll::Ready(Ok(0))
            }
            None => {
                st.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// A writer that records each write, taking at most `max` bytes per write, and fails when
/// the script says so.
#[derive(Default)]
pub struct Recorder {
    pub writes: Vec<Vec<u8>>,
    pub max: Option<usize>,
    /// Errors to return, one per write call, before accepting anything.
    pub errors: VecDeque<io::ErrorKind>,
    pub flushes: usize,
    pub closes: usize,
}

impl Recorder {
    pub fn all(&self) -> Vec<u8> {
        self.writes.concat()
    }
}

impl AsyncWrite for Recorder {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(kind) = self.errors.pop_front() {
            return Poll::Ready(Err(kind.into()));
        }
        let n = buf.len().min(self.max.unwrap_or(usize::MAX));
        self.writes.push(buf[..n].to_vec());
        Poll::Ready(Ok(n))
    }

    fn poll_flush(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.flushes += 1;
        Poll::Ready(Ok(()))
    }

    fn poll_close(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.closes += 1;
        Poll::Ready(Ok(()))
    }
}
