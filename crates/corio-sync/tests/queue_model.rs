//! Each queue kind against a plain sequential model, over random operation sequences that
//! start, poll and drop (cancel) pending `get` / `put` / `join` futures by hand.
//!
//! Checked after every step: results and item order equal the model's; `qsize`, `empty`,
//! `full` and `is_shutdown` equal the model's; a pending future completes exactly when the
//! model says it can; and no wake-up is lost: with `n` items queued and `g` gets pending, at
//! least `min(n, g)` of those gets were woken since their last poll (likewise for puts and
//! free room), and after a shutdown or a released `join` every such waiter was woken. At the
//! end every item put is accounted for exactly once.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use corio_sync::{
    GetNowaitError, LifoQueue, PriorityQueue, PutNowaitError, Queue, QueueShutDown, TaskDoneError,
};
use proptest::prelude::*;

/// `(priority, unique id)`: only the priority queue looks at the priority.
type Item = (u8, u32);

type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// The three queue types behind one interface.
trait AnyQueue {
    fn put_nowait(&self, item: Item) -> Result<(), PutNowaitError<Item>>;
    fn get_nowait(&self) -> Result<Item, GetNowaitError>;
    fn put(&self, item: Item) -> BoxFut<'_, Result<(), QueueShutDown<Item>>>;
    fn get(&self) -> BoxFut<'_, Result<Item, QueueShutDown>>;
    fn join(&self) -> BoxFut<'_, ()>;
    fn task_done(&self) -> Result<(), TaskDoneError>;
    fn shutdown(&self, immediate: bool);
    fn qsize(&self) -> usize;
    fn empty(&self) -> bool;
    fn full(&self) -> bool;
    fn is_shutdown(&self) -> bool;
}

macro_rules! any_queue {
    ($queue:ident) => {
        impl AnyQueue for $queue<Item> {
            fn put_nowait(&self, item: Item) -> Result<(), PutNowaitError<Item>> {
                $queue::put_nowait(self, item)
            }
            fn get_nowait(&self) -> Result<Item, GetNowaitError> {
                $queue::get_nowait(self)
            }
            fn put(&self, item: Item) -> BoxFut<'_, Result<(), QueueShutDown<Item>>> {
                Box::pin($queue::put(self, item))
            }
            fn get(&self) -> BoxFut<'_, Result<Item, QueueShutDown>> {
                Box::pin($queue::get(self))
            }
            fn join(&self) -> BoxFut<'_, ()> {
                Box::pin($queue::join(self))
            }
            fn task_done(&self) -> Result<(), TaskDoneError> {
                $queue::task_done(self)
            }
            fn shutdown(&self, immediate: bool) {
                $queue::shutdown(self, immediate)
            }
            fn qsize(&self) -> usize {
                $queue::qsize(self)
            }
            fn empty(&self) -> bool {
                $queue::empty(self)
            }
            fn full(&self) -> bool {
                $queue::full(self)
            }
            fn is_shutdown(&self) -> bool {
                $queue::is_shutdown(self)
            }
        }
    };
}

any_queue!(Queue);
any_queue!(LifoQueue);
any_queue!(PriorityQueue);

#[derive(Clone, Copy, Debug)]
enum Kind {
    Fifo,
    Lifo,
    Priority,
}

/// asyncio's queue, sequentially.
struct Model {
    kind: Kind,
    items: Vec<Item>,
    maxsize: usize,
    unfinished: usize,
    /// Bumped when `unfinished` reaches 0 (asyncio sets `_finished`).
    epoch: u64,
    shutdown: bool,
}

impl Model {
    fn full(&self) -> bool {
        self.maxsize > 0 && self.items.len() >= self.maxsize
    }

    fn free(&self) -> usize {
        if self.maxsize == 0 {
            usize::MAX
        } else {
            self.maxsize.saturating_sub(self.items.len())
        }
    }

    fn pop(&mut self) -> Option<Item> {
        if self.items.is_empty() {
            return None;
        }
        let at = match self.kind {
            Kind::Fifo => 0,
            Kind::Lifo => self.items.len() - 1,
            Kind::Priority => (0..self.items.len())
                .min_by_key(|&i| self.items[i])
                .unwrap(),
        };
        Some(self.items.remove(at))
    }

    fn put(&mut self, item: Item) -> Result<(), PutNowaitError<Item>> {
        if self.shutdown {
            return Err(PutNowaitError::ShutDown(item));
        }
        if self.full() {
            return Err(PutNowaitError::Full(item));
        }
        self.items.push(item);
        self.unfinished += 1;
        Ok(())
    }

    fn get(&mut self) -> Result<Item, GetNowaitError> {
        match self.pop() {
            Some(item) => Ok(item),
            None if self.shutdown => Err(GetNowaitError::ShutDown),
            None => Err(GetNowaitError::Empty),
        }
    }

    fn finish(&mut self, n: usize) {
        self.unfinished -= n;
        if n > 0 && self.unfinished == 0 {
            self.epoch += 1;
        }
    }

    fn task_done(&mut self) -> Result<(), TaskDoneError> {
        if self.unfinished == 0 {
            return Err(TaskDoneError);
        }
        self.finish(1);
        Ok(())
    }

    /// Returns the discarded items.
    fn shutdown(&mut self, immediate: bool) -> Vec<Item> {
        self.shutdown = true;
        if !immediate {
            return Vec::new();
        }
        let discarded = std::mem::take(&mut self.items);
        self.finish(discarded.len().min(self.unfinished));
        discarded
    }

    fn join_done(&self, start_epoch: u64) -> bool {
        self.unfinished == 0 || self.epoch != start_epoch
    }
}

#[derive(Default)]
struct Counter(AtomicUsize);

impl Wake for Counter {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

enum Fut<'a> {
    Get(BoxFut<'a, Result<Item, QueueShutDown>>),
    Put(BoxFut<'a, Result<(), QueueShutDown<Item>>>, Item),
    /// With the model's epoch at its first poll.
    Join(BoxFut<'a, ()>, u64),
}

struct Pending<'a> {
    fut: Fut<'a>,
    counter: Arc<Counter>,
    waker: Waker,
    /// Wake count at the last poll.
    seen: usize,
}

impl Pending<'_> {
    fn woken(&self) -> bool {
        self.counter.0.load(Ordering::SeqCst) > self.seen
    }
}

/// What a poll produced.
#[derive(Debug, PartialEq)]
enum Outcome {
    Pending,
    Got(Result<Item, QueueShutDown>),
    Put(Result<(), QueueShutDown<Item>>),
    Joined,
}

fn poll(p: &mut Pending<'_>) -> Outcome {
    p.seen = p.counter.0.load(Ordering::SeqCst);
    let cx = &mut Context::from_waker(&p.waker);
    let ready = match &mut p.fut {
        Fut::Get(f) => f.as_mut().poll(cx).map(Outcome::Got),
        Fut::Put(f, _) => f.as_mut().poll(cx).map(Outcome::Put),
        Fut::Join(f, _) => f.as_mut().poll(cx).map(|()| Outcome::Joined),
    };
    match ready {
        Poll::Ready(outcome) => outcome,
        Poll::Pending => Outcome::Pending,
    }
}

/// What the model says polling `fut` now yields, applying it to the model.
fn expect(model: &mut Model, fut: &Fut<'_>) -> Outcome {
    match fut {
        Fut::Get(_) => match model.get() {
            Ok(item) => Outcome::Got(Ok(item)),
            Err(GetNowaitError::ShutDown) => Outcome::Got(Err(QueueShutDown(()))),
            Err(GetNowaitError::Empty) => Outcome::Pending,
        },
        Fut::Put(_, item) => match model.put(*item) {
            Ok(()) => Outcome::Put(Ok(())),
            Err(PutNowaitError::ShutDown(item)) => Outcome::Put(Err(QueueShutDown(item))),
            Err(PutNowaitError::Full(_)) => Outcome::Pending,
        },
        Fut::Join(_, start) => {
            if model.join_done(*start) {
                Outcome::Joined
            } else {
                Outcome::Pending
            }
        }
    }
}

#[derive(Clone, Debug)]
enum Op {
    PutNowait(u8),
    GetNowait,
    StartPut(u8),
    StartGet,
    StartJoin,
    /// Poll the pending future at this index (modulo their number).
    Poll(usize),
    /// Drop (cancel) the pending future at this index.
    Drop(usize),
    TaskDone,
    Shutdown(bool),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..4u8).prop_map(Op::PutNowait),
        3 => Just(Op::GetNowait),
        3 => (0..4u8).prop_map(Op::StartPut),
        3 => Just(Op::StartGet),
        1 => Just(Op::StartJoin),
        5 => any::<usize>().prop_map(Op::Poll),
        2 => any::<usize>().prop_map(Op::Drop),
        2 => Just(Op::TaskDone),
        1 => any::<bool>().prop_map(Op::Shutdown),
    ]
}

/// Where each item put ended up; every id must land exactly once.
#[derive(Default)]
struct Ledger {
    next_id: u32,
    landed: Vec<u32>,
}

impl Ledger {
    fn item(&mut self, priority: u8) -> Item {
        self.next_id += 1;
        (priority, self.next_id)
    }

    fn land(&mut self, (_, id): Item) {
        self.landed.push(id);
    }
}

/// Polls a new or pending future, checks the outcome against the model, and keeps it if
/// still pending.
fn step<'a>(
    mut p: Pending<'a>,
    model: &mut Model,
    ledger: &mut Ledger,
    pending: &mut Vec<Pending<'a>>,
) -> Result<(), TestCaseError> {
    let want = expect(model, &p.fut);
    let got = poll(&mut p);
    prop_assert_eq!(&got, &want);
    match got {
        Outcome::Pending => pending.push(p),
        Outcome::Got(Ok(item)) | Outcome::Put(Err(QueueShutDown(item))) => ledger.land(item),
        Outcome::Got(Err(_)) | Outcome::Put(Ok(())) | Outcome::Joined => {}
    }
    Ok(())
}

fn start(fut: Fut<'_>) -> Pending<'_> {
    let counter = Arc::new(Counter::default());
    Pending {
        fut,
        waker: Waker::from(Arc::clone(&counter)),
        counter,
        seen: 0,
    }
}

fn run(q: &dyn AnyQueue, kind: Kind, maxsize: usize, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut model = Model {
        kind,
        items: Vec::new(),
        maxsize,
        unfinished: 0,
        epoch: 0,
        shutdown: false,
    };
    let mut ledger = Ledger::default();
    let mut pending: Vec<Pending<'_>> = Vec::new();

    for op in ops {
        match op {
            Op::PutNowait(priority) => {
                let item = ledger.item(priority);
                let got = q.put_nowait(item);
                prop_assert_eq!(got, model.put(item));
                if let Err(e) = got {
                    ledger.land(e.into_inner());
                }
            }
            Op::GetNowait => {
                let got = q.get_nowait();
                prop_assert_eq!(got, model.get());
                if let Ok(item) = got {
                    ledger.land(item);
                }
            }
            Op::StartPut(priority) => {
                let item = ledger.item(priority);
                step(
                    start(Fut::Put(q.put(item), item)),
                    &mut model,
                    &mut ledger,
                    &mut pending,
                )?;
            }
            Op::StartGet => {
                step(
                    start(Fut::Get(q.get())),
                    &mut model,
                    &mut ledger,
                    &mut pending,
                )?;
            }
            Op::StartJoin => {
                let epoch = model.epoch;
                step(
                    start(Fut::Join(q.join(), epoch)),
                    &mut model,
                    &mut ledger,
                    &mut pending,
                )?;
            }
            Op::Poll(i) if !pending.is_empty() => {
                let p = pending.remove(i % pending.len());
                step(p, &mut model, &mut ledger, &mut pending)?;
            }
            Op::Drop(i) if !pending.is_empty() => {
                let p = pending.remove(i % pending.len());
                if let Fut::Put(_, item) = p.fut {
                    ledger.land(item); // dropped with its future, never queued
                }
            }
            Op::Poll(_) | Op::Drop(_) => {}
            Op::TaskDone => prop_assert_eq!(q.task_done(), model.task_done()),
            Op::Shutdown(immediate) => {
                q.shutdown(immediate);
                for item in model.shutdown(immediate) {
                    ledger.land(item);
                }
            }
        }
        check(q, &model, &pending)?;
    }

    // Wind down: shut down, settle every pending get and put, drain what is left.
    q.shutdown(false);
    model.shutdown(false);
    check(q, &model, &pending)?;
    for mut p in std::mem::take(&mut pending) {
        if let Fut::Join(..) = p.fut {
            continue;
        }
        let want = expect(&mut model, &p.fut);
        let got = poll(&mut p);
        prop_assert_eq!(&got, &want);
        match got {
            Outcome::Got(Ok(item)) | Outcome::Put(Err(QueueShutDown(item))) => ledger.land(item),
            Outcome::Got(Err(_)) => {}
            other => prop_assert!(false, "after shutdown a poll gave {other:?}"),
        }
    }
    loop {
        let got = q.get_nowait();
        prop_assert_eq!(got, model.get());
        match got {
            Ok(item) => ledger.land(item),
            Err(_) => break,
        }
    }
    // The unfinished count matches: exactly that many task_done calls succeed.
    for _ in 0..model.unfinished {
        prop_assert_eq!(q.task_done(), Ok(()));
    }
    prop_assert_eq!(q.task_done(), Err(TaskDoneError));

    let mut landed = ledger.landed;
    landed.sort_unstable();
    let all: Vec<u32> = (1..=ledger.next_id).collect();
    prop_assert_eq!(landed, all, "every item lands exactly once");
    Ok(())
}

/// The observable state equals the model's and no wake-up was lost.
fn check(q: &dyn AnyQueue, model: &Model, pending: &[Pending<'_>]) -> Result<(), TestCaseError> {
    prop_assert_eq!(q.qsize(), model.items.len());
    prop_assert_eq!(q.empty(), model.items.is_empty());
    prop_assert_eq!(q.full(), model.full());
    prop_assert_eq!(q.is_shutdown(), model.shutdown);

    let (mut gets, mut gets_woken, mut puts, mut puts_woken) = (0, 0, 0, 0);
    for p in pending {
        match p.fut {
            Fut::Get(_) => {
                gets += 1;
                gets_woken += usize::from(p.woken());
            }
            Fut::Put(..) => {
                puts += 1;
                puts_woken += usize::from(p.woken());
            }
            Fut::Join(_, start) => {
                if model.join_done(start) {
                    prop_assert!(p.woken(), "a released join was not woken");
                }
            }
        }
    }
    if model.shutdown {
        prop_assert_eq!(gets_woken, gets, "shutdown must wake every get");
        prop_assert_eq!(puts_woken, puts, "shutdown must wake every put");
    } else {
        prop_assert!(
            gets_woken >= gets.min(model.items.len()),
            "lost wake-up: {} items, {} gets pending, {} woken",
            model.items.len(),
            gets,
            gets_woken
        );
        prop_assert!(
            puts_woken >= puts.min(model.free()),
            "lost wake-up: room for {}, {} puts pending, {} woken",
            model.free(),
            puts,
            puts_woken
        );
    }
    Ok(())
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn queue_matches_model(maxsize in 0..4usize, ops in prop::collection::vec(op(), 1..50)) {
        run(&Queue::new(maxsize), Kind::Fifo, maxsize, ops)?;
    }

    #[test]
    fn lifo_queue_matches_model(maxsize in 0..4usize, ops in prop::collection::vec(op(), 1..50)) {
        run(&LifoQueue::new(maxsize), Kind::Lifo, maxsize, ops)?;
    }

    #[test]
    fn priority_queue_matches_model(
        maxsize in 0..4usize,
        ops in prop::collection::vec(op(), 1..50),
    ) {
        run(&PriorityQueue::new(maxsize), Kind::Priority, maxsize, ops)?;
    }
}
