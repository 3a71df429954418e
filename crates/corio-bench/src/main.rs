//! `cargo xtask bench [GROUP…] [--quick]`: corio side by side with tokio and smol.
//!
//! Every benchmark runs each runtime on the same workload, interleaved, and reports medians
//! with min–max and corio's ratio to each peer (above 1 means corio is faster). Results go
//! to stdout, `target/corio-bench/report.md`, `target/corio-bench/results.json` and one
//! `target/corio-bench/<group>.svg` chart per group.

mod baseline;
mod groups;
mod join;
mod latch;
mod measure;
mod report;
mod rt;
mod svg;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use groups::GROUPS;
use measure::Plan;

/// `--quick`: every group in well under 4 minutes on a 2-core machine.
const QUICK: Plan = Plan {
    warmups: 1,
    runs: 3,
};
const FULL: Plan = Plan {
    warmups: 2,
    runs: 15,
};

fn usage() -> String {
    format!(
        "usage: cargo xtask bench [GROUP…] [--quick] [--runs N]\n\
         \n\
         Runs corio, tokio (multi- and current-thread) and smol (executor on every core, and on\n\
         the calling thread) on the same workloads, interleaved, and writes\n\
         target/corio-bench/report.md, results.json and <group>.svg.\n\
         \n\
         groups (default: all): {}\n\
         --quick    {} warm-up + {} runs per runtime and benchmark (default: {} + {})\n\
         --runs N   N runs per runtime and benchmark (after the warm-up)\n\
         \n\
         CORIO_BENCH_ONLY=BENCH[/RUNTIME] runs one benchmark (one runtime), e.g. under strace.",
        group_names(),
        QUICK.warmups,
        QUICK.runs,
        FULL.warmups,
        FULL.runs
    )
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        // A measurement that needs a fresh process (see groups::executor).
        let child = match args.get(1).map(String::as_str) {
            Some("echo_server" | "echo_load") => groups::net::child(&args[1..]),
            _ => groups::executor::child(&args[1..]),
        };
        return match child {
            Some(v) => {
                println!("{v}");
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("corio-bench: bad --child arguments: {:?}", &args[1..]);
                ExitCode::from(2)
            }
        };
    }

    let mut plan = FULL;
    let mut runs = None;
    let mut selected: Vec<&str> = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => plan = QUICK,
            "--runs" => match it.next().and_then(|n| n.parse::<usize>().ok()) {
                Some(n) if n > 0 => runs = Some(n),
                _ => {
                    eprintln!("--runs needs a positive number\n\n{}", usage());
                    return ExitCode::from(2);
                }
            },
            "-h" | "--help" => {
                println!("{}", usage());
                return ExitCode::SUCCESS;
            }
            name if GROUPS.iter().any(|(g, _)| *g == name) => selected.push(name),
            other => {
                eprintln!("unknown argument `{other}`\n\n{}", usage());
                return ExitCode::from(2);
            }
        }
    }
    if let Some(n) = runs {
        plan.runs = n;
    }

    let started = Instant::now();
    let mut results = Vec::new();
    for (name, run) in GROUPS {
        if selected.is_empty() || selected.contains(name) {
            let group_started = Instant::now();
            eprintln!(
                "== {name}: {} warm-up + {} runs per runtime, interleaved",
                plan.warmups, plan.runs
            );
            results.extend(run(plan));
            eprintln!(
                "== {name} done in {:.1} s",
                group_started.elapsed().as_secs_f64()
            );
        }
    }

    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let header = format!(
        "Each runtime: {} warm-up + {} runs per benchmark, interleaved; {cores} cores; {:.0} s in total.\n\
         Cells: median (min–max). `corio vs X` = X's median / corio's median of the same flavour: \
         above 1 means corio is faster (or smaller). `n/a`: the runtime cannot run the workload yet \
         (see the notes); `—`: not a workload for that runtime.\n\n",
        plan.warmups,
        plan.runs,
        started.elapsed().as_secs_f64()
    );
    let table = format!("{header}{}", report::markdown(&results));
    println!("{table}");

    let dir = output_dir();
    let mut files = vec![
        ("report.md".to_string(), table),
        ("results.json".to_string(), report::json(&results)),
    ];
    for group in report::groups(&results) {
        files.push((format!("{group}.svg"), svg::chart(&results, group)));
    }
    let written = std::fs::create_dir_all(&dir).and_then(|()| {
        let dir = dir.canonicalize().unwrap_or_else(|_| dir.clone());
        files
            .iter()
            .try_for_each(|(name, text)| std::fs::write(dir.join(name), text))
            .map(|()| dir)
    });
    match written {
        Ok(dir) => {
            let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
            eprintln!("wrote {}: {}", dir.display(), names.join(", "));
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
