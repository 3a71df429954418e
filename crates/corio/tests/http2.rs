//! hyper's HTTP/2 server and client (h2c: cleartext, prior knowledge), both on corio: many
//! concurrent streams on one connection, each stream a task of corio's `Executor`.

#![cfg(feature = "hyper")]

mod http_support;
mod support;

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;

use corio::hyper::{Executor, Io, Timer};
use corio::net::TcpListener;
use corio::sync::Barrier;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode, Version};

use http_support::{Protocol, TestServer, echo, full, get, h2_client, status_and_body};
use support::{LIMIT, limited};

const STREAMS: usize = 100;

/// Runs `test` on `rt`, failing it after [`LIMIT`].
fn on(rt: corio::Runtime, test: impl Future<Output = ()> + Send + 'static) {
    rt.block_on(async {
        corio::wait_for(test, LIMIT)
            .await
            .expect("the test finishes in time")
    });
}

/// [`STREAMS`] requests on one connection, each answered only once all of them have reached
/// the server: they can only succeed if they are all in flight at once.
async fn streams_in_flight_together() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let all_arrived = Arc::new(Barrier::new(STREAMS).unwrap());
    corio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("one connection");
        let service = service_fn(move |req: Request<Incoming>| {
            let all_arrived = all_arrived.clone();
            async move {
                let _ = all_arrived.wait().await;
                Ok::<_, Infallible>(Response::new(full(req.uri().path().to_owned())))
            }
        });
        hyper::server::conn::http2::Builder::new(Executor::new())
            .timer(Timer::new())
            .serve_connection(Io::new(stream), service)
            .await
    })
    .detach();

    let client = h2_client(addr).await;
    let requests: Vec<_> = (0..STREAMS)
        .map(|i| {
            let mut client = client.clone();
            corio::spawn(async move {
                let response = client.send_request(get(&format!("/{i}"))).await.unwrap();
                assert_eq!(response.version(), Version::HTTP_2);
                let (status, body) = status_and_body(response).await;
                assert_eq!((status, body), (StatusCode::OK, format!("/{i}").into()));
            })
        })
        .collect();
    for request in requests {
        request.await.expect("a stream succeeded");
    }
}

#[test]
fn concurrent_streams_share_one_connection_on_a_current_thread_runtime() {
    let rt = corio::Builder::new().current_thread().build().unwrap();
    on(rt, streams_in_flight_together());
}

#[test]
fn concurrent_streams_share_one_connection_on_a_multi_thread_runtime() {
    let rt = corio::Builder::new().worker_threads(2).build().unwrap();
    on(rt, streams_in_flight_together());
}

#[test]
fn large_bodies_echo_on_interleaved_streams() {
    const ECHOES: usize = 8;
    const SIZE: usize = 1 << 20; // well past HTTP/2's 64 KiB initial flow-control window
    limited(async {
        let server = TestServer::start(Protocol::H2c).await;
        let client = h2_client(server.addr).await;
        let echoes: Vec<_> = (0..ECHOES)
            .map(|i| {
                let mut client = client.clone();
                corio::spawn(async move {
                    let sent: Vec<u8> = (0..SIZE).map(|j| (i + j / 997) as u8).collect();
                    let response = client.send_request(echo(full(sent.clone()))).await.unwrap();
                    let (status, body) = status_and_body(response).await;
                    assert_eq!(status, StatusCode::OK);
                    assert!(body == sent, "echo {i} came back intact");
                })
            })
            .collect();
        for echo in echoes {
            echo.await.expect("an echo succeeded");
        }
        assert_eq!(server.connections(), 1);
    });
}

#[test]
fn the_service_s_routes_work_over_h2c() {
    limited(async {
        let server = TestServer::start(Protocol::H2c).await;
        let mut client = h2_client(server.addr).await;
        let response = client.send_request(get("/")).await.unwrap();
        assert_eq!(
            status_and_body(response).await,
            (StatusCode::OK, "hello".into())
        );
        let response = client.send_request(get("/missing")).await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    });
}
