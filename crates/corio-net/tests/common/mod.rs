//! Shared by the test files: runtimes of both flavours, a bound on every scenario, and the
//! small system probes the tests assert with (descriptor flags, open descriptors, the
//! listen queue).

#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use corio_net::{TcpListener, TcpStream};

/// The most any scenario may take on the real clock. Loopback I/O takes microseconds; the
/// bound only turns a hang into a failure.
pub const LIMIT: Duration = Duration::from_secs(30);

pub fn current_thread() -> corio::Runtime {
    corio::Builder::new()
        .current_thread()
        .build()
        .expect("a current-thread runtime")
}

pub fn multi_thread() -> corio::Runtime {
    corio::Builder::new()
        .worker_threads(2)
        .build()
        .expect("a multi-thread runtime")
}

/// A current-thread runtime on a virtual clock: timeouts fire as soon as the loop has
/// nothing else to do, whatever real time it is.
pub fn virtual_clock() -> corio::Runtime {
    corio::Builder::new()
        .virtual_clock()
        .build()
        .expect("a virtual-clock runtime")
}

/// `fut`, failing with `TimedOut` if it takes longer than [`LIMIT`].
pub async fn bounded<T>(what: &str, fut: impl Future<Output = io::Result<T>>) -> io::Result<T> {
    match corio::timeout(LIMIT, fut).await {
        Ok(out) => out,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("{what}: did not finish within {LIMIT:?}"),
        )),
    }
}

/// Runs `scenario` under a current-thread runtime (on the thread in `block_on`), then under
/// a two-worker multi-thread runtime (as a task on its workers), each bounded by [`LIMIT`].
/// A failure names the flavour.
pub fn on_both<F, Fut>(name: &str, scenario: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = io::Result<()>> + Send + 'static,
{
    let ct = current_thread();
    if let Err(e) = ct.block_on(bounded(name, scenario())) {
        panic!(
            "{name} under the current-thread runtime: {e} ({:?})",
            e.kind()
        );
    }
    drop(ct);

    let mt = multi_thread();
    let owned = name.to_owned();
    let fut = scenario();
    let task = mt
        .spawn(async move { bounded(&owned, fut).await })
        .expect("the runtime runs");
    match mt.block_on(task) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!(
            "{name} under the multi-thread runtime: {e} ({:?})",
            e.kind()
        ),
        Err(e) => panic!("{name} under the multi-thread runtime: the task failed: {e}"),
    }
}

/// A connected pair over loopback: (client, the server's accepted end).
pub async fn tcp_pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let client = TcpStream::connect(listener.local_addr()?).await?;
    let (server, peer) = listener.accept().await?;
    assert_eq!(peer, client.local_addr()?);
    Ok((client, server))
}

/// `len` bytes that differ from their neighbours, so misplaced data shows.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// Whether `fd` has `FD_CLOEXEC`.
pub fn cloexec(fd: &impl AsRawFd) -> bool {
    // SAFETY: `F_GETFD` takes no argument and only reads the descriptor's flags.
    let flags = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFD) };
    assert!(flags >= 0, "F_GETFD: {}", io::Error::last_os_error());
    flags & libc::FD_CLOEXEC != 0
}

/// Whether `fd` is an open descriptor.
pub fn is_open(fd: RawFd) -> bool {
    // SAFETY: as above; an invalid descriptor only makes it fail with `EBADF`.
    unsafe { libc::fcntl(fd, libc::F_GETFD) >= 0 }
}

/// How many descriptors the process has open (meaningful only while no other test thread
/// opens or closes any: callers serialise).
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .count()
}

/// How many I/O sources the current runtime's reactor has registered.
pub fn registered_sources() -> usize {
    corio_reactor::Reactor::try_current()
        .expect("inside a runtime")
        .registered_sources()
}

/// The kernel's view of a listening socket: (connections waiting in the accept queue, the
/// queue's capacity). For a listener, Linux reports them in `tcpi_unacked` and
/// `tcpi_sacked` of `TCP_INFO`.
pub fn listen_queue(fd: &impl AsRawFd) -> (u32, u32) {
    // SAFETY: `tcp_info` is plain old data; all zeroes is a valid value.
    let mut info: libc::tcp_info = unsafe { std::mem::zeroed() };
    let mut len = size_of::<libc::tcp_info>() as libc::socklen_t;
    // SAFETY: `info` / `len` describe a writable buffer of `len` bytes.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            (&raw mut info).cast(),
            &mut len,
        )
    };
    assert_eq!(rc, 0, "TCP_INFO: {}", io::Error::last_os_error());
    (info.tcpi_unacked, info.tcpi_sacked)
}

/// Blocks (really: `poll(2)`, bounded by [`LIMIT`]) until `fd` is readable — for a
/// listener, until a connection waits in its accept queue.
pub fn wait_readable(fd: &impl AsRawFd) {
    let mut pfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = libc::c_int::try_from(LIMIT.as_millis()).unwrap();
    // SAFETY: one valid `pollfd`.
    let n = unsafe { libc::poll(&mut pfd, 1, ms) };
    assert_eq!(n, 1, "not readable within {LIMIT:?}");
}

/// Asserts that `res` failed with `kind`, and returns the error.
#[track_caller]
pub fn expect_err<T: std::fmt::Debug>(res: io::Result<T>, kind: io::ErrorKind) -> io::Error {
    match res {
        Ok(v) => panic!("expected a {kind:?} error, got Ok({v:?})"),
        Err(e) => {
            assert_eq!(
                e.kind(),
                kind,
                "expected {kind:?}, got {e} ({:?})",
                e.kind()
            );
            e
        }
    }
}

/// A fresh directory for socket files, removed on drop. Short (under `temp_dir`), so the
/// paths inside stay well below `sun_path`'s 108 bytes.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("cn-{}-{name}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the scratch directory");
        Scratch(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Prints `msg` past the test harness's output capture (straight to the process's stderr),
/// so a skipped or reduced test says so even when it passes.
pub fn loud(msg: &str) {
    use std::io::Write;
    let _ = writeln!(io::stderr(), "{msg}");
}

/// Runs `scenario` on a fresh virtual-clock runtime, on a thread of its own, and fails if it
/// takes longer than [`LIMIT`] of *real* time. (A timeout inside the scenario would be
/// virtual: the clock jumps to it as soon as the loop has nothing else to do.)
pub fn on_virtual_clock<F, Fut>(name: &str, scenario: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = io::Result<()>>,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let out = virtual_clock().block_on(scenario());
        let _ = tx.send(out);
    });
    match rx.recv_timeout(LIMIT) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("{name} on the virtual clock: {e} ({:?})", e.kind()),
        // The thread is left behind; the test fails instead of hanging.
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("{name} on the virtual clock: did not finish within {LIMIT:?} of real time")
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            panic!("{name} on the virtual clock: the scenario panicked")
        }
    }
}

/// Yields until `done()` holds — for a condition another task or thread brings about (a
/// connection accepted, a server stopped). The scenario's bound turns a wait that never
/// ends into a failure.
pub async fn until(done: impl Fn() -> bool) {
    while !done() {
        corio::task::yield_now().await;
    }
}

/// The environment variable that makes a test of this binary, re-run by [`run_child`], do
/// the child's part.
const CHILD_ENV: &str = "CORIO_NET_TEST_CHILD";

/// Whether this process is the child [`run_child`] started for `test`.
pub fn is_child(test: &str) -> bool {
    std::env::var_os(CHILD_ENV).is_some_and(|v| v == test)
}

/// Runs the test named `test` of this test binary again, alone, in a child process (with
/// [`is_child`] true there), and returns its output: for a test that must read what the
/// code prints on standard error, or change process-wide settings. The child is killed if
/// it takes longer than `deadline`.
pub fn run_child(test: &str, deadline: Duration) -> std::process::Output {
    let exe = std::env::current_exe().expect("the test binary's path");
    let child = std::process::Command::new(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, test)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the test binary again");
    wait_bounded(child, deadline).unwrap_or_else(|e| panic!("the child running {test}: {e}"))
}

/// Waits for `child` and collects its output; kills it (by its id, as it is not reaped yet)
/// if it runs longer than `deadline`, and fails with `TimedOut` and what it printed.
pub fn wait_bounded(
    child: std::process::Child,
    deadline: Duration,
) -> io::Result<std::process::Output> {
    let pid = libc::pid_t::try_from(child.id()).expect("a pid");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(deadline) {
        Ok(out) => out,
        Err(_) => {
            // SAFETY: `kill` takes plain integers; the child is ours and not yet reaped (the
            // waiting thread has not returned), so the id cannot have been reused.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            let out = rx
                .recv()
                .map_err(|_| io::Error::other("the waiting thread died"))??;
            Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "killed after {deadline:?}; stdout: {}; stderr: {}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ),
            ))
        }
    }
}

/// Whether python3 can be started, with its version; or why not.
pub fn python3() -> Result<String, String> {
    match std::process::Command::new("python3")
        .arg("--version")
        .output()
    {
        Ok(out) if out.status.success() => {
            Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
        }
        Ok(out) => Err(format!("`python3 --version` failed: {}", out.status)),
        Err(e) => Err(format!("python3 cannot be started: {e}")),
    }
}

/// The descriptor limits (`RLIMIT_NOFILE`).
pub fn nofile() -> libc::rlimit {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid `rlimit` to fill in.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) };
    assert_eq!(rc, 0, "getrlimit: {}", io::Error::last_os_error());
    lim
}

/// Sets the descriptor limits.
pub fn set_nofile(lim: libc::rlimit) {
    // SAFETY: `lim` is a valid `rlimit`.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) };
    assert_eq!(rc, 0, "setrlimit: {}", io::Error::last_os_error());
}

/// The soft descriptor limit lowered for as long as it lives, restored on drop (also when
/// the test fails).
pub struct LoweredLimit(libc::rlimit);

impl LoweredLimit {
    /// Lowers the soft limit to `soft`.
    pub fn to(soft: libc::rlim_t) -> LoweredLimit {
        let saved = nofile();
        set_nofile(libc::rlimit {
            rlim_cur: soft,
            rlim_max: saved.rlim_max,
        });
        LoweredLimit(saved)
    }
}

impl Drop for LoweredLimit {
    fn drop(&mut self) {
        set_nofile(self.0);
    }
}

/// The highest descriptor open now.
pub fn highest_fd() -> libc::rlim_t {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<libc::rlim_t>().ok())
        .max()
        .unwrap_or(2)
}

/// Opens descriptors until the next one would be past the limit; returns them.
pub fn exhaust() -> io::Result<Vec<std::fs::File>> {
    let mut fillers = Vec::new();
    loop {
        match std::fs::File::open("/dev/null") {
            Ok(f) => fillers.push(f),
            Err(e) if e.raw_os_error() == Some(libc::EMFILE) => return Ok(fillers),
            Err(e) => return Err(e),
        }
        assert!(
            fillers.len() < 1000,
            "the lowered limit did not take effect"
        );
    }
}

/// Sends `line` through `writer` and checks that the same line comes back on `reader`.
pub async fn round_trip<R, W>(
    reader: &mut corio_net::StreamReader<R>,
    writer: &corio_net::StreamWriter<W>,
    line: &[u8],
) -> io::Result<()>
where
    R: futures_io::AsyncRead + Unpin,
    W: futures_io::AsyncWrite + Unpin,
{
    writer.write(line)?;
    writer.drain().await?;
    let back = reader.readline().await?;
    assert_eq!(
        back,
        line,
        "the echo: {:?} for {:?}",
        String::from_utf8_lossy(&back),
        String::from_utf8_lossy(line)
    );
    Ok(())
}
