//! Readiness I/O on loopback: ping-pong over a pipe, a TCP connection and UDP (both ends in
//! one task, so every round trip waits twice in the reactor), the connect/accept rate, and
//! the TCP echo server with 50 client tasks.

use std::os::fd::{AsFd, AsRawFd};
use std::time::{Duration, Instant};

use futures_lite::future::zip;

use crate::baseline;
use crate::latch::Latch;
use crate::measure::{BASELINE, Bench, Contender, Measurement, Plan, Unit, compare};
use crate::rt::{Needs, Net, Spawn, contenders};

const G: &str = "net";

/// `n` one-byte round trips over two pipes.
fn pipe_ping_pong<R: Net>(n: u64) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let (mut ping_r, mut ping_w) = R::pipe().expect("pipe");
            let (mut pong_r, mut pong_w) = R::pipe().expect("pipe");
            let started = Instant::now();
            let pinger = async {
                let mut b = [0u8; 1];
                for _ in 0..n {
                    R::pipe_write(&mut ping_w, &[1]).await.expect("write");
                    R::pipe_read(&mut pong_r, &mut b).await.expect("read");
                }
            };
            let ponger = async {
                let mut b = [0u8; 1];
                for _ in 0..n {
                    R::pipe_read(&mut ping_r, &mut b).await.expect("read");
                    R::pipe_write(&mut pong_w, &b).await.expect("write");
                }
            };
            zip(pinger, ponger).await;
            started.elapsed()
        })
    }
}

/// `n` round trips of a 64-byte message over one TCP connection.
fn tcp_ping_pong<R: Net>(n: u64) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let (listener, addr) = R::listen().await.expect("listen");
            let (client, server) = zip(R::connect(addr), R::accept(&listener)).await;
            let (mut client, mut server) = (client.expect("connect"), server.expect("accept"));
            let started = Instant::now();
            let pinger = async {
                let mut b = [7u8; 64];
                for _ in 0..n {
                    R::write_all(&mut client, &b).await.expect("write");
                    R::read_exact(&mut client, &mut b).await.expect("read");
                }
            };
            let ponger = async {
                let mut b = [0u8; 64];
                for _ in 0..n {
                    R::read_exact(&mut server, &mut b).await.expect("read");
                    R::write_all(&mut server, &b).await.expect("write");
                }
            };
            zip(pinger, ponger).await;
            started.elapsed()
        })
    }
}

/// `n` round trips of a 64-byte datagram between two connected UDP sockets.
fn udp_ping_pong<R: Net>(n: u64) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let (a, b) = R::udp_pair().await.expect("udp sockets");
            let started = Instant::now();
            let pinger = async {
                let mut buf = [7u8; 64];
                for _ in 0..n {
                    R::send(&a, &buf).await.expect("send");
                    let got = R::recv(&a, &mut buf).await.expect("recv");
                    assert_eq!(got, 64);
                }
            };
            let ponger = async {
                let mut buf = [0u8; 64];
                for _ in 0..n {
                    let got = R::recv(&b, &mut buf).await.expect("recv");
                    R::send(&b, &buf[..got]).await.expect("send");
                }
            };
            zip(pinger, ponger).await;
            started.elapsed()
        })
    }
}

/// Closes `s` with a reset instead of a FIN (`SO_LINGER` 0): thousands of connections per
/// second must not pile up in `TIME_WAIT` and exhaust the loopback's ports.
fn reset<S: AsFd>(s: S) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid descriptor (borrowed from `s`, alive for the call) and a `linger`
    // value of the size passed.
    let rc = unsafe {
        libc::setsockopt(
            s.as_fd().as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&raw const linger).cast(),
            size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    debug_assert_eq!(rc, 0, "setsockopt(SO_LINGER)");
    drop(s);
}

/// `n` × (connect, accept, close), one connection at a time.
fn connect_accept<R: Net>(n: u64) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let (listener, addr) = R::listen().await.expect("listen");
            let started = Instant::now();
            for _ in 0..n {
                let (client, server) = zip(R::connect(addr), R::accept(&listener)).await;
                reset(server.expect("accept"));
                drop(client.expect("connect"));
            }
            started.elapsed()
        })
    }
}

/// An echo server (an accept loop spawning a task per connection) and `conns` client tasks,
/// each sending `msgs` messages of `size` bytes and reading each echo back.
fn tcp_echo<R: Net + Spawn>(conns: usize, msgs: usize, size: usize) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let (listener, addr) = R::listen().await.expect("listen");
            let served = Latch::new(conns);
            let started = Instant::now();
            let server = {
                let served = served.clone();
                R::spawn(async move {
                    for _ in 0..conns {
                        let mut s = R::accept(&listener).await.expect("accept");
                        let served = served.clone();
                        R::detach(R::spawn(async move {
                            let mut buf = vec![0u8; size];
                            // Echo until the client closes (read_exact then fails with EOF).
                            while R::read_exact(&mut s, &mut buf).await.is_ok() {
                                R::write_all(&mut s, &buf).await.expect("echo");
                            }
                            served.count_down();
                        }));
                    }
                })
            };
            let done = Latch::new(conns);
            for _ in 0..conns {
                let done = done.clone();
                R::detach(R::spawn(async move {
                    let mut s = R::connect(addr).await.expect("connect");
                    let mut buf = vec![1u8; size];
                    for _ in 0..msgs {
                        R::write_all(&mut s, &buf).await.expect("send");
                        R::read_exact(&mut s, &mut buf).await.expect("echo");
                    }
                    done.count_down();
                }));
            }
            server.await;
            done.wait().await;
            let elapsed = started.elapsed();
            // Untimed: the server's tasks see the clients' EOF and end, so nothing of this
            // run is left to run during the next.
            served.wait().await;
            elapsed
        })
    }
}

pub(crate) fn run(plan: Plan) -> Vec<Measurement> {
    let bench = |name, unit, needs, about| Bench {
        group: G,
        name,
        unit,
        needs,
        about,
    };
    let mut out = Vec::new();
    out.extend(compare(
        bench(
            "pipe_ping_pong",
            Unit::PerOp(20_000),
            Needs::Net,
            "one byte bounced over two pipes, both ends in one task; op = one round trip",
        ),
        plan,
        contenders!(net: pipe_ping_pong(20_000)),
    ));
    out.extend(compare(
        bench(
            "tcp_ping_pong",
            Unit::PerOp(10_000),
            Needs::Net,
            "64 B bounced over one loopback TCP connection, both ends in one task; op = one round trip",
        ),
        plan,
        contenders!(net: tcp_ping_pong(10_000)),
    ));
    out.extend(compare(
        bench(
            "udp_ping_pong",
            Unit::PerOp(10_000),
            Needs::Net,
            "a 64 B datagram bounced between two connected loopback UDP sockets in one task; op = one round trip",
        ),
        plan,
        contenders!(net: udp_ping_pong(10_000)),
    ));
    out.extend(compare(
        bench(
            "connect_accept",
            Unit::PerOp(1_000),
            Needs::Net,
            "loopback connect + accept + close (reset), one connection at a time, in one task; op = one connection",
        ),
        plan,
        contenders!(net: connect_accept(1_000)),
    ));
    let mut single = contenders!(spawn: tcp_echo(1, 20_000, 64));
    single.push(Contender::new(BASELINE, baseline::tcp_echo(20_000, 64)));
    out.extend(compare(
        bench(
            "tcp_echo_1conn",
            Unit::PerOp(20_000),
            Needs::Spawn,
            "the echo server and one client task, 20,000 messages of 64 B; op = one round trip",
        ),
        plan,
        single,
    ));
    for (name, size, about) in [
        (
            "tcp_echo_64b",
            64,
            "echo server (a task per connection) and 50 client tasks × 2,000 messages of 64 B, each \
             awaiting its echo; op = one message round trip",
        ),
        ("tcp_echo_4k", 4096, "the same with messages of 4 KiB"),
    ] {
        out.extend(compare(
            bench(name, Unit::PerOp(50 * 2_000), Needs::Spawn, about),
            plan,
            contenders!(spawn: tcp_echo(50, 2_000, size)),
        ));
    }
    out
}

/// The child processes of `scripts/echo-syscalls.sh`, which counts the system calls of an
/// asyncio-style echo server per round trip (with `perf stat`, from outside):
///
/// - `echo_server`: a line echo server on corio's streams (`start_server`, `readline`,
///   `write` + `drain`) on a current-thread runtime; prints its port, serves until killed;
/// - `echo_load PORT CONNS MSGS`: `CONNS` client threads, each sending `MSGS` 64-byte lines
///   one at a time and reading each echo (plain blocking sockets, so that the load costs the
///   server nothing but its own work); prints the number of round trips.
pub(crate) fn child(args: &[String]) -> Option<f64> {
    match args {
        [what] if what == "echo_server" => echo_server().ok().map(|()| 0.0),
        [what, port, conns, msgs] if what == "echo_load" => {
            echo_load(port.parse().ok()?, conns.parse().ok()?, msgs.parse().ok()?).ok()
        }
        _ => None,
    }
}

fn echo_server() -> std::io::Result<()> {
    use std::io::Write as _;

    let rt = corio::Builder::new().current_thread().build()?;
    rt.block_on(async {
        let server = corio::net::start_server(
            |mut reader: corio::net::TcpReader, writer: corio::net::TcpWriter| async move {
                loop {
                    let line = reader.readline().await?;
                    if line.is_empty() {
                        return std::io::Result::Ok(());
                    }
                    writer.write(&line)?;
                    writer.drain().await?;
                }
            },
            "127.0.0.1:0",
        )
        .await?;
        println!("{}", server.local_addr()?.port());
        std::io::stdout().flush()?;
        server.serve_forever().await;
        Ok(())
    })
}

fn echo_load(port: u16, conns: usize, msgs: usize) -> std::io::Result<f64> {
    use std::io::{BufRead as _, BufReader, Write as _};

    let clients: Vec<_> = (0..conns)
        .map(|_| {
            std::thread::spawn(move || -> std::io::Result<usize> {
                let stream = std::net::TcpStream::connect(("127.0.0.1", port))?;
                stream.set_nodelay(true)?;
                let mut reader = BufReader::new(stream.try_clone()?);
                let mut writer = stream;
                let mut line = vec![b'x'; 63];
                line.push(b'\n');
                let mut echo = Vec::with_capacity(64);
                for _ in 0..msgs {
                    writer.write_all(&line)?;
                    echo.clear();
                    reader.read_until(b'\n', &mut echo)?;
                    if echo != line {
                        return Err(std::io::Error::other("a wrong echo"));
                    }
                }
                Ok(msgs)
            })
        })
        .collect();
    let mut total = 0;
    for c in clients {
        total += c
            .join()
            .map_err(|_| std::io::Error::other("a client panicked"))??;
    }
    Ok(total as f64)
}
