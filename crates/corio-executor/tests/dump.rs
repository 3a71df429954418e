//! `dump()`: the task tree, what tracking records, and dumps taken from another thread.

use std::sync::mpsc;
use std::time::Duration;

use corio_executor::{
    DebugConfig, Executor, TaskState, ThreadDriver, dump, spawn, spawn_named, yield_now,
};

fn tracked() -> Executor {
    Executor::current_thread(ThreadDriver::new()).with_debug(DebugConfig::off().track_tasks(true))
}

fn pending() -> std::future::Pending<()> {
    std::future::pending()
}

#[test]
fn the_dump_draws_who_spawned_whom() {
    let ex = tracked();
    let text = ex.block_on(async {
        let _root = spawn_named("root", async {
            let _a = spawn_named("a", async {
                let _a1 = spawn_named("a1", pending());
                pending().await
            });
            let _b = spawn_named("b", pending());
            pending().await
        });
        for _ in 0..3 {
            yield_now().await;
        }
        dump().to_string()
    });
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "corio: 4 live tasks", "{text}");
    let line = |name: &str| {
        *lines
            .iter()
            .find(|l| l.contains(&format!("\"{name}\"")))
            .unwrap_or_else(|| panic!("{name} missing in:\n{text}"))
    };
    assert!(line("root").starts_with('#'), "{text}");
    assert!(line("a").starts_with("├─ #"), "{text}");
    assert!(line("a1").starts_with("│  └─ #"), "{text}");
    assert!(line("b").starts_with("└─ #"), "{text}");
    // Depth first: each child right under its parent.
    let at = |name: &str| lines.iter().position(|l| *l == line(name)).unwrap();
    assert!(at("root") < at("a") && at("a") < at("a1") && at("a1") < at("b"));
}

#[test]
fn a_task_whose_parent_finished_names_it() {
    let ex = tracked();
    let (parent_id, text) = ex.block_on(async {
        let parent = spawn(async { spawn_named("orphan", pending()).detach() });
        let id = parent.id();
        parent.await.unwrap();
        (id, dump().to_string())
    });
    let orphan = text.lines().find(|l| l.contains("\"orphan\"")).unwrap();
    assert!(orphan.starts_with('#'), "a root now: {text}");
    assert!(
        orphan.ends_with(&format!("· parent #{parent_id} (finished)")),
        "{orphan}"
    );
}

#[test]
fn tracking_counts_polls_and_poll_time() {
    let ex = tracked();
    let id = ex.block_on(async {
        let t = spawn_named("busy", async {
            for _ in 0..3 {
                std::thread::sleep(Duration::from_millis(10));
                yield_now().await;
            }
            pending().await
        });
        for _ in 0..10 {
            yield_now().await;
        }
        t.id()
    });
    let info = ex.all_tasks().into_iter().find(|t| t.id() == id).unwrap();
    // Three polls that yield, a fourth that waits for good.
    assert_eq!(info.polls(), Some(4));
    assert!(info.busy().unwrap() >= Duration::from_millis(30));
    assert!(info.age().unwrap() >= info.busy().unwrap());
    assert_eq!(info.state(), TaskState::Waiting);
}

#[test]
fn without_tracking_only_named_tasks_know_where_they_came_from() {
    let ex = Executor::current_thread(ThreadDriver::new());
    let (named, unnamed, parent) = ex.block_on(async {
        let parent = spawn(async { (spawn_named("named", pending()).id(), spawn(pending()).id()) });
        let parent_id = parent.id();
        let (n, u) = parent.await.unwrap();
        (n, u, parent_id)
    });
    let tasks = ex.all_tasks();
    let find = |id| tasks.iter().find(|t| t.id() == id).unwrap();
    assert_eq!(find(named).parent(), Some(parent));
    assert!(find(named).location().is_some());
    assert_eq!(find(named).polls(), None, "untracked: no statistics");
    assert_eq!(find(unnamed).parent(), None);
    assert_eq!(find(unnamed).location(), None);
    // The line of an untracked task: id, name, state, and only what is known.
    let text = ex.dump().to_string();
    let line = text.lines().find(|l| l.contains("\"named\"")).unwrap();
    assert!(!line.contains("age"), "{line}");
    assert!(line.contains(" scheduled · spawned at "), "{line}"); // never polled yet
}

#[test]
fn another_thread_sees_the_task_the_loop_is_stuck_in() {
    let ex = tracked();
    let handle = ex.handle();
    let (stuck_tx, stuck_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let watcher = std::thread::spawn(move || {
        stuck_rx.recv().unwrap();
        let dump = handle.dump();
        release_tx.send(()).unwrap();
        dump
    });
    ex.block_on(async move {
        spawn_named("stuck", async move {
            stuck_tx.send(()).unwrap();
            release_rx.recv().unwrap(); // blocks the loop until the watcher has looked
        })
        .await
        .unwrap();
    });
    let dump = watcher.join().unwrap();
    let stuck = dump
        .tasks()
        .iter()
        .find(|t| t.name() == Some("stuck"))
        .unwrap();
    assert_eq!(stuck.state(), TaskState::Running);
    assert!(dump.to_string().contains("\"stuck\" running"));
}

#[test]
fn a_dump_outside_a_runtime_or_of_a_gone_one_is_empty() {
    assert!(dump().is_empty());
    assert_eq!(dump().to_string(), "corio: 0 live tasks");
    let ex = Executor::multi_thread(1, ThreadDriver::new()).unwrap();
    let handle = ex.handle();
    ex.spawn(pending()).unwrap().detach();
    assert_eq!(handle.dump().len(), 1);
    drop(ex);
    assert!(handle.dump().is_empty());
}
