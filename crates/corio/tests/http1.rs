//! hyper's HTTP/1 server and client, both on corio, over loopback TCP (and a Unix socket).

#![cfg(feature = "hyper")]

mod http_support;
mod support;

use std::convert::Infallible;

use bytes::Bytes;
use corio::hyper::{Io, Timer};
use corio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use futures_lite::StreamExt;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{CONNECTION, UPGRADE};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};

use http_support::{
    Body, Protocol, TestServer, echo, empty, full, get, http1_client, status_and_body,
};
use support::limited;

#[test]
fn many_requests_share_one_keep_alive_connection() {
    limited(async {
        let server = TestServer::start(Protocol::Http1).await;
        let mut client = http1_client(server.addr).await;
        for i in 0..500 {
            client.ready().await.expect("the connection is still open");
            let (request, expected) = if i % 2 == 0 {
                (get("/"), "hello".to_owned())
            } else {
                let sent = format!("request {i}");
                (echo(full(sent.clone())), sent)
            };
            let response = client.send_request(request).await.expect("a response");
            assert_eq!(
                status_and_body(response).await,
                (StatusCode::OK, expected.into())
            );
        }
        // An unknown path is the service's 404, through the same connection.
        client.ready().await.expect("the connection is still open");
        let response = client.send_request(get("/nowhere")).await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            server.connections(),
            1,
            "every request reused the connection"
        );
    });
}

#[test]
fn concurrent_connections_on_a_multi_thread_runtime() {
    const CONNECTIONS: usize = 50;
    const REQUESTS: usize = 20;
    // `limited` runs on the default, multi-thread runtime: connections run on every worker.
    limited(async {
        let server = TestServer::start(Protocol::Http1).await;
        let addr = server.addr;
        let clients: Vec<_> = (0..CONNECTIONS)
            .map(|c| {
                corio::spawn(async move {
                    let mut client = http1_client(addr).await;
                    for r in 0..REQUESTS {
                        // The previous exchange may still be wrapping up on the
                        // connection's task (on another worker): wait until it has.
                        client.ready().await.expect("the connection is still open");
                        let sent = format!("connection {c}, request {r}");
                        let response = client.send_request(echo(full(sent.clone()))).await;
                        let (status, body) = status_and_body(response.expect("a response")).await;
                        assert_eq!((status, body), (StatusCode::OK, sent.into()));
                    }
                })
            })
            .collect();
        for client in clients {
            client.await.expect("a client task succeeded");
        }
        assert_eq!(server.connections(), CONNECTIONS);
    });
}

/// Chunk `i` of the streamed body: 64 KiB starting with its number, then a byte that
/// differs from chunk to chunk.
fn chunk(i: usize) -> Bytes {
    let mut chunk = vec![(i % 251) as u8; 64 * 1024];
    chunk[..8].copy_from_slice(&(i as u64).to_le_bytes());
    chunk.into()
}

#[test]
fn a_large_body_streams_both_ways_chunk_by_chunk() {
    const CHUNKS: usize = 256; // 16 MiB
    limited(async {
        let server = TestServer::start(Protocol::Http1).await;
        let mut client = http1_client(server.addr).await;

        // The request body is fed from a channel, one chunk at a time: the next chunk goes
        // out only once the echo of the previous one came back. A server or client that
        // buffered the whole body before answering would deadlock here.
        let (tx, rx) = corio::sync::mpsc::channel::<Bytes>(1);
        let body = StreamBody::new(rx.map(|c| Ok::<_, Infallible>(Frame::data(c))));
        tx.send(chunk(0)).await.expect("the body is being sent");
        let response = client
            .send_request(echo(body.map_err(|never| match never {}).boxed()))
            .await
            .expect("the response head comes back before the body is complete");
        assert_eq!(response.status(), StatusCode::OK);

        let mut incoming = response.into_body();
        let mut echoed = Vec::new();
        let mut received = 0;
        for next in 1..=CHUNKS {
            // Read until the echo of the chunk just sent is complete.
            while echoed.len() < 64 * 1024 {
                let frame = incoming.frame().await.expect("more body").expect("a frame");
                if let Ok(data) = frame.into_data() {
                    echoed.extend_from_slice(&data);
                }
            }
            let rest = echoed.split_off(64 * 1024);
            assert!(
                echoed == chunk(next - 1),
                "chunk {} came back intact",
                next - 1
            );
            received += echoed.len();
            echoed = rest;
            if next < CHUNKS {
                tx.send(chunk(next)).await.expect("the body is being sent");
            }
        }
        drop(tx); // the end of the request body
        assert!(
            incoming.frame().await.is_none(),
            "the echo ends with the request"
        );
        assert_eq!(received, CHUNKS * 64 * 1024);
    });
}

/// Upgrades `GET /upgrade` to a line-echo protocol (`upgrade: echo`), served through the
/// upgraded connection as a futures-io stream.
async fn upgrading_service(mut req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    if req.headers().get(UPGRADE).is_none_or(|p| p != "echo") {
        return http_support::service(req).await;
    }
    corio::spawn(async move {
        let upgraded = hyper::upgrade::on(&mut req).await.expect("upgraded");
        let mut stream = BufReader::new(Io::new(upgraded));
        let mut line = String::new();
        while stream.read_line(&mut line).await.expect("readable") > 0 {
            stream
                .get_mut()
                .write_all(line.as_bytes())
                .await
                .expect("writable");
            line.clear();
        }
    })
    .detach();
    let mut switching = Response::new(empty());
    *switching.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    switching
        .headers_mut()
        .insert(UPGRADE, "echo".parse().unwrap());
    switching
        .headers_mut()
        .insert(CONNECTION, "upgrade".parse().unwrap());
    Ok(switching)
}

#[test]
fn an_upgraded_connection_is_a_futures_io_stream_on_both_ends() {
    limited(async {
        let listener = corio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        corio::spawn(async move {
            let (stream, _) = listener.accept().await.expect("a connection");
            hyper::server::conn::http1::Builder::new()
                .timer(Timer::new())
                .serve_connection(Io::new(stream), service_fn(upgrading_service))
                .with_upgrades()
                .await
        })
        .detach();

        let stream = corio::net::TcpStream::connect(addr).await.unwrap();
        let (mut client, connection) = hyper::client::conn::http1::handshake(Io::new(stream))
            .await
            .unwrap();
        corio::spawn(connection.with_upgrades()).detach();
        // A plain request first, then the upgrade on the same connection.
        let response = client.send_request(get("/")).await.unwrap();
        assert_eq!(
            status_and_body(response).await,
            (StatusCode::OK, "hello".into())
        );
        let request = Request::get("/upgrade")
            .header("host", "localhost")
            .header(CONNECTION, "upgrade")
            .header(UPGRADE, "echo")
            .body(empty())
            .unwrap();
        client.ready().await.expect("the connection is still open");
        let response = client.send_request(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);

        let upgraded = hyper::upgrade::on(response).await.expect("upgraded");
        let mut stream = Io::new(upgraded);
        stream.write_all(b"ping\nsecond line\n").await.unwrap();
        let mut back = [0; 17];
        stream.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"ping\nsecond line\n");
    });
}

#[test]
fn hyper_runs_over_a_unix_socket_too() {
    limited(async {
        let dir = std::env::temp_dir().join(format!("corio-http1-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("http.sock");
        let _ = std::fs::remove_file(&path);
        let listener = corio::net::UnixListener::bind(&path).unwrap();
        corio::spawn(async move {
            let (stream, _) = listener.accept().await.expect("a connection");
            hyper::server::conn::http1::Builder::new()
                .serve_connection(Io::vectored(stream), service_fn(http_support::service))
                .await
        })
        .detach();

        let stream = corio::net::UnixStream::connect(&path).await.unwrap();
        let (mut client, connection) = hyper::client::conn::http1::handshake(Io::vectored(stream))
            .await
            .unwrap();
        corio::spawn(connection).detach();
        for _ in 0..3 {
            client.ready().await.expect("the connection is still open");
            let response = client.send_request(get("/")).await.unwrap();
            assert_eq!(
                status_and_body(response).await,
                (StatusCode::OK, "hello".into())
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    });
}
