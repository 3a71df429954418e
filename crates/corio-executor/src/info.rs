//! Snapshots of tasks for introspection: `all_tasks()` entries and `current_task()`.

use std::fmt;
use std::panic::Location;
use std::time::Duration;

use crate::id::TaskId;
use crate::meta::Meta;

/// What a task is doing at the moment it was listed.
///
/// ```
/// use corio_executor::{Executor, TaskState, ThreadDriver};
///
/// let ex = Executor::current_thread(ThreadDriver::new());
/// let _t = ex.spawn(std::future::pending::<()>()).unwrap();
/// let tasks = ex.all_tasks();
/// assert_eq!(tasks[0].state(), TaskState::Scheduled); // never polled yet
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TaskState {
    /// Ready to run, waiting in a run queue.
    Scheduled,
    /// Being polled right now.
    Running,
    /// Waiting to be woken.
    Waiting,
    /// Finished; about to leave the listing.
    Done,
}

/// One live task, as listed by [`all_tasks`](crate::all_tasks).
///
/// ```
/// use corio_executor::{Executor, ThreadDriver};
///
/// let ex = Executor::current_thread(ThreadDriver::new());
/// let t = ex.spawn_named("worker", std::future::pending::<()>()).unwrap();
/// let info = &ex.all_tasks()[0];
/// assert_eq!(info.id(), t.id());
/// assert_eq!(info.name(), Some("worker"));
/// assert!(!info.cancel_requested());
/// ```
#[derive(Clone)]
pub struct TaskInfo {
    id: TaskId,
    name: Option<Box<str>>,
    location: Option<&'static Location<'static>>,
    state: TaskState,
    cancel_requested: bool,
    parent: Option<TaskId>,
    /// Age, polls and poll time, for tracked tasks.
    stats: Option<(Duration, u64, Duration)>,
}

impl TaskInfo {
    pub(crate) fn from_meta(meta: &Meta) -> TaskInfo {
        TaskInfo {
            id: meta.id(),
            name: meta.name().map(Box::from),
            location: meta.location(),
            state: meta.state(),
            cancel_requested: meta.cancel_requested(),
            parent: meta.parent(),
            stats: meta
                .stats()
                .map(|s| (s.spawned.elapsed(), s.polls(), s.busy())),
        }
    }

    /// The task's id.
    ///
    /// ```
    /// # use corio_executor::{Executor, ThreadDriver};
    /// # let ex = Executor::current_thread(ThreadDriver::new());
    /// let t = ex.spawn(std::future::pending::<()>()).unwrap();
    /// assert_eq!(ex.all_tasks()[0].id(), t.id());
    /// ```
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// The task's name, if it was spawned with one.
    ///
    /// ```
    /// # use corio_executor::{Executor, ThreadDriver};
    /// # let ex = Executor::current_thread(ThreadDriver::new());
    /// let _t = ex.spawn(std::future::pending::<()>()).unwrap();
    /// assert_eq!(ex.all_tasks()[0].name(), None);
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Where the task was spawned: known for named tasks, and for every task of a runtime
    /// that tracks its tasks ([`DebugConfig`](crate::DebugConfig)); unnamed tasks of other
    /// runtimes do not record it, to stay small.
    ///
    /// ```
    /// # use corio_executor::{Executor, ThreadDriver};
    /// # let ex = Executor::current_thread(ThreadDriver::new());
    /// let _t = ex.spawn_named("n", std::future::pending::<()>()).unwrap();
    /// assert!(ex.all_tasks()[0].location().unwrap().file().ends_with(".rs"));
    /// ```
    pub fn location(&self) -> Option<&'static Location<'static>> {
        self.location
    }

    /// What the task was doing when listed.
    ///
    /// ```
    /// # use corio_executor::{Executor, TaskState, ThreadDriver};
    /// # let ex = Executor::current_thread(ThreadDriver::new());
    /// let t = ex.spawn(std::future::pending::<()>()).unwrap();
    /// ex.block_on(corio_executor::yield_now());
    /// assert_eq!(ex.all_tasks()[0].state(), TaskState::Waiting);
    /// ```
    pub fn state(&self) -> TaskState {
        self.state
    }

    /// True when [`Task::cancel`](crate::Task::cancel) was called and the task has not yet
    /// been dropped.
    ///
    /// ```
    /// # use corio_executor::{Executor, ThreadDriver};
    /// # let ex = Executor::current_thread(ThreadDriver::new());
    /// let t = ex.spawn(std::future::pending::<()>()).unwrap();
    /// t.cancel();
    /// assert!(ex.all_tasks()[0].cancel_requested());
    /// ```
    pub fn cancel_requested(&self) -> bool {
        self.cancel_requested
    }

    /// The task that spawned this one, when a task did (`None` for tasks spawned from
    /// `block_on`'s future or another thread). Recorded where the location is.
    ///
    /// ```
    /// use corio_executor::{DebugConfig, Executor, ThreadDriver, spawn};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new()).with_debug(DebugConfig::on());
    /// let parent = ex.spawn(async { spawn(std::future::pending::<()>()).id() }).unwrap();
    /// let parent_id = parent.id();
    /// let child_id = ex.block_on(parent).unwrap();
    /// let child = ex.all_tasks().into_iter().find(|t| t.id() == child_id).unwrap();
    /// assert_eq!(child.parent(), Some(parent_id));
    /// ```
    pub fn parent(&self) -> Option<TaskId> {
        self.parent
    }

    /// How long ago the task was spawned, for tracked tasks.
    ///
    /// ```
    /// use corio_executor::{DebugConfig, Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new()).with_debug(DebugConfig::on());
    /// let _t = ex.spawn(std::future::pending::<()>()).unwrap();
    /// assert!(ex.all_tasks()[0].age().is_some());
    /// ```
    pub fn age(&self) -> Option<Duration> {
        self.stats.map(|s| s.0)
    }

    /// How many times the task was polled, for tracked tasks.
    ///
    /// ```
    /// use corio_executor::{DebugConfig, Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new()).with_debug(DebugConfig::on());
    /// let _t = ex.spawn(std::future::pending::<()>()).unwrap();
    /// assert_eq!(ex.all_tasks()[0].polls(), Some(0)); // not run yet
    /// ```
    pub fn polls(&self) -> Option<u64> {
        self.stats.map(|s| s.1)
    }

    /// The time spent in the task's polls so far, for tracked tasks.
    ///
    /// ```
    /// use corio_executor::{DebugConfig, Executor, ThreadDriver};
    ///
    /// let ex = Executor::current_thread(ThreadDriver::new()).with_debug(DebugConfig::on());
    /// let _t = ex.spawn(std::future::pending::<()>()).unwrap();
    /// ex.block_on(corio_executor::yield_now());
    /// assert!(ex.all_tasks()[0].busy().is_some());
    /// ```
    pub fn busy(&self) -> Option<Duration> {
        self.stats.map(|s| s.2)
    }
}

impl fmt::Debug for TaskInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskInfo")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("state", &self.state)
            .field("parent", &self.parent)
            .finish_non_exhaustive()
    }
}

/// The task being polled on this thread, as returned by
/// [`current_task`](crate::current_task).
///
/// ```
/// use corio_executor::{Executor, ThreadDriver, current_task};
///
/// let ex = Executor::current_thread(ThreadDriver::new());
/// let t = ex.spawn_named("me", async { current_task().unwrap() }).unwrap();
/// let id = t.id();
/// let me = ex.block_on(t).unwrap();
/// assert_eq!((me.id(), me.name()), (id, Some("me")));
/// ```
#[derive(Debug, Clone)]
pub struct TaskRef {
    id: TaskId,
    name: Option<Box<str>>,
}

impl TaskRef {
    pub(crate) fn from_meta(meta: &Meta) -> TaskRef {
        TaskRef {
            id: meta.id(),
            name: meta.name().map(Box::from),
        }
    }

    /// The task's id.
    ///
    /// ```
    /// # use corio_executor::{Executor, ThreadDriver, current_task};
    /// # let ex = Executor::current_thread(ThreadDriver::new());
    /// let t = ex.spawn(async { current_task().map(|t| t.id()) }).unwrap();
    /// let id = t.id();
    /// assert_eq!(ex.block_on(t).unwrap(), Some(id));
    /// ```
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// The task's name, if any.
    ///
    /// ```
    /// # use corio_executor::{Executor, ThreadDriver, current_task};
    /// # let ex = Executor::current_thread(ThreadDriver::new());
    /// let t = ex.spawn(async { current_task().unwrap().name().is_none() }).unwrap();
    /// assert!(ex.block_on(t).unwrap());
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
}
