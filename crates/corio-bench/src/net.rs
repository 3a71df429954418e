//! Readiness I/O through each runtime's reactor: two pipes, one byte bounced back and forth,
//! both ends on one thread — every round trip waits twice in the reactor.

use std::fs::File;
use std::os::fd::OwnedFd;
use std::time::{Duration, Instant};

use crate::measure::{Contender, Measurement, Plan, compare};

/// Two fresh pipes: (ping reader, ping writer, pong reader, pong writer).
fn pipes() -> (OwnedFd, OwnedFd, OwnedFd, OwnedFd) {
    let (ping_r, ping_w) = std::io::pipe().expect("pipe");
    let (pong_r, pong_w) = std::io::pipe().expect("pipe");
    (ping_r.into(), ping_w.into(), pong_r.into(), pong_w.into())
}

/// `n` round trips between a pinger and a ponger joined on the current task; the
/// surrounding scope decides which runtime's `read_exact` / `write_all` are in use.
macro_rules! ping_pong {
    ($n:expr, $ping_r:expr, $ping_w:expr, $pong_r:expr, $pong_w:expr) => {{
        let (mut ping_r, mut ping_w, mut pong_r, mut pong_w) = ($ping_r, $ping_w, $pong_r, $pong_w);
        let started = Instant::now();
        let pinger = async {
            let mut b = [0u8; 1];
            for _ in 0..$n {
                ping_w.write_all(&[1]).await.unwrap();
                pong_r.read_exact(&mut b).await.unwrap();
            }
        };
        let ponger = async {
            let mut b = [0u8; 1];
            for _ in 0..$n {
                ping_r.read_exact(&mut b).await.unwrap();
                pong_w.write_all(&b).await.unwrap();
            }
        };
        futures_lite::future::zip(pinger, ponger).await;
        started.elapsed()
    }};
}

fn corio_ping_pong(rt: &corio::Runtime, n: u64) -> Duration {
    use futures_lite::{AsyncReadExt, AsyncWriteExt};
    let (a, b, c, d) = pipes();
    let io = |fd| corio::io::Async::new(File::from(fd)).expect("register");
    rt.block_on(async { ping_pong!(n, io(a), io(b), io(c), io(d)) })
}

fn tokio_ping_pong(rt: &tokio::runtime::Runtime, n: u64) -> Duration {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::unix::pipe::{Receiver, Sender};
    let (a, b, c, d) = pipes();
    rt.block_on(async {
        ping_pong!(
            n,
            Receiver::from_owned_fd(a).expect("register"),
            Sender::from_owned_fd(b).expect("register"),
            Receiver::from_owned_fd(c).expect("register"),
            Sender::from_owned_fd(d).expect("register")
        )
    })
}

fn smol_ping_pong(n: u64) -> Duration {
    use futures_lite::{AsyncReadExt, AsyncWriteExt};
    let (a, b, c, d) = pipes();
    let io = |fd| async_io::Async::new(File::from(fd)).expect("register");
    async_io::block_on(async { ping_pong!(n, io(a), io(b), io(c), io(d)) })
}

pub(crate) fn run(plan: Plan) -> Vec<Measurement> {
    let corio = corio::Runtime::new().expect("corio runtime");
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    compare(
        "net",
        "pipe_ping_pong",
        20_000,
        plan,
        &mut [
            Contender::new("corio-ct", |n| corio_ping_pong(&corio, n)),
            Contender::new("tokio-ct", |n| tokio_ping_pong(&tokio, n)),
            Contender::new("smol-ct", smol_ping_pong),
        ],
    )
}
