//! `#[corio::test]` and `#[corio::main]` at work: the virtual clock by default, the real
//! clock and several workers on request, debug mode, the shuffle seed (written in the
//! attribute or taken from `CORIO_TEST_SEED`) and the line that names it when a test fails,
//! and an example program whose `main` is `#[corio::main]`.
//!
//! The seed tests run tests of this file in a child process (this same binary, with
//! `--ignored --exact NAME`): that is how a whole suite sees `CORIO_TEST_SEED`, and how a
//! failing test's stderr can be read.

mod support;

use std::collections::HashSet;
use std::process::{Command, Output};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

const HOUR: Duration = Duration::from_secs(3600);

/// Set in the child processes, so the deliberately failing tests only fail there (and pass
/// in a `cargo test -- --ignored` run of the whole suite).
const CHILD: &str = "CORIO_MACROS_TEST_CHILD";

#[corio::test]
async fn sleeping_an_hour_is_instant_on_the_virtual_clock() {
    let started = corio::time::now();
    corio::sleep(HOUR).await;
    // Exactly an hour: the clock jumped to the deadline. A real clock could only get there
    // by waiting the hour.
    assert_eq!(corio::time::now() - started, HOUR);
}

#[corio::test]
async fn virtual_time_stands_still_while_the_test_runs() {
    let t0 = corio::time::now();
    std::thread::sleep(Duration::from_millis(2));
    assert_eq!(corio::time::now(), t0);
}

/// The loop's clock is the real one when `now()` falls between two readings of
/// `Instant::now()` taken around it, after real time has passed since the runtime started
/// (a virtual clock stays at its start).
fn assert_real_clock() {
    std::thread::sleep(Duration::from_millis(2));
    let before = Instant::now();
    let loop_time = corio::time::now();
    let after = Instant::now();
    assert!(
        before <= loop_time && loop_time <= after,
        "the loop's clock is not the real one"
    );
}

#[corio::test(clock = "real")]
async fn clock_real_runs_on_the_real_clock() {
    assert_real_clock();
    let started = corio::time::now();
    corio::sleep(Duration::from_millis(1)).await;
    assert!(corio::time::now() - started >= Duration::from_millis(1));
}

/// Blocks until `n` callers arrived (true) or 30 s passed (false) — so tasks that all
/// return true ran at the same time, on different threads.
#[derive(Default)]
struct Rendezvous {
    arrived: Mutex<usize>,
    all_here: Condvar,
}

impl Rendezvous {
    fn meet(&self, n: usize) -> bool {
        let mut arrived = self.arrived.lock().unwrap();
        *arrived += 1;
        self.all_here.notify_all();
        let (arrived, wait) = self
            .all_here
            .wait_timeout_while(arrived, Duration::from_secs(30), |arrived| *arrived < n)
            .unwrap();
        drop(arrived);
        !wait.timed_out()
    }
}

#[corio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_thread_runs_tasks_on_several_workers() {
    let rendezvous = Arc::new(Rendezvous::default());
    let tasks: Vec<_> = (0..2)
        .map(|_| {
            let rendezvous = rendezvous.clone();
            corio::spawn(async move { (std::thread::current().id(), rendezvous.meet(2)) })
        })
        .collect();
    let mut threads = HashSet::new();
    for task in tasks {
        let (thread, met) = task.await.unwrap();
        assert!(met, "the two tasks never ran at the same time");
        threads.insert(thread);
    }
    assert_eq!(threads.len(), 2);
    assert!(!threads.contains(&std::thread::current().id()));
    // A multi-thread test keeps the real clock unless it asks for the virtual one.
    assert_real_clock();
}

#[corio::test(worker_threads = 2, clock = "virtual")]
async fn worker_threads_alone_means_multi_thread_and_the_clock_can_be_virtual() {
    let here = std::thread::current().id();
    let there = corio::spawn(async { std::thread::current().id() })
        .await
        .unwrap();
    assert_ne!(here, there, "the task ran on a worker thread");
    let started = corio::time::now();
    corio::sleep(HOUR).await;
    assert_eq!(corio::time::now() - started, HOUR);
}

#[corio::test(flavor = "current_thread", clock = "real")]
async fn current_thread_runs_tasks_on_the_test_thread() {
    let here = std::thread::current().id();
    let there = corio::spawn(async { std::thread::current().id() })
        .await
        .unwrap();
    assert_eq!(here, there);
}

#[corio::test(debug)]
async fn debug_turns_on_debug_mode() {
    let _pending = corio::spawn(std::future::pending::<()>());
    corio::yield_now().await;
    let dump = corio::task::dump();
    let task = &dump.tasks()[0];
    // Debug mode tracks every task: where it was spawned, how often it was polled.
    assert_eq!(task.location().map(|l| l.file()), Some(file!()));
    assert_eq!(task.polls(), Some(1));
}

#[corio::test(debug = false)]
async fn debug_false_leaves_tasks_untracked() {
    let _pending = corio::spawn(std::future::pending::<()>());
    corio::yield_now().await;
    assert_eq!(corio::task::dump().tasks()[0].polls(), None);
}

#[corio::test]
async fn a_test_may_return_a_result_and_use_the_question_mark()
-> Result<(), std::num::ParseIntError> {
    let n: u32 = "42".parse()?;
    assert_eq!(n, 42);
    Ok(())
}

#[corio::test]
#[should_panic(expected = "the body's own panic")]
async fn should_panic_keeps_working() {
    corio::sleep(HOUR).await;
    panic!("the body's own panic");
}

/// Doc comments and `pub` are kept too.
#[corio::test]
pub async fn visibility_and_doc_comments_are_kept() {}

/// With `use corio::test;`, a plain `#[test]` is corio's; the `#[test]` it generates must
/// still be the standard one, not corio's again.
mod with_corio_test_imported {
    use corio::test;

    #[test]
    async fn test_means_corio_test_here() {
        let started = corio::time::now();
        corio::sleep(super::HOUR).await;
        assert_eq!(corio::time::now() - started, super::HOUR);
    }
}

/// The order in which 8 tasks that are all ready at once take their first step.
async fn ready_order() -> Vec<usize> {
    let order = Arc::new(Mutex::new(Vec::new()));
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let order = order.clone();
            corio::spawn(async move { order.lock().unwrap().push(i) })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    order.lock().unwrap().clone()
}

/// [`ready_order`] on a runtime built by hand, on a thread of its own.
fn ready_order_on(builder: corio::Builder) -> Vec<usize> {
    std::thread::spawn(move || builder.build().unwrap().block_on(ready_order()))
        .join()
        .unwrap()
}

#[corio::test(seed = 42)]
async fn seed_shuffles_like_the_builder_with_that_seed() {
    let order = ready_order().await;
    let by_hand = ready_order_on(corio::Builder::new().virtual_clock().shuffle_seed(42));
    assert_eq!(order, by_hand);
    let unshuffled = ready_order_on(corio::Builder::new().virtual_clock());
    assert_eq!(unshuffled, (0..8).collect::<Vec<_>>());
    assert_ne!(order, unshuffled, "seed 42 left the tasks in spawn order");
}

/// Prints the ready order for [`corio_test_seed_shuffles_tests_without_a_seed`].
#[corio::test]
#[ignore = "run in a child process by the seed tests"]
async fn print_ready_order() {
    println!("ready order: {:?}", ready_order().await);
}

/// Fails on purpose (in the child process only) with the seed in the attribute.
#[corio::test(seed = 1234)]
#[ignore = "run in a child process by the seed tests"]
async fn fails_with_seed_1234() {
    corio::sleep(HOUR).await;
    assert!(std::env::var_os(CHILD).is_none(), "a deliberate failure");
}

/// Fails on purpose (in the child process only), without a seed of its own.
#[corio::test]
#[ignore = "run in a child process by the seed tests"]
async fn fails_without_a_seed() {
    assert!(std::env::var_os(CHILD).is_none(), "a deliberate failure");
}

/// Fails on purpose (in the child process only) by returning an error.
#[corio::test]
#[ignore = "run in a child process by the seed tests"]
async fn returns_an_error() -> Result<(), String> {
    match std::env::var_os(CHILD) {
        Some(_) => Err("a deliberate error".into()),
        None => Ok(()),
    }
}

/// Runs the ignored test `name` of this binary alone, with `CORIO_TEST_SEED` set to `seed`
/// (or removed).
fn run_child(name: &str, seed: Option<&str>) -> Output {
    let mut child = Command::new(std::env::current_exe().expect("this test binary"));
    child
        .args([
            "--ignored",
            "--exact",
            name,
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .env_remove("CORIO_TEST_SEED");
    if let Some(seed) = seed {
        child.env("CORIO_TEST_SEED", seed);
    }
    child.output().expect("the test binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The order [`print_ready_order`] printed in a child run with `CORIO_TEST_SEED=seed`.
fn child_ready_order(seed: Option<&str>) -> String {
    let output = run_child("print_ready_order", seed);
    assert!(output.status.success(), "{}", stderr(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The harness prints `test print_ready_order ... ` first, on the same line.
    stdout
        .split_once("ready order: ")
        .and_then(|(_, rest)| rest.lines().next())
        .unwrap_or_else(|| panic!("no order printed: {stdout}"))
        .to_owned()
}

#[test]
fn corio_test_seed_shuffles_tests_without_a_seed() {
    assert_eq!(child_ready_order(None), "[0, 1, 2, 3, 4, 5, 6, 7]");
    assert_eq!(child_ready_order(Some("")), "[0, 1, 2, 3, 4, 5, 6, 7]");
    let orders: Vec<String> = ["1", "2", "3", "4"]
        .into_iter()
        .map(|seed| child_ready_order(Some(seed)))
        .collect();
    assert_eq!(child_ready_order(Some("3")), orders[2], "seed 3 replays");
    let distinct: HashSet<_> = orders.iter().collect();
    assert!(distinct.len() >= 3, "4 seeds gave {orders:?}");
    // Each seed is the builder's shuffle with that seed.
    let by_hand = ready_order_on(corio::Builder::new().virtual_clock().shuffle_seed(1));
    assert_eq!(orders[0], format!("{by_hand:?}"));
}

#[test]
fn a_failing_test_prints_its_seed() {
    let output = run_child("fails_with_seed_1234", None);
    assert!(!output.status.success());
    let stderr = stderr(&output);
    assert!(stderr.contains("a deliberate failure"), "{stderr}");
    assert!(
        stderr.contains(
            "corio::test: failed with seed = 1234; reproduce with #[corio::test(seed = 1234)] \
             or CORIO_TEST_SEED=1234\n"
        ),
        "{stderr}"
    );
    // The attribute's seed wins over the environment's.
    let stderr = self::stderr(&run_child("fails_with_seed_1234", Some("77")));
    assert!(stderr.contains("failed with seed = 1234;"), "{stderr}");
}

#[test]
fn a_failing_test_prints_the_seed_from_the_environment() {
    let stderr = stderr(&run_child("fails_without_a_seed", Some("77")));
    assert!(
        stderr.contains("corio::test: failed with seed = 77;"),
        "{stderr}"
    );
    // `random` picks a seed, and the line tells which.
    let stderr = self::stderr(&run_child("fails_without_a_seed", Some("random")));
    let seed = stderr
        .lines()
        .find_map(|l| l.strip_prefix("corio::test: failed with seed = "))
        .and_then(|rest| rest.split(';').next())
        .unwrap_or_else(|| panic!("no seed line: {stderr}"));
    assert!(seed.parse::<u64>().is_ok(), "{stderr}");
}

#[test]
fn a_test_returning_an_error_prints_its_seed() {
    let output = run_child("returns_an_error", Some("5"));
    assert!(!output.status.success());
    let stderr = stderr(&output);
    assert!(stderr.contains("a deliberate error"), "{stderr}");
    assert!(
        stderr.contains("corio::test: failed with seed = 5;"),
        "{stderr}"
    );
}

#[test]
fn without_a_seed_a_failure_prints_none() {
    let output = run_child("fails_without_a_seed", None);
    assert!(!output.status.success());
    let stderr = stderr(&output);
    assert!(stderr.contains("a deliberate failure"), "{stderr}");
    assert!(!stderr.contains("corio::test: failed"), "{stderr}");
}

#[test]
fn a_malformed_corio_test_seed_fails_the_test_with_the_reason() {
    let output = run_child("print_ready_order", Some("lots"));
    assert!(!output.status.success());
    let stderr = stderr(&output);
    assert!(
        stderr.contains("CORIO_TEST_SEED=\"lots\" is neither a number (a u64) nor `random`"),
        "{stderr}"
    );
}

#[test]
fn hello_main_example_runs_its_async_main() {
    let output = Command::new(support::example("hello_main"))
        .arg("1") // ms
        .output()
        .expect("the example runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", stderr(&output));
    let mut lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[2].starts_with("finished in "), "{stdout}");
    // The two tasks run at once, on the multi-thread runtime: either may print first when
    // their timers fire together.
    lines[..2].sort_unstable();
    assert_eq!(lines[..2], ["hello", "world"], "{stdout}");
}

#[test]
fn hello_main_example_returns_its_error_as_the_exit_status() {
    let output = Command::new(support::example("hello_main"))
        .arg("soon")
        .output()
        .expect("the example runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = stderr(&output);
    assert!(stderr.contains("Error: ParseIntError"), "{stderr}");
}
