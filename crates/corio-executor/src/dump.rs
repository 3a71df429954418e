//! `dump()`: every live task of a runtime as a tree of who spawned whom — asyncio 3.14's
//! `python -m asyncio pstree`, from inside the program.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use crate::id::TaskId;
use crate::info::{TaskInfo, TaskState};
use crate::spawn::all_tasks;

/// The live tasks of the runtime running on this thread, as a [`TaskDump`] (empty outside a
/// runtime). Printing it shows the task tree.
///
/// Every task shows its id, name and state; a runtime that tracks its tasks (debug mode, or
/// [`DebugConfig::track_tasks`](crate::DebugConfig::track_tasks)) also records each task's
/// spawn location, parent, age, poll count and poll time.
///
/// ```
/// use corio_executor::{DebugConfig, Executor, ThreadDriver, dump, spawn_named};
///
/// let ex = Executor::current_thread(ThreadDriver::new()).with_debug(DebugConfig::on());
/// let text = ex.block_on(async {
///     let _server = spawn_named("server", async {
///         let _conn = spawn_named("conn", std::future::pending::<()>());
///         std::future::pending::<()>().await
///     });
///     corio_executor::yield_now().await; // the server runs and spawns its connection
///     dump().to_string()
/// });
/// // corio: 2 live tasks
/// // #1 "server" waiting · age 0.000 s · 1 poll · busy 0.0 ms · spawned at src/main.rs:6:19
/// // └─ #2 "conn" scheduled · age 0.000 s · 0 polls · busy 0.0 ms · spawned at src/main.rs:7:21
/// assert!(text.contains("└─ #"), "{text}");
/// assert!(text.contains("\"conn\" scheduled"), "{text}");
/// ```
pub fn dump() -> TaskDump {
    TaskDump::new(all_tasks())
}

/// A snapshot of a runtime's live tasks; its `Display` is the task tree.
///
/// ```
/// use corio_executor::{Executor, ThreadDriver};
///
/// let ex = Executor::current_thread(ThreadDriver::new());
/// let _t = ex.spawn_named("idle", std::future::pending::<()>()).unwrap();
/// let dump = ex.dump();
/// assert_eq!(dump.len(), 1);
/// assert_eq!(dump.tasks()[0].name(), Some("idle"));
/// println!("{dump}");
/// ```
#[derive(Debug, Clone)]
pub struct TaskDump {
    tasks: Vec<TaskInfo>,
}

impl TaskDump {
    pub(crate) fn new(tasks: Vec<TaskInfo>) -> TaskDump {
        TaskDump { tasks }
    }

    /// The tasks, by id.
    ///
    /// ```
    /// let dump = corio_executor::dump(); // outside a runtime: empty
    /// assert!(dump.tasks().is_empty());
    /// ```
    pub fn tasks(&self) -> &[TaskInfo] {
        &self.tasks
    }

    /// How many tasks were live.
    ///
    /// ```
    /// assert_eq!(corio_executor::dump().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Whether no task was live.
    ///
    /// ```
    /// assert!(corio_executor::dump().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// The live tasks that `parent` spawned.
    ///
    /// ```
    /// use corio_executor::{DebugConfig, Executor, ThreadDriver, spawn};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new()).with_debug(DebugConfig::on());
    /// let parent = ex.spawn(async {
    ///     let _child = spawn(std::future::pending::<()>());
    ///     std::future::pending::<()>().await
    /// }).unwrap();
    /// ex.block_on(corio_executor::yield_now());
    /// assert_eq!(ex.dump().children(parent.id()).count(), 1);
    /// ```
    pub fn children(&self, parent: TaskId) -> impl Iterator<Item = &TaskInfo> {
        self.tasks
            .iter()
            .filter(move |t| t.parent() == Some(parent))
    }
}

impl fmt::Display for TaskDump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.tasks.len();
        write!(f, "corio: {n} live task{}", if n == 1 { "" } else { "s" })?;
        let live: HashMap<TaskId, usize> = self
            .tasks
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id(), i))
            .collect();
        let mut children: HashMap<TaskId, Vec<usize>> = HashMap::new();
        let mut roots = Vec::new();
        for (i, t) in self.tasks.iter().enumerate() {
            match t.parent().filter(|p| live.contains_key(p)) {
                Some(p) => children.entry(p).or_default().push(i),
                None => roots.push(i),
            }
        }
        // Depth first with an explicit stack: a long chain of tasks must not overflow ours.
        // Each entry: the task, the prefix drawn before its branch, and whether it is last.
        let mut stack: Vec<(usize, String, Option<bool>)> = roots
            .iter()
            .rev()
            .map(|&i| (i, String::new(), None))
            .collect();
        while let Some((i, prefix, last)) = stack.pop() {
            let task = &self.tasks[i];
            let branch = match last {
                None => "",
                Some(true) => "└─ ",
                Some(false) => "├─ ",
            };
            let orphan = last.is_none() && task.parent().is_some();
            write!(f, "\n{prefix}{branch}{}", Line(task, orphan))?;
            if let Some(kids) = children.get(&task.id()) {
                let below = match last {
                    None => prefix,
                    Some(true) => format!("{prefix}   "),
                    Some(false) => format!("{prefix}│  "),
                };
                for (k, &child) in kids.iter().enumerate().rev() {
                    stack.push((child, below.clone(), Some(k + 1 == kids.len())));
                }
            }
        }
        Ok(())
    }
}

/// One task's line of the tree; the flag says its parent is no longer live.
struct Line<'a>(&'a TaskInfo, bool);

impl fmt::Display for Line<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        write!(f, "#{}", t.id())?;
        if let Some(name) = t.name() {
            write!(f, " {name:?}")?;
        }
        let state = match t.state() {
            TaskState::Scheduled => "scheduled",
            TaskState::Running => "running",
            TaskState::Waiting => "waiting",
            TaskState::Done => "done",
        };
        write!(f, " {state}")?;
        if t.cancel_requested() {
            write!(f, " (cancelling)")?;
        }
        if let (Some(age), Some(polls), Some(busy)) = (t.age(), t.polls(), t.busy()) {
            write!(
                f,
                " · age {:.3} s · {polls} poll{} · busy {}",
                age.as_secs_f64(),
                if polls == 1 { "" } else { "s" },
                Millis(busy)
            )?;
        }
        if let Some(at) = t.location() {
            write!(f, " · spawned at {at}")?;
        }
        if let (Some(parent), true) = (t.parent(), self.1) {
            // A live parent is the line above; a finished one is only named.
            write!(f, " · parent #{parent} (finished)")?;
        }
        Ok(())
    }
}

struct Millis(Duration);

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.1} ms", self.0.as_secs_f64() * 1e3)
    }
}
