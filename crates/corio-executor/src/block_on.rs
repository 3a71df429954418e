//! Driving one future on the calling thread, sleeping on a thread parker between polls.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Instant;

use crate::coop;
use crate::locals;
use crate::parker::Parker;

/// Wakes a thread sleeping in [`ThreadWaker::park`].
#[derive(Default)]
pub(crate) struct ThreadWaker(Parker);

impl ThreadWaker {
    /// Sleeps until woken (at once if woken since the last return).
    pub(crate) fn park(&self) {
        self.0.park(None);
    }
}

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `fut` whenever it is woken until it completes; the thread sleeps in between. `fut`
/// is a task-local scope of its own, starting from the caller's values.
pub(crate) fn block_on_thread<F: Future>(fut: F) -> F::Output {
    let signal = Arc::new(ThreadWaker(Parker::default()));
    let waker = Waker::from(signal.clone());
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    let mut values = locals::inherit();
    loop {
        let poll = locals::scope(&mut values, false, || {
            coop::with_budget(|| fut.as_mut().poll(&mut cx))
        });
        if let Poll::Ready(out) = poll {
            return out;
        }
        signal.0.park(None);
    }
}

/// Polls `fut` whenever it is woken until it completes or `deadline` passes (`None`: never);
/// `None` on timeout.
pub(crate) fn block_on_until<F: Future + Unpin>(
    fut: &mut F,
    deadline: Option<Instant>,
) -> Option<F::Output> {
    let signal = Arc::new(ThreadWaker(Parker::default()));
    let waker = Waker::from(signal.clone());
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(out) = std::pin::Pin::new(&mut *fut).poll(&mut cx) {
            return Some(out);
        }
        match deadline {
            None => signal.0.park(None),
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return None;
                }
                signal.0.park(Some(left));
            }
        }
    }
}
