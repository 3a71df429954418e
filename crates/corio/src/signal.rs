//! Unix signals, asyncio's `loop.add_signal_handler`: the `signal` module of
//! [`corio-process`](corio_process).
//!
//! [`ctrl_c`] waits for the next `SIGINT`; a [`Signals`] stream yields every delivery of
//! the signals it watches (none is lost while you are busy: corio coalesces nothing, only
//! the kernel merges a signal sent while the same one is still pending);
//! [`add_signal_handler`] runs a callback on the runtime per delivery until it is removed.
//! While anything watches a signal its default action is suspended; when the last watcher
//! goes, the previous disposition is restored.
//!
//! ```
//! use corio::signal::{Signal, Signals};
//!
//! corio::run(async {
//!     let mut signals = Signals::new([Signal::INT, Signal::TERM])?;
//!     # // SAFETY: raising a signal this process now catches.
//!     # unsafe { libc::raise(libc::SIGTERM) };
//!     let first = signals.recv().await;
//!     println!("{first}: shutting down; a second signal will not interrupt the clean-up");
//!     std::io::Result::Ok(())
//! })?;
//! # std::io::Result::Ok(())
//! ```

pub use corio_process::signal::*;
