//! Readiness-based I/O on the event loop (asyncio's transports sit on the same idea).
//!
//! [`Async`] wraps any file descriptor — a socket, a pipe, a terminal — makes it non-blocking
//! and registers it with the running loop's reactor. Reads and writes try the system call
//! first and only wait for readiness when the kernel says `WouldBlock`.
//!
//! ```
//! use futures_lite::{AsyncReadExt, AsyncWriteExt};
//! use std::os::unix::net::UnixStream;
//!
//! corio::run(async {
//!     let (a, b) = UnixStream::pair()?;
//!     let (mut a, mut b) = (corio::io::Async::new(a)?, corio::io::Async::new(b)?);
//!     a.write_all(b"ping").await?;
//!     let mut buf = [0; 4];
//!     b.read_exact(&mut buf).await?;
//!     assert_eq!(&buf, b"ping");
//!     std::io::Result::Ok(())
//! })
//! .unwrap();
//! ```

pub use corio_reactor::Async;
