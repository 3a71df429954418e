//! hyper's timeouts through `corio::hyper::Timer`, on the virtual clock: a header-read
//! timeout and an HTTP/2 keep-alive ping fire after their virtual delay, without the real
//! wait.

#![cfg(feature = "hyper")]

mod http_support;

use std::time::{Duration, Instant};

use corio::hyper::{Executor, Io, Timer};
use corio::io::{AsyncReadExt, AsyncWriteExt};
use corio::net::{TcpListener, TcpStream};
use hyper::service::service_fn;

/// How long the server waits for a request's head.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs `test` on a runtime with a virtual clock, and checks it took less real time than
/// the timeouts it waits for (so they fired in virtual time).
fn in_virtual_time(test: impl Future<Output = ()>) {
    let rt = corio::Builder::new().virtual_clock().build().unwrap();
    let wall = Instant::now();
    rt.block_on(test);
    assert!(
        wall.elapsed() < HEADER_READ_TIMEOUT,
        "the timeouts fired in virtual time, not after a real wait"
    );
}

/// An HTTP/1 server for one connection with the header-read timeout; it sends the
/// connection's outcome back.
async fn server_with_header_timeout()
-> (std::net::SocketAddr, corio::Task<Result<(), hyper::Error>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = corio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("a connection");
        hyper::server::conn::http1::Builder::new()
            .timer(Timer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .serve_connection(Io::new(stream), service_fn(http_support::service))
            .await
    });
    (addr, server)
}

#[test]
fn half_a_request_head_times_out_after_the_header_read_timeout() {
    in_virtual_time(async {
        let (addr, server) = server_with_header_timeout().await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        let sent_at = corio::time::now();
        // The request line and one header, but not the blank line that ends the head.
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
            .await
            .unwrap();

        let outcome = server.await.expect("the server task ran");
        let waited = corio::time::now() - sent_at;
        let error = outcome.expect_err("the connection ended in a timeout");
        assert!(error.is_timeout(), "{error}");
        assert!(
            (HEADER_READ_TIMEOUT..HEADER_READ_TIMEOUT + Duration::from_secs(1)).contains(&waited),
            "timed out after {waited:?}"
        );
        // The server closed the connection: the client reads its end, and no response.
        let mut rest = Vec::new();
        client.read_to_end(&mut rest).await.unwrap();
        assert_eq!(rest, b"", "no response to half a request");
    });
}

#[test]
fn an_idle_keep_alive_connection_times_out_again_after_each_response() {
    in_virtual_time(async {
        let (addr, server) = server_with_header_timeout().await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        let mut response = Vec::new();
        for _ in 0..2 {
            // Some time passes before each request, less than the timeout: the timer is
            // reset (re-armed) for every request head.
            corio::sleep(HEADER_READ_TIMEOUT - Duration::from_secs(5)).await;
            client
                .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .await
                .unwrap();
            response.clear();
            while !response.ends_with(b"hello") {
                let mut chunk = [0; 256];
                let n = client.read(&mut chunk).await.unwrap();
                assert_ne!(
                    n, 0,
                    "the connection stays open while requests come in time"
                );
                response.extend_from_slice(&chunk[..n]);
            }
            assert!(response.starts_with(b"HTTP/1.1 200 OK\r\n"), "{response:?}");
        }

        let idle_from = corio::time::now();
        let error = server.await.unwrap().expect_err("closed for idleness");
        assert!(error.is_timeout(), "{error}");
        let idle = corio::time::now() - idle_from;
        assert!(
            (HEADER_READ_TIMEOUT..HEADER_READ_TIMEOUT + Duration::from_secs(1)).contains(&idle),
            "closed after {idle:?} idle"
        );
    });
}

#[test]
fn an_http2_keep_alive_ping_nobody_answers_closes_the_client_connection() {
    const INTERVAL: Duration = Duration::from_secs(10);
    const TIMEOUT: Duration = Duration::from_secs(5);
    in_virtual_time(async {
        // A peer that opens HTTP/2 (its SETTINGS frame) and then goes mute: it reads
        // everything and answers nothing, pings included.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        corio::spawn(async move {
            let (mut stream, _) = listener.accept().await.expect("a connection");
            let empty_settings = [0, 0, 0, 4, 0, 0, 0, 0, 0];
            stream.write_all(&empty_settings).await.expect("writable");
            let mut sink = [0; 1024];
            while stream.read(&mut sink).await.is_ok_and(|n| n > 0) {}
        })
        .detach();

        let stream = TcpStream::connect(addr).await.unwrap();
        let (_sender, connection) = hyper::client::conn::http2::Builder::new(Executor::new())
            .timer(Timer::new())
            .keep_alive_interval(INTERVAL)
            .keep_alive_timeout(TIMEOUT)
            .keep_alive_while_idle(true)
            .handshake::<_, http_support::Body>(Io::new(stream))
            .await
            .expect("handshake");
        let started = corio::time::now();
        let outcome = connection.await;
        let lasted = corio::time::now() - started;
        let error = outcome.expect_err("the unanswered ping ends the connection");
        assert!(error.is_timeout(), "{error}");
        assert!(
            (INTERVAL + TIMEOUT..INTERVAL + TIMEOUT + Duration::from_secs(1)).contains(&lasted),
            "closed after {lasted:?}"
        );
    });
}
