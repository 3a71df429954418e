//! State-machine tests: random interleavings of acquire, poll, cancel and release on a
//! `Semaphore` and a `Mutex`, and of wait, cancel, abort and reset on a `Barrier`, each
//! checked step by step against a sequential model.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use corio_sync::{Barrier, BrokenBarrierError, Mutex, Semaphore};
use proptest::prelude::*;

#[derive(Default)]
struct Wakes(AtomicUsize);

impl Wake for Wakes {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A future polled by hand, with its own counting waker.
struct Pending<'a, T> {
    fut: Pin<Box<dyn Future<Output = T> + 'a>>,
    wakes: Arc<Wakes>,
}

impl<'a, T> Pending<'a, T> {
    fn new(fut: impl Future<Output = T> + 'a) -> Self {
        Pending {
            fut: Box::pin(fut),
            wakes: Arc::default(),
        }
    }

    fn poll(&mut self) -> Option<T> {
        let waker = Waker::from(self.wakes.clone());
        match self.fut.as_mut().poll(&mut Context::from_waker(&waker)) {
            Poll::Ready(v) => Some(v),
            Poll::Pending => None,
        }
    }

    fn woken(&self) -> bool {
        self.wakes.0.load(Ordering::SeqCst) > 0
    }
}

#[derive(Debug, Clone)]
enum PermitOp {
    TryAcquire(usize),
    Acquire(usize),
    Poll(usize),
    Cancel(usize),
    Release(usize),
    AddPermits(usize),
}

fn permit_ops(max_n: usize) -> impl Strategy<Value = Vec<PermitOp>> {
    prop::collection::vec(
        prop_oneof![
            1 => (1..=max_n).prop_map(PermitOp::TryAcquire),
            3 => (1..=max_n).prop_map(PermitOp::Acquire),
            2 => any::<usize>().prop_map(PermitOp::Poll),
            2 => any::<usize>().prop_map(PermitOp::Cancel),
            3 => any::<usize>().prop_map(PermitOp::Release),
            1 => (1..=2usize).prop_map(PermitOp::AddPermits),
        ],
        1..60,
    )
}

/// The sequential model: free permits and a FIFO of waiters, the head served first.
struct PermitModel {
    free: usize,
    /// (waiter id, permits wanted), in arrival order.
    queue: VecDeque<(usize, usize)>,
    /// Waiters whose permits were handed over but who have not run since.
    granted: Vec<usize>,
}

impl PermitModel {
    fn dispatch(&mut self) {
        while let Some(&(id, n)) = self.queue.front() {
            if n > self.free {
                break;
            }
            self.free -= n;
            self.queue.pop_front();
            self.granted.push(id);
        }
    }

    fn observed_free(&self) -> usize {
        if self.queue.is_empty() { self.free } else { 0 }
    }
}

/// Runs `ops` against a source of permits: `acquire(n)` waits for `n`, `try_acquire(n)`
/// takes them now, `add(n)` adds them, `available()` reports the free count.
fn check_permits<'a, P: 'a>(
    initial: usize,
    ops: &[PermitOp],
    acquire: impl Fn(usize) -> Pin<Box<dyn Future<Output = P> + 'a>>,
    try_acquire: impl Fn(usize) -> Option<P>,
    add: impl Fn(usize),
    available: impl Fn() -> usize,
) -> Result<(), TestCaseError> {
    let mut model = PermitModel {
        free: initial,
        queue: VecDeque::new(),
        granted: Vec::new(),
    };
    // (id, permits, future) for pending acquires; (permits, guard) for held ones.
    let mut pending: Vec<(usize, usize, Pending<'a, P>)> = Vec::new();
    let mut held: Vec<(usize, P)> = Vec::new();
    for (id, op) in ops.iter().enumerate() {
        match *op {
            PermitOp::TryAcquire(n) => {
                let can = model.queue.is_empty() && model.free >= n;
                let got = try_acquire(n);
                prop_assert_eq!(got.is_some(), can, "try_acquire({})", n);
                if let Some(p) = got {
                    model.free -= n;
                    held.push((n, p));
                }
            }
            PermitOp::Acquire(n) => {
                let mut fut = Pending::new(acquire(n));
                let immediate = model.queue.is_empty() && model.free >= n;
                match fut.poll() {
                    Some(p) => {
                        prop_assert!(immediate, "acquire({}) did not wait its turn", n);
                        model.free -= n;
                        held.push((n, p));
                    }
                    None => {
                        prop_assert!(!immediate, "acquire({}) waited needlessly", n);
                        model.queue.push_back((id, n));
                        pending.push((id, n, fut));
                    }
                }
            }
            PermitOp::Poll(i) if !pending.is_empty() => {
                let i = i % pending.len();
                let id = pending[i].0;
                let granted = model.granted.contains(&id);
                if granted {
                    prop_assert!(pending[i].2.woken(), "a granted waiter was not woken");
                }
                let out = pending[i].2.poll();
                prop_assert_eq!(out.is_some(), granted);
                if let Some(p) = out {
                    let (_, n, _) = pending.remove(i);
                    model.granted.retain(|&g| g != id);
                    held.push((n, p));
                }
            }
            PermitOp::Cancel(i) if !pending.is_empty() => {
                let (id, n, fut) = pending.remove(i % pending.len());
                drop(fut);
                if let Some(at) = model.granted.iter().position(|&g| g == id) {
                    model.granted.remove(at);
                    model.free += n; // handed over, never used: back it goes
                } else {
                    model.queue.retain(|&(q, _)| q != id);
                }
                model.dispatch();
            }
            PermitOp::Release(i) if !held.is_empty() => {
                let (n, permit) = held.remove(i % held.len());
                drop(permit);
                model.free += n;
                model.dispatch();
            }
            PermitOp::AddPermits(n) => {
                add(n);
                model.free += n;
                model.dispatch();
            }
            _ => {}
        }
        prop_assert_eq!(available(), model.observed_free(), "after {:?}", op);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn semaphore_matches_the_fifo_model(initial in 0..4usize, ops in permit_ops(3)) {
        let s = &Semaphore::new(initial);
        check_permits(
            initial,
            &ops,
            |n| Box::pin(async move { s.acquire_many(n).await.unwrap() }),
            |n| s.try_acquire_many(n),
            |n| s.add_permits(n).unwrap(),
            || s.available_permits(),
        )?;
    }

    #[test]
    fn mutex_matches_the_fifo_model(ops in permit_ops(1)) {
        // A mutex is one permit; `AddPermits` has no meaning for it and is skipped.
        let ops: Vec<_> = ops.into_iter().filter(|op| !matches!(op, PermitOp::AddPermits(_))).collect();
        let m = Mutex::new(());
        check_permits(
            1,
            &ops,
            |_| Box::pin(m.lock()),
            |_| m.try_lock().ok(),
            |_| unreachable!(),
            || usize::from(!m.locked()),
        )?;
    }
}

#[derive(Debug, Clone)]
enum BarrierOp {
    Wait,
    Poll(usize),
    Cancel(usize),
    Abort,
    Reset,
}

fn barrier_ops() -> impl Strategy<Value = Vec<BarrierOp>> {
    prop::collection::vec(
        prop_oneof![
            4 => Just(BarrierOp::Wait),
            3 => any::<usize>().prop_map(BarrierOp::Poll),
            2 => any::<usize>().prop_map(BarrierOp::Cancel),
            1 => Just(BarrierOp::Abort),
            1 => Just(BarrierOp::Reset),
        ],
        1..60,
    )
}

type Outcome = Result<usize, BrokenBarrierError>;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn barrier_matches_the_round_model(parties in 1..4usize, ops in barrier_ops()) {
        let barrier = Barrier::new(parties).unwrap();
        // Model: the current round's waiters (id, index), finished waiters' outcomes.
        let mut round: Vec<(usize, usize)> = Vec::new();
        let mut finished: Vec<(usize, Outcome)> = Vec::new();
        let mut broken = false;
        let mut pending: Vec<(usize, Pending<'_, Outcome>)> = Vec::new();
        for (id, op) in ops.iter().enumerate() {
            match *op {
                BarrierOp::Wait => {
                    let mut fut = Pending::new(barrier.wait());
                    let out = fut.poll();
                    let expected = if broken {
                        Some(Err(BrokenBarrierError))
                    } else if round.len() + 1 == parties {
                        let index = round.len();
                        finished.extend(round.drain(..).map(|(w, i)| (w, Ok(i))));
                        Some(Ok(index))
                    } else {
                        round.push((id, round.len()));
                        None
                    };
                    prop_assert_eq!(out, expected);
                    if out.is_none() {
                        pending.push((id, fut));
                    }
                }
                BarrierOp::Poll(i) if !pending.is_empty() => {
                    let i = i % pending.len();
                    let id = pending[i].0;
                    let expected = finished.iter().find(|(w, _)| *w == id).map(|&(_, o)| o);
                    if expected.is_some() {
                        prop_assert!(pending[i].1.woken(), "a released waiter was not woken");
                    }
                    let out = pending[i].1.poll();
                    prop_assert_eq!(out, expected);
                    if out.is_some() {
                        pending.remove(i);
                    }
                }
                BarrierOp::Cancel(i) if !pending.is_empty() => {
                    let (id, fut) = pending.remove(i % pending.len());
                    drop(fut);
                    round.retain(|&(w, _)| w != id);
                    finished.retain(|&(w, _)| w != id);
                }
                BarrierOp::Abort => {
                    barrier.abort();
                    broken = true;
                    finished.extend(round.drain(..).map(|(w, _)| (w, Err(BrokenBarrierError))));
                }
                BarrierOp::Reset => {
                    barrier.reset();
                    broken = false;
                    finished.extend(round.drain(..).map(|(w, _)| (w, Err(BrokenBarrierError))));
                }
                _ => {}
            }
            prop_assert_eq!(barrier.n_waiting(), round.len());
            prop_assert_eq!(barrier.broken(), broken);
        }
    }
}
