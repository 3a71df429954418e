//! HTTP/1.1 with hyper: the same hello-world server and keep-alive client code on every
//! runtime, through each runtime's hyper glue ([`crate::rt::Http`]).

use std::convert::Infallible;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};

use crate::latch::Latch;
use crate::measure::{Bench, Measurement, Plan, Unit, compare};
use crate::rt::{Http, Needs, contenders};

const G: &str = "http";

const HELLO: &str = "Hello, world!\n";

async fn hello(_: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(
        HELLO.as_bytes(),
    ))))
}

/// A hyper server (an accept loop, a task per connection) and `conns` client tasks, each
/// with one keep-alive connection sending `requests` `GET /` one after the other and reading
/// each body.
fn hello_keep_alive<R: Http>(conns: usize, requests: usize) -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let (listener, addr) = R::listen().await.expect("listen");
            let served = Latch::new(conns);
            let started = Instant::now();
            {
                let served = served.clone();
                R::detach(R::spawn(async move {
                    for _ in 0..conns {
                        let io = R::accept(&listener).await.expect("accept");
                        let served = served.clone();
                        R::detach(R::spawn(async move {
                            hyper::server::conn::http1::Builder::new()
                                .timer(R::timer())
                                .serve_connection(io, service_fn(hello))
                                .await
                                .expect("serve a connection");
                            served.count_down();
                        }));
                    }
                }));
            }
            let done = Latch::new(conns);
            for _ in 0..conns {
                let done = done.clone();
                R::detach(R::spawn(async move {
                    let io = R::connect(addr).await.expect("connect");
                    let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
                        .await
                        .expect("handshake");
                    R::detach(R::spawn(connection));
                    for _ in 0..requests {
                        // Until the connection task has finished the previous exchange
                        // (maybe on another worker), a new request would be refused.
                        sender.ready().await.expect("the connection is open");
                        let request = Request::get("/")
                            .header("host", "localhost")
                            .body(Empty::<Bytes>::new())
                            .expect("a valid request");
                        let response = sender.send_request(request).await.expect("a response");
                        assert!(response.status().is_success());
                        let body = response.into_body().collect().await.expect("the body");
                        assert_eq!(body.to_bytes().len(), HELLO.len());
                    }
                    done.count_down();
                }));
            }
            done.wait().await;
            let elapsed = started.elapsed();
            // Untimed: the clients' connections close (their senders dropped), so the
            // server's connection tasks end before the next run.
            served.wait().await;
            elapsed
        })
    }
}

pub(crate) fn run(plan: Plan) -> Vec<Measurement> {
    let bench = |name, unit, about| Bench {
        group: G,
        name,
        unit,
        needs: Needs::Http,
        about,
    };
    let mut out = Vec::new();
    out.extend(compare(
        bench(
            "http1_hello_1conn",
            Unit::PerOp(5_000),
            "hyper HTTP/1.1 server and client, one keep-alive connection, 5,000 `GET /` \
             (14-byte body) one at a time; op = one request",
        ),
        plan,
        contenders!(http: hello_keep_alive(1, 5_000)),
    ));
    out.extend(compare(
        bench(
            "http1_hello_50conn",
            Unit::PerOp(50 * 400),
            "the same server, 50 client tasks × 400 requests, each on its own keep-alive \
             connection; op = one request",
        ),
        plan,
        contenders!(http: hello_keep_alive(50, 400)),
    ));
    out
}
