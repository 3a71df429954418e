//! Subprocesses and Unix signals for corio: asyncio's `create_subprocess_exec`,
//! `create_subprocess_shell`, `Process` and `loop.add_signal_handler`.
//!
//! - [`Command`] starts a program (never through a shell; [`shell`] is the explicit way to
//!   use one), with its arguments, environment, working directory, process group and
//!   standard streams inherited, [piped](Stdio::piped), [null](Stdio::null) or a file.
//! - [`Child`] is the running process: [`pid`](Child::pid), the pipes as async readers and
//!   writers ([`ChildStdin`], [`ChildStdout`], [`ChildStderr`]), [`wait`](Child::wait),
//!   [`try_wait`](Child::try_wait), [`communicate`](Child::communicate),
//!   [`send_signal`](Child::send_signal), [`terminate`](Child::terminate),
//!   [`kill`](Child::kill) and [`returncode`](Child::returncode).
//! - [`signal`]: [`ctrl_c`](signal::ctrl_c), a [`Signals`](signal::Signals) stream and
//!   [`add_signal_handler`](signal::add_signal_handler).
//!
//! ```
//! use corio_process::{Command, Stdio};
//!
//! corio::run(async {
//!     let mut child = Command::new("sort")
//!         .stdin(Stdio::piped())
//!         .stdout(Stdio::piped())
//!         .spawn()?;
//!     let out = child.communicate(Some(b"pear\napple\n")).await?;
//!     assert_eq!(out.stdout, b"apple\npear\n");
//!     assert_eq!(child.returncode(), Some(0));
//!     std::io::Result::Ok(())
//! })?;
//! # std::io::Result::Ok(())
//! ```
//!
//! # Exits without a thread per child
//!
//! On Linux a child that has to be waited for gets a pidfd (`pidfd_open`), registered with
//! the reactor: its exit wakes the waiting task from the loop's own `epoll_wait`. Where
//! pidfds are unavailable (old kernels, seccomp filters), or with the environment variable
//! `CORIO_PROCESS_EXIT=sigchld`, waiters are woken on `SIGCHLD` instead and each retries
//! `waitpid` on its own pid. A [`Child`] dropped before it exited is reaped in the
//! background on `SIGCHLD`, so no zombie is left; [`Command::kill_on_drop`] kills it first.
//!
//! The pipes, the pidfds and the signal machinery's descriptors are all close-on-exec, so
//! children inherit only their three standard streams.
//!
//! The futures work under any executor: outside a corio runtime, the pipes and pidfds
//! register with corio's fallback reactor thread.
//!
//! This crate is for Unix; it is developed and tested on Linux.

#![cfg(unix)]

mod child;
mod command;
mod communicate;
mod exit;
pub mod signal;
mod stdio;

pub use child::Child;
pub use command::{Command, shell};
/// `std`'s types, returned as they are: the exit status (with `ExitStatusExt::signal` for
/// a child killed by a signal), the output of [`Child::communicate`], and the stream
/// configuration of [`Command::stdin`] and friends.
pub use std::process::{ExitStatus, Output, Stdio};
pub use stdio::{ChildStderr, ChildStdin, ChildStdout};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_can_move_between_threads() {
        fn check<T: Send + Sync>() {}
        check::<Command>();
        check::<Child>();
        check::<signal::Signals>();
        check::<signal::CtrlC>();
        check::<signal::SignalHandler>();
        check::<signal::SignalError>();
    }
}
