//! corio's project commands, run as `cargo xtask <command>`.
//!
//! - `cargo xtask ci` — every check CI runs, in order, each step named as it starts; the first
//!   failing step stops the run with its output on the terminal and a non-zero exit code.
//! - `cargo xtask bench [ARGS…]` — the cross-runtime benchmarks (corio vs tokio vs smol).

use std::process::{Command, ExitCode};
use std::time::Instant;

/// One named step of `cargo xtask ci`.
struct Step {
    name: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
}

const CI_STEPS: &[Step] = &[
    Step {
        name: "rustfmt",
        args: &["fmt", "--all", "--", "--check"],
        env: &[],
    },
    Step {
        name: "clippy",
        args: &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
    Step {
        name: "build",
        args: &["build", "--workspace", "--all-targets", "--all-features"],
        env: &[],
    },
    Step {
        name: "test (unit, integration, doc)",
        args: &["test", "--workspace", "--all-features"],
        env: &[],
    },
    Step {
        name: "rustdoc",
        args: &["doc", "--workspace", "--no-deps", "--all-features"],
        env: &[("RUSTDOCFLAGS", "-D warnings")],
    },
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("bench") => bench(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask <ci | bench [ARGS…]>");
            eprintln!("  ci     rustfmt, clippy, build, tests and rustdoc — what CI runs");
            eprintln!("  bench  corio side by side with tokio and smol (see docs/benchmarks.md)");
            ExitCode::from(2)
        }
    }
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn ci() -> ExitCode {
    let started = Instant::now();
    let total = CI_STEPS.len();
    for (i, step) in CI_STEPS.iter().enumerate() {
        println!(
            "\n==> [{}/{total}] {}: cargo {}",
            i + 1,
            step.name,
            step.args.join(" ")
        );
        let step_started = Instant::now();
        let status = cargo()
            .args(step.args)
            .envs(step.env.iter().copied())
            .status();
        let elapsed = step_started.elapsed().as_secs_f64();
        match status {
            Ok(s) if s.success() => println!("==> {} passed in {elapsed:.1} s", step.name),
            Ok(s) => {
                eprintln!("==> FAILED: {} ({s}) after {elapsed:.1} s", step.name);
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("==> FAILED: {}: could not run cargo: {e}", step.name);
                return ExitCode::FAILURE;
            }
        }
    }
    println!(
        "\n==> all {total} CI steps passed in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    ExitCode::SUCCESS
}

fn bench(args: &[String]) -> ExitCode {
    let status = cargo()
        .args(["run", "--release", "--package", "corio-bench", "--"])
        .args(args)
        .status();
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("could not run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}
