//! Networking (asyncio's streams and sockets): the [`corio-net`](corio_net) crate.
//!
//! TCP, UDP and Unix-domain sockets on the loop's reactor, implementing the `futures-io`
//! traits, and asyncio's high-level streams.
//!
//! ```
//! use futures_lite::{AsyncReadExt, AsyncWriteExt};
//!
//! corio::run(async {
//!     let listener = corio::net::TcpListener::bind("127.0.0.1:0").await?;
//!     let mut client = corio::net::TcpStream::connect(listener.local_addr()?).await?;
//!     let (mut server, _) = listener.accept().await?;
//!     client.write_all(b"hi").await?;
//!     let mut buf = [0; 2];
//!     server.read_exact(&mut buf).await?;
//!     assert_eq!(&buf, b"hi");
//!     std::io::Result::Ok(())
//! })?;
//! # std::io::Result::Ok(())
//! ```

pub use corio_net::*;
