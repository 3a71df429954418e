//! asyncio's streams: a buffered [`StreamReader`] over any `futures-io` reader — a socket,
//! a pipe, or anything else implementing the trait.
//!
//! [`StreamReader`] owns its reader and reads only when a method needs data, one
//! underlying read per fill into one growing buffer. `readline` / `readuntil` search only
//! the bytes that arrived since the last look, and their *limit* bounds what a peer can
//! make it buffer. Every method is cancel safe: a dropped future leaves what it read in the
//! buffer. It is also an `AsyncRead` and `AsyncBufRead`.
//!
//! Errors are typed: [`ReadError`] (with [`IncompleteReadError`] and [`LimitOverrunError`],
//! asyncio's exceptions) for the framed reads; all convert into `std::io::Error` for `?`.
//!
//! ```
//! use corio::io::Async;
//! use corio_net::StreamReader;
//! use std::io::Write;
//! use std::os::unix::net::UnixStream;
//!
//! corio::run(async {
//!     let (mut client, server) = UnixStream::pair()?;
//!     client.write_all(b"hello\nworld\n")?;
//!     let mut reader = StreamReader::new(Async::new(server)?);
//!     assert_eq!(reader.readline().await?, b"hello\n");
//!     assert_eq!(reader.readline().await?, b"world\n");
//!     std::io::Result::Ok(())
//! })?;
//! # std::io::Result::Ok(())
//! ```

mod error;
mod reader;

pub use error::{IncompleteReadError, LimitOverrunError, ReadError};
pub use reader::{DEFAULT_LIMIT, StreamReader};
