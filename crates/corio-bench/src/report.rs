//! The results as people read them (a markdown table per group: medians with min–max, and
//! corio's ratio to each peer) and as tools read them (`results.json`).

use std::fmt::Write as _;

use crate::measure::{BASELINE, Measurement, Stats, Unit};
use crate::rt::{FLAVOURS, Needs};

/// The peers, in column order; each is compared with corio of the same flavour.
const PEERS: [&str; 4] = ["tokio-mt", "tokio-ct", "smol-mt", "smol-ct"];

/// The groups present in `results`, in order of first appearance.
pub(crate) fn groups(results: &[Measurement]) -> Vec<&'static str> {
    let mut groups: Vec<&'static str> = Vec::new();
    for m in results {
        if !groups.contains(&m.bench.group) {
            groups.push(m.bench.group);
        }
    }
    groups
}

/// The benchmarks of `group`, in order of first appearance.
pub(crate) fn benches<'a>(results: &'a [Measurement], group: &str) -> Vec<&'a Measurement> {
    let mut benches: Vec<&Measurement> = Vec::new();
    for m in results.iter().filter(|m| m.bench.group == group) {
        if !benches.iter().any(|b| b.bench.name == m.bench.name) {
            benches.push(m);
        }
    }
    benches
}

/// `peer / corio` of the same flavour (`-ct` with `-ct`), on the per-op medians: above 1
/// means corio is faster (or, for memory, smaller). `None` if either side has no number.
pub(crate) fn ratio(results: &[Measurement], group: &str, bench: &str, peer: &str) -> Option<f64> {
    let flavour = peer.rsplit_once('-')?.1;
    let corio = format!("corio-{flavour}");
    let of = |rt: &str| {
        results
            .iter()
            .find(|m| m.bench.group == group && m.bench.name == bench && m.runtime == rt)
            .and_then(Measurement::per_op)
    };
    Some(of(peer)? / of(&corio)?)
}

/// One markdown table per group, with notes on what each benchmark does and why a cell is
/// `n/a`.
pub(crate) fn markdown(results: &[Measurement]) -> String {
    let mut out = String::new();
    for group in groups(results) {
        let _ = writeln!(out, "### {group}\n");
        out.push_str("| bench | measure |");
        for r in FLAVOURS {
            let _ = write!(out, " {r} |");
        }
        for p in PEERS {
            let _ = write!(out, " corio vs {p} |");
        }
        out.push_str("\n|---|---|");
        for _ in 0..FLAVOURS.len() + PEERS.len() {
            out.push_str("---:|");
        }
        out.push('\n');
        let benches = benches(results, group);
        for b in &benches {
            let bench = b.bench;
            let _ = write!(out, "| {} | {} |", bench.name, measure(bench.unit));
            for r in FLAVOURS {
                let m = results.iter().find(|m| {
                    m.bench.group == group && m.bench.name == bench.name && m.runtime == r
                });
                let cell = match m.map(|m| &m.result) {
                    Some(Ok(stats)) => cell(bench.unit, stats),
                    Some(Err(_)) if bench.needs == Needs::CorioInternal => "—".to_string(),
                    Some(Err(_)) | None => "n/a".to_string(),
                };
                let _ = write!(out, " {cell} |");
            }
            for p in PEERS {
                match ratio(results, group, bench.name, p) {
                    Some(r) => {
                        let _ = write!(out, " {r:.2}x |");
                    }
                    None => out.push_str(" n/a |"),
                }
            }
            out.push('\n');
        }
        out.push('\n');
        for b in &benches {
            let _ = writeln!(out, "- `{}`: {}", b.bench.name, b.bench.about);
        }
        for line in missing_notes(results, group) {
            let _ = writeln!(out, "- {line}");
        }
        for line in baseline_notes(results, group) {
            let _ = writeln!(out, "- {line}");
        }
        out.push('\n');
    }
    out
}

/// "n/a for corio-ct in a, b: reason" lines, one per (runtime, reason).
fn missing_notes(results: &[Measurement], group: &str) -> Vec<String> {
    let mut notes: Vec<(&str, &str, Vec<&str>)> = Vec::new();
    for m in results.iter().filter(|m| m.bench.group == group) {
        if let Err(why) = m.result {
            if m.bench.needs == Needs::CorioInternal {
                continue;
            }
            match notes
                .iter_mut()
                .find(|(rt, w, _)| *rt == m.runtime && *w == why)
            {
                Some((_, _, benches)) => benches.push(m.bench.name),
                None => notes.push((m.runtime, why, vec![m.bench.name])),
            }
        }
    }
    notes
        .into_iter()
        .map(|(rt, why, benches)| {
            let all = benches.len() == benches_in(results, group);
            let which = if all {
                "every bench".to_string()
            } else {
                benches
                    .iter()
                    .map(|b| format!("`{b}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            format!("n/a for {rt} ({which}): {why}.")
        })
        .collect()
}

/// For each bench with a hand-written baseline: its median per op and how much more each
/// runtime takes.
fn baseline_notes(results: &[Measurement], group: &str) -> Vec<String> {
    let per_op = |bench: &str, rt: &str| {
        results
            .iter()
            .find(|m| m.bench.group == group && m.bench.name == bench && m.runtime == rt)
            .and_then(Measurement::per_op)
    };
    results
        .iter()
        .filter(|m| m.bench.group == group && m.runtime == BASELINE)
        .filter_map(|m| {
            let base = m.per_op()?;
            let excess: Vec<String> = FLAVOURS
                .iter()
                .filter_map(|rt| {
                    let sign = |d: f64| if d < 0.0 { "-" } else { "+" };
                    per_op(m.bench.name, rt)
                        .map(|v| format!("{rt} {}{}", sign(v - base), human_ns((v - base).abs())))
                })
                .collect();
            Some(format!(
                "`{}`, hand-written {BASELINE} loop (one thread, no runtime): {} per op; each \
                 runtime's excess: {}.",
                m.bench.name,
                human_ns(base),
                excess.join(", ")
            ))
        })
        .collect()
}

fn benches_in(results: &[Measurement], group: &str) -> usize {
    benches(results, group).len()
}

/// The column that says what a number is.
fn measure(unit: Unit) -> &'static str {
    match unit {
        Unit::PerOp(_) => "time/op",
        Unit::PerRun => "time/run",
        Unit::Bytes(per) => match per {
            "task" => "bytes/task",
            "connection" => "bytes/connection",
            _ => "bytes",
        },
    }
}

/// `median (min–max)`, per operation where the unit says so.
fn cell(unit: Unit, s: &Stats) -> String {
    match unit {
        Unit::PerOp(ops) => {
            let per = |v: f64| v / ops as f64;
            format!(
                "{} ({}–{})",
                human_ns(per(s.median)),
                human_ns(per(s.min)),
                human_ns(per(s.max))
            )
        }
        Unit::PerRun => format!(
            "{} ({}–{})",
            human_ns(s.median),
            human_ns(s.min),
            human_ns(s.max)
        ),
        Unit::Bytes(_) => format!("{:.0} B ({:.0}–{:.0})", s.median, s.min, s.max),
    }
}

/// A duration in nanoseconds, in the unit that reads best.
pub(crate) fn human_ns(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.1} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.2} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

/// An array of objects, one per benchmark and runtime column. Every object has `group`,
/// `bench`, `runtime` and `available`. Measured time benchmarks add `median_ns`, `min_ns`,
/// `max_ns`, `runs`, and — for throughput benchmarks — `ops` and `per_op_ns`; memory
/// benchmarks add `bytes` (the median), `min_bytes`, `max_bytes`, `runs` and `per`. A
/// runtime without a number has `"available": false` and the `reason`.
pub(crate) fn json(results: &[Measurement]) -> String {
    let mut out = String::from("[\n");
    for (i, m) in results.iter().enumerate() {
        let _ = write!(
            out,
            "  {{\"group\": {}, \"bench\": {}, \"runtime\": {}, ",
            quote(m.bench.group),
            quote(m.bench.name),
            quote(m.runtime)
        );
        match (&m.result, m.bench.unit) {
            (Err(why), _) => {
                let _ = write!(out, "\"available\": false, \"reason\": {}}}", quote(why));
            }
            (Ok(s), Unit::Bytes(per)) => {
                let _ = write!(
                    out,
                    "\"available\": true, \"bytes\": {:.1}, \"min_bytes\": {:.1}, \"max_bytes\": {:.1}, \
                     \"runs\": {}, \"per\": {}}}",
                    s.median,
                    s.min,
                    s.max,
                    s.runs,
                    quote(per)
                );
            }
            (Ok(s), unit) => {
                let _ = write!(
                    out,
                    "\"available\": true, \"median_ns\": {:.1}, \"min_ns\": {:.1}, \"max_ns\": {:.1}, \"runs\": {}",
                    s.median, s.min, s.max, s.runs
                );
                if let Unit::PerOp(ops) = unit {
                    let _ = write!(
                        out,
                        ", \"ops\": {ops}, \"per_op_ns\": {:.3}",
                        s.median / ops as f64
                    );
                }
                out.push('}');
            }
        }
        out.push_str(if i + 1 < results.len() { ",\n" } else { "\n" });
    }
    out.push_str("]\n");
    out
}

/// `s` as a JSON string.
pub(crate) fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(q, "\\u{:04x}", c as u32);
            }
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::measure::Bench;

    pub(crate) fn m(
        bench: &'static str,
        unit: Unit,
        runtime: &'static str,
        median: Option<f64>,
    ) -> Measurement {
        let needs = if bench.starts_with("wheel") {
            Needs::CorioInternal
        } else {
            Needs::Spawn
        };
        Measurement {
            bench: Bench {
                group: "timer",
                name: bench,
                unit,
                needs,
                about: "about it",
            },
            runtime,
            result: median
                .map(|v| Stats {
                    median: v,
                    min: v / 2.0,
                    max: v * 2.0,
                    runs: 3,
                })
                .ok_or(needs.missing(runtime)),
        }
    }

    /// Every flavour for `bench`, with the given medians (missing = n/a).
    pub(crate) fn row(
        bench: &'static str,
        unit: Unit,
        medians: &[(&'static str, f64)],
    ) -> Vec<Measurement> {
        FLAVOURS
            .iter()
            .map(|rt| {
                m(
                    bench,
                    unit,
                    rt,
                    medians.iter().find(|(r, _)| r == rt).map(|(_, v)| *v),
                )
            })
            .collect()
    }

    #[test]
    fn ratio_is_peer_over_corio_of_the_same_flavour() {
        let results = row(
            "b",
            Unit::PerOp(10),
            &[
                ("corio-ct", 100.0),
                ("tokio-ct", 250.0),
                ("smol-ct", 50.0),
                ("tokio-mt", 10.0),
            ],
        );
        let table = markdown(&results);
        // tokio-mt and smol-mt have no corio-mt to compare with; smol-mt has no number.
        assert!(table.contains("| n/a | 2.50x | n/a | 0.50x |"), "{table}");
        assert!(table.contains("10.0 ns (5.0 ns–20.0 ns)"), "{table}");
        assert_eq!(ratio(&results, "timer", "b", "tokio-ct"), Some(2.5));
        assert_eq!(ratio(&results, "timer", "b", "tokio-mt"), None);
    }

    #[test]
    fn missing_numbers_are_rows_with_n_a_and_a_reason() {
        let mut results = row(
            "spawn_many",
            Unit::PerOp(1),
            &[("tokio-ct", 5.0), ("smol-ct", 6.0)],
        );
        results.extend(row("wheel_x", Unit::PerOp(1), &[("corio-ct", 5.0)]));
        let table = markdown(&results);
        let spawn_row = table
            .lines()
            .find(|l| l.starts_with("| spawn_many |"))
            .unwrap();
        assert!(
            spawn_row.starts_with("| spawn_many | time/op | n/a | n/a | n/a |"),
            "{spawn_row}"
        );
        let wheel_row = table
            .lines()
            .find(|l| l.starts_with("| wheel_x |"))
            .unwrap();
        assert!(wheel_row.contains("| — |"), "{wheel_row}");
        assert!(
            table.contains("n/a for corio-ct (`spawn_many`): not registered for this runtime."),
            "{table}"
        );
        assert!(table.contains("- `spawn_many`: about it"), "{table}");
    }

    #[test]
    fn bytes_show_as_bytes_and_ratio_on_bytes() {
        let results = row(
            "idle",
            Unit::Bytes("task"),
            &[("corio-ct", 64.0), ("tokio-ct", 128.0)],
        );
        let table = markdown(&results);
        assert!(table.contains("| idle | bytes/task |"), "{table}");
        assert!(table.contains("128 B (64–256)"), "{table}");
        assert!(table.contains("| 2.00x |"), "{table}");
    }

    #[test]
    fn json_has_the_documented_fields() {
        let mut results = row("b", Unit::PerOp(10), &[("corio-ct", 100.0)]);
        results.extend(row("idle", Unit::Bytes("task"), &[("tokio-mt", 96.0)]));
        results.extend(row("overhead", Unit::PerRun, &[("smol-ct", 7.0)]));
        let j = json(&results);
        for field in [
            "{\"group\": \"timer\", \"bench\": \"b\", \"runtime\": \"corio-ct\", \"available\": true, \
             \"median_ns\": 100.0, \"min_ns\": 50.0, \"max_ns\": 200.0, \"runs\": 3, \"ops\": 10, \
             \"per_op_ns\": 10.000}",
            "\"runtime\": \"tokio-mt\", \"available\": true, \"bytes\": 96.0, \"min_bytes\": 48.0, \
             \"max_bytes\": 192.0, \"runs\": 3, \"per\": \"task\"}",
            "\"bench\": \"overhead\", \"runtime\": \"smol-ct\", \"available\": true, \"median_ns\": 7.0, \
             \"min_ns\": 3.5, \"max_ns\": 14.0, \"runs\": 3}",
            "\"runtime\": \"corio-mt\", \"available\": false, \"reason\": \"not registered for this runtime\"}",
        ] {
            assert!(j.contains(field), "{field} missing in {j}");
        }
        assert_eq!(j.matches("\"group\"").count(), 18);
        assert!(j.starts_with("[\n") && j.ends_with("}\n]\n"));
    }

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
    }
}
