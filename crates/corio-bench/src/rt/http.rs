//! [`Http`]: what hyper needs from each runtime — its TCP stream in hyper's I/O traits, and
//! its timer — so one hyper server and client run unchanged on all six flavours.
//!
//! | runtime | I/O adapter | timer |
//! |---|---|---|
//! | corio | `corio::hyper::Io` around `corio::net::TcpStream` | `corio::hyper::Timer` |
//! | tokio | hyper-util's `TokioIo` around `tokio::net::TcpStream` | hyper-util's `TokioTimer` |
//! | smol | `corio::hyper::Io` around `smol::net::TcpStream` (a futures-io stream, as smol-hyper's `FuturesIo` wraps it) | `SmolTimer` below, on `async_io::Timer` |

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use corio::hyper::Io;
use hyper_util::rt::{TokioIo, TokioTimer};

use super::{Corio, Net, Smol, Spawn, Tokio};

/// A runtime's TCP, as hyper takes it.
pub(crate) trait Http: Spawn {
    /// A listening socket.
    type Listener: Send + Sync + 'static;
    /// A connected stream in hyper's `Read` / `Write`.
    type Io: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static;
    /// hyper's timer on this runtime.
    type Timer: hyper::rt::Timer + Clone + Send + Sync + 'static;

    /// Listens on `127.0.0.1`, on a free port.
    fn listen() -> impl Future<Output = io::Result<(Self::Listener, SocketAddr)>> + Send;
    /// The next connection (with `TCP_NODELAY` set).
    fn accept(l: &Self::Listener) -> impl Future<Output = io::Result<Self::Io>> + Send + '_;
    /// Connects to `addr` (with `TCP_NODELAY` set).
    fn connect(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Io>> + Send;
    /// The timer hyper's connections use.
    fn timer() -> Self::Timer;
}

/// corio's own TCP stream, what users hand hyper, rather than the net group's `Async` around
/// std's: it reads and writes through corio-net's byte-stream paths (a short read settles
/// the readiness without another `recv`).
impl<const MT: bool> Http for Corio<MT> {
    type Listener = corio::net::TcpListener;
    type Io = Io<corio::net::TcpStream>;
    type Timer = corio::hyper::Timer;

    async fn listen() -> io::Result<(Self::Listener, SocketAddr)> {
        let l = corio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = l.local_addr()?;
        Ok((l, addr))
    }

    async fn accept(l: &Self::Listener) -> io::Result<Self::Io> {
        let (s, _) = l.accept().await?;
        s.set_nodelay(true)?;
        Ok(Io::new(s))
    }

    async fn connect(addr: SocketAddr) -> io::Result<Self::Io> {
        let s = corio::net::TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(Io::new(s))
    }

    fn timer() -> Self::Timer {
        corio::hyper::Timer::new()
    }
}

/// tokio's and smol's TCP as the net group has it ([`Net`]), wrapped for hyper.
impl<const MT: bool> Http for Tokio<MT> {
    type Listener = <Self as Net>::Listener;
    type Io = TokioIo<<Self as Net>::Stream>;
    type Timer = TokioTimer;

    fn listen() -> impl Future<Output = io::Result<(Self::Listener, SocketAddr)>> + Send {
        <Self as Net>::listen()
    }

    async fn accept(l: &Self::Listener) -> io::Result<Self::Io> {
        <Self as Net>::accept(l).await.map(TokioIo::new)
    }

    async fn connect(addr: SocketAddr) -> io::Result<Self::Io> {
        <Self as Net>::connect(addr).await.map(TokioIo::new)
    }

    fn timer() -> Self::Timer {
        TokioTimer::new()
    }
}

impl<const MT: bool> Http for Smol<MT> {
    type Listener = <Self as Net>::Listener;
    type Io = Io<<Self as Net>::Stream>;
    type Timer = SmolTimer;

    fn listen() -> impl Future<Output = io::Result<(Self::Listener, SocketAddr)>> + Send {
        <Self as Net>::listen()
    }

    async fn accept(l: &Self::Listener) -> io::Result<Self::Io> {
        <Self as Net>::accept(l).await.map(Io::new)
    }

    async fn connect(addr: SocketAddr) -> io::Result<Self::Io> {
        <Self as Net>::connect(addr).await.map(Io::new)
    }

    fn timer() -> Self::Timer {
        SmolTimer
    }
}

/// hyper's timer on async-io's timers (smol's).
#[derive(Clone, Copy)]
pub(crate) struct SmolTimer;

struct SmolSleep(async_io::Timer);

impl Future for SmolSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx).map(drop)
    }
}

impl hyper::rt::Sleep for SmolSleep {}

impl hyper::rt::Timer for SmolTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(SmolSleep(async_io::Timer::after(duration)))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(SmolSleep(async_io::Timer::at(deadline)))
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn hyper::rt::Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<SmolSleep>() {
            Some(ours) => ours.get_mut().0.set_at(new_deadline),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}
