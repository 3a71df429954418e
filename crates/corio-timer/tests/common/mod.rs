//! A tiny single-threaded executor driving a `Timers` on a virtual clock:
//! `loop { poll woken tasks; advance the clock by park_timeout(); process(); }`.
//! Only woken tasks are polled, so a missing wake-up shows up as a stuck loop.

#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use corio_timer::{Clock, Timers, TimersGuard, VirtualClock};

/// Records wake-ups.
#[derive(Default)]
pub(crate) struct Flag {
    pub(crate) woken: AtomicBool,
    pub(crate) count: AtomicUsize,
}

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        self.count.fetch_add(1, Ordering::SeqCst);
    }
}

pub(crate) fn flag_waker() -> (Arc<Flag>, Waker) {
    let flag = Arc::new(Flag::default());
    (flag.clone(), Waker::from(flag))
}

struct Task {
    future: Pin<Box<dyn Future<Output = ()>>>,
    flag: Arc<Flag>,
    waker: Waker,
}

pub(crate) struct VirtualLoop {
    pub(crate) clock: VirtualClock,
    pub(crate) timers: Timers,
    tasks: Vec<Task>,
    _guard: TimersGuard,
}

impl VirtualLoop {
    pub(crate) fn new() -> Self {
        let clock = VirtualClock::new();
        let timers = Timers::new(Clock::Virtual(clock.clone()));
        let guard = timers.enter();
        VirtualLoop {
            clock,
            timers,
            tasks: Vec::new(),
            _guard: guard,
        }
    }

    pub(crate) fn now(&self) -> Instant {
        self.clock.now()
    }

    pub(crate) fn spawn(&mut self, future: impl Future<Output = ()> + 'static) {
        let (flag, waker) = flag_waker();
        flag.woken.store(true, Ordering::SeqCst);
        self.tasks.push(Task {
            future: Box::pin(future),
            flag,
            waker,
        });
    }

    /// One loop turn without blocking: polls the woken tasks. Returns whether any remain.
    pub(crate) fn poll_tasks(&mut self) -> bool {
        self.tasks.retain_mut(|task| {
            if !task.flag.woken.swap(false, Ordering::SeqCst) {
                return true;
            }
            let mut cx = Context::from_waker(&task.waker);
            task.future.as_mut().poll(&mut cx).is_pending()
        });
        !self.tasks.is_empty()
    }

    /// Jumps the clock to the next timer and fires what is due; `false` if none.
    pub(crate) fn step(&mut self) -> bool {
        let Some(wait) = self.timers.park_timeout() else {
            return false;
        };
        self.clock.advance(wait);
        self.timers.unparked();
        self.timers.process();
        true
    }

    /// Runs until every task finished; returns the number of clock jumps.
    pub(crate) fn run(&mut self) -> usize {
        let mut turns = 0;
        while self.poll_tasks() {
            assert!(self.step(), "tasks wait but no timer is registered");
            turns += 1;
            assert!(turns < 100_000, "the loop does not make progress");
        }
        turns
    }

    pub(crate) fn block_on<T: 'static>(&mut self, future: impl Future<Output = T> + 'static) -> T {
        let out = std::rc::Rc::new(std::cell::RefCell::new(None));
        let slot = out.clone();
        self.spawn(async move {
            *slot.borrow_mut() = Some(future.await);
        });
        self.run();
        out.borrow_mut().take().expect("the task finished")
    }
}

pub(crate) fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Polls once with `waker`.
pub(crate) fn poll_with<F: Future + Unpin>(future: &mut F, waker: &Waker) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(waker))
}
