//! Testing async code that depends on something slow or remote, as Python tests do with
//! `AsyncMock`: put the dependency behind a trait, give the code under test a fake that
//! answers from a table (and records its calls), and run it on a virtual clock so that
//! timeouts of seconds take no time at all.
//!
//! Run it with `cargo run -p corio --example mocking`. See docs/guide.md, "Testing".

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use corio::io::BufReader;
use corio::net::{TcpListener, open_connection};
use corio::prelude::*;

/// The dependency: a service that knows exchange rates.
trait Rates {
    fn rate(&self, currency: &str) -> impl Future<Output = Result<f64, String>> + Send;
}

/// The code under test: converts an amount, giving the service 2 s per try and two tries.
async fn convert(rates: &impl Rates, amount: f64, currency: &str) -> Result<f64, String> {
    for _attempt in 0..2 {
        match corio::wait_for(rates.rate(currency), Duration::from_secs(2)).await {
            Ok(rate) => return rate.map(|rate| amount * rate),
            Err(TimeoutError) => continue,
        }
    }
    Err(format!(
        "no rate for {currency}: the service did not answer"
    ))
}

/// The real service, over TCP: one line with the currency, one line back with the rate.
struct TcpRates {
    addr: std::net::SocketAddr,
}

impl Rates for TcpRates {
    fn rate(&self, currency: &str) -> impl Future<Output = Result<f64, String>> + Send {
        let (addr, request) = (self.addr, format!("{currency}\n"));
        async move {
            let (mut reader, writer) = open_connection(addr).await.map_err(|e| e.to_string())?;
            writer
                .write(request.as_bytes())
                .map_err(|e| e.to_string())?;
            writer.drain().await.map_err(|e| e.to_string())?;
            let line = reader.readline().await.map_err(|e| e.to_string())?;
            let text = String::from_utf8_lossy(&line);
            text.trim()
                .parse()
                .map_err(|_| format!("bad reply {text:?}"))
        }
    }
}

/// The fake: answers from a table after `delay` (or never), and records each call.
struct FakeRates {
    table: HashMap<&'static str, f64>,
    delay: Option<Duration>,
    calls: Mutex<Vec<String>>,
}

impl FakeRates {
    fn new(delay: Option<Duration>) -> FakeRates {
        FakeRates {
            table: HashMap::from([("EUR", 1.10), ("GBP", 1.25)]),
            delay,
            calls: Mutex::new(Vec::new()),
        }
    }

    fn calls(&self) -> Vec<String> {
        self.calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Rates for FakeRates {
    fn rate(&self, currency: &str) -> impl Future<Output = Result<f64, String>> + Send {
        self.calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(currency.to_owned());
        let answer = self
            .table
            .get(currency)
            .copied()
            .ok_or_else(|| format!("unknown currency {currency}"));
        let delay = self.delay;
        async move {
            match delay {
                Some(delay) => corio::sleep(delay).await,
                None => std::future::pending().await, // a service that hangs
            }
            answer
        }
    }
}

fn main() -> std::io::Result<()> {
    // The tests: each on a fresh runtime with a virtual clock.
    let test = || corio::Runtime::builder().virtual_clock().build();

    let fake = FakeRates::new(Some(Duration::from_millis(300)));
    let usd = test()?.block_on(convert(&fake, 100.0, "EUR"));
    println!("fake: 100 EUR -> {usd:.2?} USD, calls {:?}", fake.calls());

    let fake = FakeRates::new(Some(Duration::ZERO));
    let unknown = test()?.block_on(convert(&fake, 1.0, "XYZ"));
    println!("fake: an unknown currency -> {unknown:?}");

    // The slow path: two tries of 2 s each against a service that never answers. On the
    // virtual clock the 4 s pass at once.
    let fake = FakeRates::new(None);
    let started = Instant::now();
    let rt = test()?;
    let (hung, waited) = rt.block_on(async {
        let t0 = corio::time::now();
        let out = convert(&fake, 1.0, "GBP").await;
        (out, corio::time::now() - t0)
    });
    println!(
        "fake: a hanging service -> {hung:?} after {} calls and {:?} of virtual time, \
         in under a second of real time: {}",
        fake.calls().len(),
        waited,
        started.elapsed() < Duration::from_secs(1)
    );

    // The same code with the real dependency, against a local rate server.
    let usd = corio::run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let rates = TcpRates {
            addr: listener.local_addr()?,
        };
        let server = corio::spawn(async move {
            let (socket, _) = listener.accept().await?;
            let (mut request, mut reply) = (BufReader::new(&socket), &socket);
            let mut currency = String::new();
            request.read_line(&mut currency).await?;
            let rate = if currency.trim() == "EUR" {
                "1.10"
            } else {
                "?"
            };
            reply.write_all(format!("{rate}\n").as_bytes()).await?;
            std::io::Result::Ok(())
        });
        let usd = convert(&rates, 100.0, "EUR").await;
        server.await.expect("the server task ran")?;
        std::io::Result::Ok(usd)
    })?;
    println!("real (TCP): 100 EUR -> {usd:.2?} USD");
    Ok(())
}
