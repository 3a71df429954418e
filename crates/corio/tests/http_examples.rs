//! The `http_server` example as a real process, with clients nobody here wrote: curl,
//! Python's `http.client` and wrk (each SKIPPED when missing; `scripts/install-test-peers.sh`
//! installs them), and the `http_client` example. Also its graceful shutdown on Ctrl-C.

#![cfg(feature = "hyper")]

mod support;

use corio::io::{AsyncReadExt, AsyncWriteExt};
use corio::signal::Signal;
use support::{Server, example, installed, limited, run};

const JSON: &str = r#"{"message":"Hello, world!","runtime":"corio","server":"hyper"}"#;

/// Runs `program` with `args` (and `input` on its standard input); its standard output if
/// it succeeded.
async fn output_of(program: &str, args: &[&str], input: &[u8]) -> String {
    let out = run(program, args, input).await;
    assert!(out.status.success(), "{program} {args:?}: {out:?}");
    String::from_utf8(out.stdout).expect("text output")
}

/// Starts `http_server ARGS`, runs `test` with it, and stops it — or, when the client
/// program `peer` is missing, prints SKIPPED and passes.
fn against_server<F>(
    peer: &str,
    args: &'static [&'static str],
    test: impl FnOnce(Server) -> F + Send + 'static,
) where
    F: Future<Output = Server> + Send + 'static,
{
    if !installed(peer) {
        println!("SKIPPED: {peer} not found");
        return;
    }
    limited(async move {
        let server = Server::start("http_server", args).await;
        test(server).await.stop().await;
    });
}

#[test]
fn curl_gets_posts_and_keeps_the_connection_alive() {
    against_server("curl", &["127.0.0.1:0"], |server| async move {
        let url = |path: &str| format!("http://{}{path}", server.addr);

        let head_and_body = output_of("curl", &["-si", &url("/")], b"").await;
        assert!(
            head_and_body.starts_with("HTTP/1.1 200 OK\r\n"),
            "{head_and_body}"
        );
        assert!(
            head_and_body.contains("content-type: text/plain\r\n"),
            "{head_and_body}"
        );
        assert!(
            head_and_body.ends_with("\r\n\r\nHello, world!\n"),
            "{head_and_body}"
        );

        let body = "posted through curl\n".repeat(1000);
        let echoed = output_of(
            "curl",
            &["-s", "--data-binary", "@-", &url("/echo")],
            body.as_bytes(),
        )
        .await;
        assert_eq!(echoed, body);

        let missing = output_of(
            "curl",
            &["-s", "-o", "/dev/null", "-w", "%{http_code}", &url("/x")],
            b"",
        )
        .await;
        assert_eq!(missing, "404");

        // Two URLs in one curl: the second reuses the first one's connection (no new
        // connect for it) — HTTP/1.1 keep-alive.
        let both = output_of(
            "curl",
            &[
                "-s",
                "-w",
                " connects=%{num_connects}\n",
                &url("/"),
                &url("/json"),
            ],
            b"",
        )
        .await;
        assert_eq!(
            both,
            format!("Hello, world!\n connects=1\n{JSON} connects=0\n")
        );
        server
    });
}

#[test]
fn curl_speaks_http2_with_prior_knowledge_to_the_h2c_server() {
    against_server("curl", &["127.0.0.1:0", "--h2c"], |server| async move {
        let url = |path: &str| format!("http://{}{path}", server.addr);
        // One URL per curl: curl 7.88 (Debian 12's) mishandles reusing a prior-knowledge
        // connection for a second URL (fixed in curl 8.0, curl/curl#10643).
        let json = output_of(
            "curl",
            &[
                "-s",
                "--http2-prior-knowledge",
                "-w",
                " HTTP/%{http_version}",
                &url("/json"),
            ],
            b"",
        )
        .await;
        assert_eq!(json, format!("{JSON} HTTP/2"));

        let body = "a stream of its own\n".repeat(5000); // 100 kB: past the initial window
        let echoed = output_of(
            "curl",
            &[
                "-s",
                "--http2-prior-knowledge",
                "--data-binary",
                "@-",
                &url("/echo"),
            ],
            body.as_bytes(),
        )
        .await;
        assert_eq!(echoed, body);
        server
    });
}

/// Python's standard library client: three requests on one keep-alive connection.
const PYTHON_CLIENT: &str = r#"
import http.client, json, sys
conn = http.client.HTTPConnection(sys.argv[1], int(sys.argv[2]), timeout=20)
conn.request("GET", "/")
r = conn.getresponse()
print(r.status, r.read().decode().strip())
local = conn.sock.getsockname()
conn.request("GET", "/json")
r = conn.getresponse()
print(r.status, r.getheader("content-type"), json.loads(r.read())["runtime"])
conn.request("POST", "/echo", body=bytes(range(256)) * 1000)
r = conn.getresponse()
print(r.status, r.read() == bytes(range(256)) * 1000)
print("one connection:", conn.sock.getsockname() == local)
"#;

#[test]
fn python_http_client_talks_to_the_server() {
    against_server("python3", &["127.0.0.1:0"], |server| async move {
        let port = server.port();
        let out = output_of("python3", &["-c", PYTHON_CLIENT, "127.0.0.1", &port], b"").await;
        assert_eq!(
            out.lines().collect::<Vec<_>>(),
            [
                "200 Hello, world!",
                "200 application/json corio",
                "200 True",
                "one connection: True",
            ]
        );
        server
    });
}

#[test]
fn the_http_client_example_fetches_from_the_server() {
    limited(async {
        let server = Server::start("http_server", &["127.0.0.1:0"]).await;
        let client = example("http_client");
        let client = client.to_str().expect("a UTF-8 path");
        let url = format!("http://{}/json", server.addr);
        let out = output_of(client, &[&url], b"").await;
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "HTTP/1.1 200 OK", "{out}");
        assert!(lines.contains(&"content-type: application/json"), "{out}");
        assert!(
            lines.contains(&format!("content-length: {}", JSON.len()).as_str()),
            "{out}"
        );
        assert_eq!(
            lines.last(),
            Some(&format!("body: {} bytes", JSON.len()).as_str()),
            "{out}"
        );

        let echo = format!("http://{}/echo", server.addr);
        let out = output_of(client, &[&echo, "twelve bytes"], b"").await;
        assert!(out.ends_with("\nbody: 12 bytes\n"), "{out}");
        server.stop().await;
    });
}

/// `wrk`'s summary line: how many requests it made.
fn requests_made(report: &str) -> u64 {
    report
        .lines()
        .find_map(|l| l.trim().split_once(" requests in "))
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or_else(|| panic!("no request count in wrk's report:\n{report}"))
}

#[test]
fn wrk_load_gets_only_successful_responses() {
    against_server("wrk", &["127.0.0.1:0"], |server| async move {
        let report = output_of(
            "wrk",
            &["-t1", "-c10", "-d1s", &format!("http://{}/", server.addr)],
            b"",
        )
        .await;
        assert!(requests_made(&report) > 0, "{report}");
        assert!(!report.contains("Socket errors"), "{report}");
        assert!(!report.contains("Non-2xx"), "{report}");
        server
    });
}

#[test]
fn ctrl_c_closes_idle_connections_and_exits_cleanly() {
    limited(async {
        let mut server = Server::start("http_server", &["127.0.0.1:0"]).await;
        assert_eq!(server.next_line().await, "speaking HTTP/1.1; Ctrl-C stops");
        // A keep-alive connection, idle after one request.
        let mut client = corio::net::TcpStream::connect(server.addr).await.unwrap();
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .unwrap();
        let mut response = Vec::new();
        while !response.ends_with(b"Hello, world!\n") {
            let mut chunk = [0; 512];
            let n = client.read(&mut chunk).await.unwrap();
            assert_ne!(n, 0, "the response before the end of the connection");
            response.extend_from_slice(&chunk[..n]);
        }

        server.child.send_signal(Signal::INT).unwrap();
        assert_eq!(
            server.next_line().await,
            "shutting down: finishing the requests in flight"
        );
        // The server closes the idle connection rather than waiting for it.
        let mut rest = Vec::new();
        client.read_to_end(&mut rest).await.unwrap();
        assert_eq!(rest, b"");
        assert_eq!(server.next_line().await, "all connections closed; bye");
        let status = server.child.wait().await.unwrap();
        assert!(status.success(), "{status:?}");
        assert_eq!(
            server.stop().await,
            "",
            "nothing on the server's standard error"
        );
    });
}
