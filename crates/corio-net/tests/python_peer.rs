//! A real peer: Python's asyncio streams (`tests/peers/asyncio_peer.py`) against corio's.
//!
//! * A corio line-echo server (`start_server`) and an asyncio client (`open_connection`,
//!   `write` + `drain`, `readline`, `readexactly`, `write_eof`, `close` + `wait_closed`).
//! * An asyncio server (`start_server`) and a corio client (`open_connection`).
//!
//! The exchange: 2,000 pipelined lines, then one line of 200,000 bytes (past both sides'
//! 64 KiB default limit) written in pieces, then a half-close after which the server still
//! answers with a summary and closes. Each side checks every byte it got; the test asserts
//! on what both saw (the script prints a summary the test parses, and exits non-zero on any
//! mismatch). The Python process is bounded: it gives up by itself after a deadline and is
//! killed if it overruns that. Without python3 the tests say they are skipped and pass.

mod common;

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{on_both, python3, wait_bounded};
use corio_net::{StreamReader, TcpReader, TcpWriter, open_connection, start_server};
use corio_sync::mpsc::unbounded;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/peers/asyncio_peer.py");
const LINES: usize = 2000;
const LONG: usize = 200_000;
/// How long the Python side may take; it gives up by itself after that, and is killed a
/// little later if it did not.
const DEADLINE: Duration = Duration::from_secs(20);
const KILL_AFTER: Duration = Duration::from_secs(25);

fn line(i: usize) -> Vec<u8> {
    format!("line {i}\n").into_bytes()
}

fn long_line() -> Vec<u8> {
    let mut data: Vec<u8> = (0..LONG).map(|i| b'a' + (i % 26) as u8).collect();
    data.push(b'\n');
    data
}

/// Every byte the client sends, in order.
fn expected(i: usize) -> Vec<u8> {
    if i < LINES { line(i) } else { long_line() }
}

/// The bytes of the whole exchange: the lines and the long line.
fn total_bytes() -> usize {
    (0..=LINES).map(|i| expected(i).len()).sum()
}

/// `TAG k=v k=v…` from the line of `out` that starts with `TAG `.
fn summary(out: &str, tag: &str) -> HashMap<String, String> {
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix(tag)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {tag} summary in {out:?}"));
    line.split_whitespace()
        .map(|kv| {
            let (k, v) = kv.split_once('=').expect("key=value");
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

fn python_command(args: &[String]) -> Command {
    let mut cmd = Command::new("python3");
    cmd.arg(SCRIPT)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn skipped(test: &str) -> bool {
    match python3() {
        Ok(_) => false,
        Err(why) => {
            common::loud(&format!("SKIPPED {test}: {why}"));
            true
        }
    }
}

/// What the corio server's handler saw.
#[derive(Debug)]
struct ServerSaw {
    lines: usize,
    bytes: usize,
    longest: usize,
    wrong: usize,
}

async fn corio_server_python_client() -> io::Result<()> {
    let (tx, mut rx) = unbounded();
    let server = start_server(
        move |r: TcpReader, w: TcpWriter| {
            let tx = tx.clone();
            async move {
                // asyncio's start_server takes a limit; with corio the handler sets its own
                // (nothing has been read yet, so nothing buffered is lost).
                let mut r = StreamReader::with_limit(r.into_inner(), 1 << 20);
                let mut saw = ServerSaw {
                    lines: 0,
                    bytes: 0,
                    longest: 0,
                    wrong: 0,
                };
                loop {
                    let got = r.readline().await?;
                    if got.is_empty() {
                        break;
                    }
                    saw.wrong += usize::from(got != expected(saw.lines));
                    saw.lines += 1;
                    saw.bytes += got.len();
                    saw.longest = saw.longest.max(got.len());
                    w.write(&got)?;
                    w.drain().await?;
                }
                // Half-closed by the client: it still reads the answer.
                let answer = format!(
                    "SERVER lines={} bytes={} longest={}\n",
                    saw.lines, saw.bytes, saw.longest
                );
                w.write(answer.as_bytes())?;
                w.drain().await?;
                w.close();
                w.wait_closed().await?;
                let _ = tx.send(saw);
                io::Result::Ok(())
            }
        },
        "127.0.0.1:0",
    )
    .await?;
    let port = server.local_addr()?.port();
    let args = [
        "client".to_owned(),
        port.to_string(),
        LINES.to_string(),
        LONG.to_string(),
        DEADLINE.as_secs().to_string(),
    ];
    let child = python_command(&args).spawn()?;
    let out = corio::task::to_thread(move || wait_bounded(child, KILL_AFTER))
        .await
        .map_err(|e| io::Error::other(e.to_string()))??;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the Python client failed ({}): {stdout}\n{stderr}",
        out.status
    );

    // What the Python client saw.
    let client = summary(&stdout, "CLIENT");
    let want = |k: &str, v: usize| assert_eq!(client[k], v.to_string(), "{k}: {stdout}");
    want("sent_lines", LINES + 1);
    want("sent_bytes", total_bytes());
    want("echoed", LINES);
    want("long_ok", 1);
    want("eof", 1);
    want("problems", 0);

    // What the corio server saw.
    let saw = rx.recv().await.expect("the handler finished");
    assert_eq!(saw.lines, LINES + 1, "{saw:?}");
    assert_eq!(saw.bytes, total_bytes(), "{saw:?}");
    assert_eq!(saw.longest, LONG + 1, "{saw:?}");
    assert_eq!(saw.wrong, 0, "{saw:?}");

    server.close();
    server.wait_closed().await;
    Ok(())
}

#[test]
fn a_corio_server_and_a_python_asyncio_client() {
    if skipped("a_corio_server_and_a_python_asyncio_client") {
        return;
    }
    on_both("corio server, asyncio client", corio_server_python_client);
}

async fn python_server_corio_client() -> io::Result<()> {
    let args = [
        "server".to_owned(),
        LINES.to_string(),
        LONG.to_string(),
        DEADLINE.as_secs().to_string(),
    ];
    let mut child = python_command(&args).spawn()?;
    let stdout = child.stdout.take().expect("piped");
    // Bounded from the start: killed if it overruns, which also ends the reads below.
    let waited = corio::task::to_thread(move || wait_bounded(child, KILL_AFTER));
    let (first, mut rest) = corio::task::to_thread(move || {
        let mut reader = BufReader::new(stdout);
        let mut first = String::new();
        reader.read_line(&mut first).map(|_| (first, reader))
    })
    .await
    .map_err(|e| io::Error::other(e.to_string()))??;
    let port: u16 = first
        .strip_prefix("PORT ")
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("the Python server said {first:?}"));

    let (mut reader, writer) = open_connection(("127.0.0.1", port)).await?;
    assert_eq!(writer.peer_addr()?.port(), port);
    // 1. Many lines, pipelined.
    writer.writelines((0..LINES).map(line))?;
    writer.drain().await?;
    for i in 0..LINES {
        assert_eq!(reader.readline().await?, line(i));
    }
    // 2. The long line in pieces; its echo is longer than the reader's limit, so it is
    //    read with readexactly.
    let big = long_line();
    for piece in [
        &big[..1],
        &big[1..65535],
        &big[65535..131_072],
        &big[131_072..],
    ] {
        writer.write(piece)?;
        writer.drain().await?;
    }
    assert_eq!(reader.readexactly(big.len()).await?, big);
    // 3. Half-close: the server still answers, then closes.
    writer.write_eof().await?;
    let answer = reader.readline().await?;
    assert_eq!(
        String::from_utf8_lossy(&answer),
        format!(
            "SERVER lines={} bytes={} longest={}\n",
            LINES + 1,
            total_bytes(),
            LONG + 1
        )
    );
    assert_eq!(reader.read_to_end().await?, b"");
    assert!(reader.at_eof());
    writer.close();
    writer.wait_closed().await?;

    let rest = corio::task::to_thread(move || {
        let mut s = String::new();
        rest.read_to_string(&mut s).map(|_| s)
    })
    .await
    .map_err(|e| io::Error::other(e.to_string()))??;
    let out = waited
        .await
        .map_err(|e| io::Error::other(e.to_string()))??;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the Python server failed ({}): {first}{rest}\n{stderr}",
        out.status
    );
    // What the Python server saw.
    let server = summary(&rest, "SERVER");
    let want = |k: &str, v: usize| assert_eq!(server[k], v.to_string(), "{k}: {rest}");
    want("lines", LINES + 1);
    want("bytes", total_bytes());
    want("longest", LONG + 1);
    want("problems", 0);
    Ok(())
}

#[test]
fn a_python_asyncio_server_and_a_corio_client() {
    if skipped("a_python_asyncio_server_and_a_corio_client") {
        return;
    }
    on_both("asyncio server, corio client", python_server_corio_client);
}
