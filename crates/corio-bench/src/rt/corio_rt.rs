//! corio: `corio-ct` is a current-thread runtime, `corio-mt` the multi-thread one (a worker
//! per core); one of each per process. Both implement [`Rt`], [`Spawn`], [`Net`], [`Fs`] and
//! [`Process`]; TCP and UDP go through `corio::io::Async` around the std sockets (corio has
//! no TcpStream yet), files through `corio::fs`, children through `corio::process`.

use std::future::Future;
use std::io;
use std::mem::{size_of, zeroed};
use std::net::{SocketAddr, SocketAddrV4, TcpListener, TcpStream, UdpSocket};
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use corio::io::Async;
use futures_lite::{AsyncReadExt, AsyncWriteExt};

use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};

use std::ops::{Deref, DerefMut};

use corio::sync::{broadcast, mpsc, oneshot};

use super::{Channels, Concert, Fs, Locks, Net, Process, Rt, Spawn, Tick};

/// corio with the multi-thread (`MT`) or the current-thread scheduler.
pub(crate) struct Corio<const MT: bool>;
pub(crate) type CorioCt = Corio<false>;
pub(crate) type CorioMt = Corio<true>;

impl<const MT: bool> Corio<MT> {
    /// The process's runtime of this flavour, usable from any thread.
    fn rt() -> &'static corio::Runtime {
        static CT: OnceLock<corio::Runtime> = OnceLock::new();
        static MT_RT: OnceLock<corio::Runtime> = OnceLock::new();
        if MT {
            MT_RT.get_or_init(|| corio::Runtime::new().expect("corio runtime"))
        } else {
            CT.get_or_init(|| {
                corio::Builder::new()
                    .current_thread()
                    .build()
                    .expect("corio runtime")
            })
        }
    }
}

impl<const MT: bool> Rt for Corio<MT> {
    const NAME: &'static str = if MT { "corio-mt" } else { "corio-ct" };
    const TIMERS: &'static str = Self::NAME;

    fn run<F>(fut: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let rt = Self::rt();
        if MT {
            // The root runs on a worker, as tokio-mt's does: what it wakes stays local.
            rt.block_on(Joined(rt.spawn(fut).expect("corio runtime is running")))
        } else {
            rt.block_on(fut)
        }
    }

    fn unconstrained<F: Future + Send>(f: F) -> impl Future<Output = F::Output> + Send {
        // corio's budget is only spent by joins and yields, which a harness loop does not
        // wait on in bulk.
        f
    }

    fn sleep(d: Duration) -> impl Future<Output = ()> + Send + 'static {
        corio::sleep(d)
    }

    async fn timeout<F: Future + Send>(d: Duration, f: F) -> Option<F::Output> {
        corio::timeout(d, f).await.ok()
    }

    fn interval(period: Duration) -> impl Tick {
        corio::time::interval(period)
    }
}

impl Tick for corio::time::Interval {
    fn tick(&mut self) -> impl Future<Output = Instant> + Send + '_ {
        corio::time::Interval::tick(self)
    }
}

/// A corio task whose failure (a panic or a cancellation) fails the benchmark.
pub(crate) struct Joined<T>(corio::Task<T>);

impl<T> Future for Joined<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|r| r.unwrap_or_else(|e| panic!("a corio benchmark task failed: {e}")))
    }
}

impl<const MT: bool> Spawn for Corio<MT> {
    type Task<T: Send + 'static> = Joined<T>;

    fn spawn<F>(f: F) -> Joined<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        // From a foreign thread (remote_spawn) there is no current runtime: go through it.
        Joined(Self::rt().spawn(f).expect("corio runtime is running"))
    }

    fn detach<T: Send + 'static>(task: Joined<T>) {
        task.0.detach();
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        corio::yield_now()
    }
}

impl<const MT: bool> Net for Corio<MT> {
    type Listener = Async<TcpListener>;
    type Stream = Async<TcpStream>;
    type Udp = Async<UdpSocket>;
    type PipeR = Async<std::fs::File>;
    type PipeW = Async<std::fs::File>;

    async fn listen() -> io::Result<(Self::Listener, SocketAddr)> {
        let l = TcpListener::bind("127.0.0.1:0")?;
        let addr = l.local_addr()?;
        Ok((Async::new(l)?, addr))
    }

    async fn accept(l: &Self::Listener) -> io::Result<Self::Stream> {
        let (s, _) = l.read_with(|l| l.accept()).await?;
        s.set_nodelay(true)?;
        Async::new(s)
    }

    async fn connect(addr: SocketAddr) -> io::Result<Self::Stream> {
        // corio has no TcpStream yet: a non-blocking connect, then wait until writable — what
        // tokio and async-io do inside their `connect`.
        let s = Async::new(start_connect(addr)?)?;
        s.writable().await?;
        if let Some(e) = s.get_ref().take_error()? {
            return Err(e);
        }
        s.get_ref().peer_addr()?;
        s.get_ref().set_nodelay(true)?;
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
        let a = UdpSocket::bind("127.0.0.1:0")?;
        let b = UdpSocket::bind("127.0.0.1:0")?;
        a.connect(b.local_addr()?)?;
        b.connect(a.local_addr()?)?;
        Ok((Async::new(a)?, Async::new(b)?))
    }

    async fn send<'a>(u: &'a Self::Udp, buf: &'a [u8]) -> io::Result<usize> {
        u.write_with(|u| u.send(buf)).await
    }

    async fn recv<'a>(u: &'a Self::Udp, buf: &'a mut [u8]) -> io::Result<usize> {
        u.read_with(|u| u.recv(buf)).await
    }

    fn pipe() -> io::Result<(Self::PipeR, Self::PipeW)> {
        let (r, w) = std::io::pipe()?;
        Ok((
            Async::new(std::fs::File::from(OwnedFd::from(r)))?,
            Async::new(std::fs::File::from(OwnedFd::from(w)))?,
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

/// A non-blocking TCP socket with a connect to `addr` (IPv4) started.
fn start_connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let SocketAddr::V4(v4) = addr else {
        return Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "the benchmarks connect over IPv4 loopback only",
        ));
    };
    // SAFETY: socket(2) with constant arguments; it returns a new descriptor or -1.
    let fd = unsafe {
        libc::socket(
            libc::AF_INET,
            libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just returned by socket(2) and is owned by nobody else.
    let sock = unsafe { OwnedFd::from_raw_fd(fd) };
    let sa = sockaddr_in(v4);
    // SAFETY: `sa` is a valid, initialised sockaddr_in and the length passed is its size.
    let rc = unsafe {
        libc::connect(
            fd,
            (&raw const sa).cast::<libc::sockaddr>(),
            size_of::<libc::sockaddr_in>() as libc::socklen_t,
        )
    };
    if rc < 0 {
        let e = io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::EINPROGRESS) {
            return Err(e);
        }
    }
    Ok(TcpStream::from(sock))
}

fn sockaddr_in(addr: SocketAddrV4) -> libc::sockaddr_in {
    // SAFETY: sockaddr_in is plain old data; all-zero is a valid (unspecified) value.
    let mut sa: libc::sockaddr_in = unsafe { zeroed() };
    sa.sin_family = libc::AF_INET as libc::sa_family_t;
    sa.sin_port = addr.port().to_be();
    sa.sin_addr = libc::in_addr {
        s_addr: u32::from(*addr.ip()).to_be(),
    };
    sa
}

/// asyncio's `Condition` needs its lock: waiting holds it, as asyncio requires.
pub(crate) struct CorioCond {
    lock: corio::sync::Mutex<()>,
    cond: corio::sync::Condition,
}

impl<const MT: bool> Locks for Corio<MT> {
    type Mutex = corio::sync::Mutex<u64>;
    type Semaphore = corio::sync::Semaphore;
    type RwLock = corio::sync::RwLock<u64>;
    type Event = corio::sync::Event;
    type Cond = CorioCond;

    fn mutex() -> Self::Mutex {
        corio::sync::Mutex::new(0)
    }

    fn lock(
        m: &Self::Mutex,
    ) -> impl Future<Output = impl DerefMut<Target = u64> + Send + '_> + Send {
        m.lock()
    }

    fn semaphore(permits: usize) -> Self::Semaphore {
        corio::sync::Semaphore::new(permits)
    }

    fn acquire(s: &Self::Semaphore) -> impl Future<Output = impl Send + '_> + Send {
        s.acquire()
    }

    fn rwlock() -> Self::RwLock {
        corio::sync::RwLock::new(0)
    }

    fn read(l: &Self::RwLock) -> impl Future<Output = impl Deref<Target = u64> + Send + '_> + Send {
        l.read()
    }

    fn write(
        l: &Self::RwLock,
    ) -> impl Future<Output = impl DerefMut<Target = u64> + Send + '_> + Send {
        l.write()
    }

    fn event() -> Self::Event {
        corio::sync::Event::new()
    }

    fn set(e: &Self::Event) {
        e.set();
    }

    fn wait(e: &Self::Event) -> impl Future<Output = ()> + Send + '_ {
        e.wait()
    }

    fn cond() -> CorioCond {
        CorioCond {
            lock: corio::sync::Mutex::new(()),
            cond: corio::sync::Condition::new(),
        }
    }

    fn notify_one(c: &CorioCond) {
        c.cond.notify(1);
    }

    async fn wait_until<'a>(c: &'a CorioCond, ready: impl Fn() -> bool + Send + 'a) {
        let held = c.lock.lock().await;
        drop(c.cond.wait_for(held, move |_| ready()).await);
    }
}

/// corio's oneshot receiver, with "the sender is gone" as `None`.
pub(crate) struct OnceRx<T>(oneshot::Receiver<T>);

impl<T> Future for OnceRx<T> {
    type Output = Option<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        Pin::new(&mut self.0).poll(cx).map(Result::ok)
    }
}

impl<const MT: bool> Channels for Corio<MT> {
    type Sender<T: Send + 'static> = mpsc::Sender<T>;
    type Receiver<T: Send + 'static> = mpsc::Receiver<T>;
    // asyncio's Queue, which the workload is named after.
    type QueueTx<T: Send + 'static> = corio::sync::Queue<T>;
    type QueueRx<T: Send + 'static> = corio::sync::Queue<T>;
    type OnceTx<T: Send + 'static> = oneshot::Sender<T>;
    type OnceRx<T: Send + 'static> = OnceRx<T>;
    type BcastTx<T: Clone + Send + Sync + 'static> = broadcast::Sender<T>;
    type BcastRx<T: Clone + Send + Sync + 'static> = broadcast::Receiver<T>;

    fn bounded<T: Send + 'static>(cap: usize) -> (Self::Sender<T>, Self::Receiver<T>) {
        mpsc::channel(cap)
    }

    async fn send<T: Send + 'static>(tx: &Self::Sender<T>, v: T) -> bool {
        tx.send(v).await.is_ok()
    }

    async fn recv<T: Send + 'static>(rx: &mut Self::Receiver<T>) -> Option<T> {
        rx.recv().await
    }

    fn queue<T: Send + 'static>() -> (Self::QueueTx<T>, Self::QueueRx<T>) {
        let q = corio::sync::Queue::unbounded();
        (q.clone(), q)
    }

    fn put<T: Send + 'static>(tx: &Self::QueueTx<T>, v: T) {
        // Unbounded and never shut down here: cannot fail.
        let _ = tx.put_nowait(v);
    }

    async fn get<T: Send + 'static>(rx: &mut Self::QueueRx<T>) -> Option<T> {
        rx.get().await.ok()
    }

    fn oneshot<T: Send + 'static>() -> (Self::OnceTx<T>, OnceRx<T>) {
        let (tx, rx) = oneshot::channel();
        (tx, OnceRx(rx))
    }

    fn fire<T: Send + 'static>(tx: Self::OnceTx<T>, v: T) {
        // A receiver that is gone misses the value.
        let _ = tx.send(v);
    }

    fn broadcast<T: Clone + Send + Sync + 'static>(
        cap: usize,
    ) -> (Self::BcastTx<T>, Self::BcastRx<T>) {
        broadcast::channel(cap)
    }

    fn subscribe<T: Clone + Send + Sync + 'static>(tx: &Self::BcastTx<T>) -> Self::BcastRx<T> {
        tx.subscribe()
    }

    async fn publish<T: Clone + Send + Sync + 'static>(tx: &Self::BcastTx<T>, v: T) {
        // No receivers left: nobody to tell.
        let _ = tx.send(v);
    }

    async fn next<T: Clone + Send + Sync + 'static>(rx: &mut Self::BcastRx<T>) -> Option<T> {
        rx.recv().await.ok()
    }
}

impl<const MT: bool> Concert for Corio<MT> {
    async fn gather<F>(futures: Vec<F>) -> Vec<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        corio::task::gather(futures).await.expect("no child panics")
    }

    async fn group<F>(futures: Vec<F>)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        corio::task_group(|tg| async move {
            for f in futures {
                let _ = tg.spawn(async move {
                    f.await;
                    Ok::<_, ()>(())
                });
            }
            Ok(())
        })
        .await
        .expect("no child fails");
    }

    async fn wait_for<F: Future + Send>(d: Duration, f: F) -> Option<F::Output> {
        corio::wait_for(f, d).await.ok()
    }
}

impl<const MT: bool> Process for Corio<MT> {
    async fn status(program: &'static str) -> io::Result<std::process::ExitStatus> {
        corio::process::Command::new(program).status().await
    }
}

impl<const MT: bool> Fs for Corio<MT> {
    fn write(path: PathBuf, data: &'static [u8]) -> impl Future<Output = io::Result<()>> + Send {
        corio::fs::write(path, data)
    }

    fn read(path: PathBuf) -> impl Future<Output = io::Result<Vec<u8>>> + Send {
        corio::fs::read(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn connects_and_talks_over_loopback() {
        CorioCt::run(async {
            let (l, addr) = CorioCt::listen().await.unwrap();
            let (c, s) =
                futures_lite::future::zip(CorioCt::connect(addr), CorioCt::accept(&l)).await;
            let (mut c, mut s) = (c.unwrap(), s.unwrap());
            CorioCt::write_all(&mut c, b"hi").await.unwrap();
            let mut buf = [0; 2];
            CorioCt::read_exact(&mut s, &mut buf).await.unwrap();
            assert_eq!(&buf, b"hi");
        });
    }

    #[test]
    fn connect_to_a_closed_port_fails() {
        let addr = {
            let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
            l.local_addr().unwrap()
        };
        assert!(CorioCt::run(CorioCt::connect(addr)).is_err());
    }
}
