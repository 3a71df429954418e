//! Many futures polled as one, each with a waker of its own: a wake-up polls only the child
//! it is for, so waiting on 10,000 children costs per wake-up, not per child. The engine
//! behind `gather`, `wait`, `as_completed` and `task_group`. Children are `Unpin` (tasks
//! are; other futures come boxed), so they are stored inline.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};

pub(crate) struct Set<F> {
    children: Vec<Option<Child<F>>>,
    shared: Arc<Shared>,
    /// Indices taken from `shared.woken` and not polled yet.
    to_poll: Vec<usize>,
    remaining: usize,
}

struct Child<F> {
    future: F,
    waker: Waker,
    /// Set while the child's index is queued, so a burst of wakes queues it once.
    queued: Arc<ChildWaker>,
}

struct Shared {
    woken: Mutex<Vec<usize>>,
    parent: Mutex<Option<Waker>>,
}

struct ChildWaker {
    index: usize,
    queued: AtomicBool,
    shared: Arc<Shared>,
}

impl Wake for ChildWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if self.queued.swap(true, Ordering::AcqRel) {
            return;
        }
        lock(&self.shared.woken).push(self.index);
        let parent = lock(&self.shared.parent).clone();
        if let Some(parent) = parent {
            parent.wake();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Nothing panics under these locks.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<F: Future + Unpin> Set<F> {
    pub(crate) fn new(futures: impl IntoIterator<Item = F>) -> Set<F> {
        let mut set = Set {
            children: Vec::new(),
            shared: Arc::new(Shared {
                woken: Mutex::new(Vec::new()),
                parent: Mutex::new(None),
            }),
            to_poll: Vec::new(),
            remaining: 0,
        };
        for future in futures {
            let index = set.children.len();
            let child = set.child(index, future);
            set.children.push(Some(child));
        }
        set.remaining = set.children.len();
        set.to_poll = (0..set.remaining).rev().collect();
        set
    }

    /// Adds a child, polled at the next [`poll_next`](Self::poll_next); returns its index.
    pub(crate) fn push(&mut self, future: F) -> usize {
        let index = self.children.len();
        self.children.push(Some(self.child(index, future)));
        // Queued as if woken: polled with the next batch.
        lock(&self.shared.woken).push(index);
        self.remaining += 1;
        index
    }

    fn child(&self, index: usize, future: F) -> Child<F> {
        let queued = Arc::new(ChildWaker {
            index,
            // Every child is polled once to begin with.
            queued: AtomicBool::new(true),
            shared: self.shared.clone(),
        });
        Child {
            future,
            waker: Waker::from(queued.clone()),
            queued,
        }
    }

    /// Runs `f` on every child that has not finished.
    pub(crate) fn for_each_pending(&self, mut f: impl FnMut(&F)) {
        for child in self.children.iter().flatten() {
            f(&child.future);
        }
    }

    /// How many children have not finished.
    pub(crate) fn remaining(&self) -> usize {
        self.remaining
    }

    /// The next child to finish: its index and output; `Ready(None)` once all have.
    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<(usize, F::Output)>> {
        if self.remaining == 0 {
            return Poll::Ready(None);
        }
        {
            let mut parent = lock(&self.shared.parent);
            if !parent.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                *parent = Some(cx.waker().clone());
            }
        }
        // One batch of wake-ups per call: a child that wakes itself while polled (the
        // cooperative budget ran out) waits for the next call instead of spinning here.
        if self.to_poll.is_empty() {
            let mut woken = lock(&self.shared.woken);
            // Oldest wake first: `pop` takes from the end.
            woken.reverse();
            std::mem::swap(&mut self.to_poll, &mut woken);
        }
        while let Some(index) = self.to_poll.pop() {
            // A task's budget is spent: the children left would only say Pending and queue
            // themselves again. Yield, and go on from here next time.
            if !corio_executor::coop::has_budget_remaining() {
                self.to_poll.push(index);
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            let Some(child) = self.children[index].as_mut() else {
                continue;
            };
            child.queued.queued.store(false, Ordering::Release);
            let mut child_cx = Context::from_waker(&child.waker);
            if let Poll::Ready(out) = Pin::new(&mut child.future).poll(&mut child_cx) {
                self.children[index] = None;
                self.remaining -= 1;
                return Poll::Ready(Some((index, out)));
            }
        }
        Poll::Pending
    }

    /// Takes the children that have not finished, with their indices.
    pub(crate) fn take_pending(&mut self) -> Vec<(usize, F)> {
        self.remaining = 0;
        self.children
            .iter_mut()
            .enumerate()
            .filter_map(|(i, c)| c.take().map(|c| (i, c.future)))
            .collect()
    }
}
