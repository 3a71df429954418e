//! The pattern examples of docs/guide.md, run as processes: each must exit 0 and print the
//! lines that show its pattern working. Timings are never checked, only outcomes.

mod support;

use support::{example, limited, run};

/// Runs the example `name` to completion and returns its standard output, failing the test
/// if it exits with an error.
async fn output_of(name: &str) -> String {
    let out = run(example(name), &[] as &[&str], b"").await;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{name} failed: {}\nstdout:\n{stdout}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Asserts that `stdout` has a line equal to `line`.
fn has_line(stdout: &str, line: &str) {
    assert!(
        stdout.lines().any(|l| l == line),
        "expected the line {line:?} in:\n{stdout}"
    );
}

/// Asserts that `stdout` has a line starting with `prefix`.
fn has_line_starting(stdout: &str, prefix: &str) {
    line_starting(stdout, prefix);
}

/// The line of `stdout` that starts with `prefix`; fails the test if there is none.
fn line_starting<'a>(stdout: &'a str, prefix: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?} in:\n{stdout}"))
}

#[test]
fn spawning_runs_tasks_at_once_and_never_runs_an_unawaited_future() {
    limited(async {
        let out = output_of("spawning").await;
        has_line(&out, "running tasks: coffee, tea");
        has_line_starting(&out, "spawned: tea and coffee after");
        has_line(&out, "the future never awaited ran: false");
        has_line(&out, "the detached task finished on its own");
        has_line(&out, r#"the inspector task calls itself "inspector""#);
    });
}

#[test]
fn timeouts_cancel_what_runs_late_and_keep_what_finishes() {
    limited(async {
        let out = output_of("timeouts").await;
        has_line(
            &out,
            r#"wait_for: fast -> Ok("fast"), slow -> Err(TimeoutError)"#,
        );
        has_line(&out, "timeout: gave up after 50 ms");
        has_line(
            &out,
            r#"timeout_at: ["login", "query"] done, report ran out of time"#,
        );
        has_line(
            &out,
            r#"scope: Ok(("part 1", "part 2")), expired: false, deadline moved: true"#,
        );
        has_line(&out, "wait_for_task: timed out, the job was cancelled");
    });
}

#[test]
fn cancellation_runs_destructors_and_async_clean_up() {
    limited(async {
        let out = output_of("cancellation").await;
        let lines: Vec<&str> = out.lines().collect();
        // The destructor runs before the waiter sees the cancellation, and the clean-up
        // finishes before the waiter of the uploader does.
        let at = |line: &str| {
            lines
                .iter()
                .position(|l| *l == line)
                .unwrap_or_else(|| panic!("{line:?} missing in:\n{out}"))
        };
        assert!(at("  the worker's connection: dropped") < at("  awaiting it: task was cancelled"));
        assert!(!out.contains("never printed"), "{out}");
        let cleaned = at("  uploader: partial upload removed");
        assert_eq!(
            lines[cleaned + 1],
            "  awaiting it: task was cancelled",
            "{out}"
        );
        has_line(&out, "  the timed-out request's lease: dropped");
        has_line(&out, "  wait_for: Err(TimeoutError)");
    });
}

#[test]
fn sync_primitives_each_keep_their_promise() {
    limited(async {
        let out = output_of("sync_primitives").await;
        has_line(&out, "Lock: balance after 10 deposits of 10: 100");
        has_line(&out, "Event: set once, woke waiters [0, 1, 2]");
        has_line(
            &out,
            "Condition: the buyer bought 3 once the shelf had enough",
        );
        has_line(&out, "Semaphore: 6 downloads, at most 2 at once");
        has_line(
            &out,
            "Barrier: setups of 30, 10 and 20 ms; every worker started after the slowest: true",
        );
        has_line(&out, "Queue: the consumer summed 15 and join() returned");
    });
}

#[test]
fn producer_consumer_processes_every_job_then_shuts_down() {
    limited(async {
        let out = output_of("producer_consumer").await;
        has_line(
            &out,
            "all 12 jobs done (join returned); 0 left in the queue",
        );
        has_line(&out, "the consumers did 12 jobs between them");
        for name in ['a', 'b'] {
            has_line_starting(&out, &format!("consumer {name}: queue shut down after"));
        }
    });
}

#[test]
fn pubsub_delivers_or_reports_every_message() {
    limited(async {
        let out = output_of("pubsub").await;
        has_line(&out, "publishing to 2 subscribers");
        // The slow subscriber either read or was told it missed each of the 10 prices, and
        // the newest is never lost.
        let slow = line_starting(&out, "slow subscriber: ");
        assert!(slow.ends_with("= 10 in all, the last Some(109)"), "{slow}");
        has_line_starting(&out, "late subscriber: first saw Some(");
    });
}

#[test]
fn resource_pool_lends_at_most_its_size_and_gets_everything_back() {
    limited(async {
        let out = output_of("resource_pool").await;
        let summary = line_starting(&out, "10 jobs (1 failed) on 3 connections, at most ");
        let most: usize = summary
            .trim_start_matches("10 jobs (1 failed) on 3 connections, at most ")
            .split(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{summary}"));
        assert!((1..=3).contains(&most), "{summary}");
        let back = line_starting(&out, "all 3 connections back in the pool; ");
        // Every query was counted on some connection: 10 in all.
        let total: usize = back
            .split("(")
            .skip(1)
            .filter_map(|pair| pair.split(", ").nth(1))
            .filter_map(|n| n.trim_end_matches([')', ']', ',']).parse::<usize>().ok())
            .sum();
        assert_eq!(total, 10, "{back}");
    });
}

#[test]
fn retry_backs_off_and_gives_up_after_the_last_attempt() {
    limited(async {
        let out = output_of("retry").await;
        has_line_starting(&out, "attempt 1 failed: connection refused; retrying in");
        has_line_starting(&out, "attempt 3 timed out; retrying in");
        has_line(&out, r#"succeeded with "42" after 4 attempts"#);
        has_line(
            &out,
            r#"gave up after 5 attempts: Error("service unavailable")"#,
        );
        // The pauses grow: each one longer than the one before.
        let pauses: Vec<u64> = out
            .lines()
            .filter(|l| l.contains("service unavailable; retrying in "))
            .filter_map(|l| l.rsplit("retrying in ").next())
            .filter_map(|ms| ms.trim_end_matches(" ms").parse().ok())
            .collect();
        assert_eq!(pauses.len(), 4, "{out}");
        assert!(pauses.windows(2).all(|w| w[0] < w[1]), "{pauses:?}");
    });
}

#[test]
fn streams_iteration_generates_filters_and_collects() {
    limited(async {
        let out = output_of("streams_iteration").await;
        has_line(&out, r#"async for: first "item 0""#);
        has_line(&out, "async for: 6 items over 3 pages");
        has_line(&out, r#"comprehension: ["ITEM 1", "ITEM 3", "ITEM 5"]"#);
        has_line(&out, "interval: 3 ticks");
        has_line(&out, "channel: stream of words");
        has_line(
            &out,
            "zip and fold: [(1, 1), (2, 4), (3, 9), (4, 16)], sum of squares 30",
        );
    });
}

#[test]
fn guards_release_on_every_way_out() {
    limited(async {
        let out = output_of("guards").await;
        has_line(
            &out,
            r#"built-in guards: Err("failed half-way"); lock free: true, permit back: true"#,
        );
        has_line(
            &out,
            r#"transactions: 3 begun, 1 committed, 2 rolled back (Err("constraint violated") and a timeout)"#,
        );
        has_line(
            &out,
            r#"scoped: Ok(3), ["create table", "insert 3 rows into tmp_orders", "drop table"]"#,
        );
    });
}

#[test]
fn to_thread_keeps_the_loop_running() {
    limited(async {
        let out = output_of("to_thread").await;
        has_line(&out, "blocking call on the loop: the ticker ticked 0 times");
        has_line(
            &out,
            "to_thread: got 11, and the ticker ticked meanwhile: true",
        );
        has_line(&out, "to_thread with an error: Err(NotFound)");
        has_line(
            &out,
            r#"from a plain thread: submit -> 42, call_soon -> "called on the loop""#,
        );
    });
}

#[test]
fn mocking_tests_the_timeout_path_on_virtual_time() {
    limited(async {
        let out = output_of("mocking").await;
        has_line(&out, r#"fake: 100 EUR -> Ok(110.00) USD, calls ["EUR"]"#);
        has_line(
            &out,
            r#"fake: an unknown currency -> Err("unknown currency XYZ")"#,
        );
        let hung = line_starting(&out, "fake: a hanging service -> ");
        assert!(
            hung.contains("after 2 calls and 4s of virtual time"),
            "{hung}"
        );
        has_line(&out, "real (TCP): 100 EUR -> Ok(110.00) USD");
    });
}
