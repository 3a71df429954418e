//! The `tracing` feature: a span around every task poll, and events for spawns, completions
//! and slow polls, seen by a subscriber written here (no subscriber crate needed).
#![cfg(feature = "tracing")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use corio_executor::{DebugConfig, Executor, ThreadDriver, spawn_named};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Records span names and events as "target message field=value…" lines.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<String>>>);

struct Line(String);

impl Visit for Line {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut line = Line(format!("span {}", span.metadata().name()));
        span.record(&mut line);
        self.0.lock().unwrap().push(line.0);
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut line = Line(format!("event {}", event.metadata().target()));
        event.record(&mut line);
        self.0.lock().unwrap().push(line.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn task_polls_spawns_completions_and_slow_polls_are_traced() {
    let recorder = Recorder::default();
    tracing::subscriber::with_default(recorder.clone(), || {
        let ex = Executor::current_thread(ThreadDriver::new())
            .with_debug(DebugConfig::off().slow_poll_threshold(Duration::from_millis(5)));
        ex.block_on(async {
            spawn_named("traced", async {
                std::thread::sleep(Duration::from_millis(10))
            })
            .await
            .unwrap();
        });
    });
    let lines = recorder.0.lock().unwrap().clone();
    let has = |parts: &[&str]| lines.iter().any(|l| parts.iter().all(|p| l.contains(p)));
    assert!(
        has(&["event corio::task", "task_name=\"traced\"", "spawned"]),
        "{lines:#?}"
    );
    assert!(has(&["span poll", "task_name=\"traced\""]), "{lines:#?}");
    assert!(has(&["event corio::task", "finished"]), "{lines:#?}");
    assert!(
        has(&["event corio::debug", "slow poll", "task_name=\"traced\""]),
        "{lines:#?}"
    );
}
