//! Shared by the test files: each scenario runs under both of corio's schedulers and both
//! exit-detection paths (pidfd, SIGCHLD), bounded in time.

#![allow(dead_code, unreachable_pub)]

use std::ffi::OsStr;
use std::future::Future;
use std::io;
use std::time::{Duration, Instant};

use corio_process::Command;

/// Nothing in these tests should take long; a hang fails instead of stalling the suite.
pub const LIMIT: Duration = Duration::from_secs(60);

/// Which way the commands of a scenario detect their children's exits.
#[derive(Debug, Clone, Copy)]
pub struct Exits {
    pub sigchld: bool,
}

impl Exits {
    pub fn command(self, program: impl AsRef<OsStr>) -> Command {
        let mut command = Command::new(program);
        command.sigchld_exit_detection(self.sigchld);
        command
    }

    pub fn shell(self, script: &str) -> Command {
        let mut command = corio_process::shell(script);
        command.sigchld_exit_detection(self.sigchld);
        command
    }
}

/// Runs `scenario` four times: {current-thread on the `block_on` thread, multi-thread as a
/// task} × {pidfd, SIGCHLD}. A failure names the combination.
pub fn on_all<F, Fut>(name: &str, scenario: F)
where
    F: Fn(Exits) -> Fut,
    Fut: Future<Output = io::Result<()>> + Send + 'static,
{
    for sigchld in [false, true] {
        let exits = Exits { sigchld };
        let ct = corio::Builder::new()
            .current_thread()
            .build()
            .expect("a current-thread runtime");
        block_on_limited(
            &format!("{name} ({exits:?}, current-thread)"),
            &ct,
            scenario(exits),
        );
        drop(ct);

        let mt = corio::Builder::new()
            .worker_threads(2)
            .build()
            .expect("a multi-thread runtime");
        let task = mt
            .spawn(corio::wait_for(scenario(exits), LIMIT))
            .expect("the runtime runs");
        match mt.block_on(task) {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => panic!("{name} ({exits:?}, multi-thread): {e}"),
            Ok(Err(_)) => panic!("{name} ({exits:?}, multi-thread): timed out"),
            Err(e) => panic!("{name} ({exits:?}, multi-thread): the task failed: {e}"),
        }
    }
}

/// `rt.block_on(fut)`, for at most [`LIMIT`]; panics naming `what` on an error or timeout.
pub fn block_on_limited<T>(
    what: &str,
    rt: &corio::Runtime,
    fut: impl Future<Output = io::Result<T>>,
) -> T {
    match rt.block_on(corio::wait_for(fut, LIMIT)) {
        Ok(Ok(value)) => value,
        Ok(Err(e)) => panic!("{what}: {e}"),
        Err(_) => panic!("{what}: timed out"),
    }
}

/// Waits until every dropped child has been reaped by corio's background reaper.
pub fn orphans_reaped() {
    eventually("the dropped children are reaped", || {
        corio_process::Child::orphans_pending() == 0
    });
}

/// Whether process `pid` exists (running, or a zombie nobody reaped).
pub fn process_exists(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Waits until `done()` holds, checking every millisecond, for at most [`LIMIT`]: for
/// effects of another thread that no event announces (a background reap). Panics on timeout.
pub fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < LIMIT, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The descriptors open in this process.
pub fn open_fds() -> Vec<String> {
    let mut fds: Vec<String> = std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .map(|e| {
            e.expect("an fd entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    fds.sort();
    fds
}

/// A current-thread and a multi-thread runtime, named.
pub fn runtimes() -> [(&'static str, corio::Runtime); 2] {
    [
        (
            "current-thread",
            corio::Builder::new().current_thread().build().unwrap(),
        ),
        (
            "multi-thread",
            corio::Builder::new().worker_threads(2).build().unwrap(),
        ),
    ]
}

/// The handler `sig` has now (`SIG_DFL`, `SIG_IGN` or a function's address).
pub fn disposition(sig: i32) -> libc::sighandler_t {
    // SAFETY: an all-zero `sigaction` is a valid value of the plain C struct.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: a null new action only queries; `old` is valid to write.
    let rc = unsafe { libc::sigaction(sig, std::ptr::null(), &mut old) };
    assert_eq!(rc, 0, "sigaction query");
    old.sa_sigaction
}

/// Sends `sig` to this whole process, as another process would (any thread may take it).
pub fn send_to_self(sig: i32) {
    // SAFETY: kill takes two integers.
    let rc = unsafe { libc::kill(std::process::id() as libc::pid_t, sig) };
    assert_eq!(rc, 0, "kill");
}

/// Raises `sig` in this thread: the handler has run when this returns.
pub fn raise(sig: i32) {
    // SAFETY: raise takes an integer; the tests only raise signals they catch.
    let rc = unsafe { libc::raise(sig) };
    assert_eq!(rc, 0, "raise");
}
