//! The one engine behind `Queue`, `LifoQueue` and `PriorityQueue`, generic over the store.
//!
//! State lives under one `std::sync::Mutex`; waiting goes through three `event_listener`
//! events. A waiting future counts itself in `State::waiters` so that the fast paths only
//! call `Event::notify` (which always takes the event's own lock) when somebody waits.
//!
//! No lost wake-up: every push made while a getter waits notifies one *additional* (not yet
//! notified) getter, every pop made while a putter waits one additional putter, so with `n`
//! items and `g` getters waiting at least `min(n, g)` of them are notified or about to look
//! again. A future re-checks the queue after `listen()`, and after its listener fires it
//! re-checks in the same poll, so a consumed notification is always acted on. A future
//! dropped while holding a notification passes it to the next listener (event-listener does
//! that when a notified listener drops).

use std::fmt;
use std::future::Future;
use std::mem;
use std::pin::Pin;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

use event_listener::{Event, EventListener, Listener};

use super::error::{GetNowaitError, PutNowaitError, QueueShutDown, TaskDoneError};
use super::store::{PREALLOCATE_MAX, Store};

pub(crate) struct Core<S> {
    state: Mutex<State<S>>,
    /// 0 is unbounded, as asyncio's `maxsize`.
    maxsize: usize,
    not_empty: Event,
    not_full: Event,
    finished: Event,
}

pub(crate) struct State<S> {
    items: S,
    unfinished: usize,
    /// Bumped each time `unfinished` reaches 0. A joiner that saw another epoch finishes even
    /// if puts followed, as asyncio's `join` does once its `_finished` event was set.
    epoch: u64,
    shutdown: bool,
    /// Futures of each `Side` that had to wait and have not finished or been dropped.
    waiters: [usize; 3],
}

#[derive(Clone, Copy)]
pub(crate) enum Side {
    Get = 0,
    Put = 1,
    Join = 2,
}

/// Who to notify once the lock is released.
#[derive(Clone, Copy)]
pub(crate) enum Wake {
    Nobody,
    Getter,
    Putter,
}

impl<S> State<S> {
    fn waiting(&self, side: Side) -> bool {
        self.waiters[side as usize] > 0
    }

    /// Counts `n` (at most `unfinished`) finished tasks; true if joiners must be woken.
    fn finish(&mut self, n: usize) -> bool {
        self.unfinished -= n;
        if n > 0 && self.unfinished == 0 {
            self.epoch = self.epoch.wrapping_add(1);
            self.waiting(Side::Join)
        } else {
            false
        }
    }
}

impl<S: Store> State<S> {
    fn is_full(&self, maxsize: usize) -> bool {
        maxsize > 0 && self.items.len() >= maxsize
    }

    fn try_put(&mut self, maxsize: usize, item: S::Item) -> Result<Wake, PutNowaitError<S::Item>> {
        if self.shutdown {
            return Err(PutNowaitError::ShutDown(item));
        }
        if self.is_full(maxsize) {
            return Err(PutNowaitError::Full(item));
        }
        self.items.push(item);
        self.unfinished += 1;
        Ok(if self.waiting(Side::Get) {
            Wake::Getter
        } else {
            Wake::Nobody
        })
    }

    fn try_get(&mut self) -> Result<(S::Item, Wake), GetNowaitError> {
        match self.items.pop() {
            Some(item) => {
                let wake = if self.waiting(Side::Put) {
                    Wake::Putter
                } else {
                    Wake::Nobody
                };
                Ok((item, wake))
            }
            None if self.shutdown => Err(GetNowaitError::ShutDown),
            None => Err(GetNowaitError::Empty),
        }
    }
}

impl<S> Core<S> {
    /// Nothing under the lock calls user code except a priority queue's `Ord`; a panic there
    /// leaves the heap valid, so poisoning is ignored.
    fn lock(&self) -> MutexGuard<'_, State<S>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn maxsize(&self) -> usize {
        self.maxsize
    }

    pub(crate) fn is_shutdown(&self) -> bool {
        self.lock().shutdown
    }

    pub(crate) fn task_done(&self) -> Result<(), TaskDoneError> {
        let mut st = self.lock();
        if st.unfinished == 0 {
            return Err(TaskDoneError);
        }
        let wake_joiners = st.finish(1);
        drop(st);
        if wake_joiners {
            self.finished.notify(usize::MAX);
        }
        Ok(())
    }

    pub(crate) fn join(&self) -> Wait<'_, S, JoinOp> {
        Wait::new(self, JoinOp { epoch: None })
    }

    fn event(&self, side: Side) -> &Event {
        match side {
            Side::Get => &self.not_empty,
            Side::Put => &self.not_full,
            Side::Join => &self.finished,
        }
    }

    fn wake(&self, wake: Wake) {
        // `additional`: a waiter notified earlier but not yet run must not absorb this
        // notification, or two back-to-back puts would wake one getter for two items.
        match wake {
            Wake::Nobody => {}
            Wake::Getter => {
                self.not_empty.notify_additional(1);
            }
            Wake::Putter => {
                self.not_full.notify_additional(1);
            }
        }
    }
}

impl<S: Store> Core<S> {
    pub(crate) fn new(maxsize: usize) -> Self {
        Self {
            state: Mutex::new(State {
                items: S::with_capacity(maxsize.min(PREALLOCATE_MAX)),
                unfinished: 0,
                epoch: 0,
                shutdown: false,
                waiters: [0; 3],
            }),
            maxsize,
            not_empty: Event::new(),
            not_full: Event::new(),
            finished: Event::new(),
        }
    }

    pub(crate) fn qsize(&self) -> usize {
        self.lock().items.len()
    }

    pub(crate) fn is_full(&self) -> bool {
        self.lock().is_full(self.maxsize)
    }

    pub(crate) fn put_nowait(&self, item: S::Item) -> Result<(), PutNowaitError<S::Item>> {
        let wake = self.lock().try_put(self.maxsize, item)?;
        self.wake(wake);
        Ok(())
    }

    pub(crate) fn get_nowait(&self) -> Result<S::Item, GetNowaitError> {
        let (item, wake) = self.lock().try_get()?;
        self.wake(wake);
        Ok(item)
    }

    pub(crate) fn put(&self, item: S::Item) -> Wait<'_, S, PutOp<S::Item>> {
        Wait::new(self, PutOp(Some(item)))
    }

    pub(crate) fn get(&self) -> Wait<'_, S, GetOp> {
        Wait::new(self, GetOp)
    }

    pub(crate) fn shutdown(&self, immediate: bool) {
        let mut st = self.lock();
        st.shutdown = true;
        let mut wake_joiners = false;
        // Dropped after unlocking: an item's `Drop` may use this queue.
        let discarded = immediate.then(|| {
            // asyncio counts one task done per discarded item, never below zero.
            let done = st.items.len().min(st.unfinished);
            wake_joiners = st.finish(done);
            mem::replace(&mut st.items, S::with_capacity(0))
        });
        let (getters, putters) = (st.waiting(Side::Get), st.waiting(Side::Put));
        drop(st);
        // Everyone re-checks: getters drain or fail, putters fail.
        if getters {
            self.not_empty.notify(usize::MAX);
        }
        if putters {
            self.not_full.notify(usize::MAX);
        }
        if wake_joiners {
            self.finished.notify(usize::MAX);
        }
        drop(discarded);
    }

    pub(crate) fn fmt_fields(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.lock();
        f.debug_struct(name)
            .field("maxsize", &self.maxsize)
            .field("qsize", &st.items.len())
            .field("unfinished", &st.unfinished)
            .field("shutdown", &st.shutdown)
            .finish_non_exhaustive()
    }
}

/// One attempt of a waiting operation, made under the lock.
pub(crate) trait Op<S> {
    type Output;
    const SIDE: Side;

    /// `None` means "wait"; `Some` carries the result and who to wake after unlocking.
    fn attempt(&mut self, st: &mut State<S>, maxsize: usize) -> Option<(Self::Output, Wake)>;
}

pub(crate) struct GetOp;

impl<S: Store> Op<S> for GetOp {
    type Output = Result<S::Item, QueueShutDown>;
    const SIDE: Side = Side::Get;

    fn attempt(&mut self, st: &mut State<S>, _: usize) -> Option<(Self::Output, Wake)> {
        match st.try_get() {
            Ok((item, wake)) => Some((Ok(item), wake)),
            Err(GetNowaitError::ShutDown) => Some((Err(QueueShutDown(())), Wake::Nobody)),
            Err(GetNowaitError::Empty) => None,
        }
    }
}

/// Holds the item until the poll that pushes it.
pub(crate) struct PutOp<T>(Option<T>);

impl<S: Store> Op<S> for PutOp<S::Item> {
    type Output = Result<(), QueueShutDown<S::Item>>;
    const SIDE: Side = Side::Put;

    fn attempt(&mut self, st: &mut State<S>, maxsize: usize) -> Option<(Self::Output, Wake)> {
        let item = self
            .0
            .take()
            .expect("`put` future polled after it completed");
        match st.try_put(maxsize, item) {
            Ok(wake) => Some((Ok(()), wake)),
            Err(PutNowaitError::ShutDown(item)) => Some((Err(QueueShutDown(item)), Wake::Nobody)),
            Err(PutNowaitError::Full(item)) => {
                self.0 = Some(item);
                None
            }
        }
    }
}

pub(crate) struct JoinOp {
    /// The epoch seen at the first poll, where asyncio's `join` checks the count.
    epoch: Option<u64>,
}

impl<S> Op<S> for JoinOp {
    type Output = ();
    const SIDE: Side = Side::Join;

    fn attempt(&mut self, st: &mut State<S>, _: usize) -> Option<((), Wake)> {
        if st.unfinished == 0 {
            return Some(((), Wake::Nobody));
        }
        match self.epoch {
            Some(seen) if seen != st.epoch => Some(((), Wake::Nobody)),
            Some(_) => None,
            None => {
                self.epoch = Some(st.epoch);
                None
            }
        }
    }
}

/// The future behind `get`, `put` and `join`.
pub(crate) struct Wait<'a, S, O> {
    core: &'a Core<S>,
    op: O,
    listener: Option<EventListener>,
    /// Counted in `State::waiters`; from the first time it had to wait until it finishes.
    registered: bool,
    side: Side,
}

impl<'a, S, O: Op<S>> Wait<'a, S, O> {
    fn new(core: &'a Core<S>, op: O) -> Self {
        Self {
            core,
            op,
            listener: None,
            registered: false,
            side: O::SIDE,
        }
    }
}

// The item inside `PutOp` is moved in and out, never pinned.
impl<S, O> Unpin for Wait<'_, S, O> {}

impl<S, O: Op<S>> Future for Wait<'_, S, O> {
    type Output = O::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<O::Output> {
        let this = self.get_mut();
        loop {
            let mut st = this.core.lock();
            if let Some((out, wake)) = this.op.attempt(&mut st, this.core.maxsize) {
                if this.registered {
                    st.waiters[this.side as usize] -= 1;
                    this.registered = false;
                }
                drop(st);
                this.core.wake(wake);
                // A notification still held here is not passed on: finishing used up one
                // item (or slot), which is all one notification stands for, so passing it
                // on would only wake another waiter for nothing.
                if let Some(listener) = this.listener.take() {
                    listener.discard();
                }
                return Poll::Ready(out);
            }
            match &mut this.listener {
                None => {
                    if !this.registered {
                        st.waiters[this.side as usize] += 1;
                        this.registered = true;
                    }
                    drop(st);
                    // Listen, then attempt again: a change between the attempt above and
                    // `listen()` notified nobody, but the next attempt sees it.
                    this.listener = Some(this.core.event(this.side).listen());
                }
                Some(listener) => {
                    drop(st);
                    match Pin::new(listener).poll(cx) {
                        // The notification is used up: attempt again in this same poll
                        // rather than return `Pending` and strand it.
                        Poll::Ready(()) => this.listener = None,
                        Poll::Pending => return Poll::Pending,
                    }
                }
            }
        }
    }
}

impl<S, O> Drop for Wait<'_, S, O> {
    fn drop(&mut self) {
        if self.registered {
            self.core.lock().waiters[self.side as usize] -= 1;
        }
        // `listener` drops after this: a notification it holds passes to the next waiter.
    }
}
