//! The results as people read them (a markdown table: per-op medians and corio's ratio to
//! each peer) and as tools read them (`results.json`).

use std::fmt::Write as _;

use crate::measure::Measurement;

/// Renders one markdown table per group. Ratios are `peer median / corio median` of the
/// same flavour (`-ct` against `-ct`), so above 1 means corio is faster.
pub(crate) fn markdown(results: &[Measurement]) -> String {
    let mut out = String::new();
    let mut groups: Vec<&str> = results.iter().map(|m| m.group).collect();
    groups.dedup();
    for group in groups {
        let rows: Vec<&Measurement> = results.iter().filter(|m| m.group == group).collect();
        let mut runtimes: Vec<&str> = Vec::new();
        for m in &rows {
            if !runtimes.contains(&m.runtime) {
                runtimes.push(m.runtime);
            }
        }
        let peers: Vec<&str> = runtimes
            .iter()
            .copied()
            .filter(|r| !r.starts_with("corio"))
            .collect();
        let _ = writeln!(out, "### {group}\n");
        let _ = write!(out, "| bench (time per op, median [min–max]) |");
        for r in &runtimes {
            let _ = write!(out, " {r} |");
        }
        for p in &peers {
            let _ = write!(out, " corio vs {p} |");
        }
        let _ = write!(out, "\n|---|");
        for _ in 0..runtimes.len() + peers.len() {
            let _ = write!(out, "---:|");
        }
        out.push('\n');
        let mut benches: Vec<&str> = rows.iter().map(|m| m.bench).collect();
        benches.dedup();
        for bench in benches {
            let of = |rt: &str| rows.iter().find(|m| m.bench == bench && m.runtime == rt);
            let _ = write!(out, "| {bench} |");
            for r in &runtimes {
                match of(r) {
                    Some(m) => {
                        let (lo, hi) = (m.min_ns / m.iters as f64, m.max_ns / m.iters as f64);
                        let _ = write!(
                            out,
                            " {} [{}–{}] |",
                            human(m.per_op_ns()),
                            human(lo),
                            human(hi)
                        );
                    }
                    None => out.push_str(" – |"),
                }
            }
            for p in &peers {
                let corio = p
                    .rsplit_once('-')
                    .and_then(|(_, flavour)| of(&format!("corio-{flavour}")));
                match (corio, of(p)) {
                    (Some(c), Some(peer)) => {
                        let _ = write!(out, " {:.2}x |", peer.median_ns / c.median_ns);
                    }
                    _ => out.push_str(" – |"),
                }
            }
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

/// A duration in nanoseconds, in the unit that reads best.
fn human(ns: f64) -> String {
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

/// An array of objects with `group`, `bench`, `runtime`, `median_ns`, `min_ns`, `max_ns`,
/// `runs`, `iters` and `per_op_ns`.
pub(crate) fn json(results: &[Measurement]) -> String {
    let mut out = String::from("[\n");
    for (i, m) in results.iter().enumerate() {
        let _ = write!(
            out,
            "  {{\"group\": \"{}\", \"bench\": \"{}\", \"runtime\": \"{}\", \"median_ns\": {:.1}, \
             \"min_ns\": {:.1}, \"max_ns\": {:.1}, \"runs\": {}, \"iters\": {}, \"per_op_ns\": {:.3}}}",
            m.group,
            m.bench,
            m.runtime,
            m.median_ns,
            m.min_ns,
            m.max_ns,
            m.runs,
            m.iters,
            m.per_op_ns()
        );
        out.push_str(if i + 1 < results.len() { ",\n" } else { "\n" });
    }
    out.push(']');
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(runtime: &'static str, median_ns: f64) -> Measurement {
        Measurement {
            group: "timer",
            bench: "b",
            runtime,
            iters: 10,
            median_ns,
            min_ns: median_ns,
            max_ns: median_ns,
            runs: 3,
        }
    }

    #[test]
    fn ratio_is_peer_over_corio_of_the_same_flavour() {
        let table = markdown(&[
            m("corio-ct", 100.0),
            m("tokio-ct", 250.0),
            m("smol-ct", 50.0),
        ]);
        assert!(table.contains("| 2.50x | 0.50x |"), "{table}");
        assert!(table.contains("10.0 ns [10.0 ns–10.0 ns]"), "{table}");
    }

    #[test]
    fn json_has_the_documented_fields() {
        let j = json(&[m("corio-ct", 100.0)]);
        for field in [
            "\"group\": \"timer\"",
            "\"runtime\": \"corio-ct\"",
            "\"median_ns\": 100.0",
            "\"per_op_ns\": 10.000",
            "\"runs\": 3",
        ] {
            assert!(j.contains(field), "{field} missing in {j}");
        }
    }
}
