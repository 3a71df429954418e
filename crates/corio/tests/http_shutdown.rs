//! Dropping a runtime with hyper connections open — idle keep-alive connections, HTTP/1 and
//! HTTP/2 requests in flight — returns promptly, without a panic, and cancels the handlers.

#![cfg(feature = "hyper")]

mod http_support;
mod support;

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use corio::hyper::{Executor, Io, Timer};
use corio::net::TcpListener;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};

use http_support::{Body, full, get, h2_client, http1_client, status_and_body};
use support::LIMIT;

/// Counts the handlers that started and the ones whose future was dropped.
#[derive(Default)]
struct Handlers {
    started: AtomicUsize,
    dropped: AtomicUsize,
}

struct OnDrop(Arc<Handlers>);

impl Drop for OnDrop {
    fn drop(&mut self) {
        self.0.dropped.fetch_add(1, Ordering::SeqCst);
    }
}

/// `/` answers at once; any other path hangs (an hour) until cancelled.
async fn hanging(
    handlers: Arc<Handlers>,
    req: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    if req.uri().path() == "/" {
        return Ok(Response::new(full("hello")));
    }
    handlers.started.fetch_add(1, Ordering::SeqCst);
    let _guard = OnDrop(handlers);
    corio::sleep(Duration::from_secs(3600)).await;
    Ok(Response::new(full("too late")))
}

/// Serves HTTP/1 and h2c (one port each) with [`hanging`], opens connections of both kinds,
/// starts requests that hang, and returns once they have reached their handlers — with
/// the idle clients, to keep their connections open.
async fn open_connections(handlers: Arc<Handlers>) -> Vec<impl Send> {
    let mut ports = Vec::new();
    for h2 in [false, true] {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        ports.push(listener.local_addr().unwrap());
        let handlers = handlers.clone();
        corio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let handlers = handlers.clone();
                let service = service_fn(move |req| hanging(handlers.clone(), req));
                let io = Io::new(stream);
                corio::spawn(async move {
                    let _ = if h2 {
                        hyper::server::conn::http2::Builder::new(Executor::new())
                            .timer(Timer::new())
                            .serve_connection(io, service)
                            .await
                    } else {
                        hyper::server::conn::http1::Builder::new()
                            .timer(Timer::new())
                            .serve_connection(io, service)
                            .await
                    };
                })
                .detach();
            }
        })
        .detach();
    }

    // Idle keep-alive connections: one request done, the connection kept.
    let mut idle = Vec::new();
    for _ in 0..4 {
        let mut client = http1_client(ports[0]).await;
        let response = client.send_request(get("/")).await.unwrap();
        assert_eq!(status_and_body(response).await.1, "hello");
        idle.push(client);
    }
    // Requests in flight: two on HTTP/1 connections, three streams on one HTTP/2 one.
    let h2 = h2_client(ports[1]).await;
    for i in 0..5 {
        let request = get("/hang");
        if i < 2 {
            let mut client = http1_client(ports[0]).await;
            corio::spawn(async move { client.send_request(request).await }).detach();
        } else {
            let mut client = h2.clone();
            corio::spawn(async move { client.send_request(request).await }).detach();
        }
    }
    while handlers.started.load(Ordering::SeqCst) < 5 {
        corio::sleep(Duration::from_millis(1)).await;
    }
    idle
}

/// Builds a runtime with `build`, opens the connections on it, drops it, and checks the
/// drop returned within [`LIMIT`] and cancelled every hanging handler.
fn drop_with_open_connections(build: fn() -> corio::Runtime) {
    let handlers = Arc::new(Handlers::default());
    let (done, finished) = std::sync::mpsc::channel();
    let counted = handlers.clone();
    std::thread::spawn(move || {
        let rt = build();
        let idle_clients = rt.block_on(open_connections(counted));
        drop(rt);
        drop(idle_clients);
        let _ = done.send(());
    });
    finished
        .recv_timeout(LIMIT)
        .expect("dropping the runtime returned, without a panic");
    assert_eq!(handlers.started.load(Ordering::SeqCst), 5);
    assert_eq!(
        handlers.dropped.load(Ordering::SeqCst),
        5,
        "every handler still in flight was cancelled"
    );
}

#[test]
fn dropping_a_current_thread_runtime_with_open_connections_cancels_them() {
    drop_with_open_connections(|| corio::Builder::new().current_thread().build().unwrap());
}

#[test]
fn dropping_a_multi_thread_runtime_with_open_connections_cancels_them() {
    drop_with_open_connections(|| corio::Builder::new().worker_threads(2).build().unwrap());
}
