//! asyncio's streams: a buffered [`StreamReader`] and [`StreamWriter`] over any `futures-io`
//! reader or writer — a socket, a pipe, or anything else implementing the traits.
//!
//! * [`StreamReader`] owns its reader and reads only when a method needs data, one
//!   underlying read per fill into one growing buffer. `readline` / `readuntil` search
//!   only the bytes that arrived since the last look, and their *limit* bounds what a peer
//!   can make it buffer. Every method is cancel safe: a dropped future leaves what it read
//!   in the buffer. It is also an `AsyncRead` and `AsyncBufRead`.
//! * [`StreamWriter`] is shared: cheap to clone, every method takes `&self`. `write` is
//!   synchronous and buffers; there is no background task, so `drain` does the writing
//!   (and `wait_closed` the closing) in whichever task awaits it. It needs no runtime.
//!
//! Errors are typed: [`ReadError`] (with [`IncompleteReadError`] and [`LimitOverrunError`],
//! asyncio's exceptions) for the framed reads, [`WriterClosedError`] for writes after
//! `close` / `write_eof`; all convert into `std::io::Error` for `?`.
//!
//! ```
//! use corio::io::Async;
//! use corio_net::{StreamReader, StreamWriter};
//! use std::os::unix::net::UnixStream;
//!
//! corio::run(async {
//!     let (client, server) = UnixStream::pair()?;
//!     let server = corio::spawn(async move {
//!         // One socket, read and written through `&Async`.
//!         let server = Async::new(server)?;
//!         let mut reader = StreamReader::new(&server);
//!         let writer = StreamWriter::new(&server);
//!         let line = reader.readline().await?;
//!         writer.write(&line.to_ascii_uppercase())?;
//!         writer.drain().await
//!     });
//!     let client = Async::new(client)?;
//!     let (mut reader, writer) = (StreamReader::new(&client), StreamWriter::new(&client));
//!     writer.write(b"hello\n")?;
//!     writer.drain().await?;
//!     assert_eq!(reader.readline().await?, b"HELLO\n");
//!     server.await.unwrap()
//! })?;
//! # std::io::Result::Ok(())
//! ```

mod connection;
mod error;
mod reader;
mod server;
mod writer;

pub use connection::{open_connection, open_unix_connection};
pub use error::{IncompleteReadError, LimitOverrunError, ReadError, WriterClosedError};
pub use reader::{DEFAULT_LIMIT, StreamReader};
pub use server::{
    HandlerOutput, Listener, Server, ServerAddr, TcpReader, TcpWriter, UnixReader, UnixWriter,
    serve, start_server, start_unix_server,
};
pub use writer::StreamWriter;
