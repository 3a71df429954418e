//! asyncio's `gather`: run futures as tasks, get every result in argument order.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use corio_executor::{Task, TaskError};

use super::set::Set;
use __gather_private::{Outcome, Plain, Settled, Try};

/// Runs every future of `futures` as a task and waits for all of them: their outputs in
/// the order given, or the first error (the others keep running). See the
/// [`corio::task`](crate::task) docs for the whole family.
///
/// ```
/// use std::time::Duration;
///
/// let rt = corio::Runtime::builder().virtual_clock().build().unwrap();
/// rt.block_on(async {
///     let delays = [3, 1, 2];
///     let futures = delays.map(|s| async move {
///         corio::sleep(Duration::from_secs(s)).await;
///         s * 10
///     });
///     // In argument order, whatever the order of completion.
///     assert_eq!(corio::task::gather(futures).await.unwrap(), [30, 10, 20]);
/// });
/// ```
pub fn gather<I>(futures: I) -> Gather<<I::Item as Future>::Output>
where
    I: IntoIterator,
    I::Item: Future + Send + 'static,
    <I::Item as Future>::Output: Send + 'static,
{
    Gather {
        join: Join::spawn(futures),
    }
}

/// [`gather`] for futures that return `Result`: an `Err` output is an error too, returned
/// at once as [`GatherError::Failed`] (the other children keep running).
///
/// ```
/// use corio::task::{GatherError, try_gather};
///
/// corio::run(async {
///     let parse = |s: &'static str| async move { s.parse::<u8>() };
///     assert_eq!(try_gather(["1", "2"].map(parse)).await.unwrap(), [1, 2]);
///     match try_gather(["1", "x"].map(parse)).await {
///         Err(GatherError::Failed(e)) => assert_eq!(e.to_string(), "invalid digit found in string"),
///         other => panic!("{other:?}"),
///     }
/// });
/// ```
pub fn try_gather<I, T, E>(futures: I) -> TryGather<T, E>
where
    I: IntoIterator,
    I::Item: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    TryGather {
        join: Join::spawn(futures),
    }
}

/// [`gather`] with asyncio's `return_exceptions=True`: waits for every child and gives each
/// one's result, errors included, in argument order. It never fails.
///
/// ```
/// corio::run(async {
///     let results = corio::task::gather_results([
///         Box::pin(async { 1 }) as std::pin::Pin<Box<dyn Future<Output = i32> + Send>>,
///         Box::pin(async { panic!("boom") }),
///     ])
///     .await;
///     assert_eq!(*results[0].as_ref().unwrap(), 1);
///     assert!(results[1].as_ref().unwrap_err().is_panic());
/// });
/// ```
pub async fn gather_results<I>(futures: I) -> Vec<Result<<I::Item as Future>::Output, TaskError>>
where
    I: IntoIterator,
    I::Item: Future + Send + 'static,
    <I::Item as Future>::Output: Send + 'static,
{
    let mut join = Join::<_, Settled>::spawn(futures);
    match std::future::poll_fn(|cx| join.poll_join(cx)).await {
        Ok(results) => results,
        Err(never) => match never {},
    }
}

/// An error from [`try_gather`] / [`try_gather!`](crate::try_gather): a child's own `Err`,
/// or a child that panicked or was cancelled.
///
/// ```
/// use corio::task::GatherError;
///
/// let e: GatherError<&str> = GatherError::Failed("bad input");
/// assert_eq!(e.to_string(), "a gathered task failed: bad input");
/// ```
#[derive(Debug)]
pub enum GatherError<E> {
    /// A child returned `Err`.
    Failed(E),
    /// A child panicked or was cancelled.
    Task(TaskError),
}

impl<E: fmt::Display> fmt::Display for GatherError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GatherError::Failed(e) => write!(f, "a gathered task failed: {e}"),
            GatherError::Task(e) => write!(f, "a gathered task did not finish: {e}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for GatherError<E> {}

impl<E> From<TaskError> for GatherError<E> {
    fn from(e: TaskError) -> Self {
        GatherError::Task(e)
    }
}

/// The children of a gather, as tasks, and what they settled to so far.
struct Join<T, K: Outcome<T>> {
    set: Set<Task<T>>,
    slots: Vec<Option<K::Out>>,
    /// Set once an error was returned: the children still running are left to run.
    released: bool,
}

impl<T: Send + 'static, K: Outcome<T>> Join<T, K> {
    fn spawn<I>(futures: I) -> Join<T, K>
    where
        I: IntoIterator,
        I::Item: Future<Output = T> + Send + 'static,
    {
        let set = Set::new(futures.into_iter().map(crate::spawn));
        let slots = (0..set.remaining()).map(|_| None).collect();
        Join {
            set,
            slots,
            released: false,
        }
    }
}

impl<T, K: Outcome<T>> Join<T, K> {
    /// Polls until every child settled (`Ok`, in argument order) or one failed (`Err`).
    fn poll_join(&mut self, cx: &mut Context<'_>) -> Poll<Result<Vec<K::Out>, K::Err>> {
        loop {
            match self.set.poll_next(cx) {
                Poll::Ready(Some((i, out))) => match K::settle(out) {
                    Ok(v) => self.slots[i] = Some(v),
                    Err(e) => {
                        self.released = true;
                        return Poll::Ready(Err(e));
                    }
                },
                Poll::Ready(None) => {
                    let outs = std::mem::take(&mut self.slots);
                    return Poll::Ready(Ok(outs.into_iter().flatten().collect()));
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

impl<T, K: Outcome<T>> Drop for Join<T, K> {
    fn drop(&mut self) {
        let pending = self.set.take_pending();
        if !self.released {
            // The gather was cancelled: so are its children.
            for (_, task) in pending {
                task.cancel();
            }
        }
    }
}

/// Future returned by [`gather`].
///
/// The children are tasks already running; dropping the `Gather` before it finished
/// cancels every one still running.
///
/// ```
/// use corio::task::{Gather, gather};
/// use std::time::Duration;
///
/// let rt = corio::Runtime::builder().virtual_clock().build().unwrap();
/// rt.block_on(async {
///     // Each child holds a sender; the receiver sees the end once they are all gone.
///     let (alive, mut watch) = corio::sync::mpsc::channel::<()>(1);
///     let children = (0..3).map(|_| {
///         let alive = alive.clone();
///         async move {
///             let _alive = alive;
///             corio::sleep(Duration::from_secs(3600)).await;
///         }
///     });
///     let all: Gather<()> = gather(children);
///     drop(alive);
///     // Give up after a second: `wait_for` drops the gather, which cancels the children.
///     assert!(corio::wait_for(all, Duration::from_secs(1)).await.is_err());
///     assert_eq!(watch.recv().await, None, "every child was cancelled");
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct Gather<T> {
    join: Join<T, Plain>,
}

// Nothing in a gather is pinned: the children are tasks, the outputs plain values.
impl<T> Unpin for Gather<T> {}
impl<T, E> Unpin for TryGather<T, E> {}

impl<T> Future for Gather<T> {
    type Output = Result<Vec<T>, TaskError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.join.poll_join(cx)
    }
}

impl<T> fmt::Debug for Gather<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gather")
            .field("remaining", &self.join.set.remaining())
            .finish()
    }
}

/// Future returned by [`try_gather`].
///
/// ```
/// use corio::task::{GatherError, TryGather, try_gather};
///
/// corio::run(async {
///     let checks = [3, 4, 5].map(|n| async move {
///         if n % 2 == 0 { Ok(n) } else { Err(format!("{n} is odd")) }
///     });
///     let all: TryGather<u32, String> = try_gather(checks);
///     match all.await {
///         // The first `Err` to happen; with 3 and 5 both odd, either may come first.
///         Err(GatherError::Failed(why)) => assert!(why.ends_with("is odd"), "{why}"),
///         other => panic!("expected a failure, got {other:?}"),
///     }
/// });
/// ```
#[must_use = "futures do nothing unless awaited"]
pub struct TryGather<T, E> {
    join: Join<Result<T, E>, Try>,
}

impl<T, E> Future for TryGather<T, E> {
    type Output = Result<Vec<T>, GatherError<E>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.join.poll_join(cx)
    }
}

impl<T, E> fmt::Debug for TryGather<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TryGather")
            .field("remaining", &self.join.set.remaining())
            .finish()
    }
}

/// asyncio's `gather(a, b, …)` for futures of different types: runs each as a task and gives
/// `Result<(A, B, …), TaskError>`, outputs in argument order, or the first error (the other
/// children keep running). Up to 32 futures. See the [`corio::task`](crate::task) docs.
///
/// ```
/// use std::time::Duration;
///
/// let rt = corio::Runtime::builder().virtual_clock().build().unwrap();
/// rt.block_on(async {
///     let (n, s) = corio::gather!(
///         async { corio::sleep(Duration::from_secs(2)).await; 1 },
///         async { "ready" },
///     )
///     .await
///     .unwrap();
///     assert_eq!((n, s), (1, "ready"));
/// });
/// ```
#[macro_export]
macro_rules! gather {
    ($($fut:expr),+ $(,)?) => {
        $crate::__gather!(@start Plain $($fut,)+)
    };
}

/// [`gather!`](crate::gather!) for futures returning `Result<_, E>` (one `E` for all): an
/// `Err` is an error too, given as [`GatherError::Failed`](crate::task::GatherError).
///
/// ```
/// corio::run(async {
///     let (a, b) = corio::try_gather!(async { Ok::<_, String>(1) }, async { Ok("x") })
///         .await
///         .unwrap();
///     assert_eq!((a, b), (1, "x"));
///     let failed = corio::try_gather!(async { Ok::<u8, _>(1) }, async { Err::<u8, _>("no") }).await;
///     assert!(matches!(failed, Err(corio::task::GatherError::Failed("no"))));
/// });
/// ```
#[macro_export]
macro_rules! try_gather {
    ($($fut:expr),+ $(,)?) => {
        $crate::__gather!(@start Try $($fut,)+)
    };
}

/// [`gather!`](crate::gather!) with asyncio's `return_exceptions=True`: waits for all and
/// gives a tuple of each child's `Result<_, TaskError>`.
///
/// ```
/// corio::run(async {
///     let (a, b) = corio::gather_results!(async { 1 }, async { panic!("boom") }).await;
///     assert_eq!(a.unwrap(), 1);
///     assert!(b.unwrap_err().is_panic());
/// });
/// ```
#[macro_export]
macro_rules! gather_results {
    ($($fut:expr),+ $(,)?) => {
        async {
            match $crate::__gather!(@start Settled $($fut,)+).await {
                Ok(all) => all,
                Err(never) => match never {},
            }
        }
    };
}

/// The expansion of the gather macros: names each future, spawns it into a slot of the
/// given outcome kind, joins.
#[doc(hidden)]
#[macro_export]
macro_rules! __gather {
    (@start $kind:ident $($fut:expr,)+) => {
        $crate::__gather!(@bind $kind [] [
            __g0 __g1 __g2 __g3 __g4 __g5 __g6 __g7 __g8 __g9 __g10 __g11 __g12 __g13 __g14 __g15
            __g16 __g17 __g18 __g19 __g20 __g21 __g22 __g23 __g24 __g25 __g26 __g27 __g28 __g29
            __g30 __g31
        ] $($fut,)+)
    };
    (@bind $kind:ident [$(($name:ident $f:expr))*] [$next:ident $($rest:ident)*]
        $fut:expr, $($more:expr,)*) => {
        $crate::__gather!(@bind $kind [$(($name $f))* ($next $fut)] [$($rest)*] $($more,)*)
    };
    (@bind $kind:ident [$(($name:ident $f:expr))*] [$($rest:ident)*]) => {
        async {
            $(
                let mut $name = $crate::task::__gather_private::Slot::<
                    _,
                    $crate::task::__gather_private::$kind,
                >::spawn($f);
            )*
            $crate::task::__gather_private::join(&mut [
                $( &mut $name as &mut dyn $crate::task::__gather_private::PollSlot<_> ),*
            ])
            .await
            .map(|()| ($( $name.take(), )*))
        }
    };
}

/// What the gather macros expand to, and the outcome kinds the function forms share; not a
/// public API.
#[doc(hidden)]
pub mod __gather_private {
    use std::convert::Infallible;
    use std::future::Future;
    use std::task::{Context, Poll};

    use corio_executor::{Task, TaskError};

    use super::GatherError;

    /// One child of a macro gather, whatever its output type.
    pub trait PollSlot<Err> {
        /// Polls the child unless done: `Ready(Ok)` once done, `Ready(Err)` if it failed.
        fn poll_slot(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Err>>;
        /// Cancels the child if it still runs.
        fn cancel(&self);
    }

    /// What a gather macro makes of a child's result: the value it keeps, or the error
    /// that ends the gather.
    pub trait Outcome<T> {
        /// What the gather returns for this child.
        type Out;
        /// What ends the gather.
        type Err;
        /// Sorts a finished child's result.
        fn settle(result: Result<T, TaskError>) -> Result<Self::Out, Self::Err>;
    }

    /// `gather!`: a panic or cancellation is an error.
    pub struct Plain;
    /// `try_gather!`: an `Err` output is an error too.
    pub struct Try;
    /// `gather_results!`: every result is kept, errors included.
    pub struct Settled;

    impl<T> Outcome<T> for Plain {
        type Out = T;
        type Err = TaskError;
        fn settle(result: Result<T, TaskError>) -> Result<T, TaskError> {
            result
        }
    }

    impl<T, E> Outcome<Result<T, E>> for Try {
        type Out = T;
        type Err = GatherError<E>;
        fn settle(result: Result<Result<T, E>, TaskError>) -> Result<T, GatherError<E>> {
            result?.map_err(GatherError::Failed)
        }
    }

    impl<T> Outcome<T> for Settled {
        type Out = Result<T, TaskError>;
        type Err = Infallible;
        fn settle(result: Result<T, TaskError>) -> Result<Self::Out, Infallible> {
            Ok(result)
        }
    }

    /// One child, as a task, and what it settled to.
    pub struct Slot<T, K: Outcome<T>> {
        task: Task<T>,
        out: Option<K::Out>,
    }

    impl<T: Send + 'static, K: Outcome<T>> Slot<T, K> {
        pub fn spawn<F: Future<Output = T> + Send + 'static>(f: F) -> Self {
            Slot {
                task: crate::spawn(f),
                out: None,
            }
        }

        pub fn take(&mut self) -> K::Out {
            self.out
                .take()
                .expect("taken once, after the join succeeded")
        }
    }

    impl<T, K: Outcome<T>> PollSlot<K::Err> for Slot<T, K> {
        fn poll_slot(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), K::Err>> {
            if self.out.is_some() {
                return Poll::Ready(Ok(()));
            }
            std::pin::Pin::new(&mut self.task)
                .poll(cx)
                .map(|r| K::settle(r).map(|v| self.out = Some(v)))
        }

        fn cancel(&self) {
            self.task.cancel();
        }
    }

    /// Joins the slots: `Ok` once all are done, or the first failure (the others are left
    /// running). Dropped before that, it cancels every child.
    pub async fn join<Err>(slots: &mut [&mut dyn PollSlot<Err>]) -> Result<(), Err> {
        struct CancelOnDrop<'a, 'b, Err> {
            slots: &'a mut [&'b mut dyn PollSlot<Err>],
            armed: bool,
        }
        impl<Err> Drop for CancelOnDrop<'_, '_, Err> {
            fn drop(&mut self) {
                if self.armed {
                    self.slots.iter().for_each(|s| s.cancel());
                }
            }
        }
        let mut guard = CancelOnDrop { slots, armed: true };
        let out = std::future::poll_fn(|cx| {
            // Few children: polling each on every wake-up is cheaper than a waker apiece.
            let mut done = true;
            for slot in guard.slots.iter_mut() {
                match slot.poll_slot(cx) {
                    Poll::Ready(Ok(())) => {}
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Pending => done = false,
                }
            }
            if done {
                Poll::Ready(Ok(()))
            } else {
                Poll::Pending
            }
        })
        .await;
        guard.armed = false;
        out
    }
}
