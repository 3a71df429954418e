//! A state-machine test of the bounded mpsc channel against a `VecDeque` model.
//!
//! Random sequences of `try_send`, `try_recv`, starting / polling / dropping pending sends,
//! polling the receiver (directly and through `recv` futures dropped straight after),
//! cloning and dropping senders and closing. After every step:
//! - every value received is the model's next one (order, nothing lost or duplicated,
//!   a dropped send's value never shows up);
//! - liveness: with `k` free slots, at least `min(k, pending)` of the pending sends have
//!   been woken since their last poll (all of them once closed), and a woken one completes
//!   when polled; a receiver that polled `Pending` has been woken once a value or the
//!   close is there.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use corio_sync::mpsc::{self, SendError, TryRecvError, TrySendError};
use proptest::prelude::*;

struct Counter(AtomicUsize);

impl Wake for Counter {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A waker with a wake count, and the count when it was last handed to a poll.
struct Watched {
    count: Arc<Counter>,
    waker: Waker,
    at_poll: usize,
}

impl Watched {
    fn new() -> Self {
        let count = Arc::new(Counter(AtomicUsize::new(0)));
        Self {
            waker: Waker::from(count.clone()),
            count,
            at_poll: 0,
        }
    }

    fn woken(&self) -> bool {
        self.count.0.load(Ordering::SeqCst) > self.at_poll
    }

    fn cx(&mut self) -> Context<'_> {
        self.at_poll = self.count.0.load(Ordering::SeqCst);
        Context::from_waker(&self.waker)
    }
}

type SendFut = Pin<Box<dyn Future<Output = Result<(), SendError<u64>>>>>;

struct PendingSend {
    fut: SendFut,
    value: u64,
    waker: Watched,
}

#[derive(Debug, Clone)]
enum Op {
    TrySend(usize),
    TryRecv,
    StartSend(usize),
    PollSend(usize),
    DropSend(usize),
    PollRecv,
    RecvFutureOnce,
    CloneSender(usize),
    DropSender(usize),
    Close,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => any::<usize>().prop_map(Op::TrySend),
        3 => Just(Op::TryRecv),
        3 => any::<usize>().prop_map(Op::StartSend),
        3 => any::<usize>().prop_map(Op::PollSend),
        2 => any::<usize>().prop_map(Op::DropSend),
        2 => Just(Op::PollRecv),
        1 => Just(Op::RecvFutureOnce),
        1 => any::<usize>().prop_map(Op::CloneSender),
        1 => any::<usize>().prop_map(Op::DropSender),
        1 => Just(Op::Close),
    ]
}

struct Harness {
    cap: usize,
    model: VecDeque<u64>,
    rx_closed: bool,
    next_value: u64,
    senders: Vec<mpsc::Sender<u64>>,
    pending: Vec<PendingSend>,
    rx: mpsc::Receiver<u64>,
    /// The waker of the receiver's last `Pending` poll, until it gets a value.
    rx_waiter: Option<Watched>,
}

impl Harness {
    fn new(cap: usize) -> Self {
        let (tx, rx) = mpsc::channel(cap);
        Self {
            cap,
            model: VecDeque::new(),
            rx_closed: false,
            next_value: 0,
            senders: vec![tx],
            pending: Vec::new(),
            rx,
            rx_waiter: None,
        }
    }

    /// Every sender handle is gone (pending sends each hold one) or the receiver closed.
    fn closed(&self) -> bool {
        self.rx_closed || (self.senders.is_empty() && self.pending.is_empty())
    }

    fn fresh(&mut self) -> u64 {
        self.next_value += 1;
        self.next_value
    }

    fn received(&mut self, v: u64) {
        assert_eq!(Some(v), self.model.pop_front(), "FIFO order, nothing lost");
        self.rx_waiter = None;
    }

    fn poll_send(&mut self, i: usize) {
        let closed = self.closed();
        let p = &mut self.pending[i];
        let woken = p.waker.woken();
        let out = p.fut.as_mut().poll(&mut p.waker.cx());
        match out {
            Poll::Ready(Ok(())) => {
                assert!(!closed, "no send completes on a closed channel");
                assert!(
                    self.model.len() < self.cap,
                    "a send completed into a full buffer"
                );
                let p = self.pending.swap_remove(i);
                self.model.push_back(p.value);
            }
            Poll::Ready(Err(SendError(v))) => {
                assert!(closed, "send failed on an open channel");
                assert_eq!(v, self.pending.swap_remove(i).value, "the value comes back");
            }
            Poll::Pending => {
                assert!(!closed, "a send is still pending on a closed channel");
                assert!(
                    !(woken && self.model.len() < self.cap),
                    "a woken send with a free slot did not complete"
                );
            }
        }
    }

    fn poll_recv(&mut self, through_future: bool) {
        let mut w = Watched::new();
        let out = if through_future {
            let mut fut = Box::pin(self.rx.recv());
            fut.as_mut().poll(&mut w.cx())
        } else {
            self.rx.poll_recv(&mut w.cx())
        };
        match out {
            Poll::Ready(Some(v)) => self.received(v),
            Poll::Ready(None) => {
                assert!(self.model.is_empty() && self.closed(), "None too early");
            }
            Poll::Pending => {
                assert!(
                    self.model.is_empty() && !self.closed(),
                    "Pending with a value"
                );
                self.rx_waiter = Some(w);
            }
        }
    }

    fn apply(&mut self, op: Op) {
        match op {
            Op::TrySend(k) => {
                if self.senders.is_empty() {
                    return;
                }
                let v = self.fresh();
                let res = self.senders[k % self.senders.len()].try_send(v);
                if self.closed() {
                    assert_eq!(res, Err(TrySendError::Closed(v)));
                } else if self.model.len() == self.cap {
                    assert_eq!(res, Err(TrySendError::Full(v)));
                } else {
                    assert_eq!(res, Ok(()));
                    self.model.push_back(v);
                }
            }
            Op::TryRecv => match self.rx.try_recv() {
                Ok(v) => self.received(v),
                Err(TryRecvError::Empty) => {
                    assert!(self.model.is_empty() && !self.closed());
                }
                Err(TryRecvError::Disconnected) => {
                    assert!(self.model.is_empty() && self.closed());
                }
            },
            Op::StartSend(k) => {
                if self.senders.is_empty() {
                    return;
                }
                // The future owns a clone of the sender, as a spawned task would.
                let tx = self.senders[k % self.senders.len()].clone();
                let value = self.fresh();
                self.pending.push(PendingSend {
                    fut: Box::pin(async move { tx.send(value).await }),
                    value,
                    waker: Watched::new(),
                });
                self.poll_send(self.pending.len() - 1);
            }
            Op::PollSend(i) => {
                if !self.pending.is_empty() {
                    self.poll_send(i % self.pending.len());
                }
            }
            Op::DropSend(i) => {
                if !self.pending.is_empty() {
                    drop(self.pending.swap_remove(i % self.pending.len()));
                }
            }
            Op::PollRecv => self.poll_recv(false),
            Op::RecvFutureOnce => self.poll_recv(true),
            Op::CloneSender(k) => {
                if !self.senders.is_empty() {
                    let tx = self.senders[k % self.senders.len()].clone();
                    self.senders.push(tx);
                }
            }
            Op::DropSender(k) => {
                if !self.senders.is_empty() {
                    let n = self.senders.len();
                    drop(self.senders.swap_remove(k % n));
                }
            }
            Op::Close => {
                self.rx.close();
                self.rx_closed = true;
            }
        }
    }

    fn check_liveness(&self) {
        let woken = self.pending.iter().filter(|p| p.waker.woken()).count();
        if self.closed() {
            assert_eq!(
                woken,
                self.pending.len(),
                "the close wakes every pending send"
            );
        } else {
            let free = self.cap - self.model.len();
            assert!(
                woken >= free.min(self.pending.len()),
                "{free} free slots but only {woken} of {} pending sends woken",
                self.pending.len()
            );
        }
        if let Some(w) = &self.rx_waiter {
            if !self.model.is_empty() || self.closed() {
                assert!(w.woken(), "the waiting receiver was not woken");
            }
        }
        assert_eq!(self.rx.len(), self.model.len());
    }

    /// Drains everything at the end: the channel holds exactly the model's values.
    fn finish(mut self) {
        let pending = std::mem::take(&mut self.pending);
        drop(pending);
        self.senders.clear();
        while let Some(expected) = self.model.pop_front() {
            assert_eq!(self.rx.try_recv(), Ok(expected));
        }
        assert_eq!(self.rx.try_recv(), Err(TryRecvError::Disconnected));
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: if cfg!(miri) { 16 } else { 512 },
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn bounded_mpsc_matches_the_model(
        cap in 1usize..4,
        ops in proptest::collection::vec(op(), 1..80),
    ) {
        let mut h = Harness::new(cap);
        for op in ops {
            h.apply(op);
            h.check_liveness();
        }
        h.finish();
    }
}
