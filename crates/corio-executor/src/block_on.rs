//! Driving one future on the calling thread, sleeping on a thread parker between polls.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use crate::coop;
use crate::parker::Parker;

struct ThreadWaker(Parker);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `fut` whenever it is woken until it completes; the thread sleeps in between.
pub(crate) fn block_on_thread<F: Future>(fut: F) -> F::Output {
    let signal = Arc::new(ThreadWaker(Parker::default()));
    let waker = Waker::from(signal.clone());
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if let Poll::Ready(out) = coop::with_budget(|| fut.as_mut().poll(&mut cx)) {
            return out;
        }
        signal.0.park(None);
    }
}
