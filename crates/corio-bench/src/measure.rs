//! Repeated, interleaved measurement: every runtime's sample `i` is taken before any
//! runtime's sample `i + 1`, so drift of a shared machine hits all of them alike.

use std::io::{IsTerminal, Write as _};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::rt::{FLAVOURS, Needs};

/// One sample: a duration, or a number of bytes.
pub(crate) trait Sample {
    /// Nanoseconds, or bytes.
    fn value(self) -> f64;
}

impl Sample for Duration {
    fn value(self) -> f64 {
        self.as_nanos() as f64
    }
}

/// A memory sample, in bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bytes(pub(crate) f64);

impl Sample for Bytes {
    fn value(self) -> f64 {
        self.0
    }
}

/// One contender in a benchmark: a runtime name and a closure that takes one sample
/// (set-up excluded).
pub(crate) struct Contender<'a> {
    pub(crate) runtime: &'static str,
    run: Box<dyn FnMut() -> f64 + 'a>,
}

impl<'a> Contender<'a> {
    pub(crate) fn new<S: Sample>(runtime: &'static str, mut run: impl FnMut() -> S + 'a) -> Self {
        Contender {
            runtime,
            run: Box::new(move || run().value()),
        }
    }
}

/// What a benchmark's samples are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Unit {
    /// Wall time of `ops` operations; the table shows the time per operation.
    PerOp(u64),
    /// Wall time of one run, shown as is (e.g. a timer overhead).
    PerRun,
    /// Bytes per `.0` (e.g. per task).
    Bytes(&'static str),
}

/// A benchmark: where it belongs, what it measures and what it needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bench {
    pub(crate) group: &'static str,
    pub(crate) name: &'static str,
    pub(crate) unit: Unit,
    pub(crate) needs: Needs,
    /// One line for the report: the workload, and what one operation is.
    pub(crate) about: &'static str,
}

/// Median, minimum and maximum of a runtime's samples (ns or bytes, per [`Unit`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Stats {
    pub(crate) median: f64,
    pub(crate) min: f64,
    pub(crate) max: f64,
    pub(crate) runs: usize,
}

impl Stats {
    /// Summarises `samples` (at least one).
    pub(crate) fn of(mut samples: Vec<f64>) -> Stats {
        samples.sort_by(f64::total_cmp);
        Stats {
            median: median(&samples),
            min: samples[0],
            max: samples[samples.len() - 1],
            runs: samples.len(),
        }
    }
}

/// The contender name of a hand-written baseline (no runtime at all), reported beside the
/// table as each runtime's excess over it.
pub(crate) const BASELINE: &str = "epoll";

/// One runtime on one benchmark: its numbers, or why it has none.
#[derive(Debug, Clone)]
pub(crate) struct Measurement {
    pub(crate) bench: Bench,
    pub(crate) runtime: &'static str,
    pub(crate) result: Result<Stats, &'static str>,
}

impl Measurement {
    /// The median per operation (time per op, or bytes), if measured.
    pub(crate) fn per_op(&self) -> Option<f64> {
        let s = self.result.as_ref().ok()?;
        Some(match self.bench.unit {
            Unit::PerOp(ops) => s.median / ops as f64,
            Unit::PerRun | Unit::Bytes(_) => s.median,
        })
    }
}

/// How many samples to take.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    pub(crate) warmups: usize,
    pub(crate) runs: usize,
}

/// A sample that takes longer than this aborts the run: every workload is bounded.
const SAMPLE_LIMIT: Duration = Duration::from_secs(120);

/// Takes `plan.warmups` discarded and then `plan.runs` kept samples of every contender,
/// interleaved, and returns one measurement per flavour column — `n/a` (with the reason)
/// for the flavours without a contender.
pub(crate) fn compare(
    bench: Bench,
    plan: Plan,
    mut contenders: Vec<Contender<'_>>,
) -> Vec<Measurement> {
    if let Some((name, runtime)) = only() {
        if name != bench.name {
            return Vec::new();
        }
        if let Some(runtime) = runtime {
            contenders.retain(|c| c.runtime == runtime);
        }
    }
    let progress = Progress::new();
    let total = plan.warmups + plan.runs;
    let mut samples = vec![Vec::with_capacity(plan.runs); contenders.len()];
    for round in 0..total {
        for (c, s) in contenders.iter_mut().zip(&mut samples) {
            let label = if round < plan.warmups {
                format!(
                    "[{}] {} {} warm-up {}/{}",
                    bench.group,
                    bench.name,
                    c.runtime,
                    round + 1,
                    plan.warmups
                )
            } else {
                format!(
                    "[{}] {} {} run {}/{}",
                    bench.group,
                    bench.name,
                    c.runtime,
                    round - plan.warmups + 1,
                    plan.runs
                )
            };
            progress.show(&label);
            watchdog::arm(&label);
            let v = (c.run)();
            watchdog::disarm();
            if round >= plan.warmups {
                s.push(v);
            }
        }
    }
    progress.done();
    let mut out = Vec::new();
    // Baselines (no runtime: a hand-written loop) are reported beside the table.
    for (c, s) in contenders.iter().zip(&mut samples) {
        if c.runtime == BASELINE {
            out.push(Measurement {
                bench,
                runtime: BASELINE,
                result: Ok(Stats::of(std::mem::take(s))),
            });
        }
    }
    for flavour in FLAVOURS {
        let result = match contenders.iter().position(|c| c.runtime == flavour) {
            Some(i) => Ok(Stats::of(std::mem::take(&mut samples[i]))),
            None => Err(bench.needs.missing(flavour)),
        };
        out.push(Measurement {
            bench,
            runtime: flavour,
            result,
        });
    }
    out
}

/// `CORIO_BENCH_ONLY=BENCH[/RUNTIME]` (e.g. `tcp_ping_pong/corio-ct`): run that benchmark
/// only, for that runtime only if one is named. A probe for `perf` and `strace`; its tables
/// miss the rest.
fn only() -> Option<(String, Option<String>)> {
    let spec = std::env::var("CORIO_BENCH_ONLY").ok()?;
    Some(match spec.split_once('/') {
        Some((name, runtime)) => (name.to_owned(), Some(runtime.to_owned())),
        None => (spec, None),
    })
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// The progress line on stderr: rewritten in place on a terminal, one line per sample
/// otherwise.
struct Progress {
    tty: bool,
}

impl Progress {
    fn new() -> Progress {
        Progress {
            tty: std::io::stderr().is_terminal(),
        }
    }

    fn show(&self, line: &str) {
        if cfg!(test) {
            return;
        }
        let mut err = std::io::stderr().lock();
        if self.tty {
            let _ = write!(err, "\r\x1b[2K{line}");
        } else {
            let _ = writeln!(err, "{line}");
        }
        let _ = err.flush();
    }

    fn done(&self) {
        if self.tty {
            let _ = write!(std::io::stderr(), "\r\x1b[2K");
        }
    }
}

/// Aborts the process when a sample hangs: a deadlocked workload must not hold the machine.
mod watchdog {
    use super::*;

    /// Milliseconds since `EPOCH` at which the running sample started; 0 when none runs.
    static STARTED_MS: AtomicU64 = AtomicU64::new(0);
    static LABEL: Mutex<String> = Mutex::new(String::new());
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

    fn now_ms() -> u64 {
        EPOCH.get_or_init(Instant::now).elapsed().as_millis() as u64 + 1
    }

    pub(super) fn arm(label: &str) {
        static THREAD: std::sync::Once = std::sync::Once::new();
        THREAD.call_once(|| {
            std::thread::Builder::new()
                .name("bench-watchdog".into())
                .spawn(watch)
                .expect("spawn the watchdog");
        });
        label.clone_into(&mut LABEL.lock().unwrap_or_else(|e| e.into_inner()));
        STARTED_MS.store(now_ms(), Ordering::Release);
    }

    pub(super) fn disarm() {
        STARTED_MS.store(0, Ordering::Release);
    }

    fn watch() {
        loop {
            std::thread::sleep(Duration::from_secs(1));
            let started = STARTED_MS.load(Ordering::Acquire);
            if started != 0 && now_ms().saturating_sub(started) > SAMPLE_LIMIT.as_millis() as u64 {
                let label = LABEL.lock().unwrap_or_else(|e| e.into_inner()).clone();
                eprintln!(
                    "\ncorio-bench: {label} has run for more than {} s; aborting",
                    SAMPLE_LIMIT.as_secs()
                );
                std::process::exit(3);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bench(unit: Unit) -> Bench {
        Bench {
            group: "g",
            name: "x",
            unit,
            needs: Needs::Spawn,
            about: "",
        }
    }

    #[test]
    fn samples_are_interleaved_and_summarised() {
        let order = std::cell::RefCell::new(Vec::new());
        let contenders = vec![
            Contender::new("tokio-ct", || {
                order.borrow_mut().push('a');
                Duration::from_nanos(40)
            }),
            Contender::new("smol-ct", || {
                order.borrow_mut().push('b');
                Duration::from_nanos(80)
            }),
        ];
        let m = compare(
            bench(Unit::PerOp(4)),
            Plan {
                warmups: 1,
                runs: 3,
            },
            contenders,
        );
        assert_eq!(order.into_inner(), "abababab".chars().collect::<Vec<_>>());
        let of = |rt: &str| m.iter().find(|m| m.runtime == rt).unwrap();
        assert_eq!(of("tokio-ct").result.unwrap().median, 40.0);
        assert_eq!(of("smol-ct").per_op(), Some(20.0));
        assert_eq!(of("smol-ct").result.unwrap().runs, 3);
    }

    #[test]
    fn every_flavour_gets_a_row_and_the_missing_ones_say_why() {
        let m = compare(
            bench(Unit::PerRun),
            Plan {
                warmups: 0,
                runs: 1,
            },
            vec![Contender::new("tokio-mt", || Duration::from_nanos(5))],
        );
        assert_eq!(m.len(), FLAVOURS.len());
        let corio = m.iter().find(|m| m.runtime == "corio-ct").unwrap();
        assert_eq!(corio.result, Err(Needs::Spawn.missing("corio-ct")));
        assert_eq!(corio.per_op(), None);
    }

    #[test]
    fn stats_of_samples() {
        let s = Stats::of(vec![10.0, 1.0, 4.0, 2.0]);
        assert_eq!(
            s,
            Stats {
                median: 3.0,
                min: 1.0,
                max: 10.0,
                runs: 4
            }
        );
        assert_eq!(Stats::of(vec![7.0]).median, 7.0);
    }

    #[test]
    fn bytes_are_reported_as_is() {
        let m = compare(
            bench(Unit::Bytes("task")),
            Plan {
                warmups: 0,
                runs: 3,
            },
            vec![Contender::new("smol-mt", || Bytes(100.0))],
        );
        let smol = m.iter().find(|m| m.runtime == "smol-mt").unwrap();
        assert_eq!(smol.per_op(), Some(100.0));
    }
}
