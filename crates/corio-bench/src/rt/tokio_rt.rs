//! tokio: `tokio-mt` is the multi-thread runtime (one worker per core), `tokio-ct` the
//! current-thread one; both with every driver enabled. Primitives are `tokio::sync`'s.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::pin::{Pin, pin};
use std::process::ExitStatus;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::runtime::{Builder, Runtime};
use tokio::sync::{Notify, broadcast, mpsc, oneshot};

use super::{Channels, Concert, Fs, Locks, Net, Process, Rt, Spawn, Tick};

/// tokio, `MT` = multi-thread scheduler, else current-thread.
pub(crate) struct Tokio<const MT: bool>;
/// tokio's multi-thread runtime.
pub(crate) type TokioMt = Tokio<true>;
/// tokio's current-thread runtime.
pub(crate) type TokioCt = Tokio<false>;

static MT_RT: LazyLock<Runtime> = LazyLock::new(|| {
    Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio multi-thread runtime")
});
static CT_RT: LazyLock<Runtime> = LazyLock::new(|| {
    Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio current-thread runtime")
});

impl<const MT: bool> Tokio<MT> {
    fn rt() -> &'static Runtime {
        if MT { &MT_RT } else { &CT_RT }
    }
}

impl<const MT: bool> Rt for Tokio<MT> {
    const NAME: &'static str = if MT { "tokio-mt" } else { "tokio-ct" };
    const TIMERS: &'static str = Self::NAME;

    fn run<F>(fut: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let rt = Self::rt();
        if MT {
            rt.block_on(Joined(rt.spawn(fut)))
        } else {
            rt.block_on(fut)
        }
    }

    fn unconstrained<F: Future + Send>(f: F) -> impl Future<Output = F::Output> + Send {
        tokio::task::unconstrained(f)
    }

    fn sleep(d: Duration) -> impl Future<Output = ()> + Send + 'static {
        tokio::time::sleep(d)
    }

    async fn timeout<F: Future + Send>(d: Duration, f: F) -> Option<F::Output> {
        tokio::time::timeout(d, f).await.ok()
    }

    fn interval(period: Duration) -> impl Tick {
        tokio::time::interval(period)
    }
}

impl Tick for tokio::time::Interval {
    async fn tick(&mut self) -> Instant {
        tokio::time::Interval::tick(self).await.into_std()
    }
}

/// A tokio `JoinHandle` that resolves to the task's output (re-raising its panic).
pub(crate) struct Joined<T>(tokio::task::JoinHandle<T>);

impl<T> Future for Joined<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0).poll(cx).map(|r| match r {
            Ok(v) => v,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        })
    }
}

impl<const MT: bool> Spawn for Tokio<MT> {
    type Task<T: Send + 'static> = Joined<T>;

    fn spawn<F>(f: F) -> Joined<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Joined(Self::rt().spawn(f))
    }

    fn detach<T: Send + 'static>(task: Joined<T>) {
        drop(task); // dropping a JoinHandle detaches the task
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        tokio::task::yield_now()
    }
}

impl<const MT: bool> Concert for Tokio<MT> {
    async fn gather<F>(futures: Vec<F>) -> Vec<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        // tokio's idiom: spawn each, await the handles in order.
        let handles: Vec<_> = futures.into_iter().map(|f| Self::rt().spawn(f)).collect();
        let mut out = Vec::with_capacity(handles.len());
        for h in handles {
            out.push(h.await.expect("no child panics"));
        }
        out
    }

    async fn group<F>(futures: Vec<F>)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let mut set = tokio::task::JoinSet::new();
        for f in futures {
            set.spawn_on(f, Self::rt().handle());
        }
        while let Some(r) = set.join_next().await {
            r.expect("no child panics");
        }
    }
}

/// asyncio's `Event` on tokio: a flag and a `Notify` (tokio has no event type).
pub(crate) struct TokioEvent {
    set: AtomicBool,
    notify: Notify,
}

impl<const MT: bool> Locks for Tokio<MT> {
    type Mutex = tokio::sync::Mutex<u64>;
    type Semaphore = tokio::sync::Semaphore;
    type RwLock = tokio::sync::RwLock<u64>;
    type Event = TokioEvent;
    type Cond = Notify;

    fn mutex() -> Self::Mutex {
        tokio::sync::Mutex::new(0)
    }

    fn lock(
        m: &Self::Mutex,
    ) -> impl Future<Output = impl DerefMut<Target = u64> + Send + '_> + Send {
        m.lock()
    }

    fn semaphore(permits: usize) -> Self::Semaphore {
        tokio::sync::Semaphore::new(permits)
    }

    async fn acquire(s: &Self::Semaphore) -> impl Send + '_ {
        s.acquire().await.expect("the semaphore is never closed")
    }

    fn rwlock() -> Self::RwLock {
        tokio::sync::RwLock::new(0)
    }

    fn read(l: &Self::RwLock) -> impl Future<Output = impl Deref<Target = u64> + Send + '_> + Send {
        l.read()
    }

    fn write(
        l: &Self::RwLock,
    ) -> impl Future<Output = impl DerefMut<Target = u64> + Send + '_> + Send {
        l.write()
    }

    fn event() -> TokioEvent {
        TokioEvent {
            set: AtomicBool::new(false),
            notify: Notify::new(),
        }
    }

    fn set(e: &TokioEvent) {
        e.set.store(true, Ordering::Release);
        e.notify.notify_waiters();
    }

    async fn wait(e: &TokioEvent) {
        Self::wait_until(&e.notify, || e.set.load(Ordering::Acquire)).await;
    }

    fn cond() -> Notify {
        Notify::new()
    }

    fn notify_one(c: &Notify) {
        c.notify_one();
    }

    async fn wait_until<'a>(c: &'a Notify, ready: impl Fn() -> bool + Send + 'a) {
        loop {
            if ready() {
                return;
            }
            let mut notified = pin!(c.notified());
            notified.as_mut().enable();
            if ready() {
                return;
            }
            notified.await;
        }
    }
}

impl<const MT: bool> Channels for Tokio<MT> {
    type Sender<T: Send + 'static> = mpsc::Sender<T>;
    type Receiver<T: Send + 'static> = mpsc::Receiver<T>;
    type QueueTx<T: Send + 'static> = mpsc::UnboundedSender<T>;
    type QueueRx<T: Send + 'static> = mpsc::UnboundedReceiver<T>;
    type OnceTx<T: Send + 'static> = oneshot::Sender<T>;
    type OnceRx<T: Send + 'static> = OnceRx<T>;
    type BcastTx<T: Clone + Send + Sync + 'static> = broadcast::Sender<T>;
    type BcastRx<T: Clone + Send + Sync + 'static> = broadcast::Receiver<T>;

    fn bounded<T: Send + 'static>(cap: usize) -> (mpsc::Sender<T>, mpsc::Receiver<T>) {
        mpsc::channel(cap)
    }

    async fn send<T: Send + 'static>(tx: &mpsc::Sender<T>, v: T) -> bool {
        tx.send(v).await.is_ok()
    }

    fn recv<T: Send + 'static>(
        rx: &mut mpsc::Receiver<T>,
    ) -> impl Future<Output = Option<T>> + Send + '_ {
        rx.recv()
    }

    fn queue<T: Send + 'static>() -> (mpsc::UnboundedSender<T>, mpsc::UnboundedReceiver<T>) {
        mpsc::unbounded_channel()
    }

    fn put<T: Send + 'static>(tx: &mpsc::UnboundedSender<T>, v: T) {
        // The receiver outlives every put in the workloads; a closed queue drops the value.
        let _ = tx.send(v);
    }

    fn get<T: Send + 'static>(
        rx: &mut mpsc::UnboundedReceiver<T>,
    ) -> impl Future<Output = Option<T>> + Send + '_ {
        rx.recv()
    }

    fn oneshot<T: Send + 'static>() -> (oneshot::Sender<T>, OnceRx<T>) {
        let (tx, rx) = oneshot::channel();
        (tx, OnceRx(rx))
    }

    fn fire<T: Send + 'static>(tx: oneshot::Sender<T>, v: T) {
        // A receiver that is gone simply misses the value.
        let _ = tx.send(v);
    }

    fn broadcast<T: Clone + Send + Sync + 'static>(
        cap: usize,
    ) -> (broadcast::Sender<T>, broadcast::Receiver<T>) {
        broadcast::channel(cap)
    }

    fn subscribe<T: Clone + Send + Sync + 'static>(
        tx: &broadcast::Sender<T>,
    ) -> broadcast::Receiver<T> {
        tx.subscribe()
    }

    async fn publish<T: Clone + Send + Sync + 'static>(tx: &broadcast::Sender<T>, v: T) {
        // tokio's broadcast never waits: with no receiver left the value is dropped.
        let _ = tx.send(v);
    }

    async fn next<T: Clone + Send + Sync + 'static>(rx: &mut broadcast::Receiver<T>) -> Option<T> {
        loop {
            match rx.recv().await {
                Ok(v) => return Some(v),
                Err(broadcast::error::RecvError::Closed) => return None,
                // A lagging receiver lost values; the workloads size the channel so this
                // does not happen, and if it did the receiver would simply go on.
                Err(broadcast::error::RecvError::Lagged(_)) => {}
            }
        }
    }
}

/// A tokio oneshot receiver resolving to `Option<T>`.
pub(crate) struct OnceRx<T>(oneshot::Receiver<T>);

impl<T> Future for OnceRx<T> {
    type Output = Option<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        Pin::new(&mut self.0).poll(cx).map(Result::ok)
    }
}

impl<const MT: bool> Net for Tokio<MT> {
    type Listener = tokio::net::TcpListener;
    type Stream = tokio::net::TcpStream;
    type Udp = tokio::net::UdpSocket;
    type PipeR = tokio::net::unix::pipe::Receiver;
    type PipeW = tokio::net::unix::pipe::Sender;

    async fn listen() -> io::Result<(Self::Listener, SocketAddr)> {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = l.local_addr()?;
        Ok((l, addr))
    }

    async fn accept(l: &Self::Listener) -> io::Result<Self::Stream> {
        let (s, _) = l.accept().await?;
        s.set_nodelay(true)?;
        Ok(s)
    }

    async fn connect(addr: SocketAddr) -> io::Result<Self::Stream> {
        let s = tokio::net::TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(s)
    }

    async fn read_exact<'a>(s: &'a mut Self::Stream, buf: &'a mut [u8]) -> io::Result<()> {
        s.read_exact(buf).await.map(drop)
    }

    fn write_all<'a>(
        s: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        s.write_all(buf)
    }

    async fn udp_pair() -> io::Result<(Self::Udp, Self::Udp)> {
        let a = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
        let b = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
        a.connect(b.local_addr()?).await?;
        b.connect(a.local_addr()?).await?;
        Ok((a, b))
    }

    fn send<'a>(
        u: &'a Self::Udp,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        u.send(buf)
    }

    fn recv<'a>(
        u: &'a Self::Udp,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a {
        u.recv(buf)
    }

    fn pipe() -> io::Result<(Self::PipeR, Self::PipeW)> {
        let (r, w) = std::io::pipe()?;
        Ok((
            tokio::net::unix::pipe::Receiver::from_owned_fd(r.into())?,
            tokio::net::unix::pipe::Sender::from_owned_fd(w.into())?,
        ))
    }

    async fn pipe_read<'a>(r: &'a mut Self::PipeR, buf: &'a mut [u8]) -> io::Result<()> {
        r.read_exact(buf).await.map(drop)
    }

    fn pipe_write<'a>(
        w: &'a mut Self::PipeW,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        w.write_all(buf)
    }
}

impl<const MT: bool> Process for Tokio<MT> {
    async fn status(program: &'static str) -> io::Result<ExitStatus> {
        tokio::process::Command::new(program).status().await
    }
}

impl<const MT: bool> Fs for Tokio<MT> {
    fn write(path: PathBuf, data: &'static [u8]) -> impl Future<Output = io::Result<()>> + Send {
        tokio::fs::write(path, data)
    }

    fn read(path: PathBuf) -> impl Future<Output = io::Result<Vec<u8>>> + Send {
        tokio::fs::read(path)
    }
}
