//! Networking for corio: TCP, UDP and Unix sockets on the readiness reactor, and asyncio's
//! high-level streams (`StreamReader`, `StreamWriter`, `Server`).
//!
//! # Sockets
//!
//! [`TcpListener`], [`TcpStream`], [`UdpSocket`], [`UnixListener`], [`UnixStream`] and
//! [`UnixDatagram`] are std's sockets made asynchronous: each is registered once with the
//! loop's reactor, edge-triggered, and every operation tries the system call first and
//! waits for readiness only on `WouldBlock`. Stream sockets implement the `futures-io`
//! traits (`AsyncRead`, `AsyncWrite`), so the ecosystem's codecs and protocol crates plug
//! in, and split into owned halves ([`OwnedReadHalf`], [`OwnedWriteHalf`]) for a reader
//! task and a writer task. [`TcpSocket`] sets the options that must come before `bind` or
//! `connect` (`SO_REUSEADDR`, `SO_REUSEPORT`, buffer sizes, backlog).
//!
//! Every descriptor is created non-blocking and close-on-exec, so a child process never
//! inherits a socket. Host names are resolved on the blocking pool ([`lookup_host`]): a slow
//! DNS server never stalls the loop; literal addresses never leave the thread.
//!
//! ```
//! use futures_lite::{AsyncReadExt, AsyncWriteExt};
//!
//! corio::run(async {
//!     let listener = corio_net::TcpListener::bind("127.0.0.1:0").await?;
//!     let addr = listener.local_addr()?;
//!     let server = corio::spawn(async move {
//!         let (mut conn, _) = listener.accept().await?;
//!         let mut buf = [0; 5];
//!         conn.read_exact(&mut buf).await?;
//!         conn.write_all(&buf).await // echo
//!     });
//!     let mut client = corio_net::TcpStream::connect(addr).await?;
//!     client.write_all(b"hello").await?;
//!     let mut echo = [0; 5];
//!     client.read_exact(&mut echo).await?;
//!     assert_eq!(&echo, b"hello");
//!     server.await.unwrap()
//! })?;
//! # std::io::Result::Ok(())
//! ```

mod addr;
mod connect;
mod options;
mod split;
pub mod streams;
mod sys;
mod tcp;
mod udp;
mod unix;

pub use addr::{ToSocketAddrs, lookup_host};
pub use split::{OwnedReadHalf, OwnedWriteHalf, ReuniteError};
pub use streams::{
    HandlerOutput, IncompleteReadError, LimitOverrunError, Listener, ReadError, Server, ServerAddr,
    StreamReader, StreamWriter, TcpReader, TcpWriter, UnixReader, UnixWriter, WriterClosedError,
    open_connection, open_unix_connection, serve, start_server, start_unix_server,
};
pub use tcp::{Incoming, TcpListener, TcpSocket, TcpStream};
pub use udp::UdpSocket;
pub use unix::{UnixDatagram, UnixListener, UnixStream};
