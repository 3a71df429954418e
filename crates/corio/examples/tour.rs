//! The corio tour: asyncio's first lessons, then what real programs do with them — timed.
//!
//! Run it with `cargo run --release --example tour --features hyper`. Each part prints what
//! it does and the time it measured; a table of every timing closes the tour.
//!
//! 1. hello / sleep / goodbye: waiting without blocking the loop
//! 2. five one-second fetches, one after another, then all at once
//! 3. 1,000 requests to a (mock) LLM API, 50 at a time, results saved as JSON lines
//! 4. a producer–consumer pipeline on a `Queue`
//! 5. a task group whose failing child cancels its siblings
//! 6. subprocesses, run concurrently
//! 7. a dump of the live tasks, as a tree
//!
//! `CORIO_TOUR_QUICK=1` divides every wait by 5 (the tour's test uses it).

use std::io::{IsTerminal, Write as _};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use corio::hyper::{Io, Timer};
use corio::net::{TcpListener, TcpStream};
use corio::process::Command;
use corio::sync::{Barrier, Event, Queue, Semaphore};
use corio::task::{on_cancel, spawn_named, task_group, try_gather};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1::SendRequest;
use hyper::header::{CONTENT_TYPE, HOST};
use hyper::service::service_fn;
use hyper::{Request, Response};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// `ms` milliseconds — a fifth of that under `CORIO_TOUR_QUICK=1`.
fn wait(ms: u64) -> Duration {
    let quick = std::env::var_os("CORIO_TOUR_QUICK").is_some_and(|v| v != "0");
    Duration::from_millis(if quick { ms / 5 } else { ms })
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn main() -> Result<(), Error> {
    println!("corio tour\n==========\n");
    // Like `corio::run`, with every task's parent, age and polls recorded for part 7's dump.
    let rt = corio::Builder::new().track_tasks(true).build()?;
    let timings = rt.block_on(async {
        let hello = hello_goodbye().await;
        let (sequential, concurrent) = fetches().await;
        let llm = llm_batch().await?;
        let items = pipeline().await;
        let group = failing_group().await;
        let children = subprocesses().await?;
        let dump = task_dump().await?;
        Ok::<_, Error>([
            ("1. hello / sleep / goodbye", hello, Some(wait(1000))),
            ("2. five fetches, one by one", sequential, Some(wait(5000))),
            ("2. five fetches, all at once", concurrent, Some(wait(1000))),
            ("3. 1,000 LLM requests, 50 at a time", llm, Some(wait(1000))),
            ("4. pipeline: 60 items, 3 workers", items, Some(wait(200))),
            ("5. task group: one child fails", group, Some(wait(100))),
            ("6. three subprocesses at once", children, Some(wait(500))),
            ("7. task dump", dump, None), // nothing to wait for
        ])
    })?;

    println!("Timings (ideal = the waiting alone)");
    println!("   {:<38} {:>9}   {:>9}", "part", "measured", "ideal");
    for (part, measured, ideal) in timings {
        let ideal = ideal.map_or("—".to_owned(), secs);
        println!("   {part:<38} {:>9}   {ideal:>9}", secs(measured));
    }
    Ok(())
}

/// asyncio's "hello world": print, sleep one second without blocking the loop, print again.
async fn hello_goodbye() -> Duration {
    println!("1. hello / sleep {:?} / goodbye", wait(1000));
    let started = Instant::now();
    println!("   hello");
    corio::sleep(wait(1000)).await;
    let took = started.elapsed();
    println!("   goodbye (after {})\n", secs(took));
    took
}

/// A pretend network call: a second of waiting, then a result.
async fn fetch(id: u32) -> String {
    corio::sleep(wait(1000)).await;
    format!("page {id}")
}

/// Five one-second fetches, first one after the other, then all at once.
async fn fetches() -> (Duration, Duration) {
    println!("2. five fetches that take {:?} each", wait(1000));

    let started = Instant::now();
    let mut pages = Vec::new();
    for id in 1..=5 {
        pages.push(fetch(id).await);
    }
    let sequential = started.elapsed();
    println!("   sequential: {pages:?} in {}", secs(sequential));

    let started = Instant::now();
    // asyncio.create_task for each, then await them in order.
    let tasks: Vec<_> = (1..=5).map(|id| corio::spawn(fetch(id))).collect();
    let mut pages = Vec::new();
    for task in tasks {
        pages.push(task.await.expect("a fetch task failed"));
    }
    let concurrent = started.elapsed();
    println!("   concurrent: {pages:?} in {}", secs(concurrent));
    println!(
        "   waiting together is {:.1}x faster: five tasks sleep at once\n",
        sequential.as_secs_f64() / concurrent.as_secs_f64()
    );
    (sequential, concurrent)
}

/// The mock LLM API: `POST /v1/completions` answers after 50 ms ("thinking") with a small
/// JSON completion.
async fn mock_completion(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let prompt = req.into_body().collect().await?.to_bytes();
    corio::sleep(wait(50)).await;
    let json = format!(
        r#"{{"object":"text_completion","choices":[{{"text":"42"}}],"usage":{{"prompt_bytes":{}}}}}"#,
        prompt.len()
    );
    let response = Response::builder().header(CONTENT_TYPE, "application/json");
    Ok(response
        .body(Full::new(json.into()))
        .expect("valid headers"))
}

/// Serves the mock API on a free loopback port: hyper's HTTP/1 server, a task per connection.
async fn start_mock_llm() -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    spawn_named("mock-llm", async move {
        while let Ok((stream, _)) = listener.accept().await {
            let _ = stream.set_nodelay(true);
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(Timer::new())
                .serve_connection(Io::new(stream), service_fn(mock_completion));
            spawn_named("mock-llm connection", connection).detach();
        }
    })
    .detach();
    Ok(addr)
}

/// An HTTP client for the mock API that keeps its idle keep-alive connections for reuse.
struct LlmClient {
    addr: SocketAddr,
    idle: Mutex<Vec<SendRequest<Full<Bytes>>>>,
}

impl LlmClient {
    /// Sends `prompt`; the completion's JSON.
    async fn complete(&self, prompt: String) -> Result<Bytes, Error> {
        let reused = self.idle.lock().expect("not poisoned").pop();
        let mut connection = match reused {
            Some(connection) => connection,
            None => {
                let stream = TcpStream::connect(self.addr).await?;
                stream.set_nodelay(true)?;
                let (sender, connection) =
                    hyper::client::conn::http1::handshake(Io::new(stream)).await?;
                corio::spawn(connection).detach(); // the connection's reading and writing
                sender
            }
        };
        connection.ready().await?;
        let request = Request::post("/v1/completions")
            .header(HOST, "localhost")
            .header(CONTENT_TYPE, "application/json")
            .body(Full::new(format!(r#"{{"prompt":"{prompt}"}}"#).into()))?;
        let response = connection.send_request(request).await?;
        let json = response.into_body().collect().await?.to_bytes();
        self.idle.lock().expect("not poisoned").push(connection);
        Ok(json)
    }
}

/// A progress bar redrawn in place on a terminal (carriage return), a line per quarter
/// when the output goes elsewhere.
struct Progress {
    total: usize,
    /// How many are done; drawing under the lock keeps the bar's updates in order.
    done: Mutex<usize>,
    terminal: bool,
}

impl Progress {
    fn new(total: usize) -> Progress {
        let terminal = std::io::stdout().is_terminal();
        Progress {
            total,
            done: Mutex::new(0),
            terminal,
        }
    }

    fn advance(&self) {
        let mut done = self.done.lock().expect("not poisoned");
        *done += 1;
        let (done, total) = (*done, self.total);
        if self.terminal && (done % 10 == 0 || done == total) {
            let filled = done * 40 / total;
            let bar = format!("{}{}", "#".repeat(filled), ".".repeat(40 - filled));
            print!(
                "\r   [{bar}] {done}/{total}{}",
                if done == total { "\n" } else { "" }
            );
            let _ = std::io::stdout().flush();
        } else if !self.terminal && done % (total / 4) == 0 {
            println!("   {done}/{total} done");
        }
    }
}

/// 1,000 requests to the mock LLM API, at most 50 in flight (a semaphore), written to a
/// JSON-lines file.
async fn llm_batch() -> Result<Duration, Error> {
    const REQUESTS: usize = 1_000;
    const CONCURRENCY: usize = 50;
    println!("3. {REQUESTS} requests to a mock LLM API, {CONCURRENCY} at a time");
    let addr = start_mock_llm().await?;
    println!(
        "   the mock API (hyper on corio) listens on {addr}; each answer takes {:?}",
        wait(50)
    );

    let client = Arc::new(LlmClient {
        addr,
        idle: Mutex::new(Vec::new()),
    });
    let limit = Arc::new(Semaphore::new(CONCURRENCY));
    let progress = Arc::new(Progress::new(REQUESTS));
    let started = Instant::now();
    let requests = (0..REQUESTS).map(|i| {
        let (client, limit, progress) = (client.clone(), limit.clone(), progress.clone());
        async move {
            let _permit = limit.acquire().await; // waits while 50 are in flight
            let sent = Instant::now();
            let completion = client
                .complete(format!("question {i}: what is 6 x 7?"))
                .await?;
            progress.advance();
            let ms = sent.elapsed().as_secs_f64() * 1e3;
            let completion = String::from_utf8_lossy(&completion);
            Ok::<_, Error>(format!(
                r#"{{"request":{i},"ms":{ms:.1},"response":{completion}}}"#
            ))
        }
    });
    // asyncio's gather: every request a task; the lines come back in request order.
    let lines = try_gather(requests).await.map_err(|e| e.to_string())?;
    let took = started.elapsed();
    drop(client); // closes the idle connections

    let path = std::env::temp_dir().join(format!("corio-tour-{}.jsonl", std::process::id()));
    corio::fs::write(&path, lines.join("\n") + "\n").await?;
    let written = corio::fs::read_to_string(&path).await?.lines().count();
    let floor = wait(50) * (REQUESTS / CONCURRENCY) as u32;
    println!("   wrote {written} JSON lines to {}", path.display());
    println!(
        "   {REQUESTS} requests in {} ({:.0} requests/s); the floor is {REQUESTS}/{CONCURRENCY} x {:?} = {}\n",
        secs(took),
        REQUESTS as f64 / took.as_secs_f64(),
        wait(50),
        secs(floor)
    );
    Ok(took)
}

/// A producer puts 60 items into a bounded queue; three workers take them; `join` returns
/// once every item is marked done.
async fn pipeline() -> Duration {
    const ITEMS: usize = 60;
    const WORKERS: usize = 3;
    println!(
        "4. a pipeline: a producer, a Queue of 10 slots, {WORKERS} workers ({:?} per item)",
        wait(10)
    );
    let queue = Queue::new(10);
    let started = Instant::now();
    let workers: Vec<_> = (1..=WORKERS)
        .map(|w| {
            let queue = queue.clone();
            spawn_named(&format!("worker-{w}"), async move {
                let mut processed = 0;
                // `get` fails once the queue is shut down: the end of the work.
                while let Ok(_item) = queue.get().await {
                    corio::sleep(wait(10)).await; // process the item
                    processed += 1;
                    queue.task_done().expect("one task_done per item taken");
                }
                processed
            })
        })
        .collect();
    for item in 0..ITEMS {
        queue.put(item).await.expect("open until every item is in"); // waits while full
    }
    queue.join().await; // every item taken and marked done
    let took = started.elapsed();
    queue.shutdown(false);
    let mut per_worker = Vec::new();
    for worker in workers {
        per_worker.push(worker.await.expect("a worker ran"));
    }
    let processed: usize = per_worker.iter().sum();
    println!(
        "   processed {processed}/{ITEMS} items in {}: {per_worker:?} per worker\n",
        secs(took)
    );
    took
}

/// Two long downloads and a parser that fails: the failure cancels the downloads, which
/// clean up (asynchronously) on their way out.
async fn failing_group() -> Duration {
    println!(
        "5. a task group: two downloads and a parser that fails after {:?}",
        wait(100)
    );
    let cancelled = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let outcome = task_group(|group| {
        let cancelled = cancelled.clone();
        async move {
            for (name, ms) in [("download-a", 2000), ("download-b", 3000)] {
                let cancelled = cancelled.clone();
                let download = async move {
                    corio::sleep(wait(ms)).await;
                    Ok(())
                };
                let clean_up = move || async move {
                    cancelled.lock().expect("not poisoned").push(name);
                };
                group
                    .spawn(on_cancel(download, wait(100), clean_up))
                    .expect("the group is open");
            }
            group
                .spawn(async {
                    corio::sleep(wait(100)).await;
                    Err::<(), _>("parse error in chunk 7".to_string())
                })
                .expect("the group is open");
            Ok(())
        }
    })
    .await;
    let took = started.elapsed();
    match outcome {
        Ok(()) => println!("   every child succeeded?!"),
        Err(failure) => println!("   the group failed after {}: {failure}", secs(took)),
    }
    let mut cancelled = cancelled.lock().expect("not poisoned").clone();
    cancelled.sort();
    println!("   cancelled siblings: {}\n", cancelled.join(", "));
    took
}

/// Three shell commands that each take half a second, run at once.
async fn subprocesses() -> Result<Duration, Error> {
    let pause = wait(500).as_secs_f64();
    println!("6. three subprocesses (`sh -c 'sleep {pause}; echo …'`) at once");
    let started = Instant::now();
    let runs = (1..=3).map(|n| async move {
        let script = format!("sleep {pause}; echo \"job {n}: hello from pid $$\"");
        Command::new("sh").args(["-c", &script]).output().await
    });
    let outputs = try_gather(runs).await.map_err(|e| e.to_string())?;
    let took = started.elapsed();
    for output in outputs {
        print!("   {}", String::from_utf8_lossy(&output.stdout));
    }
    println!(
        "   all three in {} (one after another: {:.1} s)\n",
        secs(took),
        3.0 * pause
    );
    Ok(took)
}

/// A supervisor with two workers, alive while the dump is taken: the dump shows them as a
/// tree, beside the mock LLM server of part 3.
async fn task_dump() -> Result<Duration, Error> {
    println!("7. a dump of the live tasks (corio::task::dump())");
    let stop = Arc::new(Event::new());
    let all_up = Arc::new(Barrier::new(3)?); // two workers and us
    let supervisor = spawn_named("supervisor", {
        let (stop, all_up) = (stop.clone(), all_up.clone());
        async move {
            let workers: Vec<_> = ["indexer", "notifier"]
                .into_iter()
                .map(|name| {
                    let (stop, all_up) = (stop.clone(), all_up.clone());
                    spawn_named(name, async move {
                        let _ = all_up.wait().await;
                        stop.wait().await;
                    })
                })
                .collect();
            for worker in workers {
                let _ = worker.await;
            }
        }
    });
    let _ = all_up.wait().await;
    let started = Instant::now();
    let dump = corio::task::dump();
    let took = started.elapsed();
    for line in dump.to_string().lines() {
        println!("   {line}");
    }
    stop.set();
    supervisor.await.map_err(|e| e.to_string())?;
    println!();
    Ok(took)
}
