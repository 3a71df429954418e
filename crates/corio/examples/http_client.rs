//! An HTTP client: hyper on corio fetching one URL (plain `http://`, no TLS).
//!
//! ```text
//! cargo run -p corio --features hyper --example http_client -- URL [BODY]
//! ```
//!
//! It sends `GET URL` (or `POST URL` with BODY), then prints the status line, the headers
//! and the size of the body. Try it against the `http_server` example:
//! `http_client http://127.0.0.1:8080/json`.

use std::process::ExitCode;

use bytes::Bytes;
use corio::hyper::Io;
use corio::net::TcpStream;
use http_body_util::{BodyExt, Full};
use hyper::header::{HOST, USER_AGENT};
use hyper::{Method, Request, Uri};

type Error = Box<dyn std::error::Error + Send + Sync>;

async fn fetch(url: Uri, body: Option<String>) -> Result<(), Error> {
    if url.scheme_str() != Some("http") {
        return Err("only http:// URLs (this example has no TLS)".into());
    }
    let host = url.host().ok_or("the URL has no host")?;
    let port = url.port_u16().unwrap_or(80);
    let stream = TcpStream::connect((host, port)).await?;
    stream.set_nodelay(true)?;

    // hyper gives a handle to send requests and the connection itself, a future that does
    // the reading and writing: it runs as a task of its own.
    let (mut sender, connection) = hyper::client::conn::http1::handshake(Io::new(stream)).await?;
    corio::spawn(async move {
        if let Err(e) = connection.await {
            eprintln!("http_client: connection: {e}");
        }
    })
    .detach();

    let method = if body.is_some() {
        Method::POST
    } else {
        Method::GET
    };
    let authority = url.authority().map_or(host, |a| a.as_str());
    let path = url.path_and_query().map_or("/", |p| p.as_str());
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header(HOST, authority)
        .header(USER_AGENT, "corio-http-client")
        .body(Full::new(Bytes::from(body.unwrap_or_default())))?;
    let response = sender.send_request(request).await?;

    println!("{:?} {}", response.version(), response.status());
    for (name, value) in response.headers() {
        println!("{name}: {}", value.to_str().unwrap_or("<not text>"));
    }
    // The body arrives frame by frame; count it as it comes.
    let mut body = response.into_body();
    let mut size = 0;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            size += data.len();
        }
    }
    println!("\nbody: {size} bytes");
    Ok(())
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(url), body, None) = (args.next(), args.next(), args.next()) else {
        eprintln!("usage: http_client URL [BODY]");
        return ExitCode::from(2);
    };
    let url: Uri = match url.parse() {
        Ok(url) => url,
        Err(e) => {
            eprintln!("http_client: {url}: {e}");
            return ExitCode::from(2);
        }
    };
    match corio::run(fetch(url.clone(), body)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("http_client: {url}: {e}");
            ExitCode::FAILURE
        }
    }
}
