//! Unix signals for async code: [`ctrl_c`], a [`Signals`] stream, and asyncio's
//! `loop.add_signal_handler` as [`add_signal_handler`].
//!
//! ```
//! use corio_process::signal::{Signal, Signals};
//!
//! corio::run(async {
//!     let mut signals = Signals::new([Signal::INT, Signal::TERM])?;
//!     # // SAFETY: raising a signal this process now catches.
//!     # unsafe { libc::raise(libc::SIGTERM) };
//!     match signals.recv().await {
//!         Signal::INT => println!("interrupted"),
//!         other => println!("asked to stop by {other}"),
//!     }
//!     std::io::Result::Ok(())
//! })?;
//! # std::io::Result::Ok(())
//! ```
//!
//! # How it works
//!
//! Signals are process-wide, so the machinery is too. The first time a signal is watched,
//! corio installs a handler for it with `sigaction` (`SA_RESTART`, so blocking system calls
//! elsewhere resume instead of failing with `EINTR`). The handler only increments a counter
//! of deliveries for that signal and writes a byte to a close-on-exec, non-blocking pipe:
//! nothing else is safe inside a signal handler. One thread, `corio-signal`, reads that pipe
//! and wakes whoever watches a signal whose counter moved. Every watcher keeps its own
//! position in the counter.
//!
//! - **What a delivery is.** One run of the handler. Each watcher ([`Signals`], [`ctrl_c`],
//!   [`add_signal_handler`]) sees each delivery once, from the moment it was created, even
//!   if it was busy at the time: corio coalesces nothing. The kernel does coalesce a
//!   standard signal sent while the same signal is still pending (not yet delivered to any
//!   thread), so `n` quick `kill`s may be fewer than `n` deliveries; real-time signals are
//!   queued by the kernel and are not merged.
//! - **Dispositions.** While anything watches a signal, its default action (terminate,
//!   for most) is replaced by the handler. When the last watcher goes, the disposition that
//!   was there before comes back, so a `SIGINT` then kills the process again.
//! - **Refused.** `SIGKILL` and `SIGSTOP` cannot be caught ([`SignalError::Uncatchable`]);
//!   the hardware faults `SIGSEGV`, `SIGBUS`, `SIGILL` and `SIGFPE` are refused too
//!   ([`SignalError::Forbidden`]). Any valid signal can still be *sent* to a child.
//! - **Children.** Handlers do not survive `exec`, so child processes start with the default
//!   dispositions (and, with `std`'s spawning, an empty signal mask).

mod ctrl_c;
mod handler;
mod kind;
pub(crate) mod registry;
mod stream;

pub use ctrl_c::{CtrlC, ctrl_c};
pub use handler::{SignalHandler, add_signal_handler};
pub use kind::{Signal, SignalError};
pub use stream::Signals;
