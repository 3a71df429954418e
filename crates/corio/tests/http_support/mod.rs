//! What the hyper tests share: a test service, hyper servers on corio (HTTP/1 and h2c) that
//! count their connections, and client connections.

#![allow(dead_code, unreachable_pub)] // each test file uses a part of it

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use corio::hyper::{Executor, Io, Timer};
use corio::net::{TcpListener, TcpStream};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::client::conn::{http1, http2};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};

/// Every body the tests send and receive.
pub type Body = BoxBody<Bytes, hyper::Error>;

pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

pub fn empty() -> Body {
    Empty::new().map_err(|never| match never {}).boxed()
}

/// The test service:
/// - `GET /` → `hello`;
/// - `POST /echo` → the request body, streamed back as it arrives;
/// - `GET /sleep/SECONDS` → `slept` after that long on the runtime's clock;
/// - anything else → 404.
pub async fn service(req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let path = req.uri().path().to_owned();
    Ok(match (req.method(), path.as_str()) {
        (&Method::GET, "/") => Response::new(full("hello")),
        (&Method::POST, "/echo") => Response::new(req.into_body().boxed()),
        (&Method::GET, p) if p.starts_with("/sleep/") => {
            let seconds = p["/sleep/".len()..].parse().unwrap_or(0);
            corio::sleep(Duration::from_secs(seconds)).await;
            Response::new(full("slept"))
        }
        _ => {
            let mut not_found = Response::new(empty());
            *not_found.status_mut() = StatusCode::NOT_FOUND;
            not_found
        }
    })
}

/// Which protocol a test server speaks.
#[derive(Debug, Clone, Copy)]
pub enum Protocol {
    Http1,
    /// HTTP/2 over cleartext, with prior knowledge (no upgrade).
    H2c,
}

/// A hyper server on corio, serving [`service`] on a loopback port.
pub struct TestServer {
    pub addr: SocketAddr,
    connections: Arc<AtomicUsize>,
}

impl TestServer {
    /// Binds a free loopback port and serves it from a task: a task per connection.
    pub async fn start(protocol: Protocol) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = connections.clone();
        corio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                corio::spawn(serve(stream, protocol)).detach();
            }
        })
        .detach();
        TestServer { addr, connections }
    }

    /// How many connections it accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// Serves one connection; an error (a client that went away) ends it quietly.
pub async fn serve(stream: TcpStream, protocol: Protocol) {
    stream.set_nodelay(true).expect("TCP_NODELAY");
    let io = Io::new(stream);
    let served = match protocol {
        Protocol::Http1 => {
            hyper::server::conn::http1::Builder::new()
                .timer(Timer::new())
                .serve_connection(io, service_fn(service))
                .await
        }
        Protocol::H2c => {
            hyper::server::conn::http2::Builder::new(Executor::new())
                .timer(Timer::new())
                .serve_connection(io, service_fn(service))
                .await
        }
    };
    if let Err(e) = served {
        eprintln!("server connection: {e}");
    }
}

/// A connection to `addr`, without Nagle's algorithm (which, with the peer's delayed
/// acknowledgements, would hold back the last segment of a streamed body by up to 40 ms).
pub async fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).expect("TCP_NODELAY");
    stream
}

/// An HTTP/1 client connection to `addr`; its connection task is spawned.
pub async fn http1_client(addr: SocketAddr) -> http1::SendRequest<Body> {
    let stream = connect(addr).await;
    let (sender, connection) = http1::handshake(Io::new(stream))
        .await
        .expect("HTTP/1 handshake");
    corio::spawn(connection).detach();
    sender
}

/// An HTTP/2 client connection to `addr`; its connection task is spawned.
pub async fn h2_client(addr: SocketAddr) -> http2::SendRequest<Body> {
    let stream = connect(addr).await;
    let (sender, connection) = http2::Builder::new(Executor::new())
        .timer(Timer::new())
        .handshake(Io::new(stream))
        .await
        .expect("HTTP/2 handshake");
    corio::spawn(connection).detach();
    sender
}

/// `GET path` (HTTP/1 needs the Host header; HTTP/2 takes the authority from the URI).
pub fn get(path: &str) -> Request<Body> {
    Request::get(format!("http://localhost{path}"))
        .header("host", "localhost")
        .body(empty())
        .expect("a valid request")
}

/// `POST /echo` with `body`.
pub fn echo(body: Body) -> Request<Body> {
    Request::post("http://localhost/echo")
        .header("host", "localhost")
        .body(body)
        .expect("a valid request")
}

/// A response's status and whole body.
pub async fn status_and_body(response: Response<Incoming>) -> (StatusCode, Bytes) {
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("the whole body")
        .to_bytes();
    (status, body)
}
