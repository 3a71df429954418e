//! An HTTP server: hyper on corio, a task per connection.
//!
//! ```text
//! cargo run --release -p corio --features hyper --example http_server [ADDR | PORT] [--h2c]
//! ```
//!
//! It listens on ADDR (or 127.0.0.1:PORT; without either, on the `PORT` environment
//! variable, else 8080) and prints `listening on ADDR`. Routes:
//!
//! - `GET /` → `Hello, world!`
//! - `GET /json` → a small JSON document
//! - `POST /echo` → the request body, streamed back as it arrives
//!
//! It speaks HTTP/1.1 (`curl http://127.0.0.1:8080/`, `wrk`), or with `--h2c` HTTP/2 over
//! cleartext with prior knowledge (`curl --http2-prior-knowledge …`). Ctrl-C shuts it down
//! gracefully: it stops accepting, lets the requests in flight finish, closes idle
//! connections, and exits.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use corio::hyper::{Executor, Io, Timer};
use corio::net::{TcpListener, TcpStream};
use corio::sync::Event;
use futures_lite::future::or;
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use hyper::header::CONTENT_TYPE;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};

/// How long a connection's request in flight gets to finish after Ctrl-C.
const GRACE: Duration = Duration::from_secs(10);

const JSON: &str = r#"{"message":"Hello, world!","runtime":"corio","server":"hyper"}"#;

/// A fixed response, or a request body streamed back.
type Body = Either<Full<Bytes>, Incoming>;

async fn route(req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let fixed = |content_type, text: &'static str| {
        Response::builder()
            .header(CONTENT_TYPE, content_type)
            .body(Either::Left(Full::new(Bytes::from_static(text.as_bytes()))))
    };
    let response = match (req.method(), req.uri().path()) {
        (&Method::GET, "/") => fixed("text/plain", "Hello, world!\n"),
        (&Method::GET, "/json") => fixed("application/json", JSON),
        (&Method::POST, "/echo") => Ok(Response::new(Either::Right(req.into_body()))),
        _ => fixed("text/plain", "not found\n").map(|mut r| {
            *r.status_mut() = StatusCode::NOT_FOUND;
            r
        }),
    };
    Ok(response.expect("fixed headers are valid"))
}

/// Serves one connection until it ends, or until `stopping` is set: then it finishes the
/// request in flight (within [`GRACE`]) and closes.
async fn connection(stream: TcpStream, h2c: bool, stopping: Arc<Event>) {
    let io = Io::new(stream);
    let served = if h2c {
        let conn = hyper::server::conn::http2::Builder::new(Executor::new())
            .timer(Timer::new())
            .serve_connection(io, service_fn(route));
        until_stopping(conn, &stopping, |c| c.graceful_shutdown()).await
    } else {
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(Timer::new())
            .serve_connection(io, service_fn(route));
        until_stopping(conn, &stopping, |c| c.graceful_shutdown()).await
    };
    match served {
        Some(Ok(())) => {}
        // A client that goes away mid-request is its business, not a server failure.
        Some(Err(e)) if e.is_incomplete_message() => {}
        Some(Err(e)) => eprintln!("connection: {e}"),
        None => eprintln!("connection: a request still running after {GRACE:?} was cut off"),
    }
}

/// Drives `conn`; once `stopping` is set, asks it to shut down gracefully and drives it to
/// the end, at most [`GRACE`] longer (`None` if it had to be cut off).
async fn until_stopping<C: Future>(
    conn: C,
    stopping: &Event,
    graceful: fn(Pin<&mut C>),
) -> Option<C::Output> {
    let mut conn = pin!(conn);
    let finished = or(async { Some(conn.as_mut().await) }, async {
        stopping.wait().await;
        None
    })
    .await;
    match finished {
        Some(output) => Some(output),
        None => {
            graceful(conn.as_mut());
            corio::timeout(GRACE, conn).await.ok()
        }
    }
}

async fn serve(addr: SocketAddr, h2c: bool) -> std::io::Result<()> {
    // Catch Ctrl-C before announcing the address: from then on it cannot kill the server.
    let mut ctrl_c = pin!(corio::signal::ctrl_c());
    let listener = TcpListener::bind(addr).await?;
    println!("listening on {}", listener.local_addr()?);
    println!(
        "speaking {}; Ctrl-C stops",
        if h2c {
            "HTTP/2 (h2c, prior knowledge)"
        } else {
            "HTTP/1.1"
        }
    );

    let stopping = Arc::new(Event::new());
    // The connections are the group's children: it ends once they all have.
    let served = corio::task::task_group(|group| async move {
        loop {
            let accepted = or(async { Some(listener.accept().await) }, async {
                let _ = ctrl_c.as_mut().await;
                None
            })
            .await;
            match accepted {
                Some(Ok((stream, _peer))) => {
                    let _ = stream.set_nodelay(true);
                    let stopping = stopping.clone();
                    let _ = group.spawn(async move {
                        connection(stream, h2c, stopping).await;
                        Ok(())
                    });
                }
                // Out of descriptors, say: the connections already open keep going.
                Some(Err(e)) => {
                    eprintln!("accept: {e}");
                    corio::sleep(Duration::from_millis(100)).await;
                }
                None => break,
            }
        }
        println!("shutting down: finishing the requests in flight");
        stopping.set();
        Ok::<_, Infallible>(())
    });
    let _: Result<(), _> = served.await; // no child fails: each reports its own errors
    println!("all connections closed; bye");
    Ok(())
}

/// `[ADDR | PORT] [--h2c]`, then the `PORT` variable, then port 8080.
fn parse_args() -> Result<(SocketAddr, bool), String> {
    let mut addr = None;
    let mut h2c = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--h2c" => h2c = true,
            _ if addr.is_none() => addr = Some(arg),
            _ => return Err(format!("unexpected argument {arg:?}")),
        }
    }
    let addr = addr
        .or_else(|| std::env::var("PORT").ok())
        .unwrap_or_else(|| "8080".to_owned());
    let addr = match addr.parse::<u16>() {
        Ok(port) => SocketAddr::from(([127, 0, 0, 1], port)),
        Err(_) => addr.parse().map_err(|e| format!("{addr:?}: {e}"))?,
    };
    Ok((addr, h2c))
}

fn main() -> ExitCode {
    let (addr, h2c) = match parse_args() {
        Ok(parsed) => parsed,
        Err(e) => {
            eprintln!("http_server: {e}\nusage: http_server [ADDR | PORT] [--h2c]");
            return ExitCode::from(2);
        }
    };
    match corio::run(serve(addr, h2c)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("http_server: {addr}: {e}");
            ExitCode::FAILURE
        }
    }
}
