//! One corio server, 10,000 TCP connections open at the same time, each exchanging a line.
//!
//! Both ends in one process would need twice the descriptors the machine allows (20,000,
//! soft = hard), so the clients run in a separate process: a small Python script
//! (`tests/peers/echo_clients.py`, non-blocking sockets on one epoll) that opens every
//! connection, waits until all are connected, sends a line on each, reads every echo, and
//! only then closes them. The server counts the connections open at once: the peak must be
//! all of them.
//!
//! When the descriptor limit or the ephemeral port range cannot hold 10,000, the test runs
//! with as many as fit and says so loudly; without python3 it says it is skipped and why.
//! A test binary of its own: it raises the process-wide `RLIMIT_NOFILE`.

mod common;

use std::io;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use corio_net::{TcpListener, TcpSocket, TcpStream};
use futures_lite::{AsyncReadExt, AsyncWriteExt};

const WANT: usize = 10_000;
/// How long the client process may take for one run; it gives up by itself after that, and
/// is killed a little later if it did not.
const CLIENT_DEADLINE: Duration = Duration::from_secs(20);
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/echo_clients.py");

#[derive(Default, Debug)]
struct Stats {
    accepted: AtomicUsize,
    active: AtomicUsize,
    peak: AtomicUsize,
    echoed: AtomicUsize,
    closed: AtomicUsize,
}

/// Accepts `n` connections, each served by a task of its own; returns when all are closed.
async fn serve(listener: TcpListener, n: usize, stats: Arc<Stats>) -> io::Result<()> {
    let mut handlers = Vec::with_capacity(n);
    for _ in 0..n {
        let (conn, _) = listener.accept().await?;
        stats.accepted.fetch_add(1, Ordering::SeqCst);
        let now = stats.active.fetch_add(1, Ordering::SeqCst) + 1;
        stats.peak.fetch_max(now, Ordering::SeqCst);
        handlers.push(corio::spawn(echo_one_line(conn, stats.clone())));
    }
    for h in handlers {
        h.await.map_err(|e| io::Error::other(e.to_string()))??;
    }
    Ok(())
}

/// Reads a line, writes it back, then holds the connection until the client closes it.
async fn echo_one_line(mut conn: TcpStream, stats: Arc<Stats>) -> io::Result<()> {
    let mut line = Vec::with_capacity(32);
    let mut buf = [0; 64];
    while !line.ends_with(b"\n") {
        let n = conn.read(&mut buf).await?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "closed before a whole line",
            ));
        }
        line.extend_from_slice(&buf[..n]);
    }
    conn.write_all(&line).await?;
    stats.echoed.fetch_add(1, Ordering::SeqCst);
    let n = conn.read(&mut buf).await?;
    assert_eq!(n, 0, "the client sends one line only");
    stats.active.fetch_sub(1, Ordering::SeqCst);
    stats.closed.fetch_add(1, Ordering::SeqCst);
    Ok(())
}

fn nofile() -> libc::rlimit {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid `rlimit` to fill in.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) }, 0);
    lim
}

/// Raises the soft descriptor limit to the hard one; returns the hard limit.
fn raise_nofile() -> usize {
    let mut lim = nofile();
    lim.rlim_cur = lim.rlim_max;
    // SAFETY: `lim` is a valid `rlimit`.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) };
    assert_eq!(rc, 0, "setrlimit: {}", io::Error::last_os_error());
    usize::try_from(lim.rlim_max).unwrap_or(usize::MAX)
}

fn read_proc(path: &str) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// How many connections fit, and why fewer than `WANT` if so.
fn budget() -> (usize, Vec<String>) {
    let mut why = Vec::new();
    let hard = raise_nofile();
    // Each process holds one descriptor per connection, plus its own few dozen.
    let by_fds = hard.saturating_sub(common::open_fds() + 64);
    if by_fds < WANT {
        why.push(format!("RLIMIT_NOFILE hard limit is {hard}"));
    }
    // Every client connection to the one server address needs an ephemeral port of its
    // own (some may still be held by other connections, hence the margin).
    let ports = read_proc("/proc/sys/net/ipv4/ip_local_port_range")
        .and_then(|s| {
            let mut it = s.split_whitespace().map(|p| p.parse::<usize>().ok());
            Some(it.next()??..=it.next()??)
        })
        .map_or(usize::MAX, |r| r.count().saturating_sub(1000));
    if ports < WANT {
        why.push(format!(
            "the ephemeral port range holds {ports} (after a margin)"
        ));
    }
    (WANT.min(by_fds).min(ports), why)
}

fn python3() -> Result<String, String> {
    match Command::new("python3").arg("--version").output() {
        Ok(out) if out.status.success() => {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
        }
        Ok(out) => Err(format!("`python3 --version` failed: {}", out.status)),
        Err(e) => Err(format!("python3 cannot be started: {e}")),
    }
}

/// One run: the server on `rt`, the clients in a child process.
async fn run(n: usize) -> io::Result<Arc<Stats>> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind("127.0.0.1:0".parse().unwrap())?;
    // The kernel caps the backlog at somaxconn; the client connects in waves below it.
    let listener = socket.listen(u32::try_from(n).unwrap())?;
    let port = listener.local_addr()?.port();
    let stats = Arc::new(Stats::default());
    let server = corio::spawn(serve(listener, n, stats.clone()));

    let child = Command::new("python3")
        .arg(SCRIPT)
        .arg(port.to_string())
        .arg(n.to_string())
        .arg(CLIENT_DEADLINE.as_secs().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let pid = child.id();
    let waited = corio::timeout(
        CLIENT_DEADLINE + Duration::from_secs(5),
        corio::task::to_thread(move || child.wait_with_output()),
    )
    .await;
    let out = match waited {
        Ok(joined) => joined.map_err(|e| io::Error::other(e.to_string()))??,
        Err(_) => {
            // Ours, by its id: it ignored its own deadline.
            // SAFETY: `kill` takes plain integers.
            unsafe { libc::kill(libc::pid_t::try_from(pid).unwrap(), libc::SIGKILL) };
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client process did not finish",
            ));
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("client process: {} {}", stdout.trim(), stderr.trim());
    let want = format!("connected={n} echoed={n}");
    if !out.status.success() || stdout.trim() != want {
        return Err(io::Error::other(format!(
            "the clients reported {:?} (status {}), wanted {want:?}; stderr: {stderr}; server: {stats:?}",
            stdout.trim(),
            out.status
        )));
    }
    // The clients closed every connection before exiting: the server's tasks all end.
    match corio::timeout(Duration::from_secs(10), server).await {
        Ok(Ok(res)) => res?,
        Ok(Err(e)) => return Err(io::Error::other(e.to_string())),
        Err(_) => {
            return Err(io::Error::other(format!(
                "the server did not finish: {stats:?}"
            )));
        }
    }
    Ok(stats)
}

#[test]
fn ten_thousand_concurrent_connections() {
    let version = match python3() {
        Ok(v) => v,
        Err(why) => {
            common::loud(&format!(
                "SKIPPED ten_thousand_concurrent_connections: {why}"
            ));
            return;
        }
    };
    let (n, why) = budget();
    if n < WANT {
        common::loud(&format!(
            "!!!!!!!! many_connections: this machine fits {n} concurrent connections, not \
             {WANT} ({}); TESTING WITH {n} ONLY !!!!!!!!",
            why.join("; ")
        ));
    }
    assert!(
        n >= 1000,
        "only {n} connections fit ({}): too few to mean anything",
        why.join("; ")
    );
    if let Some(max) = read_proc("/proc/sys/net/core/somaxconn") {
        eprintln!(
            "many_connections: {n} connections, clients in {version}, somaxconn {}",
            max.trim()
        );
    }

    type MakeRuntime = fn() -> corio::Runtime;
    let flavours: [(&str, MakeRuntime); 2] = [
        ("current-thread", common::current_thread),
        ("multi-thread", common::multi_thread),
    ];
    for (name, make) in flavours {
        let rt = make();
        let started = Instant::now();
        let task = rt.spawn(run(n)).expect("the runtime runs");
        let stats = match rt.block_on(task) {
            Ok(Ok(stats)) => stats,
            Ok(Err(e)) => panic!("{n} connections under the {name} runtime: {e}"),
            Err(e) => panic!("{n} connections under the {name} runtime: the task failed: {e}"),
        };
        eprintln!(
            "many_connections: {name}: {n} connections in {:?}",
            started.elapsed()
        );
        assert_eq!(stats.accepted.load(Ordering::SeqCst), n);
        assert_eq!(
            stats.peak.load(Ordering::SeqCst),
            n,
            "all {n} connections were open at the same time"
        );
        assert_eq!(stats.echoed.load(Ordering::SeqCst), n);
        assert_eq!(stats.closed.load(Ordering::SeqCst), n);
        assert_eq!(stats.active.load(Ordering::SeqCst), 0);
    }
}
