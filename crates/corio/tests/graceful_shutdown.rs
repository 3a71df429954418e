//! The `graceful_shutdown` example, run as a real process: started, told to stop with
//! SIGTERM (and, during its clean-up, SIGINT, which it must ignore), it cleans up and exits 0.
//!
//! The example's binary is the one `cargo test` (and `cargo build --examples`) builds next
//! to this test's own, in `<target>/<profile>/examples/`.

mod support;

use corio::process::{Child, Command, Stdio};
use corio::signal::Signal;
use futures_lite::StreamExt;
use futures_lite::io::{AsyncBufReadExt, BufReader, Lines};
use support::{example, limited, next_line};

type Output = Lines<BufReader<corio::process::ChildStdout>>;

/// Starts the example (clean-up of `cleanup_ms` per worker) and waits until it runs.
async fn start(cleanup_ms: u64) -> (Child, Output) {
    let mut child = Command::new(example("graceful_shutdown"))
        .arg(cleanup_ms.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the example");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = next_line(&mut lines).await;
    assert!(first.starts_with("running as pid"), "{first}");
    (child, lines)
}

async fn rest(lines: Output) -> Vec<String> {
    lines
        .map(|line| line.expect("readable output"))
        .collect()
        .await
}

fn assert_cleaned_up(output: &[String]) {
    for id in 0..3 {
        assert!(
            output.contains(&format!("worker {id}: cleaned up")),
            "{output:#?}"
        );
    }
    assert_eq!(
        output.last().map(String::as_str),
        Some("clean shutdown"),
        "{output:#?}"
    );
}

#[test]
fn sigterm_then_a_second_signal_during_clean_up() {
    limited(async {
        // A clean-up long enough to send the second signal while it runs.
        let (mut child, mut lines) = start(1000).await;
        child.send_signal(Signal::TERM).unwrap();
        assert_eq!(
            next_line(&mut lines).await,
            "received SIGTERM: shutting down"
        );
        child.send_signal(Signal::INT).unwrap();
        let output = rest(lines).await;
        assert!(
            output.contains(&"received SIGINT again: ignored, still shutting down".to_owned()),
            "{output:#?}"
        );
        assert_cleaned_up(&output);
        assert_eq!(child.wait().await.unwrap().code(), Some(0));
    });
}

#[test]
fn ctrl_c_alone() {
    limited(async {
        let (mut child, mut lines) = start(0).await;
        child.send_signal(Signal::INT).unwrap();
        assert_eq!(
            next_line(&mut lines).await,
            "received SIGINT: shutting down"
        );
        assert_cleaned_up(&rest(lines).await);
        assert_eq!(child.wait().await.unwrap().code(), Some(0));
    });
}
