//! A join of many futures that polls only the ones that were woken — the same driver for
//! every runtime, so a benchmark of 100,000 sleeps measures the timers, not the join.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

/// Woken children's indices, and the waker of whoever awaits the join.
#[derive(Default)]
struct ReadyList {
    state: Mutex<(Vec<usize>, Option<Waker>)>,
}

struct Child {
    index: usize,
    queued: AtomicBool,
    list: Arc<ReadyList>,
}

impl Wake for Child {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            let mut state = self.list.state.lock().unwrap();
            state.0.push(self.index);
            if let Some(parent) = &state.1 {
                parent.wake_by_ref();
            }
        }
    }
}

/// Awaits every future; resolves to `()` once all have completed.
pub(crate) struct JoinAll<F> {
    futures: Vec<Option<Pin<Box<F>>>>,
    children: Vec<Arc<Child>>,
    list: Arc<ReadyList>,
    remaining: usize,
}

pub(crate) fn join_all<F: Future>(futures: impl IntoIterator<Item = F>) -> JoinAll<F> {
    let futures: Vec<_> = futures.into_iter().map(|f| Some(Box::pin(f))).collect();
    let list = Arc::new(ReadyList::default());
    let children: Vec<_> = (0..futures.len())
        .map(|index| {
            Arc::new(Child {
                index,
                queued: AtomicBool::new(true),
                list: list.clone(),
            })
        })
        .collect();
    list.state.lock().unwrap().0 = (0..futures.len()).collect();
    JoinAll {
        remaining: futures.len(),
        futures,
        children,
        list,
    }
}

impl<F: Future> Future for JoinAll<F> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let woken = {
            let mut state = this.list.state.lock().unwrap();
            state.1 = Some(cx.waker().clone());
            std::mem::take(&mut state.0)
        };
        for index in woken {
            let child = &this.children[index];
            child.queued.store(false, Ordering::Release);
            if let Some(fut) = &mut this.futures[index] {
                let waker = Waker::from(child.clone());
                if fut
                    .as_mut()
                    .poll(&mut Context::from_waker(&waker))
                    .is_ready()
                {
                    this.futures[index] = None;
                    this.remaining -= 1;
                }
            }
        }
        if this.remaining == 0 {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_when_every_child_has() {
        let mut yielded = [false; 3];
        let futures = yielded.iter_mut().map(|flag| {
            std::future::poll_fn(move |cx| {
                if *flag {
                    Poll::Ready(())
                } else {
                    *flag = true;
                    cx.waker().wake_by_ref();
                    Poll::Pending
                }
            })
        });
        futures_lite::future::block_on(join_all(futures));
        assert!(yielded.iter().all(|&f| f));
    }
}
