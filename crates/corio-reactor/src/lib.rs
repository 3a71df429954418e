//! I/O readiness for corio: a reactor (its own epoll backend on Linux, [`polling`]'s kqueue,
//! event ports… elsewhere) with an integrated timer wheel, and [`Async`], the wrapper that
//! makes a file descriptor async.
//!
//! # Design
//!
//! - **Edge-triggered, registered once.** Each [`Async`] registers its descriptor once, for
//!   both directions, in edge-triggered mode and never re-arms it: waiting for readiness
//!   costs no `epoll_ctl`. The poller reports a change of readiness once; the reactor caches
//!   it per direction (read, write) until a system call returns `WouldBlock`.
//! - **Ticks.** Every event bumps the direction's tick. Before a system call the tick is
//!   read; on `WouldBlock` the cached readiness is cleared only if the tick has not moved, so
//!   an event that arrives during the call is never lost. Errors and hang-ups mark both
//!   directions ready, so the next call reports the error or the end of file.
//! - **Syscall first.** Reads and writes try the operation before waiting; after a
//!   `WouldBlock` they wait for the next event instead of trying again.
//! - **One wait per batch.** [`Reactor::park`] waits once for I/O, the next timer deadline
//!   and unparks ([`Unparker`], coalesced: repeated unparks cost one notification), wakes
//!   the tasks of every ready source, then fires due timers.
//! - **Works anywhere.** [`Async::new`] uses the reactor entered on the thread
//!   ([`Reactor::enter`]) or, outside any, a shared fallback reactor driven by a background
//!   thread named `corio-reactor`, so it works under tokio, smol or
//!   `futures_lite::future::block_on`.
//!
//! # Pollers
//!
//! On Linux and Android the reactor waits with its own epoll backend, where a park is one
//! `epoll_wait` and nothing else: the timeout is `epoll_wait`'s own (in milliseconds, rounded
//! up so that a wait never ends early), and unparks write to an eventfd registered once,
//! edge-triggered, which is never read or re-armed. Everywhere else it uses [`polling`], in
//! edge-triggered mode.
//!
//! **`CORIO_POLLER=polling`** is a diagnostic switch: when this environment variable is set
//! to `polling` as a reactor is created ([`Reactor::new`], which reads it each time), that
//! reactor uses [`polling`] on Linux too. If a program behaves differently with it, the
//! epoll backend is at fault. It costs about four system calls more per park (polling's
//! epoll backend re-arms a timerfd before each wait and its notifier after it). Any other
//! value, or none, selects the default.
//!
//! # Driving a reactor yourself
//!
//! Enter the reactor so that [`Async::new`] and `corio_timer::sleep` use it, poll your
//! future, and [`park`](Reactor::park) while it is pending. Wakes from other threads must
//! call [`Unparker::unpark`] so that a parked loop notices them.
//!
//! ```
//! use corio_reactor::{Async, Reactor};
//! use corio_timer::Clock;
//! use futures_lite::{AsyncReadExt, AsyncWriteExt};
//! use std::os::unix::net::UnixStream;
//! use std::task::{Context, Poll, Waker};
//!
//! let reactor = Reactor::new(Clock::Real)?;
//! let _entered = reactor.enter();
//! let mut main = std::pin::pin!(async {
//!     let (a, b) = UnixStream::pair()?;
//!     let (mut a, mut b) = (Async::new(a)?, Async::new(b)?);
//!     a.write_all(b"hello").await?;
//!     drop(a); // the reader then sees end of file
//!     let mut text = String::new();
//!     b.read_to_string(&mut text).await?;
//!     std::io::Result::Ok(text)
//! });
//! // A single task on this thread: no waker is needed, parking is enough.
//! let mut cx = Context::from_waker(Waker::noop());
//! let text = loop {
//!     if let Poll::Ready(out) = main.as_mut().poll(&mut cx) {
//!         break out?;
//!     }
//!     reactor.park(None)?;
//! };
//! assert_eq!(text, "hello");
//! # std::io::Result::Ok(())
//! ```

#[cfg(unix)]
mod async_fd;
mod current;
mod reactor;
#[cfg(unix)]
mod ready;
mod registry;
mod source;
mod sys;
mod unparker;

#[cfg(unix)]
pub use async_fd::Async;
pub use corio_timer::{Clock, Timers};
pub use current::ReactorGuard;
pub use reactor::Reactor;
#[cfg(unix)]
pub use ready::Ready;
pub use unparker::Unparker;
