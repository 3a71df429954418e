//! The `mini_redis` example, run as a real process: driven by the real `redis-cli` and
//! `redis-benchmark` (skipped, saying so, where they are not installed:
//! `scripts/install-test-peers.sh` installs them), and by a plain TCP client for what those
//! cannot show: many requests in one write, garbage, lengths no server should believe.

mod support;

use std::time::{Duration, Instant};

use corio::net::{TcpReader, TcpWriter};
use support::{Server, installed, limited, run};

async fn start() -> Server {
    Server::start("mini_redis", &["127.0.0.1:0"]).await
}

/// Whether `program` can be used; prints why not if it cannot.
fn have(program: &str) -> bool {
    let found = installed(program);
    if !found {
        println!("SKIPPED: {program} not found (install with scripts/install-test-peers.sh)");
    }
    found
}

/// `redis-cli ARGS…` against the server, with its formatted (not raw) output, trimmed.
async fn cli(server: &Server, args: &[&str]) -> String {
    let port = server.port();
    let mut all = vec!["-h", "127.0.0.1", "-p", &port, "--no-raw"];
    all.extend_from_slice(args);
    let out = run("redis-cli", &all, b"").await;
    let stdout = String::from_utf8_lossy(&out.stdout).trim_end().to_owned();
    assert!(out.stderr.is_empty(), "redis-cli {args:?}: {out:?}");
    stdout
}

#[test]
fn redis_cli_commands() {
    if !have("redis-cli") {
        return;
    }
    limited(async {
        let server = start().await;
        let cli = |args: &'static [&'static str]| cli(&server, args);

        assert_eq!(cli(&["PING"]).await, "PONG");
        assert_eq!(cli(&["PING", "hello there"]).await, r#""hello there""#);
        assert_eq!(cli(&["ECHO", "corio"]).await, r#""corio""#);

        assert_eq!(cli(&["SET", "greeting", "hello"]).await, "OK");
        assert_eq!(cli(&["GET", "greeting"]).await, r#""hello""#);
        assert_eq!(cli(&["GET", "missing"]).await, "(nil)");
        assert_eq!(cli(&["SET", "other", "x"]).await, "OK");
        assert_eq!(
            cli(&["DEL", "greeting", "other", "missing"]).await,
            "(integer) 2"
        );
        assert_eq!(cli(&["GET", "greeting"]).await, "(nil)");

        assert_eq!(cli(&["INCR", "counter"]).await, "(integer) 1");
        assert_eq!(cli(&["INCR", "counter"]).await, "(integer) 2");
        assert_eq!(cli(&["SET", "word", "ten"]).await, "OK");
        assert_eq!(
            cli(&["INCR", "word"]).await,
            "(error) ERR value is not an integer or out of range"
        );
        assert_eq!(cli(&["SET", "max", "9223372036854775807"]).await, "OK");
        assert_eq!(
            cli(&["INCR", "max"]).await,
            "(error) ERR increment or decrement would overflow"
        );

        // Times to live: -2 for a missing key, -1 for a key without one, else seconds.
        assert_eq!(cli(&["TTL", "missing"]).await, "(integer) -2");
        assert_eq!(cli(&["TTL", "counter"]).await, "(integer) -1");
        assert_eq!(cli(&["SET", "session", "abc", "EX", "100"]).await, "OK");
        let ttl = cli(&["TTL", "session"]).await;
        assert!(ttl == "(integer) 100" || ttl == "(integer) 99", "{ttl}");
        assert_eq!(cli(&["EXPIRE", "counter", "50"]).await, "(integer) 1");
        let ttl = cli(&["TTL", "counter"]).await;
        assert!(ttl == "(integer) 50" || ttl == "(integer) 49", "{ttl}");
        assert_eq!(cli(&["EXPIRE", "missing", "50"]).await, "(integer) 0");
        assert_eq!(cli(&["PERSIST", "counter"]).await, "(integer) 1");
        assert_eq!(cli(&["TTL", "counter"]).await, "(integer) -1");
        assert_eq!(
            cli(&["SET", "k", "v", "EX", "0"]).await,
            "(error) ERR invalid expire time in 'set' command"
        );
        assert_eq!(cli(&["SET", "k", "v", "PX", "100000", "NX"]).await, "OK");
        assert_eq!(cli(&["SET", "k", "w", "NX"]).await, "(nil)");
        let pttl = cli(&["PTTL", "k"]).await;
        let ms: i64 = pttl.strip_prefix("(integer) ").unwrap().parse().unwrap();
        assert!((90_000..=100_000).contains(&ms), "{pttl}");

        // Errors in Redis's words.
        assert_eq!(
            cli(&["GET"]).await,
            "(error) ERR wrong number of arguments for 'get' command"
        );
        assert_eq!(
            cli(&["FROB", "a", "b"]).await,
            "(error) ERR unknown command 'FROB', with args beginning with: 'a' 'b'"
        );
        assert_eq!(
            cli(&["SET", "a", "b", "SOMETIMES"]).await,
            "(error) ERR syntax error"
        );
        assert_eq!(server.stop().await, "");
    });
}

#[test]
fn redis_cli_several_commands_on_stdin_and_pipe_mode() {
    if !have("redis-cli") {
        return;
    }
    limited(async {
        let server = start().await;
        let port = server.port();

        // Commands one per line on standard input, answered in order.
        let out = run(
            "redis-cli",
            &["-p", &port, "--no-raw"],
            b"SET x 41\nINCR x\nGET x\nGET nothing\n",
        )
        .await;
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "OK\n(integer) 42\n\"42\"\n(nil)\n",
            "{out:?}"
        );

        // --pipe: a stream of RESP requests written as fast as the server takes them.
        let mut requests = Vec::new();
        for i in 0..2000 {
            let (key, value) = (format!("key:{i}"), i.to_string());
            requests.extend_from_slice(
                format!(
                    "*3\r\n$3\r\nSET\r\n${}\r\n{key}\r\n${}\r\n{value}\r\n",
                    key.len(),
                    value.len()
                )
                .as_bytes(),
            );
            requests.extend_from_slice(b"*2\r\n$4\r\nINCR\r\n$7\r\ncounter\r\n");
        }
        let out = run("redis-cli", &["-p", &port, "--pipe"], &requests).await;
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("errors: 0, replies: 4000"), "{out:?}");
        assert_eq!(cli(&server, &["GET", "counter"]).await, r#""2000""#);
        assert_eq!(cli(&server, &["GET", "key:1999"]).await, r#""1999""#);
        assert_eq!(server.stop().await, "");
    });
}

#[test]
fn redis_benchmark_completes_with_and_without_pipelining() {
    if !have("redis-benchmark") {
        return;
    }
    limited(async {
        let server = start().await;
        let port = server.port();
        for pipeline in ["1", "16"] {
            let args = [
                "-p",
                &port,
                "-t",
                "ping,set,get",
                "-n",
                "5000",
                "-c",
                "10",
                "-P",
                pipeline,
                "-q",
            ];
            let out = run("redis-benchmark", &args, b"").await;
            assert!(out.status.success(), "{out:?}");
            // It asks for the server's configuration first: no warning means it got it.
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!stderr.contains("WARNING"), "{stderr}");
            // `-q` still redraws a progress line with \r; the results end in "msec".
            let stdout = String::from_utf8_lossy(&out.stdout);
            for test in ["PING_INLINE", "PING_MBULK", "SET", "GET"] {
                assert!(
                    stdout
                        .split(['\r', '\n'])
                        .any(|l| l.starts_with(&format!("{test}: "))
                            && l.contains("requests per second")),
                    "-P {pipeline}: no result for {test}: {stdout}"
                );
            }
        }
        assert_eq!(server.stop().await, "");
    });
}

// A plain TCP client: what redis-cli cannot easily show.

async fn connect(server: &Server) -> (TcpReader, TcpWriter) {
    corio::net::open_connection(server.addr)
        .await
        .expect("connect")
}

async fn send(writer: &TcpWriter, bytes: &[u8]) {
    writer.write(bytes).unwrap();
    writer.drain().await.expect("send");
}

/// Reads exactly `expected.len()` bytes and compares.
async fn expect(reader: &mut TcpReader, expected: &[u8]) {
    let got = reader
        .readexactly(expected.len())
        .await
        .unwrap_or_else(|e| panic!("expected {:?}: {e}", String::from_utf8_lossy(expected)));
    assert_eq!(
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(expected)
    );
}

/// The server has closed the connection: nothing more comes.
async fn expect_closed(reader: &mut TcpReader) {
    let rest = reader.read_to_end().await.unwrap_or_default();
    assert!(rest.is_empty(), "{:?}", String::from_utf8_lossy(&rest));
}

#[test]
fn many_requests_in_one_write_get_every_reply_in_order() {
    limited(async {
        let server = start().await;
        let (mut reader, writer) = connect(&server).await;

        // 10 000 requests, RESP and inline mixed, in one write.
        let mut requests = Vec::new();
        let mut replies = Vec::new();
        for i in 1..=5000 {
            requests.extend_from_slice(b"*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n");
            replies.extend_from_slice(format!(":{i}\r\n").as_bytes());
            requests.extend_from_slice(b"PING\r\n");
            replies.extend_from_slice(b"+PONG\r\n");
        }
        send(&writer, &requests).await;
        expect(&mut reader, &replies).await;

        // A request split across writes is put back together.
        for part in [
            &b"*3\r\n$3\r\nSE"[..],
            b"T\r\n$1\r\nk\r\n$5\r\nhel",
            b"lo\r\n",
        ] {
            send(&writer, part).await;
        }
        send(&writer, b"GET k\r\n").await;
        expect(&mut reader, b"+OK\r\n$5\r\nhello\r\n").await;
        assert_eq!(server.stop().await, "");
    });
}

#[test]
fn values_are_binary_safe_and_command_errors_keep_the_connection() {
    limited(async {
        let server = start().await;
        let (mut reader, writer) = connect(&server).await;

        let value = b"line one\r\nline two\x00\xff";
        let mut set = format!("*3\r\n$3\r\nSET\r\n$3\r\nbin\r\n${}\r\n", value.len()).into_bytes();
        set.extend_from_slice(value);
        set.extend_from_slice(b"\r\n*2\r\n$3\r\nGET\r\n$3\r\nbin\r\n");
        send(&writer, &set).await;
        let mut reply = format!("+OK\r\n${}\r\n", value.len()).into_bytes();
        reply.extend_from_slice(value);
        reply.extend_from_slice(b"\r\n");
        expect(&mut reader, &reply).await;

        // Each gets an error reply; the connection goes on.
        send(
            &writer,
            b"NOSUCH\r\nGET\r\nINCR bin\r\nSET a b EX 1 PX 1\r\n*2\r\n$8\r\nbad\r\ncmd\r\n$0\r\n\r\nPING\r\n",
        )
        .await;
        expect(
            &mut reader,
            b"-ERR unknown command 'NOSUCH', with args beginning with: \r\n\
              -ERR wrong number of arguments for 'get' command\r\n\
              -ERR value is not an integer or out of range\r\n\
              -ERR syntax error\r\n\
              -ERR unknown command 'bad  cmd', with args beginning with: '' \r\n\
              +PONG\r\n",
        )
        .await;
        assert_eq!(server.stop().await, "");
    });
}

#[test]
fn garbage_and_unbelievable_lengths_get_an_error_and_a_disconnect() {
    limited(async {
        let server = start().await;
        let cases: &[(&[u8], &str)] = &[
            (b"*abc\r\n", "invalid multibulk length"),
            (b"*99999999999\r\n", "invalid multibulk length"),
            (b"*1\r\nGET\r\n", "expected '$', got 'G'"),
            (b"*1\r\n$-5\r\n", "invalid bulk length"),
            // A length far beyond the limit: refused before a byte of it is awaited.
            (b"*1\r\n$99999999999\r\n", "invalid bulk length"),
            (
                b"*1\r\n$99999999999999999999999999\r\n",
                "invalid bulk length",
            ),
            (b"*1\r\n$3\r\nabcde\r\n", "bulk data not terminated by CRLF"),
        ];
        for &(request, error) in cases {
            let (mut reader, writer) = connect(&server).await;
            send(&writer, request).await;
            expect(
                &mut reader,
                format!("-ERR Protocol error: {error}\r\n").as_bytes(),
            )
            .await;
            expect_closed(&mut reader).await;
        }

        // A line longer than the 64 KiB limit, with no end in sight.
        let (mut reader, writer) = connect(&server).await;
        send(&writer, &vec![b'x'; 70_000]).await;
        expect(
            &mut reader,
            b"-ERR Protocol error: too big inline request\r\n",
        )
        .await;
        expect_closed(&mut reader).await;

        // The server is fine.
        let (mut reader, writer) = connect(&server).await;
        send(&writer, b"PING\r\n").await;
        expect(&mut reader, b"+PONG\r\n").await;

        // Each disconnection is logged, with the client's address and the reason.
        let log = server.stop().await;
        let reasons: Vec<&str> = log
            .lines()
            .map(|l| {
                l.strip_prefix("mini_redis: 127.0.0.1:")
                    .and_then(|l| l.split_once(": Protocol error: "))
                    .and_then(|(_, reason)| reason.strip_suffix("; disconnected"))
                    .unwrap_or_else(|| panic!("{l}"))
            })
            .collect();
        let mut expected: Vec<&str> = cases.iter().map(|&(_, error)| error).collect();
        expected.push("too big inline request");
        assert_eq!(reasons, expected);
    });
}

#[test]
fn expired_keys_vanish_for_readers_and_are_swept_when_nobody_reads_them() {
    limited(async {
        let server = start().await;
        let (mut reader, writer) = connect(&server).await;

        /// The `keys=N` of `INFO`, which counts what is stored without expiring anything.
        async fn stored(reader: &mut TcpReader, writer: &TcpWriter) -> usize {
            send(writer, b"INFO\r\n").await;
            let header = reader.readuntil(b"\r\n").await.unwrap();
            let len: usize = std::str::from_utf8(&header[1..header.len() - 2])
                .unwrap()
                .parse()
                .unwrap();
            let info = reader.readexactly(len + 2).await.unwrap();
            let info = String::from_utf8(info).unwrap();
            let keys = info.split("keys=").nth(1).expect("a keyspace line");
            keys.split(',').next().unwrap().parse().unwrap()
        }

        // Read after its deadline: gone (the lazy check).
        send(&writer, b"SET read v PX 100\r\n").await;
        expect(&mut reader, b"+OK\r\n").await;
        let set = Instant::now();
        loop {
            send(&writer, b"GET read\r\n").await;
            let reply = reader.readuntil(b"\r\n").await.unwrap();
            if reply == b"$-1\r\n" {
                break;
            }
            reader.readexactly(3).await.unwrap(); // "v\r\n"
            corio::sleep(Duration::from_millis(10)).await; // polling, not synchronising
        }
        assert!(set.elapsed() >= Duration::from_millis(100));

        // Never read: the sweep removes it.
        send(&writer, b"SET unread v PX 100\r\nSET kept v\r\n").await;
        expect(&mut reader, b"+OK\r\n+OK\r\n").await;
        let set = Instant::now();
        assert_eq!(stored(&mut reader, &writer).await, 2);
        while stored(&mut reader, &writer).await != 1 {
            corio::sleep(Duration::from_millis(10)).await;
        }
        assert!(set.elapsed() >= Duration::from_millis(100));
        send(&writer, b"TTL unread\r\nTTL kept\r\n").await;
        expect(&mut reader, b":-2\r\n:-1\r\n").await;
        assert_eq!(server.stop().await, "");
    });
}
