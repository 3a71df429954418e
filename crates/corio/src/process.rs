//! Subprocesses, asyncio's `asyncio.create_subprocess_exec` / `create_subprocess_shell`:
//! the [`corio-process`](corio_process) crate.
//!
//! [`Command`] starts a program directly (no shell; [`shell`] when you want one, with its
//! injection risk), [`Child`] is the running process with its pipes as async streams,
//! [`Child::wait`], [`Child::communicate`], [`Child::send_signal`] / `terminate` / `kill` and
//! [`Child::returncode`]. Exits are seen through a pidfd on the reactor (or `SIGCHLD` where
//! pidfds are missing), with no thread per child; dropped children are reaped in the
//! background.
//!
//! ```
//! use corio::process::{Command, Stdio};
//!
//! corio::run(async {
//!     let out = Command::new("uname").arg("-s").stdout(Stdio::piped()).output().await?;
//!     assert!(out.status.success());
//!     println!("running on {}", String::from_utf8_lossy(&out.stdout).trim());
//!
//!     let mut child = corio::process::shell("exit 7").spawn()?;
//!     assert_eq!(child.wait().await?.code(), Some(7));
//!     std::io::Result::Ok(())
//! })?;
//! # std::io::Result::Ok(())
//! ```

pub use corio_process::{
    Child, ChildStderr, ChildStdin, ChildStdout, Command, ExitStatus, Output, Stdio, shell,
};
