//! The sleep behind the default [`Driver::sleep`](crate::Driver::sleep): one lazily started
//! process-wide thread that wakes sleeps at their deadlines, for drivers without timers of
//! their own (such as `ThreadDriver`). corio's runtime overrides it with its timing wheel.
//!
//! Registration is lazy (first poll) and a dropped sleep leaves only a dead weak reference in
//! the heap until its deadline, so a cancelled sleep costs a few dozen bytes for that long.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError, Weak};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use crate::parker::lock;

/// A sleep on the fallback timer thread.
pub(crate) struct FallbackSleep {
    /// `None`: never fires (the deadline does not fit in an `Instant`).
    deadline: Option<Instant>,
    entry: Option<Arc<Entry>>,
}

/// What the timer thread and the sleep share: fired, and the waker to call.
#[derive(Default)]
struct Entry {
    state: Mutex<(bool, Option<Waker>)>,
}

pub(crate) fn sleep(d: Duration) -> FallbackSleep {
    FallbackSleep {
        deadline: Instant::now().checked_add(d),
        entry: None,
    }
}

impl Future for FallbackSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Some(deadline) = self.deadline else {
            return Poll::Pending;
        };
        if Instant::now() >= deadline {
            return Poll::Ready(());
        }
        let entry = match &self.entry {
            Some(e) => e.clone(),
            None => {
                let e = Arc::new(Entry::default());
                timer().add(deadline, Arc::downgrade(&e));
                self.entry = Some(e.clone());
                e
            }
        };
        let mut st = lock(&entry.state);
        if st.0 {
            return Poll::Ready(());
        }
        st.1 = Some(cx.waker().clone());
        Poll::Pending
    }
}

struct Timer {
    heap: Mutex<Heap>,
    cvar: Condvar,
}

#[derive(Default)]
struct Heap {
    entries: BinaryHeap<Due>,
    /// Ties broken by registration order, so equal deadlines fire first come, first served.
    seq: u64,
    started: bool,
}

struct Due {
    at: Instant,
    seq: u64,
    entry: Weak<Entry>,
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}

impl Eq for Due {}

impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Due {
    /// Reversed: `BinaryHeap` is a max-heap and the earliest deadline must come out first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

fn timer() -> &'static Timer {
    static TIMER: OnceLock<Timer> = OnceLock::new();
    TIMER.get_or_init(|| Timer {
        heap: Mutex::new(Heap::default()),
        cvar: Condvar::new(),
    })
}

impl Timer {
    fn add(&'static self, at: Instant, entry: Weak<Entry>) {
        let mut heap = lock(&self.heap);
        let seq = heap.seq;
        heap.seq += 1;
        let earliest = heap.entries.peek().is_none_or(|d| at < d.at);
        heap.entries.push(Due { at, seq, entry });
        if !heap.started {
            let spawned = std::thread::Builder::new()
                .name("corio-fallback-timer".into())
                .spawn(move || self.run());
            match spawned {
                Ok(_) => heap.started = true,
                // The next registration tries again.
                Err(e) => eprintln!("corio: cannot start the fallback timer thread: {e}"),
            }
        }
        drop(heap);
        if earliest {
            self.cvar.notify_one();
        }
    }

    fn run(&self) {
        let mut due = Vec::new();
        let mut heap = lock(&self.heap);
        loop {
            let now = Instant::now();
            while heap.entries.peek().is_some_and(|d| d.at <= now) {
                due.extend(heap.entries.pop().map(|d| d.entry));
            }
            if !due.is_empty() {
                drop(heap);
                // Fired outside the lock, in deadline order.
                for e in due.drain(..).filter_map(|w| w.upgrade()) {
                    let waker = {
                        let mut st = lock(&e.state);
                        st.0 = true;
                        st.1.take()
                    };
                    if let Some(w) = waker {
                        w.wake();
                    }
                }
                heap = lock(&self.heap);
                continue;
            }
            heap = match heap.entries.peek().map(|d| d.at) {
                Some(at) => {
                    let left = at.saturating_duration_since(now);
                    self.cvar
                        .wait_timeout(heap, left)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
                None => self.cvar.wait(heap).unwrap_or_else(PoisonError::into_inner),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleeps_complete_from_many_threads() {
        let order = Arc::new(Mutex::new(Vec::new()));
        let threads: Vec<_> = [30u64, 10, 20, 0]
            .into_iter()
            .map(|ms| {
                let order = order.clone();
                std::thread::spawn(move || {
                    futures_lite::future::block_on(sleep(Duration::from_millis(ms)));
                    order.lock().unwrap().push(ms);
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let order = order.lock().unwrap();
        assert_eq!(order.len(), 4);
        assert!(order.contains(&0) && order.contains(&30));
    }
}
