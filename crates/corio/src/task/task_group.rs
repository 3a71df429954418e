//! asyncio 3.11's `TaskGroup`: structured concurrency. A scope whose children all finish
//! before it does; the first failure cancels the rest and every failure is reported.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use corio_executor::{Task, TaskError};
use corio_sync::oneshot;

use super::set::Set;

/// Runs `body` with a [`TaskGroup`] it can spawn children into, and returns once the body
/// and every child have finished (asyncio's `async with TaskGroup() as tg:`).
///
/// - Children return `Result<T, E>`; an `Err` or a panic is a *failure*. So is an `Err`
///   returned by the body itself.
/// - The first failure cancels the body (its future is dropped) and every child still
///   running, and the group waits until they have all stopped. It then returns
///   [`TaskGroupError`] with every failure, in the order they happened — cancellations are
///   not failures.
///   A child that was ready to run but had not run yet when the group saw the failure is
///   cancelled before it runs (asyncio would let it take its step first).
/// - Without failures it returns the body's value, after the last child finished.
/// - Dropping the group's future (its own task is cancelled) cancels every child: a plain
///   cancellation.
/// - Children may spawn more children through a clone of the handle, while the group runs.
///   Once the group has finished, or is shutting down after a failure, spawning is an error
///   ([`GroupClosed`]). The body only runs while the group is open, so a spawn from the body
///   never fails.
///
/// ```
/// use corio::task::task_group;
/// use std::time::Duration;
///
/// let rt = corio::Runtime::builder().virtual_clock().build().unwrap();
/// rt.block_on(async {
///     let total = task_group(|tg| async move {
///         // From the body, spawning cannot fail: the group is open while it runs.
///         let a = tg.spawn(async { corio::sleep(Duration::from_secs(1)).await; Ok(20) }).unwrap();
///         let b = tg.spawn(async { Ok(22) }).unwrap();
///         Ok::<_, String>(a.await.unwrap() + b.await.unwrap())
///     })
///     .await;
///     assert_eq!(total.unwrap(), 42);
///
///     let failed = task_group(|tg| async move {
///         tg.spawn(async { corio::sleep(Duration::from_secs(60)).await; Ok(()) }).unwrap();
///         tg.spawn(async { Err::<(), _>("broken".to_string()) }).unwrap();
///         Ok(())
///     })
///     .await
///     .unwrap_err();
///     assert_eq!(failed.errors().len(), 1, "the sleeper was cancelled, not failed");
/// });
/// ```
pub async fn task_group<B, Fut, R, E>(body: B) -> Result<R, TaskGroupError<E>>
where
    B: FnOnce(TaskGroup<E>) -> Fut,
    Fut: Future<Output = Result<R, E>>,
    E: Send + 'static,
{
    let group = TaskGroup {
        shared: Arc::new(Mutex::new(Shared {
            new_children: Vec::new(),
            runner: None,
            closed: false,
        })),
    };
    let body = body(group.clone());
    Runner {
        group,
        body: Some(Box::pin(body)),
        children: Set::new(Vec::new()),
        output: None,
        errors: Vec::new(),
        aborted: false,
    }
    .await
}

/// The handle of a running [`task_group`], for spawning children. Cloneable: children may
/// hold one and spawn siblings.
///
/// ```
/// use corio::task::{TaskGroup, task_group};
/// use std::future::Future;
/// use std::pin::Pin;
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
///
/// type Child = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;
///
/// // A crawl: each page spawns a child per link, into the same group.
/// fn visit(tg: TaskGroup<String>, depth: u32, pages: Arc<AtomicUsize>) -> Child {
///     Box::pin(async move {
///         pages.fetch_add(1, Ordering::Relaxed);
///         if depth < 2 {
///             for _link in 0..3 {
///                 tg.spawn(visit(tg.clone(), depth + 1, pages.clone()))
///                     .map_err(|closed| closed.to_string())?;
///             }
///         }
///         Ok(())
///     })
/// }
///
/// corio::run(async {
///     let pages = Arc::new(AtomicUsize::new(0));
///     let counted = pages.clone();
///     task_group(move |tg| async move {
///         tg.spawn(visit(tg.clone(), 0, counted)).unwrap();
///         Ok(())
///     })
///     .await
///     .unwrap();
///     // The group returned only after the grandchildren: 1 + 3 + 9 pages.
///     assert_eq!(pages.load(Ordering::Relaxed), 13);
/// });
/// ```
pub struct TaskGroup<E> {
    shared: Arc<Mutex<Shared<E>>>,
}

impl<E> Clone for TaskGroup<E> {
    fn clone(&self) -> Self {
        TaskGroup {
            shared: self.shared.clone(),
        }
    }
}

struct Shared<E> {
    /// Spawned since the runner last looked.
    new_children: Vec<Task<Result<(), E>>>,
    runner: Option<Waker>,
    /// Finished, or shutting down after a failure: no more children.
    closed: bool,
}

/// A failed child (or body) of a [`task_group`].
///
/// ```
/// use corio::task::{ChildError, task_group};
///
/// corio::run(async {
///     let err = task_group(|tg| async move {
///         tg.spawn(async { Err::<(), _>("disk full") }).unwrap();
///         Ok(())
///     })
///     .await
///     .unwrap_err();
///     match &err.errors()[0] {
///         ChildError::Failed(why) => assert_eq!(*why, "disk full"),
///         ChildError::Panicked(_) => unreachable!("it returned Err, it did not panic"),
///     }
///
///     let err = task_group(|tg| async move {
///         tg.spawn(async {
///             let pages = 0;
///             if pages == 0 {
///                 panic!("bug");
///             }
///             Ok(())
///         })
///         .unwrap();
///         Ok::<(), &str>(())
///     })
///     .await
///     .unwrap_err();
///     match &err.errors()[0] {
///         ChildError::Panicked(payload) => assert_eq!(payload.downcast_ref(), Some(&"bug")),
///         ChildError::Failed(_) => unreachable!(),
///     }
/// });
/// ```
pub enum ChildError<E> {
    /// It returned `Err`.
    Failed(E),
    /// It panicked; the payload.
    Panicked(Box<dyn Any + Send>),
}

impl<E: fmt::Debug> fmt::Debug for ChildError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChildError::Failed(e) => f.debug_tuple("Failed").field(e).finish(),
            ChildError::Panicked(p) => f.debug_tuple("Panicked").field(&panic_text(&**p)).finish(),
        }
    }
}

fn panic_text(p: &(dyn Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "<non-string panic payload>".to_owned())
}

impl<E: fmt::Display> fmt::Display for ChildError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChildError::Failed(e) => write!(f, "{e}"),
            ChildError::Panicked(p) => write!(f, "panicked: {}", panic_text(&**p)),
        }
    }
}

/// Every failure of a [`task_group`], in the order they happened (asyncio's
/// `ExceptionGroup`). A nested group's error is one child's error here, so nesting gives
/// nested groups.
///
/// ```
/// use corio::task::{ChildError, task_group};
///
/// corio::run(async {
///     let err = task_group(|tg| async move {
///         tg.spawn(async { Err::<(), _>("a") }).unwrap();
///         tg.spawn(async { Err::<(), _>("b") }).unwrap();
///         Ok(())
///     })
///     .await
///     .unwrap_err();
///     assert!(err.errors().iter().all(|e| matches!(e, ChildError::Failed(_))));
///     assert!(!err.errors().is_empty());
/// });
/// ```
pub struct TaskGroupError<E> {
    errors: Vec<ChildError<E>>,
}

impl<E> TaskGroupError<E> {
    /// The failures, in the order they happened.
    ///
    /// ```
    /// # corio::run(async {
    /// let err = corio::task::task_group(|_| async { Err::<(), _>(1) }).await.unwrap_err();
    /// assert!(matches!(err.errors(), [corio::task::ChildError::Failed(1)]));
    /// # });
    /// ```
    pub fn errors(&self) -> &[ChildError<E>] {
        &self.errors
    }

    /// The failures, owned.
    ///
    /// ```
    /// # corio::run(async {
    /// let err = corio::task::task_group(|_| async { Err::<(), _>(1) }).await.unwrap_err();
    /// assert_eq!(err.into_errors().len(), 1);
    /// # });
    /// ```
    pub fn into_errors(self) -> Vec<ChildError<E>> {
        self.errors
    }
}

impl<E: fmt::Debug> fmt::Debug for TaskGroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskGroupError")
            .field("errors", &self.errors)
            .finish()
    }
}

impl<E: fmt::Display> fmt::Display for TaskGroupError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} task(s) of the group failed", self.errors.len())?;
        for (i, e) in self.errors.iter().enumerate() {
            write!(f, "{} {e}", if i == 0 { ":" } else { ";" })?;
        }
        Ok(())
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for TaskGroupError<E> {}

/// Spawning into a [`task_group`] that has finished or is shutting down after a failure
/// (asyncio's `RuntimeError`).
///
/// ```
/// corio::run(async {
///     // A handle kept past the group's end cannot spawn into it.
///     let kept = corio::task::task_group(|tg| async move { Ok::<_, ()>(tg.clone()) })
///         .await
///         .unwrap();
///     let late = kept.spawn(async { Ok(()) });
///     assert_eq!(late.unwrap_err(), corio::task::GroupClosed);
/// });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupClosed;

impl fmt::Display for GroupClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the task group has finished or is shutting down")
    }
}

impl std::error::Error for GroupClosed {}

/// A child of a [`task_group`]: awaiting it gives its value, or `None` if it failed (its
/// error went to the group) or was cancelled.
///
/// Unlike [`Task`] it is not `#[must_use]`: the group itself waits for every child, so
/// a `GroupTask` left unawaited loses nothing (asyncio's `tg.create_task(coro)` with the
/// result ignored).
///
/// ```
/// # corio::run(async {
/// corio::task::task_group(|tg| async move {
///     let child = tg.spawn(async { Ok::<_, ()>(5) }).unwrap();
///     assert_eq!(child.await, Some(5));
///     Ok(())
/// })
/// .await
/// .unwrap();
/// # });
/// ```
pub struct GroupTask<T> {
    value: oneshot::Receiver<T>,
}

impl<T> Future for GroupTask<T> {
    type Output = Option<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        Pin::new(&mut self.value).poll(cx).map(Result::ok)
    }
}

impl<T> fmt::Debug for GroupTask<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GroupTask").finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing panics under this lock.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<E: Send + 'static> TaskGroup<E> {
    /// Spawns `future` as a child of the group: a task that the group waits for, cancels on
    /// the first failure, and whose `Err` or panic fails the group.
    ///
    /// ```
    /// # corio::run(async {
    /// let v = corio::task::task_group(|tg| async move {
    ///     let child = tg.spawn(async { Ok::<_, ()>("hi") }).unwrap();
    ///     Ok(child.await)
    /// })
    /// .await
    /// .unwrap();
    /// assert_eq!(v, Some("hi"));
    /// # });
    /// ```
    pub fn spawn<F, T>(&self, future: F) -> Result<GroupTask<T>, GroupClosed>
    where
        F: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + 'static,
    {
        let mut shared = lock(&self.shared);
        if shared.closed {
            return Err(GroupClosed);
        }
        let (tx, rx) = oneshot::channel();
        let task = crate::spawn(async move {
            let value = future.await?;
            // Nobody holding the handle is fine: the value is dropped.
            let _ = tx.send(value);
            Ok(())
        });
        shared.new_children.push(task);
        let runner = shared.runner.clone();
        drop(shared);
        if let Some(runner) = runner {
            runner.wake();
        }
        Ok(GroupTask { value: rx })
    }
}

impl<E> fmt::Debug for TaskGroup<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskGroup")
            .field("closed", &lock(&self.shared).closed)
            .finish()
    }
}

/// The group's own future: drives the body, collects the children, decides the outcome.
struct Runner<Fut, R, E> {
    group: TaskGroup<E>,
    body: Option<Pin<Box<Fut>>>,
    children: Set<Task<Result<(), E>>>,
    output: Option<R>,
    errors: Vec<ChildError<E>>,
    aborted: bool,
}

// The body is boxed and the children are in the set: nothing here is pinned.
impl<Fut, R, E> Unpin for Runner<Fut, R, E> {}

impl<Fut, R, E> Runner<Fut, R, E> {
    /// The first failure: no more children, the body and every child cancelled.
    fn abort(&mut self) {
        if self.aborted {
            return;
        }
        self.aborted = true;
        lock(&self.group.shared).closed = true;
        self.body = None;
        self.children.for_each_pending(|t| {
            t.cancel();
        });
    }

    /// Moves newly spawned children into the set; false if there were none.
    fn adopt(&mut self, cx: &mut Context<'_>) -> bool {
        let new = {
            let mut shared = lock(&self.group.shared);
            match &shared.runner {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => shared.runner = Some(cx.waker().clone()),
            }
            std::mem::take(&mut shared.new_children)
        };
        let any = !new.is_empty();
        for task in new {
            if self.aborted {
                task.cancel();
            }
            self.children.push(task);
        }
        any
    }
}

impl<Fut, R, E> Future for Runner<Fut, R, E>
where
    Fut: Future<Output = Result<R, E>>,
{
    type Output = Result<R, TaskGroupError<E>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        loop {
            this.adopt(cx);
            if let Some(body) = this.body.as_mut() {
                if let Poll::Ready(out) = body.as_mut().poll(cx) {
                    this.body = None;
                    match out {
                        Ok(v) => this.output = Some(v),
                        Err(e) => {
                            this.errors.push(ChildError::Failed(e));
                            this.abort();
                        }
                    }
                }
            }
            while let Poll::Ready(Some((_, out))) = this.children.poll_next(cx) {
                let failure = match out {
                    Ok(Ok(())) | Err(TaskError::Cancelled) => None,
                    Ok(Err(e)) => Some(ChildError::Failed(e)),
                    Err(TaskError::Panicked(p)) => Some(ChildError::Panicked(p)),
                };
                if let Some(f) = failure {
                    this.errors.push(f);
                    this.abort();
                }
            }
            let mut shared = lock(&this.group.shared);
            // Children spawned meanwhile (by the body or by children) need a first poll.
            if !shared.new_children.is_empty() {
                continue;
            }
            if this.body.is_some() || this.children.remaining() > 0 {
                return Poll::Pending;
            }
            // Closed under the same lock that saw no newcomer: none can slip in after.
            shared.closed = true;
            drop(shared);
            return Poll::Ready(match this.output.take() {
                Some(v) if this.errors.is_empty() => Ok(v),
                _ => Err(TaskGroupError {
                    errors: std::mem::take(&mut this.errors),
                }),
            });
        }
    }
}

impl<Fut, R, E> Drop for Runner<Fut, R, E> {
    fn drop(&mut self) {
        // The group itself was cancelled (or finished, and then nothing is left to cancel).
        let new = {
            let mut shared = lock(&self.group.shared);
            shared.closed = true;
            shared.runner = None;
            std::mem::take(&mut shared.new_children)
        };
        new.iter().for_each(|t| {
            t.cancel();
        });
        self.children.for_each_pending(|t| {
            t.cancel();
        });
    }
}
