//! [`Command`], asyncio's `create_subprocess_exec`, and [`shell`], its
//! `create_subprocess_shell`.

use std::error::Error;
use std::ffi::OsStr;
use std::fmt;
use std::io;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{self, ExitStatus, Output, Stdio};

use crate::child::Child;

/// A process to start: program, arguments, environment, working directory and standard
/// streams. asyncio's `create_subprocess_exec`.
///
/// It wraps [`std::process::Command`], so spawning is `std`'s (`posix_spawn` where it can,
/// `fork` + `exec` otherwise) and inherits its guarantees: the program is run directly,
/// never through a shell, so arguments need no quoting; only the three standard streams
/// are passed on, since every descriptor corio opens is close-on-exec. Standard streams
/// are inherited unless set. Configuration methods return `&mut Command`, so they chain.
///
/// ```
/// use corio_process::{Command, Stdio};
///
/// corio::run(async {
///     let out = Command::new("echo")
///         .args(["hello", "world; rm -rf /"]) // one argument, not a shell command
///         .stdout(Stdio::piped())
///         .output()
///         .await?;
///     assert_eq!(out.stdout, b"hello world; rm -rf /\n");
///     assert!(out.status.success());
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub struct Command {
    std: process::Command,
    kill_on_drop: bool,
    force_sigchld: bool,
    /// Which of stdout / stderr were set, so [`Command::output`] pipes only the others.
    stdout_set: bool,
    stderr_set: bool,
}

/// asyncio's `create_subprocess_shell`: a [`Command`] running `cmd` with `/bin/sh -c`.
///
/// **Injection risk:** the shell interprets `cmd` — spaces, quotes, `;`, `|`, `$(…)`,
/// globs. Never build `cmd` from input you do not control; pass such values as arguments
/// of a [`Command::new`] instead, which involves no shell. If you must, quote every value
/// for the shell yourself.
///
/// ```
/// use corio_process::{Stdio, shell};
///
/// corio::run(async {
///     let out = shell("echo $((6 * 7)) | tr 4 X").stdout(Stdio::piped()).output().await?;
///     assert_eq!(out.stdout, b"X2\n");
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub fn shell(cmd: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new("/bin/sh");
    command.arg("-c").arg(cmd);
    command
}

impl Command {
    /// A command that runs `program` (looked up in `PATH` if it contains no `/`) with no
    /// arguments, the parent's environment and working directory, and inherited streams.
    ///
    /// ```
    /// let status = corio::run(corio_process::Command::new("true").status())?;
    /// assert!(status.success());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn new(program: impl AsRef<OsStr>) -> Command {
        Command {
            std: process::Command::new(program),
            kill_on_drop: false,
            force_sigchld: false,
            stdout_set: false,
            stderr_set: false,
        }
    }

    /// Adds an argument.
    ///
    /// ```
    /// let status = corio::run(corio_process::Command::new("test").arg("-d").arg("/").status())?;
    /// assert!(status.success());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut Command {
        self.std.arg(arg);
        self
    }

    /// Adds arguments.
    ///
    /// ```
    /// let status = corio::run(corio_process::Command::new("test").args(["1", "-lt", "2"]).status())?;
    /// assert!(status.success());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn args<I, S>(&mut self, args: I) -> &mut Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.std.args(args);
        self
    }

    /// Sets an environment variable for the child.
    ///
    /// ```
    /// use corio_process::{Stdio, shell};
    ///
    /// let out = corio::run(shell("echo $GREETING").env("GREETING", "hi").stdout(Stdio::piped()).output())?;
    /// assert_eq!(out.stdout, b"hi\n");
    /// # std::io::Result::Ok(())
    /// ```
    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Command {
        self.std.env(key, value);
        self
    }

    /// Sets several environment variables for the child.
    ///
    /// ```
    /// use corio_process::{Stdio, shell};
    ///
    /// let out = corio::run(shell("echo $A$B").envs([("A", "1"), ("B", "2")]).stdout(Stdio::piped()).output())?;
    /// assert_eq!(out.stdout, b"12\n");
    /// # std::io::Result::Ok(())
    /// ```
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Command
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        self.std.envs(vars);
        self
    }

    /// Removes an environment variable from the child's environment.
    ///
    /// ```
    /// use corio_process::{Stdio, shell};
    ///
    /// let out = corio::run(shell("echo \"[$HOME]\"").env_remove("HOME").stdout(Stdio::piped()).output())?;
    /// assert_eq!(out.stdout, b"[]\n");
    /// # std::io::Result::Ok(())
    /// ```
    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut Command {
        self.std.env_remove(key);
        self
    }

    /// Starts the child with an empty environment (then adds what [`env`](Self::env) sets).
    ///
    /// ```
    /// use corio_process::{Command, Stdio};
    ///
    /// let out = corio::run(Command::new("/usr/bin/env").env_clear().env("ONLY", "me").stdout(Stdio::piped()).output())?;
    /// assert_eq!(out.stdout, b"ONLY=me\n");
    /// # std::io::Result::Ok(())
    /// ```
    pub fn env_clear(&mut self) -> &mut Command {
        self.std.env_clear();
        self
    }

    /// Sets the child's working directory.
    ///
    /// ```
    /// use corio_process::{Command, Stdio};
    ///
    /// let out = corio::run(Command::new("pwd").current_dir("/").stdout(Stdio::piped()).output())?;
    /// assert_eq!(out.stdout, b"/\n");
    /// # std::io::Result::Ok(())
    /// ```
    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut Command {
        self.std.current_dir(dir);
        self
    }

    /// Sets the child's standard input: [`Stdio::inherit`] (the default), [`Stdio::piped`]
    /// (then [`Child::stdin`] is a writer), [`Stdio::null`], or a file (`Stdio::from(file)`).
    ///
    /// ```
    /// use corio_process::{Command, Stdio};
    ///
    /// let out = corio::run(Command::new("cat").stdin(Stdio::null()).stdout(Stdio::piped()).output())?;
    /// assert!(out.stdout.is_empty());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn stdin(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.std.stdin(cfg);
        self
    }

    /// Sets the child's standard output, as [`stdin`](Self::stdin) does its input; piped,
    /// [`Child::stdout`] is a reader.
    ///
    /// ```
    /// use corio_process::{Command, Stdio};
    ///
    /// let log = std::env::temp_dir().join(format!("corio-doc-stdout-{}", std::process::id()));
    /// let file = std::fs::File::create(&log)?;
    /// corio::run(Command::new("echo").arg("to a file").stdout(file).status())?;
    /// assert_eq!(std::fs::read_to_string(&log)?, "to a file\n");
    /// # std::fs::remove_file(&log)?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn stdout(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.stdout_set = true;
        self.std.stdout(cfg);
        self
    }

    /// Sets the child's standard error, as [`stdout`](Self::stdout) does its output.
    ///
    /// ```
    /// use corio_process::{Stdio, shell};
    ///
    /// let out = corio::run(shell("echo quiet >&2").stderr(Stdio::null()).output())?;
    /// assert!(out.stderr.is_empty());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn stderr(&mut self, cfg: impl Into<Stdio>) -> &mut Command {
        self.stderr_set = true;
        self.std.stderr(cfg);
        self
    }

    /// Puts the child in process group `pgroup`, or in a new group of its own (whose id is
    /// its pid) with 0. A terminal's Ctrl-C goes to its foreground group, so a child in
    /// another group does not receive it.
    ///
    /// ```
    /// use corio_process::shell;
    ///
    /// // In the child, the process group id (field 5 of /proc/PID/stat) is its own pid.
    /// let own_group = r#"test "$(cut -d' ' -f5 /proc/$$/stat)" = $$"#;
    /// assert!(corio::run(shell(own_group).process_group(0).status())?.success());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn process_group(&mut self, pgroup: i32) -> &mut Command {
        self.std.process_group(pgroup);
        self
    }

    /// Whether dropping the [`Child`] before it exited kills it (`SIGKILL`). Off by
    /// default: a dropped child keeps running. Either way, corio reaps it once it exits, so
    /// no zombie is left.
    ///
    /// ```
    /// use corio_process::Command;
    ///
    /// corio::run(async {
    ///     let child = Command::new("sleep").arg("1000").kill_on_drop(true).spawn()?;
    ///     drop(child); // killed, then reaped in the background
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn kill_on_drop(&mut self, kill: bool) -> &mut Command {
        self.kill_on_drop = kill;
        self
    }

    /// Detects this command's children's exits through `SIGCHLD`, as where `pidfd_open` is
    /// not available; for the tests of that path.
    #[doc(hidden)]
    pub fn sigchld_exit_detection(&mut self, force: bool) -> &mut Command {
        self.force_sigchld = force;
        self
    }

    /// The program, as given to [`new`](Self::new).
    ///
    /// ```
    /// assert_eq!(corio_process::shell("ls").get_program(), "/bin/sh");
    /// ```
    pub fn get_program(&self) -> &OsStr {
        self.std.get_program()
    }

    /// The underlying [`std::process::Command`], for what this type does not wrap
    /// (`uid`, `gid`, `pre_exec`, `arg0`, …).
    ///
    /// ```
    /// use std::os::unix::process::CommandExt;
    ///
    /// let mut cmd = corio_process::Command::new("true");
    /// cmd.as_std_mut().arg0("renamed");
    /// assert!(corio::run(cmd.status())?.success());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn as_std_mut(&mut self) -> &mut process::Command {
        &mut self.std
    }

    /// Starts the process. Its piped streams are in [`Child::stdin`], [`Child::stdout`] and
    /// [`Child::stderr`]; waiting for it is [`Child::wait`].
    ///
    /// Spawning itself is one system call (`posix_spawn` or `fork`), done on the calling
    /// thread: it takes well under a millisecond and does not wait for the child.
    ///
    /// # Errors
    ///
    /// The program could not be started. The error names the program and keeps the system's
    /// kind: `NotFound` for a missing program, `PermissionDenied` for a file that is not
    /// executable. Its [`source`](std::error::Error::source) is the system's error.
    ///
    /// ```
    /// use corio_process::Command;
    ///
    /// let err = corio::run(async { Command::new("no-such-program").spawn().map(drop) }).unwrap_err();
    /// assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    /// assert!(err.to_string().contains("no-such-program"));
    /// ```
    pub fn spawn(&mut self) -> io::Result<Child> {
        let child = self.std.spawn().map_err(|e| {
            let kind = e.kind();
            let program = self.std.get_program().to_owned();
            io::Error::new(kind, SpawnError { program, source: e })
        })?;
        Child::new(child, self.kill_on_drop, self.force_sigchld)
    }

    /// Runs the process to its end with the streams as configured (inherited by default)
    /// and gives its exit status: [`spawn`](Self::spawn) then [`Child::wait`].
    ///
    /// # Errors
    ///
    /// As for [`spawn`](Self::spawn) and [`Child::wait`].
    ///
    /// ```
    /// use std::os::unix::process::ExitStatusExt;
    ///
    /// let status = corio::run(corio_process::shell("exit 7").status())?;
    /// assert_eq!(status.code(), Some(7));
    /// let status = corio::run(corio_process::shell("kill -TERM $$").status())?;
    /// assert_eq!(status.signal(), Some(libc::SIGTERM));
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn status(&mut self) -> io::Result<ExitStatus> {
        self.spawn()?.wait().await
    }

    /// Runs the process to its end and collects what it wrote: [`spawn`](Self::spawn) then
    /// [`Child::communicate`] with no input.
    ///
    /// Standard output and error are piped unless they were set. Unlike `std`'s `output`,
    /// standard input stays as configured (inherited by default); set [`Stdio::null`] for a
    /// child that must not read the terminal. The pipes it sets stay set for later spawns of
    /// this `Command`.
    ///
    /// # Errors
    ///
    /// As for [`spawn`](Self::spawn) and [`Child::communicate`]. A child that fails is not an
    /// error: look at `status`.
    ///
    /// ```
    /// let out = corio::run(corio_process::shell("echo out; echo err >&2; exit 3").output())?;
    /// assert_eq!((out.stdout.as_slice(), out.stderr.as_slice()), (&b"out\n"[..], &b"err\n"[..]));
    /// assert_eq!(out.status.code(), Some(3));
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn output(&mut self) -> io::Result<Output> {
        if !self.stdout_set {
            self.stdout(Stdio::piped());
        }
        if !self.stderr_set {
            self.stderr(Stdio::piped());
        }
        self.spawn()?.communicate(None).await
    }
}

impl fmt::Debug for Command {
    /// The program and arguments as `std` shows them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.std, f)
    }
}

/// A spawn failure that names the program.
#[derive(Debug)]
struct SpawnError {
    program: std::ffi::OsString,
    source: io::Error,
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot run {:?}: {}", self.program, self.source)
    }
}

impl Error for SpawnError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.source)
    }
}
