//! hyper on corio: the three runtime pieces hyper 1.x asks of a runtime (`hyper::rt`), so
//! hyper's HTTP/1 and HTTP/2 clients and servers run on corio unchanged. Needs the `hyper`
//! feature.
//!
//! | hyper needs | corio gives | for |
//! |---|---|---|
//! | [`hyper::rt::Executor`] | [`Executor`]: spawns on the running corio runtime | HTTP/2 (each stream is a task), `http2::handshake` |
//! | [`hyper::rt::Timer`] | [`Timer`]: the runtime's timers, on its clock (virtual clock included) | timeouts, keep-alive pings |
//! | [`hyper::rt::Read`] + [`hyper::rt::Write`] | [`Io`]: wraps any futures-io reader/writer (`TcpStream`, `UnixStream`…) | every connection |
//!
//! [`Io`] also works the other way: around a hyper reader/writer (such as
//! `hyper::upgrade::Upgraded`) it implements futures-io's `AsyncRead` and `AsyncWrite`.
//!
//! Everything else is hyper's own API: a server accepts connections and spawns
//! `serve_connection` for each; a client connects, hands the stream to `handshake`, and
//! spawns the connection it returns. As with any runtime, set `TCP_NODELAY`
//! ([`TcpStream::set_nodelay`](crate::net::TcpStream::set_nodelay)) on connections that
//! stream bodies: otherwise Nagle's algorithm and the peer's delayed acknowledgements can
//! hold a body's last segment back for up to 40 ms.
//!
//! ```
//! use std::convert::Infallible;
//!
//! use bytes::Bytes;
//! use corio::hyper::{Io, Timer};
//! use corio::net::{TcpListener, TcpStream};
//! use http_body_util::{BodyExt, Full};
//! use hyper::{Request, Response, body::Incoming, service::service_fn};
//!
//! async fn hello(_: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
//!     Ok(Response::new(Full::new(Bytes::from("Hello, world!\n"))))
//! }
//!
//! corio::run(async {
//!     // The server: a task per connection.
//!     let listener = TcpListener::bind("127.0.0.1:0").await?;
//!     let addr = listener.local_addr()?;
//!     corio::spawn(async move {
//!         while let Ok((stream, _)) = listener.accept().await {
//!             corio::spawn(
//!                 hyper::server::conn::http1::Builder::new()
//!                     .timer(Timer::new())
//!                     .serve_connection(Io::new(stream), service_fn(hello)),
//!             )
//!             .detach();
//!         }
//!     }).detach();
//!
//!     // The client: a connection task, and requests sent through it.
//!     let stream = TcpStream::connect(addr).await?;
//!     let (mut sender, connection) = hyper::client::conn::http1::handshake(Io::new(stream)).await?;
//!     corio::spawn(connection).detach();
//!     let request = Request::get("/").header("host", "localhost").body(Full::new(Bytes::new()))?;
//!     let response = sender.send_request(request).await?;
//!     assert_eq!(response.status(), 200);
//!     let body = response.into_body().collect().await?.to_bytes();
//!     assert_eq!(body, "Hello, world!\n");
//!     Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
//! })
//! .unwrap();
//! ```

mod executor;
mod io;
mod read_size;
mod timer;

pub use executor::Executor;
pub use io::Io;
pub use timer::Timer;
