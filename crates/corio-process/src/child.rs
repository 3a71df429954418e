//! [`Child`]: a running process, asyncio's `asyncio.subprocess.Process`.

use std::fmt;
use std::io;
use std::os::unix::process::ExitStatusExt;
use std::process::{self, ExitStatus};

use crate::exit::{self, Watcher};
use crate::signal::Signal;
use crate::stdio::{ChildStderr, ChildStdin, ChildStdout};

/// A child process started by [`Command::spawn`](crate::Command::spawn).
///
/// Its piped streams are public fields (take them out to use them apart from the `Child`).
/// [`wait`](Self::wait) gives the exit status once the child has exited, and reaps it.
///
/// **Dropping** a `Child` does not wait for it and, unless
/// [`kill_on_drop`](crate::Command::kill_on_drop) was set, does not stop it: the process
/// runs on, and corio reaps it in the background when it exits (no zombie is left). The
/// piped streams close with the `Child` (or with the fields you took out).
///
/// ```
/// use corio_process::{Command, Stdio};
/// use futures_lite::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
///
/// corio::run(async {
///     let mut cat = Command::new("cat").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?;
///     let mut stdin = cat.stdin.take().unwrap();
///     let mut stdout = BufReader::new(cat.stdout.take().unwrap());
///     for word in ["ping", "pong"] {
///         stdin.write_all(format!("{word}\n").as_bytes()).await?;
///         let mut line = String::new();
///         stdout.read_line(&mut line).await?;
///         assert_eq!(line.trim_end(), word); // a round trip through the child
///     }
///     drop(stdin);
///     assert_eq!(cat.wait().await?.code(), Some(0));
///     assert_eq!(cat.returncode(), Some(0));
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub struct Child {
    /// The child's standard input, if it was [piped](crate::Stdio::piped).
    pub stdin: Option<ChildStdin>,
    /// The child's standard output, if it was [piped](crate::Stdio::piped).
    pub stdout: Option<ChildStdout>,
    /// The child's standard error, if it was [piped](crate::Stdio::piped).
    pub stderr: Option<ChildStderr>,
    pid: u32,
    /// `std`'s handle: `waitpid`, and the status once reaped. `None` only in `drop`, which
    /// hands it to the reaper.
    inner: Option<process::Child>,
    status: Option<ExitStatus>,
    watcher: Watcher,
    kill_on_drop: bool,
    force_sigchld: bool,
}

impl Child {
    pub(crate) fn new(
        mut inner: process::Child,
        kill_on_drop: bool,
        force_sigchld: bool,
    ) -> io::Result<Child> {
        let (stdin, stdout, stderr) =
            (inner.stdin.take(), inner.stdout.take(), inner.stderr.take());
        let mut child = Child {
            stdin: None,
            stdout: None,
            stderr: None,
            pid: inner.id(),
            inner: Some(inner),
            status: None,
            watcher: Watcher::Idle,
            kill_on_drop,
            force_sigchld,
        };
        // Should a registration fail, `child` is dropped like any other: reaped later.
        child.stdin = stdin.map(ChildStdin::new).transpose()?;
        child.stdout = stdout.map(ChildStdout::new).transpose()?;
        child.stderr = stderr.map(ChildStderr::new).transpose()?;
        Ok(child)
    }

    fn inner(&mut self) -> &mut process::Child {
        self.inner
            .as_mut()
            .expect("`inner` is taken only when the `Child` drops")
    }

    /// The process id (asyncio's `Process.pid`).
    ///
    /// ```
    /// let child = corio::run(async { corio_process::Command::new("true").spawn() })?;
    /// assert!(child.pid() > 0);
    /// # std::io::Result::Ok(())
    /// ```
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Waits for the child to exit and gives its status (asyncio's `Process.wait()`). Its
    /// [`code`](ExitStatus::code) is the exit code, or `None` if a signal killed it, and then
    /// `ExitStatusExt::signal` is that signal.
    ///
    /// Closes [`stdin`](Self::stdin) first if it is still here, so that a child reading
    /// until end of file can finish. A child whose output pipe is full waits for the parent
    /// to read it, so read piped output before waiting, or use
    /// [`communicate`](Self::communicate).
    ///
    /// Cancel-safe: drop the future and call `wait` again later, it picks up where it was.
    /// Once the child has exited, every call returns the same status at once.
    ///
    /// # Errors
    ///
    /// Only if the system fails: `waitpid` or registering the wait with the reactor.
    ///
    /// ```
    /// use std::os::unix::process::ExitStatusExt;
    ///
    /// corio::run(async {
    ///     let mut child = corio_process::Command::new("sleep").arg("100").spawn()?;
    ///     child.kill()?;
    ///     let status = child.wait().await?;
    ///     assert_eq!((status.code(), status.signal()), (None, Some(libc::SIGKILL)));
    ///     assert_eq!(child.returncode(), Some(-libc::SIGKILL)); // asyncio's convention
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        self.stdin = None;
        if let Some(status) = self.status {
            return Ok(status);
        }
        let inner = self
            .inner
            .as_mut()
            .expect("`inner` is taken only when the `Child` drops");
        let status = exit::wait(inner, &mut self.watcher, self.force_sigchld).await?;
        self.exited(status);
        Ok(status)
    }

    /// The exit status if the child has exited (reaping it), `None` if it still runs.
    /// Never waits.
    ///
    /// # Errors
    ///
    /// Only if `waitpid` fails.
    ///
    /// ```
    /// corio::run(async {
    ///     let mut child = corio_process::Command::new("sleep").arg("100").spawn()?;
    ///     assert!(child.try_wait()?.is_none());
    ///     child.kill()?;
    ///     child.wait().await?;
    ///     assert!(child.try_wait()?.is_some());
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if self.status.is_none()
            && let Some(status) = self.inner().try_wait()?
        {
            self.exited(status);
        }
        Ok(self.status)
    }

    fn exited(&mut self, status: ExitStatus) {
        self.status = Some(status);
        // The pidfd or the SIGCHLD registration is no longer needed.
        self.watcher = Watcher::Idle;
    }

    /// asyncio's `Process.returncode`: `None` until the exit has been seen by
    /// [`wait`](Self::wait) or [`try_wait`](Self::try_wait), then the exit code, or `-N` for
    /// a child killed by signal `N`.
    ///
    /// ```
    /// corio::run(async {
    ///     let mut child = corio_process::shell("exit 7").spawn()?;
    ///     assert_eq!(child.returncode(), None);
    ///     child.wait().await?;
    ///     assert_eq!(child.returncode(), Some(7));
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn returncode(&self) -> Option<i32> {
        let status = self.status?;
        status.code().or_else(|| status.signal().map(|sig| -sig))
    }

    /// Sends `sig` to the child. Does nothing if the child has already exited (its pid may
    /// belong to another process by then): the exit is checked first, without waiting.
    ///
    /// # Errors
    ///
    /// If `kill(2)` fails, which it should not for our own unreaped child.
    ///
    /// ```
    /// use corio_process::{Command, signal::Signal};
    /// use std::os::unix::process::ExitStatusExt;
    ///
    /// corio::run(async {
    ///     let mut child = Command::new("sleep").arg("100").spawn()?;
    ///     child.send_signal(Signal::USR1)?;
    ///     assert_eq!(child.wait().await?.signal(), Some(libc::SIGUSR1));
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn send_signal(&mut self, sig: Signal) -> io::Result<()> {
        if self.try_wait()?.is_some() {
            return Ok(());
        }
        // Not reaped (we just checked, and only we reap it), so the pid is still this child's.
        // SAFETY: `kill` takes two integers; no memory is involved.
        if unsafe { libc::kill(self.pid() as libc::pid_t, sig.as_raw()) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Asks the child to stop: `SIGTERM` (asyncio's `Process.terminate()`). It may catch it
    /// and clean up; [`wait`](Self::wait) for it to exit.
    ///
    /// # Errors
    ///
    /// As for [`send_signal`](Self::send_signal).
    ///
    /// ```
    /// use std::os::unix::process::ExitStatusExt;
    ///
    /// corio::run(async {
    ///     let mut child = corio_process::Command::new("sleep").arg("100").spawn()?;
    ///     child.terminate()?;
    ///     assert_eq!(child.wait().await?.signal(), Some(libc::SIGTERM));
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn terminate(&mut self) -> io::Result<()> {
        self.send_signal(Signal::TERM)
    }

    /// Kills the child: `SIGKILL`, which cannot be caught (asyncio's `Process.kill()`). Does
    /// not wait; see [`wait`](Self::wait).
    ///
    /// # Errors
    ///
    /// As for [`send_signal`](Self::send_signal).
    ///
    /// ```
    /// corio::run(async {
    ///     let mut child = corio_process::Command::new("sleep").arg("100").spawn()?;
    ///     child.kill()?;
    ///     assert_eq!(child.wait().await?.code(), None);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn kill(&mut self) -> io::Result<()> {
        self.send_signal(Signal::KILL)
    }

    /// Whether this child's exit is watched through a pidfd (else `SIGCHLD`); only known
    /// once a [`wait`](Self::wait) had to block. For the tests of both paths.
    #[doc(hidden)]
    pub fn exit_watched_by_pidfd(&self) -> bool {
        self.watcher.is_pidfd()
    }

    /// How many dropped children corio has yet to reap (they have not exited, or their exit
    /// is being processed). For the tests.
    #[doc(hidden)]
    pub fn orphans_pending() -> usize {
        exit::orphans_pending()
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if matches!(self.try_wait(), Ok(Some(_))) {
            return;
        }
        if self.kill_on_drop {
            let _ = self.kill();
        }
        if let Some(inner) = self.inner.take() {
            exit::orphan(inner);
        }
    }
}

impl fmt::Debug for Child {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Child")
            .field("pid", &self.pid())
            .field("returncode", &self.returncode())
            .field("stdin", &self.stdin)
            .field("stdout", &self.stdout)
            .field("stderr", &self.stderr)
            .finish_non_exhaustive()
    }
}
