//! corio's project commands, run as `cargo xtask <command>`.
//!
//! - `cargo xtask ci` — every check CI runs, in order, each step named as it starts; the first
//!   failing step stops the run with its output on the terminal and a non-zero exit code.
//!   It starts by installing the programs the real-peer tests talk to
//!   (`scripts/install-test-peers.sh`); that step never fails the run, as those tests skip
//!   when their peer is missing. Then it checks that every public item has an example in its
//!   doc comment ([`doc_examples`]), before the cargo steps.
//! - `cargo xtask bench [GROUP…] [--quick]` — the cross-runtime benchmarks (corio vs tokio vs
//!   smol); `cargo xtask bench --help` for the groups and options.
//! - `cargo xtask doc-examples` — that check alone.
//! - `cargo xtask loom [TEST-ARGS…]` — the loom models of corio-executor's sleep/wake protocols
//!   and corio-sync's permit core, built with `--cfg corio_loom` in a target directory of
//!   their own.

mod doc_examples;

use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::Instant;

/// One named step of `cargo xtask ci`.
struct Step {
    name: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    /// A build of its own, with other compiler flags.
    own_build: Option<OwnBuild>,
}

/// Compiler flags for a step, and where its build goes so that the flags do not invalidate
/// the other steps' builds.
struct OwnBuild {
    /// Added to `RUSTFLAGS`.
    rustflags: &'static str,
    /// A subdirectory of the target directory.
    target_subdir: &'static str,
}

impl OwnBuild {
    fn apply(&self, cmd: &mut Command) {
        let mut rustflags = std::env::var_os("RUSTFLAGS").unwrap_or_default();
        if !rustflags.is_empty() {
            rustflags.push(" ");
        }
        rustflags.push(self.rustflags);
        cmd.env("RUSTFLAGS", rustflags)
            .env("CARGO_TARGET_DIR", target_dir().join(self.target_subdir));
    }
}

/// `cargo test` arguments of corio-executor's loom models: the release `--lib` tests named
/// `loom_tests` (one such module next to each protocol, under `#[cfg(all(test, corio_loom))]`).
const LOOM_EXECUTOR_ARGS: &[&str] = &[
    "test",
    "--package",
    "corio-executor",
    "--release",
    "--lib",
    "loom_tests",
];
/// corio-sync's loom models: `tests/loom.rs`, which compiles the permit core with loom's types.
const LOOM_SYNC_ARGS: &[&str] = &[
    "test",
    "--package",
    "corio-sync",
    "--release",
    "--test",
    "loom",
];
const LOOM_RUNS: [&[&str]; 2] = [LOOM_EXECUTOR_ARGS, LOOM_SYNC_ARGS];
/// The loom build: `--cfg corio_loom` swaps in loom's primitives (corio-executor's
/// `src/sync.rs`), in `loom` under the target directory.
const LOOM_BUILD: OwnBuild = OwnBuild {
    rustflags: "--cfg corio_loom",
    target_subdir: "loom",
};

/// The script that installs the real peers some tests talk to (`redis-cli`,
/// `redis-benchmark`, `curl`, `wrk`), run as the first step of `cargo xtask ci`.
const PEERS_SCRIPT: &str = "scripts/install-test-peers.sh";
/// The programs it provides; the tests that need one print `SKIPPED` when it is missing.
const PEERS: &[&str] = &["redis-cli", "redis-benchmark", "curl", "wrk"];

const CI_STEPS: &[Step] = &[
    Step {
        name: "rustfmt",
        args: &["fmt", "--all", "--", "--check"],
        env: &[],
        own_build: None,
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
        own_build: None,
    },
    // Builds corio-bench too (a workspace member), so the benchmarks never rot; they are
    // only run by `cargo xtask bench`. The unit tests below cover the harness's logic.
    Step {
        name: "build (all crates and targets, incl. the corio-bench harness)",
        args: &["build", "--workspace", "--all-targets", "--all-features"],
        env: &[],
        own_build: None,
    },
    Step {
        name: "test (unit, integration, doc)",
        args: &["test", "--workspace", "--all-features"],
        env: &[],
        own_build: None,
    },
    // A build of its own (another cfg): about 30 s from cold on 2 cores, 3-4 s warm, of which
    // the models take ~3 s (see docs/architecture.md, "Loom models").
    Step {
        name: "loom models (corio-executor, --cfg corio_loom)",
        args: LOOM_EXECUTOR_ARGS,
        env: &[],
        own_build: Some(LOOM_BUILD),
    },
    Step {
        name: "loom models (corio-sync, --cfg corio_loom)",
        args: LOOM_SYNC_ARGS,
        env: &[],
        own_build: Some(LOOM_BUILD),
    },
    Step {
        name: "rustdoc",
        args: &["doc", "--workspace", "--no-deps", "--all-features"],
        env: &[("RUSTDOCFLAGS", "-D warnings")],
        own_build: None,
    },
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("bench") => bench(&args[1..]),
        Some("loom") => loom(&args[1..]),
        Some("doc-examples") => {
            if check_doc_examples(None) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        _ => {
            eprintln!("usage: cargo xtask <ci | bench [ARGS…] | loom [TEST-ARGS…] | doc-examples>");
            eprintln!(
                "  ci     rustfmt, clippy, build, tests, loom models and rustdoc — what CI runs"
            );
            eprintln!("  bench  corio side by side with tokio and smol (see docs/benchmarks.md)");
            eprintln!(
                "  loom   the loom models of the executor's protocols and the sync permit core"
            );
            eprintln!("  doc-examples  the public items whose doc comment has no code example");
            ExitCode::from(2)
        }
    }
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The target directory cargo uses here: `CARGO_TARGET_DIR`, or the workspace's `target`.
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")))
}

/// The steps `cargo xtask ci` runs before [`CI_STEPS`]: installing the test peers and
/// [`check_doc_examples`].
const OWN_STEPS: usize = 2;

fn ci() -> ExitCode {
    let started = Instant::now();
    let total = CI_STEPS.len() + OWN_STEPS;
    install_test_peers(total);
    if !check_doc_examples(Some(total)) {
        return ExitCode::FAILURE;
    }
    for (i, step) in CI_STEPS.iter().enumerate() {
        println!(
            "\n==> [{}/{total}] {}: cargo {}",
            i + 1 + OWN_STEPS,
            step.name,
            step.args.join(" ")
        );
        let step_started = Instant::now();
        let mut cmd = cargo();
        cmd.args(step.args).envs(step.env.iter().copied());
        if let Some(own) = &step.own_build {
            own.apply(&mut cmd);
        }
        let status = cmd.status();
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
    let missing: Vec<&str> = PEERS.iter().copied().filter(|p| !on_path(p)).collect();
    if !missing.is_empty() {
        println!(
            "==> note: {} not installed: the tests that talk to them were skipped ({PEERS_SCRIPT})",
            missing.join(", ")
        );
    }
    ExitCode::SUCCESS
}

/// The first step of `cargo xtask ci`: runs [`PEERS_SCRIPT`]. It never stops the run: the
/// script itself exits 0 when it cannot install (no apt-get, no root, no network), and any
/// other failure is reported as a warning, since the tests that need a peer skip without it.
fn install_test_peers(total: usize) {
    println!("\n==> [1/{total}] install test peers: bash {PEERS_SCRIPT}");
    let started = Instant::now();
    let script = workspace_root().join(PEERS_SCRIPT);
    let status = Command::new("bash").arg(&script).status();
    let elapsed = started.elapsed().as_secs_f64();
    match status {
        Ok(s) if s.success() => println!("==> install test peers done in {elapsed:.1} s"),
        Ok(s) => eprintln!(
            "==> WARNING: install test peers failed ({s}) after {elapsed:.1} s; going on, the \
             tests that need {} will skip",
            PEERS.join(" or ")
        ),
        Err(e) => eprintln!(
            "==> WARNING: could not run bash {}: {e}; going on, the tests that need {} will skip",
            script.display(),
            PEERS.join(" or ")
        ),
    }
}

/// The second step of `cargo xtask ci` (numbered when `total` is given), and
/// `cargo xtask doc-examples`: every public item of `crates/*/src` has a code example in its
/// doc comment. Lists each one that has none and returns `false` if any.
fn check_doc_examples(total: Option<usize>) -> bool {
    let number = total
        .map(|total| format!("[2/{total}] "))
        .unwrap_or_default();
    println!("\n==> {number}doc examples: a code example on every public item");
    let root = workspace_root();
    let missing = match doc_examples::check_workspace(&root.join("crates")) {
        Ok(missing) => missing,
        Err(e) => {
            eprintln!("==> FAILED: doc examples: could not read crates/: {e}");
            return false;
        }
    };
    if missing.is_empty() {
        println!("==> doc examples passed");
        return true;
    }
    for item in &missing {
        let file = item.file.strip_prefix(&root).unwrap_or(&item.file);
        eprintln!(
            "{}:{}: {} has no example",
            file.display(),
            item.line,
            item.item
        );
    }
    eprintln!(
        "==> FAILED: doc examples: {} public items without a code example in their doc \
         comment (add a ``` block that asserts what the item does)",
        missing.len()
    );
    false
}

/// Whether `program` is on the `PATH`.
fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
}

/// The workspace's root directory (this crate's parent).
fn workspace_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// Runs the loom models: `cargo test` of corio-executor's `loom_tests` and corio-sync's
/// `tests/loom.rs` in release, with
/// `--cfg corio_loom` added to RUSTFLAGS and a target directory of their own (`loom` under the
/// usual one). `args` go to the test binary (`--nocapture` shows each model's execution count).
/// `LOOM_MAX_PREEMPTIONS` overrides the models' preemption bound (3).
fn loom(args: &[String]) -> ExitCode {
    let started = Instant::now();
    for run in LOOM_RUNS {
        let mut cmd = cargo();
        cmd.args(run).arg("--").args(args);
        LOOM_BUILD.apply(&mut cmd);
        match cmd.status() {
            Ok(s) if s.success() => {}
            Ok(_) => return ExitCode::FAILURE,
            Err(e) => {
                eprintln!("could not run cargo: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!("==> loom models passed in {elapsed:.1} s");
    ExitCode::SUCCESS
}

/// The benchmark groups of corio-bench (`crates/corio-bench/src/groups/mod.rs`, checked by a
/// test), listed here so `--help` answers without building the release binary first.
const BENCH_GROUPS: &[&str] = &[
    "executor", "timer", "tasks", "sync", "channel", "net", "process", "fs", "http",
];

fn bench_help() -> String {
    format!(
        "usage: cargo xtask bench [GROUP…] [--quick] [--runs N]\n\
         \n\
         Builds corio-bench in release mode and runs corio, tokio (multi- and current-thread) and\n\
         smol (executor on every core / on the calling thread) on the same workloads, interleaved.\n\
         Writes a markdown table to stdout and target/corio-bench/report.md, the numbers to\n\
         target/corio-bench/results.json and a bar chart per group to target/corio-bench/<group>.svg.\n\
         \n\
         GROUP      one or more of: {} (default: all)\n\
         --quick    1 warm-up + 3 runs per runtime and benchmark (default: 2 + 15); all groups\n\
         \x20          in under 4 minutes on 2 cores\n\
         --runs N   N runs per runtime and benchmark after the warm-up\n\
         \n\
         CORIO_BENCH_ONLY=BENCH[/RUNTIME] runs one benchmark, for one runtime if named (e.g.\n\
         tcp_ping_pong/corio-ct): a probe to run under perf or strace.\n\
         \n\
         See docs/benchmarks.md.",
        BENCH_GROUPS.join(", ")
    )
}

fn bench(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{}", bench_help());
        return ExitCode::SUCCESS;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peers_script_is_there_and_installs_the_peers() {
        let script = std::fs::read_to_string(workspace_root().join(PEERS_SCRIPT))
            .expect("scripts/install-test-peers.sh");
        assert!(script.starts_with("#!/usr/bin/env bash"));
        assert!(script.contains("redis-tools"));
        for peer in PEERS {
            assert!(script.contains(peer), "{peer}");
        }
    }

    #[test]
    fn bench_help_lists_the_harness_groups() {
        let groups = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../crates/corio-bench/src/groups/mod.rs"
        ))
        .expect("corio-bench's group list");
        let listed: Vec<&str> = groups
            .lines()
            .filter_map(|l| l.trim().strip_prefix("(\""))
            .filter_map(|l| l.split('"').next())
            .collect();
        assert_eq!(listed, BENCH_GROUPS);
        for g in BENCH_GROUPS {
            assert!(bench_help().contains(g));
        }
    }
}
