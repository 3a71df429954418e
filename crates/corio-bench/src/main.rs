//! `cargo xtask bench [GROUP…] [--quick]`: corio side by side with tokio and smol.
//!
//! Every benchmark runs each runtime on the same workload, interleaved, and reports medians
//! and corio's ratio to each peer (above 1 means corio is faster). Results go to stdout,
//! `target/corio-bench/report.md` and `target/corio-bench/results.json`.

mod join;
mod measure;
mod net;
mod report;
mod timer;

use std::path::PathBuf;
use std::process::ExitCode;

use measure::{Measurement, Plan};

/// Runs every benchmark of one group.
type Group = fn(Plan) -> Vec<Measurement>;

/// The benchmark groups, in the order they run.
const GROUPS: &[(&str, Group)] = &[("timer", timer::run), ("net", net::run)];

fn main() -> ExitCode {
    let mut quick = false;
    let mut selected = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--quick" => quick = true,
            "-h" | "--help" => {
                println!("usage: cargo xtask bench [GROUP…] [--quick]");
                println!("groups: {}", group_names());
                return ExitCode::SUCCESS;
            }
            name if GROUPS.iter().any(|(g, _)| *g == name) => selected.push(arg),
            other => {
                eprintln!(
                    "unknown benchmark group `{other}`; groups: {}",
                    group_names()
                );
                return ExitCode::from(2);
            }
        }
    }
    let plan = if quick {
        Plan {
            warmups: 1,
            runs: 5,
        }
    } else {
        Plan {
            warmups: 2,
            runs: 15,
        }
    };
    let mut results = Vec::new();
    for (name, run) in GROUPS {
        if selected.is_empty() || selected.iter().any(|s| s == name) {
            eprintln!("running group {name} ({} runs each)…", plan.runs);
            results.extend(run(plan));
        }
    }

    let table = report::markdown(&results);
    println!("{table}");
    let dir = output_dir();
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join("report.md"), &table))
        .and_then(|()| std::fs::write(dir.join("results.json"), report::json(&results)));
    match written {
        Ok(()) => {
            eprintln!("wrote {}/report.md and results.json", dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("could not write results to {}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}

fn group_names() -> String {
    GROUPS
        .iter()
        .map(|(g, _)| *g)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `target/corio-bench` of the workspace (or of `CARGO_TARGET_DIR`).
fn output_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"))
        .join("corio-bench")
}
