//! What the reactor asks of the operating system: a poller to wait in, and non-blocking mode.
//!
//! - [`poller`]: the poller the reactor uses, dispatching to one of the backends below, and
//!   the [`Event`](poller::Event) they all report.
//! - `epoll` (Linux, Android): our own epoll backend, one `epoll_wait` per wait and nothing
//!   else.
//! - [`portable`]: the `polling` crate, for every other platform, and on Linux when
//!   `CORIO_POLLER=polling` asks for it.
//! - `nonblocking` (Unix): `O_NONBLOCK` for the descriptors the reactor registers.

#[cfg(any(target_os = "linux", target_os = "android"))]
mod epoll;
#[cfg(unix)]
mod nonblocking;
mod poller;
mod portable;

#[cfg(unix)]
pub(crate) use nonblocking::set_nonblocking;
pub(crate) use poller::{Events, Poller};
