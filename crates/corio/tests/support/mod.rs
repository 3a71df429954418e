//! Running the example programs from tests: finding the binaries `cargo test` built,
//! starting a server example and waiting for its `listening on ADDR` line, running client
//! programs, and bounding it all in time.
//!
//! Every child is spawned with `kill_on_drop`, so a test that fails, panics or overruns
//! [`LIMIT`] leaves no process behind.

#![allow(dead_code, unreachable_pub)] // each test file uses a part of it

use std::ffi::OsStr;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use corio::Task;
use corio::process::{Child, ChildStdout, Command, Output, Stdio};
use futures_lite::StreamExt;
use futures_lite::io::{AsyncBufReadExt, AsyncReadExt, BufReader, Lines};

/// The longest a whole test may take, children included.
pub const LIMIT: Duration = Duration::from_secs(60);
/// The longest one client program (redis-cli, echo_client…) may take.
pub const CLIENT_LIMIT: Duration = Duration::from_secs(30);

/// The path of the example binary `name`, built by `cargo test` next to the tests in
/// `<target>/<profile>/examples/`.
pub fn example(name: &str) -> PathBuf {
    // This test runs as <target>/<profile>/deps/<test>-<hash>.
    let exe = std::env::current_exe().expect("the test's path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("<target>/<profile>");
    let path = profile_dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is missing: `cargo test -p corio` builds it, or `cargo build -p corio --example {name}`",
        path.display()
    );
    path
}

/// Whether `program` is on the PATH.
pub fn installed(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// A running server example.
///
/// Its standard error is collected rather than mixed into the tests' output: [`stop`]
/// returns it, and it is printed if the test fails.
///
/// [`stop`]: Server::stop
pub struct Server {
    name: String,
    pub child: Child,
    /// Where it listens, from its first line.
    pub addr: SocketAddr,
    /// Its standard output after the first line.
    pub stdout: Lines<BufReader<ChildStdout>>,
    stderr: Arc<Mutex<Vec<u8>>>,
    /// Reads the standard error into `stderr` until the server exits.
    stderr_reader: Option<Task<()>>,
}

impl Server {
    /// Starts the example `name` with `args` (an address ending in `:0`, so it picks a free
    /// port) and waits for its `listening on ADDR` line.
    pub async fn start(name: &str, args: &[&str]) -> Server {
        let mut child = Command::new(example(name))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the example");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let mut pipe = child.stderr.take().expect("piped");
        let collected = stderr.clone();
        let stderr_reader = corio::spawn(async move {
            let mut chunk = [0; 4096];
            while let Ok(n @ 1..) = pipe.read(&mut chunk).await {
                let mut all = collected.lock().unwrap_or_else(PoisonError::into_inner);
                all.extend_from_slice(&chunk[..n]);
            }
        });
        let mut stdout = BufReader::new(child.stdout.take().expect("piped")).lines();
        let first = next_line(&mut stdout).await;
        let addr = first
            .strip_prefix("listening on ")
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| panic!("{name}: expected `listening on ADDR`, got {first:?}"));
        Server {
            name: name.to_owned(),
            child,
            addr,
            stdout,
            stderr,
            stderr_reader: Some(stderr_reader),
        }
    }

    /// Kills the server and returns everything it wrote to standard error.
    pub async fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait().await;
        if let Some(reader) = self.stderr_reader.take() {
            let _ = reader.await;
        }
        self.stderr()
    }

    fn stderr(&self) -> String {
        let all = self.stderr.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&all).into_owned()
    }

    pub fn port(&self) -> String {
        self.addr.port().to_string()
    }

    /// The server's next line of output.
    pub async fn next_line(&mut self) -> String {
        next_line(&mut self.stdout).await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("{}'s standard error so far:\n{}", self.name, self.stderr());
        }
    }
}

pub async fn next_line(lines: &mut Lines<BufReader<ChildStdout>>) -> String {
    lines
        .next()
        .await
        .expect("another line of output")
        .expect("readable output")
}

/// Runs `program` with `args` and `input` on its standard input, to completion, at most
/// [`CLIENT_LIMIT`] (it is killed after that).
pub async fn run<S: AsRef<OsStr>>(program: impl AsRef<OsStr>, args: &[S], input: &[u8]) -> Output {
    let name = program.as_ref().to_string_lossy().into_owned();
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("start {name}: {e}"));
    corio::timeout(CLIENT_LIMIT, child.communicate(Some(input)))
        .await
        .unwrap_or_else(|_| panic!("{name} did not finish within {CLIENT_LIMIT:?}"))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Runs `test` on a fresh runtime, failing it if it takes longer than [`LIMIT`].
pub fn limited(test: impl Future<Output = ()> + Send + 'static) {
    corio::run(async {
        corio::wait_for(test, LIMIT)
            .await
            .expect("the test finishes in time");
    });
}
