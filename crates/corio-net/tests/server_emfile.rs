//! A server out of descriptors (`EMFILE`): it keeps serving the connections it has, its
//! accept loop reports the error and backs off (10 ms, doubling up to 1 s) instead of
//! spinning, and once descriptors are freed it accepts the connections that waited.
//!
//! Each scenario runs in a child process (this test binary, run again): it lowers the
//! process-wide `RLIMIT_NOFILE`, and the accept loop reports on standard error, which the
//! parent reads to count the accept attempts. The child marks the start and end of a
//! window on standard error too; the attempts inside it are counted.
//!
//! * On the virtual clock the back-off is exact: the pauses printed must be 10, 20, 40 …
//!   1000, 1000 ms, and a 5 s window holds about a dozen attempts (a spinning loop would
//!   never let virtual time move at all).
//! * Under the multi-thread runtime on the real clock, a short window bounds the attempts
//!   by what the doubling pauses allow in the time that really passed, and the process's
//!   CPU time in the window (`getrusage`) must stay far below one core.

mod common;

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::{Duration, Instant};

use common::{LoweredLimit, exhaust, highest_fd, is_child, round_trip, run_child, until};
use corio_net::{StreamReader, StreamWriter, TcpReader, TcpSocket, TcpWriter, start_server};

/// Connections served before the table fills; connections that arrive while it is full.
const EXISTING: usize = 3;
const PENDING: usize = 3;

const ERROR: &str = "corio-net: accept failed: ";
const START: &str = "MARK window start";
const END: &str = "MARK window end";

/// The CPU time the whole process has used (every thread, user and system).
fn cpu_time() -> Duration {
    // SAFETY: `rusage` is plain old data; all zeroes is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid `rusage` to fill in.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(rc, 0, "getrusage: {}", io::Error::last_os_error());
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// The line-echo handler.
async fn echo(mut reader: TcpReader, writer: TcpWriter) -> io::Result<()> {
    loop {
        let line = reader.readline().await?;
        if line.is_empty() {
            return Ok(());
        }
        writer.write(&line)?;
        writer.drain().await?;
    }
}

/// The child's part: serve, fill the descriptor table, let connections arrive, keep
/// serving the old ones through a window of `window` (on the runtime's clock), then free
/// descriptors and serve the new ones. Prints the window's marks, with the real time and
/// CPU time it took, on standard error.
async fn out_of_descriptors(window: Duration) -> io::Result<()> {
    let accepted = Arc::new(AtomicUsize::new(0));
    let counted = accepted.clone();
    let server = start_server(
        move |r, w| {
            counted.fetch_add(1, SeqCst);
            echo(r, w)
        },
        "127.0.0.1:0",
    )
    .await?;
    let addr = server.local_addr()?;
    let mut existing = Vec::new();
    for i in 0..EXISTING {
        let (mut reader, writer) = corio_net::open_connection(addr).await?;
        round_trip(&mut reader, &writer, format!("hello {i}\n").as_bytes()).await?;
        existing.push((reader, writer));
    }
    // Made while there is room: connecting them needs no new descriptor.
    let sockets = (0..PENDING)
        .map(|_| TcpSocket::new_v4())
        .collect::<io::Result<Vec<_>>>()?;

    let limit = LoweredLimit::to(highest_fd() + 1 + 16);
    let mut fillers = exhaust()?;
    assert!(
        fillers.len() > PENDING + 2,
        "room for {} only",
        fillers.len()
    );

    // They connect (the kernel completes the handshakes and queues them); the server's
    // accept fails with EMFILE.
    let mut pending = Vec::new();
    for socket in sockets {
        let (read, write) = socket.connect(addr).await?.into_split();
        pending.push((StreamReader::new(read), StreamWriter::new(write)));
    }

    eprintln!("{START}");
    let (real0, cpu0) = (Instant::now(), cpu_time());
    // The connections the server has are served all along.
    for (i, (reader, writer)) in existing.iter_mut().enumerate() {
        round_trip(reader, writer, format!("still here {i}\n").as_bytes()).await?;
    }
    corio::sleep(window).await;
    let (real, cpu) = (real0.elapsed(), cpu_time() - cpu0);
    eprintln!(
        "{END} real_us={} cpu_us={}",
        real.as_micros(),
        cpu.as_micros()
    );
    for (i, (reader, writer)) in existing.iter_mut().enumerate() {
        round_trip(reader, writer, format!("and still {i}\n").as_bytes()).await?;
    }
    assert_eq!(
        accepted.load(SeqCst),
        EXISTING,
        "accepted out of descriptors"
    );

    // Descriptors freed: the connections that waited are accepted and served.
    fillers.truncate(fillers.len() - PENDING - 2);
    for (i, (reader, writer)) in pending.iter_mut().enumerate() {
        round_trip(reader, writer, format!("at last {i}\n").as_bytes()).await?;
    }
    assert_eq!(accepted.load(SeqCst), EXISTING + PENDING);
    until(|| server.connections() == EXISTING + PENDING).await;

    drop((existing, pending));
    server.close();
    server.wait_closed().await;
    drop(fillers);
    drop(limit);
    Ok(())
}

/// What the child printed: the accept loop's pauses (ms) before, inside and after the
/// window, and the window's real and CPU time.
#[derive(Debug, Default)]
struct Seen {
    before: Vec<u64>,
    inside: Vec<u64>,
    after: Vec<u64>,
    real: Duration,
    cpu: Duration,
}

fn parse(stderr: &str) -> Seen {
    let mut seen = Seen::default();
    let mut part = 0;
    for line in stderr.lines() {
        if let Some(rest) = line.strip_prefix(ERROR) {
            assert!(
                rest.contains("Too many open files"),
                "an accept error that is not EMFILE: {line}"
            );
            let ms = rest
                .rsplit_once("accepting again in ")
                .and_then(|(_, ms)| ms.strip_suffix(" ms"))
                .and_then(|ms| ms.parse().ok())
                .unwrap_or_else(|| panic!("unexpected report: {line}"));
            [&mut seen.before, &mut seen.inside, &mut seen.after][part].push(ms);
        } else if line == START {
            part = 1;
        } else if let Some(rest) = line.strip_prefix(END) {
            part = 2;
            for field in rest.split_whitespace() {
                let (key, value) = field.split_once('=').expect("key=value");
                let us = Duration::from_micros(value.parse().expect("a number"));
                match key {
                    "real_us" => seen.real = us,
                    "cpu_us" => seen.cpu = us,
                    _ => panic!("unexpected field {field}"),
                }
            }
        }
    }
    assert_eq!(
        part, 2,
        "the child did not get through its window:\n{stderr}"
    );
    seen
}

/// The pauses the back-off takes: 10 ms, doubling, at most 1 s.
fn backoff() -> impl Iterator<Item = u64> {
    std::iter::successors(Some(10u64), |p| Some((p * 2).min(1000)))
}

/// Every attempt was reported, each pausing twice as long as the one before, up to 1 s.
fn assert_backed_off_doubling(seen: &Seen) {
    let all: Vec<u64> = [&seen.before[..], &seen.inside, &seen.after].concat();
    assert_eq!(
        all,
        backoff().take(all.len()).collect::<Vec<_>>(),
        "{seen:?}"
    );
}

/// Runs `test` again in a child and returns what it reported; fails if the child failed.
fn child_report(test: &str) -> Seen {
    let out = run_child(test, Duration::from_secs(60));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "the child failed ({}): {stdout}\n{stderr}",
        out.status
    );
    parse(&stderr)
}

#[test]
fn a_server_out_of_descriptors_backs_off_on_the_virtual_clock() {
    const NAME: &str = "a_server_out_of_descriptors_backs_off_on_the_virtual_clock";
    const WINDOW: Duration = Duration::from_secs(5);
    if is_child(NAME) {
        // The runtime's descriptors are made before the limit is lowered. No timeout
        // inside: it would be virtual; the parent bounds the child in real time.
        let rt = common::virtual_clock();
        rt.block_on(out_of_descriptors(WINDOW))
            .expect("the scenario on the virtual clock");
        return;
    }
    let seen = child_report(NAME);
    eprintln!("{seen:?}");
    assert_backed_off_doubling(&seen);
    // Attempts at 0, 10, 30, 70, 150, 310, 630, 1270, 2270, 3270 and 4270 ms: eleven up
    // to the end of the 5 s window (which began as the table filled; a jump of the
    // virtual clock during the echoes may stretch it by a little).
    let by_end = seen.before.len() + seen.inside.len();
    assert!((10..=12).contains(&by_end), "{by_end} attempts: {seen:?}");
}

#[test]
fn a_server_out_of_descriptors_keeps_serving_and_does_not_spin() {
    const NAME: &str = "a_server_out_of_descriptors_keeps_serving_and_does_not_spin";
    const WINDOW: Duration = Duration::from_millis(300);
    if is_child(NAME) {
        let rt = common::multi_thread();
        let task = rt
            .spawn(common::bounded("emfile server", out_of_descriptors(WINDOW)))
            .expect("the runtime runs");
        rt.block_on(task)
            .expect("the scenario task")
            .expect("the scenario under the multi-thread runtime");
        return;
    }
    let seen = child_report(NAME);
    eprintln!("{seen:?}");
    assert_backed_off_doubling(&seen);
    assert!(
        !seen.before.is_empty() || !seen.inside.is_empty(),
        "no accept error reported in the window: {seen:?}"
    );
    // A sleep never ends early, so in the window's real time there can be at most as many
    // attempts as the pauses leave room for, plus the one the window may open with.
    let mut elapsed = 0;
    let fits = backoff()
        .take_while(|p| {
            elapsed += p;
            u128::from(elapsed) <= seen.real.as_millis()
        })
        .count();
    assert!(
        seen.inside.len() <= fits + 1,
        "{} attempts in {:?}: {seen:?}",
        seen.inside.len(),
        seen.real
    );
    // And the process sat idle: a spinning accept loop would burn a whole core.
    assert!(
        seen.cpu < seen.real / 4,
        "{:?} of CPU in {:?} of real time: {seen:?}",
        seen.cpu,
        seen.real
    );
}
