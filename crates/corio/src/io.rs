//! Readiness-based I/O on the event loop (asyncio's transports sit on the same idea).
//!
//! [`Async`] wraps any file descriptor — a socket, a pipe, a terminal — makes it non-blocking
//! and registers it with the running loop's reactor. Reads and writes try the system call
//! first and only wait for readiness when the kernel says `WouldBlock`.
//!
//! The futures-io traits every corio reader and writer implements (sockets, pipes, files,
//! `StreamReader`) are here too, with futures-lite's extension traits that give them
//! `read_exact`, `write_all`, `read_line`…
//!
//! ```
//! use corio::io::{AsyncReadExt, AsyncWriteExt};
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
pub use futures_lite::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncSeek, AsyncSeekExt, AsyncWrite,
    AsyncWriteExt, BufReader, BufWriter,
};
