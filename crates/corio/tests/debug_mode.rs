//! Debug mode's reports, read from the standard error of a child process that runs a scenario:
//! a deliberately blocking task named with its spawn location, tasks pending at shutdown, an
//! unawaited panic with its location, the silence of the same program without debug mode,
//! and the task dump printed on `SIGUSR1`.
//!
//! The child is this test binary again, run with `CHILD` naming the scenario. Its blocking
//! tasks really block (`std::thread::sleep`, which never returns early), so "slower than the
//! threshold" holds by construction, not by timing luck.

mod support;

use std::time::Duration;

use corio::process::{Command, Stdio};
use futures_lite::StreamExt;
use futures_lite::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use support::LIMIT;

/// Names the scenario a child runs.
const CHILD: &str = "CORIO_DEBUG_MODE_TEST_CHILD";
/// How long a blocking task blocks: above debug mode's 100 ms threshold.
const BLOCK: Duration = Duration::from_millis(150);

fn scenario() -> Option<String> {
    std::env::var(CHILD).ok()
}

/// A runtime of the flavour the scenario names, configured only by the environment (so
/// `CORIO_DEBUG=1` is what turns debug mode on) unless `extra` adds to it.
fn runtime(flavour: &str, extra: impl FnOnce(corio::Builder) -> corio::Builder) -> corio::Runtime {
    let builder = match flavour {
        "mt" => corio::Builder::new().worker_threads(2),
        _ => corio::Builder::new().current_thread(),
    };
    extra(builder).build().expect("a runtime")
}

/// The child's work: blocking tasks, a panicking task nobody awaits, a task still pending at
/// shutdown. Prints where each was spawned, for the parent to look for.
fn blocking_program(flavour: &str) {
    let rt = runtime(flavour, |b| b);
    rt.block_on(async {
        let file = file!();
        let blocker_line = line!() + 1;
        let blocker = corio::task::spawn_named("blocker", async { std::thread::sleep(BLOCK) });
        let unnamed_line = line!() + 1;
        let unnamed = corio::spawn(async { std::thread::sleep(BLOCK) });
        blocker.await.unwrap();
        unnamed.await.unwrap();
        let doomed_line = line!() + 1;
        let doomed = corio::task::spawn_named("doomed", async { panic!("on purpose") });
        while !doomed.is_finished() {
            corio::task::yield_now().await;
        }
        drop(doomed);
        let forever_line = line!() + 1;
        let _forever = corio::task::spawn_named("forever", std::future::pending::<()>());
        corio::task::yield_now().await;
        println!("AT {file} {blocker_line} {unnamed_line} {doomed_line} {forever_line}");
    });
}

/// Runs this test binary as a child running `scenario`, with `debug` for `CORIO_DEBUG`.
async fn run_child(test: &str, scenario: &str, debug: Option<&str>) -> (String, String) {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, scenario)
        .env_remove("CORIO_DEBUG")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    if let Some(v) = debug {
        cmd.env("CORIO_DEBUG", v);
    }
    let out = corio::timeout(LIMIT, cmd.output())
        .await
        .expect("the child finished in time")
        .expect("the child ran");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "child failed: {stdout}\n{stderr}");
    (stdout, stderr)
}

/// The `AT file line…` line of the child.
fn spawn_sites(stdout: &str) -> (String, Vec<u32>) {
    let at = stdout
        .lines()
        .find_map(|l| l.split_once("AT ").map(|(_, at)| at))
        .unwrap_or_else(|| panic!("no AT line in {stdout}"));
    let mut parts = at.split(' ');
    let file = parts.next().unwrap().to_owned();
    (file, parts.map(|n| n.parse().unwrap()).collect())
}

/// The seconds of the slow-poll warning for the task described by `who`, e.g.
/// `"blocker" (spawned at FILE:LINE:`.
fn slow_poll_seconds(stderr: &str, who: &str) -> f64 {
    let line = stderr
        .lines()
        .find(|l| l.contains(who) && l.contains(" in one poll"))
        .unwrap_or_else(|| panic!("no slow-poll warning for {who} in:\n{stderr}"));
    let took = line.split(") took ").nth(1).expect("'took' in the warning");
    took.split(' ').next().unwrap().parse().expect("seconds")
}

fn check_debug_reports(stdout: &str, stderr: &str) {
    let (file, lines) = spawn_sites(stdout);
    let [blocker, unnamed, doomed, forever] = lines[..] else {
        panic!("four spawn lines expected: {stdout}")
    };
    // asyncio's "Executing <Task …> took 0.151 seconds": the task's name, where it was
    // spawned, and how long its poll held the loop.
    let secs = slow_poll_seconds(
        stderr,
        &format!("\"blocker\" (spawned at {file}:{blocker}:"),
    );
    assert!(
        secs >= BLOCK.as_secs_f64(),
        "{secs} s reported for a {BLOCK:?} block"
    );
    // An unnamed task is found by its location alone.
    let secs = slow_poll_seconds(stderr, &format!(" (spawned at {file}:{unnamed}:"));
    assert!(secs >= BLOCK.as_secs_f64());
    // The panic nobody awaited, with its location.
    assert!(
        stderr.lines().any(
            |l| l.contains(&format!("\"doomed\" (spawned at {file}:{doomed}:"))
                && l.ends_with("panicked and nobody awaited it: on purpose")
        ),
        "{stderr}"
    );
    // The task still pending at shutdown.
    assert!(
        stderr.contains("shutting down with tasks still pending"),
        "{stderr}"
    );
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("\"forever\"")
                && l.contains(&format!("spawned at {file}:{forever}:"))),
        "{stderr}"
    );
}

#[test]
fn debug_mode_names_a_blocking_task_and_where_it_was_spawned() {
    if let Some(flavour) = scenario() {
        return blocking_program(&flavour);
    }
    const TEST: &str = "debug_mode_names_a_blocking_task_and_where_it_was_spawned";
    corio::run(async {
        for flavour in ["ct", "mt"] {
            let (stdout, stderr) = run_child(TEST, flavour, Some("1")).await;
            check_debug_reports(&stdout, &stderr);
        }
    });
}

#[test]
fn without_debug_mode_the_same_program_reports_only_the_unawaited_panic() {
    if let Some(flavour) = scenario() {
        return blocking_program(&flavour);
    }
    const TEST: &str = "without_debug_mode_the_same_program_reports_only_the_unawaited_panic";
    corio::run(async {
        for debug in [None, Some("0")] {
            let (stdout, stderr) = run_child(TEST, "ct", debug).await;
            spawn_sites(&stdout); // it ran to the end
            assert!(!stderr.contains("in one poll"), "{stderr}");
            assert!(!stderr.contains("still pending"), "{stderr}");
            // Reported in every mode; a named task knows where it was spawned even then.
            assert!(
                stderr.contains("\"doomed\" (spawned at ")
                    && stderr.contains("panicked and nobody awaited it: on purpose"),
                "{stderr}"
            );
        }
    });
}

#[test]
fn the_builder_sets_the_slow_poll_threshold() {
    if scenario().is_some() {
        let rt = runtime("ct", |b| b.slow_poll_threshold(Duration::from_millis(20)));
        rt.block_on(async {
            corio::task::spawn_named("short", async {
                std::thread::sleep(Duration::from_millis(30))
            })
            .await
            .unwrap();
            // block_on's own future blocks a current-thread loop as much as a task does.
            std::thread::sleep(Duration::from_millis(30));
            corio::task::yield_now().await;
        });
        return;
    }
    corio::run(async {
        let (_, stderr) = run_child("the_builder_sets_the_slow_poll_threshold", "ct", None).await;
        assert!(slow_poll_seconds(&stderr, "\"short\"") >= 0.030, "{stderr}");
        assert!(
            stderr.contains("the future given to block_on took "),
            "{stderr}"
        );
    });
}

#[test]
fn sigusr1_prints_the_task_dump_even_while_the_loop_is_blocked() {
    if scenario().is_some() {
        let rt = runtime("ct", |b| b.track_tasks(true).dump_tasks_on_sigusr1(true));
        rt.block_on(async {
            let _worker = corio::task::spawn_named("worker", std::future::pending::<()>());
            corio::task::yield_now().await;
            println!("READY");
            // Block the loop itself until the parent closes our stdin: only a dump taken off
            // the loop can show anything now.
            let mut rest = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut rest).unwrap();
        });
        return;
    }
    const TEST: &str = "sigusr1_prints_the_task_dump_even_while_the_loop_is_blocked";
    corio::run(async {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([TEST, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD, "sigusr1")
            .env_remove("CORIO_DEBUG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
        let dump = corio::timeout(LIMIT, async {
            while let Some(line) = stdout.next().await {
                if line.unwrap().contains("READY") {
                    break;
                }
            }
            child.send_signal(corio::signal::Signal::USR1).unwrap();
            let mut dump = Vec::new();
            while let Some(line) = stderr.next().await {
                let line = line.unwrap();
                let done = line.contains("\"worker\"");
                dump.push(line);
                if done {
                    break;
                }
            }
            dump
        })
        .await
        .expect("the dump came in time");
        assert!(
            dump.iter().any(|l| l.starts_with("corio: 1 live task")),
            "{dump:?}"
        );
        let worker = dump.last().unwrap();
        assert!(
            worker.contains("waiting") && worker.contains(" 1 poll "),
            "{worker}"
        );
        assert!(worker.contains("spawned at "), "{worker}");
        // Let it finish: close its stdin.
        let mut stdin = child.stdin.take().unwrap();
        stdin.close().await.unwrap();
        drop(stdin);
        let status = corio::timeout(LIMIT, child.wait()).await.unwrap().unwrap();
        let mut rest = String::new();
        while let Some(Ok(line)) = stderr.next().await {
            rest.push_str(&line);
        }
        assert!(status.success(), "{rest}");
    });
}

#[test]
fn the_debug_mode_example_shows_the_blocker_the_tree_and_the_pending_tasks() {
    if scenario().is_some() {
        return;
    }
    corio::run(async {
        // It turns debug mode on itself, whatever the environment says.
        let out = support::run(support::example("debug_mode"), &[] as &[&str], b"").await;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stdout}\n{stderr}");
        let file = "crates/corio/examples/debug_mode.rs";
        assert!(
            slow_poll_seconds(&stderr, &format!("\"blocker\" (spawned at {file}:"))
                >= BLOCK.as_secs_f64()
        );
        assert!(stdout.starts_with("corio: 4 live tasks\n#"), "{stdout}");
        assert!(
            stdout.contains("├─ #") && stdout.contains("└─ #"),
            "{stdout}"
        );
        assert!(
            stderr.contains("shutting down with tasks still pending"),
            "{stderr}"
        );
    });
}
