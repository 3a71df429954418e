//! A countdown latch: the same runtime-neutral "all tasks are done" signal for every runtime
//! (tokio's own benchmarks use a counter and a channel the same way).

use std::future::poll_fn;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};

/// Opens once [`count_down`](Latch::count_down) has been called `n` times.
#[derive(Clone)]
pub(crate) struct Latch(Arc<Inner>);

struct Inner {
    left: AtomicUsize,
    waiter: Mutex<Option<Waker>>,
}

impl Latch {
    pub(crate) fn new(n: usize) -> Latch {
        Latch(Arc::new(Inner {
            left: AtomicUsize::new(n),
            waiter: Mutex::new(None),
        }))
    }

    pub(crate) fn count_down(&self) {
        if self.0.left.fetch_sub(1, Ordering::AcqRel) == 1 {
            if let Some(w) = self
                .0
                .waiter
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
            {
                w.wake();
            }
        }
    }

    /// Resolves once the count reached zero.
    pub(crate) async fn wait(&self) {
        poll_fn(|cx| {
            if self.0.left.load(Ordering::Acquire) == 0 {
                return Poll::Ready(());
            }
            *self.0.waiter.lock().unwrap_or_else(|e| e.into_inner()) = Some(cx.waker().clone());
            if self.0.left.load(Ordering::Acquire) == 0 {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_the_last_count_from_another_thread() {
        let latch = Latch::new(3);
        let l = latch.clone();
        let t = std::thread::spawn(move || {
            for _ in 0..3 {
                l.count_down();
            }
        });
        futures_lite::future::block_on(latch.wait());
        t.join().unwrap();
    }
}
