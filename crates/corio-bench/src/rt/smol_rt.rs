//! smol: an `async_executor::Executor` driven by `async_io::block_on` — `smol-mt` on one
//! worker thread per core (started for each run, so idle smol workers never sit in
//! async-io's shared reactor while another runtime is measured), `smol-ct` on the calling
//! thread alone. Primitives are smol's re-exports (`smol::lock`, `smol::channel`,
//! `smol::net`, `smol::process`, `smol::fs`) plus `event-listener` and `async-broadcast`
//! from the same family for what smol does not re-export.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::pin::Pin;
use std::process::ExitStatus;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_lite::{AsyncReadExt, AsyncWriteExt, StreamExt};
use smol::{Async, Executor, Timer};

use super::{Channels, Concert, Fs, Locks, Net, Process, Rt, Spawn, Tick};

/// smol, `MT` = executor run on one thread per core, else on the calling thread.
pub(crate) struct Smol<const MT: bool>;
/// smol's executor on every core.
pub(crate) type SmolMt = Smol<true>;
/// smol's executor on the calling thread.
pub(crate) type SmolCt = Smol<false>;

static MT_EX: Executor<'static> = Executor::new();
static CT_EX: Executor<'static> = Executor::new();
static WORKERS: LazyLock<usize> =
    LazyLock::new(|| std::thread::available_parallelism().map_or(2, |n| n.get()));

impl<const MT: bool> Smol<MT> {
    fn ex() -> &'static Executor<'static> {
        if MT { &MT_EX } else { &CT_EX }
    }
}

impl<const MT: bool> Rt for Smol<MT> {
    const NAME: &'static str = if MT { "smol-mt" } else { "smol-ct" };
    /// Both flavours time through async-io's one process-wide reactor.
    const TIMERS: &'static str = "async-io";

    fn run<F>(fut: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        if !MT {
            return async_io::block_on(CT_EX.run(fut));
        }
        let task = MT_EX.spawn(fut);
        let (stop, stopped) = smol::channel::bounded::<()>(1);
        std::thread::scope(|s| {
            for i in 0..*WORKERS {
                let stopped = stopped.clone();
                std::thread::Builder::new()
                    .name(format!("smol-mt-{i}"))
                    .spawn_scoped(s, move || {
                        // Runs tasks until `stop` is dropped.
                        async_io::block_on(MT_EX.run(async {
                            let _ = stopped.recv().await;
                        }))
                    })
                    .expect("spawn a smol worker");
            }
            // The caller only waits: it parks without driving async-io's reactor (which
            // `async_io::block_on` would), so the workers alone run and react, as with tokio.
            let out = futures_lite::future::block_on(task);
            drop(stop);
            out
        })
    }

    fn unconstrained<F: Future + Send>(f: F) -> impl Future<Output = F::Output> + Send {
        f // smol has no cooperative budget
    }

    async fn sleep(d: Duration) {
        Timer::after(d).await;
    }

    fn timeout<F: Future + Send>(
        d: Duration,
        f: F,
    ) -> impl Future<Output = Option<F::Output>> + Send {
        // smol's idiom: race the future against a timer.
        futures_lite::future::or(async { Some(f.await) }, async move {
            Timer::after(d).await;
            None
        })
    }

    fn interval(period: Duration) -> impl Tick {
        Timer::interval(period)
    }
}

impl Tick for Timer {
    async fn tick(&mut self) -> Instant {
        // A timer with a period never ends.
        self.next().await.unwrap_or_else(Instant::now)
    }
}

impl<const MT: bool> Spawn for Smol<MT> {
    type Task<T: Send + 'static> = smol::Task<T>;

    fn spawn<F>(f: F) -> smol::Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        Self::ex().spawn(f)
    }

    fn detach<T: Send + 'static>(task: smol::Task<T>) {
        task.detach();
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        futures_lite::future::yield_now()
    }
}

impl<const MT: bool> Concert for Smol<MT> {
    async fn gather<F>(futures: Vec<F>) -> Vec<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        // smol has neither gather nor a task group: spawn each, await the tasks in order.
        let tasks: Vec<_> = futures.into_iter().map(|f| Self::ex().spawn(f)).collect();
        let mut out = Vec::with_capacity(tasks.len());
        for t in tasks {
            out.push(t.await);
        }
        out
    }

    async fn group<F>(futures: Vec<F>)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        Self::gather(futures).await;
    }
}

/// asyncio's `Event` on smol: a flag and an `event_listener::Event` (what async-lock builds on).
pub(crate) struct SmolEvent {
    set: AtomicBool,
    listeners: event_listener::Event,
}

impl<const MT: bool> Locks for Smol<MT> {
    type Mutex = smol::lock::Mutex<u64>;
    type Semaphore = smol::lock::Semaphore;
    type RwLock = smol::lock::RwLock<u64>;
    type Event = SmolEvent;
    type Cond = event_listener::Event;

    fn mutex() -> Self::Mutex {
        smol::lock::Mutex::new(0)
    }

    fn lock(
        m: &Self::Mutex,
    ) -> impl Future<Output = impl DerefMut<Target = u64> + Send + '_> + Send {
        m.lock()
    }

    fn semaphore(permits: usize) -> Self::Semaphore {
        smol::lock::Semaphore::new(permits)
    }

    fn acquire(s: &Self::Semaphore) -> impl Future<Output = impl Send + '_> + Send {
        s.acquire()
    }

    fn rwlock() -> Self::RwLock {
        smol::lock::RwLock::new(0)
    }

    fn read(l: &Self::RwLock) -> impl Future<Output = impl Deref<Target = u64> + Send + '_> + Send {
        l.read()
    }

    fn write(
        l: &Self::RwLock,
    ) -> impl Future<Output = impl DerefMut<Target = u64> + Send + '_> + Send {
        l.write()
    }

    fn event() -> SmolEvent {
        SmolEvent {
            set: AtomicBool::new(false),
            listeners: event_listener::Event::new(),
        }
    }

    fn set(e: &SmolEvent) {
        e.set.store(true, Ordering::Release);
        e.listeners.notify(usize::MAX);
    }

    async fn wait(e: &SmolEvent) {
        Self::wait_until(&e.listeners, || e.set.load(Ordering::Acquire)).await;
    }

    fn cond() -> event_listener::Event {
        event_listener::Event::new()
    }

    fn notify_one(c: &event_listener::Event) {
        c.notify(1);
    }

    async fn wait_until<'a>(c: &'a event_listener::Event, ready: impl Fn() -> bool + Send + 'a) {
        loop {
            if ready() {
                return;
            }
            let listener = c.listen();
            if ready() {
                return;
            }
            listener.await;
        }
    }
}

impl<const MT: bool> Channels for Smol<MT> {
    type Sender<T: Send + 'static> = smol::channel::Sender<T>;
    type Receiver<T: Send + 'static> = smol::channel::Receiver<T>;
    type QueueTx<T: Send + 'static> = smol::channel::Sender<T>;
    type QueueRx<T: Send + 'static> = smol::channel::Receiver<T>;
    type OnceTx<T: Send + 'static> = smol::channel::Sender<T>;
    type OnceRx<T: Send + 'static> = OnceRx<T>;
    type BcastTx<T: Clone + Send + Sync + 'static> = async_broadcast::Sender<T>;
    type BcastRx<T: Clone + Send + Sync + 'static> = async_broadcast::Receiver<T>;

    fn bounded<T: Send + 'static>(cap: usize) -> (Self::Sender<T>, Self::Receiver<T>) {
        smol::channel::bounded(cap)
    }

    async fn send<T: Send + 'static>(tx: &Self::Sender<T>, v: T) -> bool {
        tx.send(v).await.is_ok()
    }

    async fn recv<T: Send + 'static>(rx: &mut Self::Receiver<T>) -> Option<T> {
        rx.recv().await.ok()
    }

    fn queue<T: Send + 'static>() -> (Self::QueueTx<T>, Self::QueueRx<T>) {
        smol::channel::unbounded()
    }

    fn put<T: Send + 'static>(tx: &Self::QueueTx<T>, v: T) {
        // Unbounded: fails only once the receiver is gone, and then the value is dropped.
        let _ = tx.try_send(v);
    }

    async fn get<T: Send + 'static>(rx: &mut Self::QueueRx<T>) -> Option<T> {
        rx.recv().await.ok()
    }

    fn oneshot<T: Send + 'static>() -> (Self::OnceTx<T>, OnceRx<T>) {
        // smol has no oneshot; a channel of one slot is its idiom.
        let (tx, rx) = smol::channel::bounded(1);
        (tx, OnceRx { rx })
    }

    fn fire<T: Send + 'static>(tx: Self::OnceTx<T>, v: T) {
        // One slot, one value: never full; a receiver that is gone misses it.
        let _ = tx.try_send(v);
    }

    fn broadcast<T: Clone + Send + Sync + 'static>(
        cap: usize,
    ) -> (Self::BcastTx<T>, Self::BcastRx<T>) {
        async_broadcast::broadcast(cap)
    }

    fn subscribe<T: Clone + Send + Sync + 'static>(tx: &Self::BcastTx<T>) -> Self::BcastRx<T> {
        tx.new_receiver()
    }

    async fn publish<T: Clone + Send + Sync + 'static>(tx: &Self::BcastTx<T>, v: T) {
        // Waits while a receiver is full; fails only with no receiver left.
        let _ = tx.broadcast(v).await;
    }

    async fn next<T: Clone + Send + Sync + 'static>(rx: &mut Self::BcastRx<T>) -> Option<T> {
        rx.recv().await.ok()
    }
}

pin_project_lite::pin_project! {
    /// The receiving side of smol's one-slot channel used as a oneshot.
    pub(crate) struct OnceRx<T> {
        #[pin]
        rx: smol::channel::Receiver<T>,
    }
}

impl<T> Future for OnceRx<T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        futures_lite::Stream::poll_next(self.project().rx, cx)
    }
}

impl<const MT: bool> Net for Smol<MT> {
    type Listener = smol::net::TcpListener;
    type Stream = smol::net::TcpStream;
    type Udp = smol::net::UdpSocket;
    type PipeR = Async<std::fs::File>;
    type PipeW = Async<std::fs::File>;

    async fn listen() -> io::Result<(Self::Listener, SocketAddr)> {
        let l = smol::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = l.local_addr()?;
        Ok((l, addr))
    }

    async fn accept(l: &Self::Listener) -> io::Result<Self::Stream> {
        let (s, _) = l.accept().await?;
        s.set_nodelay(true)?;
        Ok(s)
    }

    async fn connect(addr: SocketAddr) -> io::Result<Self::Stream> {
        let s = smol::net::TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(s)
    }

    fn read_exact<'a>(
        s: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        AsyncReadExt::read_exact(s, buf)
    }

    fn write_all<'a>(
        s: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        AsyncWriteExt::write_all(s, buf)
    }

    async fn udp_pair() -> io::Result<(Self::Udp, Self::Udp)> {
        let a = smol::net::UdpSocket::bind("127.0.0.1:0").await?;
        let b = smol::net::UdpSocket::bind("127.0.0.1:0").await?;
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
            Async::new(std::fs::File::from(std::os::fd::OwnedFd::from(r)))?,
            Async::new(std::fs::File::from(std::os::fd::OwnedFd::from(w)))?,
        ))
    }

    fn pipe_read<'a>(
        r: &'a mut Self::PipeR,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        AsyncReadExt::read_exact(r, buf)
    }

    fn pipe_write<'a>(
        w: &'a mut Self::PipeW,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a {
        AsyncWriteExt::write_all(w, buf)
    }
}

impl<const MT: bool> Process for Smol<MT> {
    async fn status(program: &'static str) -> io::Result<ExitStatus> {
        smol::process::Command::new(program).status().await
    }
}

impl<const MT: bool> Fs for Smol<MT> {
    fn write(path: PathBuf, data: &'static [u8]) -> impl Future<Output = io::Result<()>> + Send {
        smol::fs::write(path, data)
    }

    fn read(path: PathBuf) -> impl Future<Output = io::Result<Vec<u8>>> + Send {
        smol::fs::read(path)
    }
}
