// Included by tests/queue.rs (futures-lite) and crates/corio/tests/sync_suite.rs (corio),
// each defining `block_on`.
// asyncio's queue behaviours, cancellation by hand-polling, and threads under load.
//
// Futures are polled by hand with a counting waker,
// or driven by the includer's `block_on` on plain threads.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::Duration;

use corio_sync::{
    GetNowaitError, LifoQueue, PriorityQueue, PutNowaitError, Queue, QueueShutDown, TaskDoneError,
};

/// A waker that counts its wakes.
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

/// A future under test, its own waker, and the wake count at its last poll.
struct Probe<'a, T> {
    fut: Pin<Box<dyn Future<Output = T> + 'a>>,
    counter: Arc<Counter>,
    waker: Waker,
    seen: usize,
}

impl<'a, T> Probe<'a, T> {
    fn new(fut: impl Future<Output = T> + 'a) -> Self {
        let counter = Arc::new(Counter::default());
        Self {
            fut: Box::pin(fut),
            waker: Waker::from(Arc::clone(&counter)),
            counter,
            seen: 0,
        }
    }

    fn poll(&mut self) -> Poll<T> {
        self.seen = self.wakes();
        self.fut
            .as_mut()
            .poll(&mut Context::from_waker(&self.waker))
    }

    fn wakes(&self) -> usize {
        self.counter.0.load(Ordering::SeqCst)
    }

    /// Woken since it was last polled.
    fn woken(&self) -> bool {
        self.wakes() > self.seen
    }
}

/// Runs `f` on a thread and fails (instead of hanging) if it does not end in time: a lost
/// wake-up shows up as a hang.
fn within(secs: u64, f: impl FnOnce() + Send + 'static) {
    let (tx, rx) = mpsc::channel();
    let handle = thread::spawn(move || {
        f();
        let _ = tx.send(());
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(()) => handle.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // The body panicked: re-raise its panic.
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("hung for {secs}s: a lost wake-up?"),
    }
}

// ---- order ----

#[test]
fn queue_is_first_in_first_out() {
    let q = Queue::new(0);
    for n in [5, 1, 4, 2, 3] {
        q.put_nowait(n).unwrap();
    }
    let out: Vec<_> = std::iter::from_fn(|| q.get_nowait().ok()).collect();
    assert_eq!(out, [5, 1, 4, 2, 3]);
}

#[test]
fn lifo_queue_is_last_in_first_out() {
    let q = LifoQueue::new(0);
    for n in [5, 1, 4, 2, 3] {
        q.put_nowait(n).unwrap();
    }
    let out: Vec<_> = std::iter::from_fn(|| q.get_nowait().ok()).collect();
    assert_eq!(out, [3, 2, 4, 1, 5]);
}

#[test]
fn priority_queue_is_smallest_first() {
    let q = PriorityQueue::new(0);
    let input = [50, 3, 99, 3, 0, 42, 7, 7, 1];
    for n in input {
        q.put_nowait(n).unwrap();
    }
    let out: Vec<_> = std::iter::from_fn(|| q.get_nowait().ok()).collect();
    let mut sorted = input.to_vec();
    sorted.sort();
    assert_eq!(out, sorted);
}

#[test]
fn order_holds_through_async_put_and_get() {
    block_on(async {
        let q = Queue::new(3);
        let l = LifoQueue::new(3);
        let p = PriorityQueue::new(3);
        for n in [2, 3, 1] {
            q.put(n).await.unwrap();
            l.put(n).await.unwrap();
            p.put(n).await.unwrap();
        }
        for want in [2, 3, 1] {
            assert_eq!(q.get().await, Ok(want));
        }
        for want in [1, 3, 2] {
            assert_eq!(l.get().await, Ok(want));
        }
        for want in [1, 2, 3] {
            assert_eq!(p.get().await, Ok(want));
        }
    });
}

// ---- sizes, constructors, handles ----

#[test]
fn sizes_and_bounds() {
    let q = Queue::new(2);
    assert_eq!(
        (q.qsize(), q.empty(), q.full(), q.maxsize()),
        (0, true, false, 2)
    );
    q.put_nowait(1).unwrap();
    assert_eq!((q.qsize(), q.empty(), q.full()), (1, false, false));
    q.put_nowait(2).unwrap();
    assert_eq!((q.qsize(), q.empty(), q.full()), (2, false, true));

    let u = Queue::<u8>::unbounded();
    assert_eq!(u.maxsize(), 0);
    assert_eq!(Queue::<u8>::new(0).maxsize(), 0);
    assert_eq!(Queue::<u8>::default().maxsize(), 0);
    assert_eq!(Queue::<u8>::bounded(5).maxsize(), 5);
    // A bounded queue never turns unbounded by accident.
    assert_eq!(Queue::<u8>::bounded(0).maxsize(), 1);
    assert_eq!(LifoQueue::<u8>::bounded(0).maxsize(), 1);
    assert_eq!(PriorityQueue::<u8>::bounded(0).maxsize(), 1);
}

#[test]
fn clones_share_one_queue() {
    let a = Queue::new(0);
    let b = a.clone();
    a.put_nowait(1).unwrap();
    assert_eq!(b.get_nowait(), Ok(1));
    b.shutdown(false);
    assert!(a.is_shutdown());
}

#[test]
fn handles_are_send_sync_and_debug_needs_no_debug_items() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Queue<Vec<u8>>>();
    send_sync::<LifoQueue<String>>();
    send_sync::<PriorityQueue<u64>>();
    send_sync::<QueueShutDown<String>>();
    send_sync::<PutNowaitError<String>>();

    fn send<T: Send>(_: &T) {}
    let q = Queue::<String>::new(1);
    send(&q.get());
    send(&q.put(String::new()));
    send(&q.join());

    struct Opaque;
    let q = Queue::new(0);
    q.put_nowait(Opaque).unwrap();
    let shown = format!("{q:?}");
    assert!(shown.starts_with("Queue {"), "{shown}");
    assert!(shown.contains("qsize: 1"), "{shown}");
    assert_eq!(format!("{:?}", QueueShutDown(Opaque)), "QueueShutDown(..)");
    assert_eq!(format!("{:?}", PutNowaitError::Full(Opaque)), "Full(..)");
    assert!(format!("{:?}", PriorityQueue::<u8>::new(0)).starts_with("PriorityQueue {"));
    assert!(format!("{:?}", LifoQueue::<u8>::new(0)).starts_with("LifoQueue {"));
}

#[test]
fn errors_are_std_errors_with_messages() {
    fn is_error<E: std::error::Error + Clone + PartialEq>(_: &E) {}
    let shut = QueueShutDown(1);
    let full = PutNowaitError::Full(1);
    is_error(&shut);
    is_error(&full);
    is_error(&GetNowaitError::Empty);
    is_error(&TaskDoneError);
    assert_eq!(shut.to_string(), "queue is shut down");
    assert_eq!(full.to_string(), "queue is full");
    assert_eq!(
        PutNowaitError::ShutDown(1).to_string(),
        "queue is shut down"
    );
    assert_eq!(GetNowaitError::Empty.to_string(), "queue is empty");
    assert_eq!(GetNowaitError::ShutDown.to_string(), "queue is shut down");
    assert_eq!(
        TaskDoneError.to_string(),
        "task_done() called too many times"
    );
    assert_eq!(
        PutNowaitError::from(QueueShutDown(3)),
        PutNowaitError::ShutDown(3)
    );
    assert_eq!(
        GetNowaitError::from(QueueShutDown(())),
        GetNowaitError::ShutDown
    );
    assert_eq!(shut.into_inner(), 1);
    assert_eq!(full.into_inner(), 1);
}

// ---- nowait ----

#[test]
fn put_nowait_when_full_hands_the_item_back() {
    let q = Queue::new(1);
    q.put_nowait(String::from("a")).unwrap();
    let err = q.put_nowait(String::from("b")).unwrap_err();
    assert!(err.is_full() && !err.is_shutdown());
    assert_eq!(err.into_inner(), "b");
    assert_eq!(q.qsize(), 1);
}

#[test]
fn get_nowait_when_empty_fails_with_empty() {
    let q = Queue::<u8>::new(0);
    assert_eq!(q.get_nowait(), Err(GetNowaitError::Empty));
}

// ---- waiting ----

#[test]
fn put_waits_while_full_and_proceeds_after_get() {
    let q = Queue::new(1);
    q.put_nowait(1).unwrap();
    let mut put = Probe::new(q.put(2));
    assert!(put.poll().is_pending());
    assert!(put.poll().is_pending(), "a spurious poll changes nothing");
    assert_eq!(q.qsize(), 1);
    assert!(!put.woken());

    assert_eq!(q.get_nowait(), Ok(1));
    assert!(put.woken(), "the get must wake the waiting put");
    assert_eq!(put.poll(), Poll::Ready(Ok(())));
    assert_eq!(q.get_nowait(), Ok(2));
}

#[test]
fn get_waits_while_empty() {
    let q = Queue::new(0);
    let mut get = Probe::new(q.get());
    assert!(get.poll().is_pending());
    assert!(!get.woken());
    q.put_nowait(7).unwrap();
    assert!(get.woken(), "the put must wake the waiting get");
    assert_eq!(get.poll(), Poll::Ready(Ok(7)));
    assert!(q.empty());
}

#[test]
fn async_put_wakes_a_waiting_get_and_async_get_wakes_a_waiting_put() {
    let q = Queue::new(1);
    let mut get = Probe::new(q.get());
    assert!(get.poll().is_pending());
    assert_eq!(block_on(q.put(1)), Ok(()));
    assert!(get.woken());
    assert_eq!(get.poll(), Poll::Ready(Ok(1)));

    q.put_nowait(2).unwrap();
    let mut put = Probe::new(q.put(3));
    assert!(put.poll().is_pending());
    assert_eq!(block_on(q.get()), Ok(2));
    assert!(put.woken());
    assert_eq!(put.poll(), Poll::Ready(Ok(())));
}

#[test]
fn unbounded_put_never_waits() {
    let q = Queue::new(0);
    for n in 0..1000 {
        assert_eq!(Probe::new(q.put(n)).poll(), Poll::Ready(Ok(())));
    }
    assert!(!q.full());
}

#[test]
fn two_back_to_back_puts_wake_two_getters() {
    let q = Queue::new(0);
    let mut g1 = Probe::new(q.get());
    let mut g2 = Probe::new(q.get());
    assert!(g1.poll().is_pending() && g2.poll().is_pending());
    q.put_nowait(1).unwrap();
    assert!(
        g1.woken() && !g2.woken(),
        "one item wakes one getter, the first"
    );
    // g1 was notified but has not run: the second put must still wake g2.
    q.put_nowait(2).unwrap();
    assert!(g2.woken());
    assert_eq!(g2.poll(), Poll::Ready(Ok(1)));
    assert_eq!(g1.poll(), Poll::Ready(Ok(2)));
}

// ---- task_done and join ----

#[test]
fn join_waits_for_the_last_task_done() {
    let q = Queue::new(0);
    assert_eq!(
        Probe::new(q.join()).poll(),
        Poll::Ready(()),
        "nothing unfinished"
    );
    q.put_nowait('a').unwrap();
    q.put_nowait('b').unwrap();
    let mut join = Probe::new(q.join());
    assert!(join.poll().is_pending());
    q.get_nowait().unwrap();
    q.get_nowait().unwrap();
    assert!(join.poll().is_pending(), "taken is not done");
    q.task_done().unwrap();
    assert!(join.poll().is_pending(), "one task still unfinished");
    q.task_done().unwrap();
    assert!(join.woken(), "the last task_done wakes join");
    assert_eq!(join.poll(), Poll::Ready(()));
}

#[test]
fn join_released_at_zero_returns_even_if_a_put_follows() {
    // asyncio's `_finished` event was set: the waiter returns although a put cleared it.
    let q = Queue::new(0);
    q.put_nowait(1).unwrap();
    let mut join = Probe::new(q.join());
    assert!(join.poll().is_pending());
    q.task_done().unwrap();
    q.put_nowait(2).unwrap();
    assert!(join.woken());
    assert_eq!(join.poll(), Poll::Ready(()));
    // A join started now waits for the new item.
    assert!(Probe::new(q.join()).poll().is_pending());
}

#[test]
fn every_waiting_join_is_woken() {
    let q = Queue::new(0);
    q.put_nowait(1).unwrap();
    let mut joins: Vec<_> = (0..4).map(|_| Probe::new(q.join())).collect();
    for j in &mut joins {
        assert!(j.poll().is_pending());
    }
    drop(joins.remove(1)); // a cancelled join takes nothing from the others
    q.task_done().unwrap();
    for j in &mut joins {
        assert!(j.woken());
        assert_eq!(j.poll(), Poll::Ready(()));
    }
}

#[test]
fn too_many_task_done_is_an_error_not_a_panic() {
    let q = Queue::new(0);
    assert_eq!(q.task_done(), Err(TaskDoneError));
    q.put_nowait(1).unwrap();
    assert_eq!(q.task_done(), Ok(()), "task_done need not follow a get");
    assert_eq!(q.task_done(), Err(TaskDoneError));
    assert_eq!(q.task_done(), Err(TaskDoneError));
    // The count was left at zero: join returns, and one put needs one task_done.
    assert_eq!(Probe::new(q.join()).poll(), Poll::Ready(()));
    q.put_nowait(2).unwrap();
    assert!(Probe::new(q.join()).poll().is_pending());
    assert_eq!(q.task_done(), Ok(()));
    assert_eq!(Probe::new(q.join()).poll(), Poll::Ready(()));
}

// ---- shutdown ----

#[test]
fn shutdown_wakes_a_blocked_put_with_its_item() {
    let q = Queue::new(1);
    q.put_nowait(String::from("kept")).unwrap();
    let mut put = Probe::new(q.put(String::from("returned")));
    assert!(put.poll().is_pending());
    q.shutdown(false);
    assert!(q.is_shutdown());
    assert!(put.woken());
    assert_eq!(
        put.poll(),
        Poll::Ready(Err(QueueShutDown(String::from("returned"))))
    );
    assert_eq!(
        q.put_nowait(String::from("late")),
        Err(PutNowaitError::ShutDown(String::from("late")))
    );
    // Shut down wins over full, as in asyncio.
    assert!(q.full());
    assert_eq!(
        block_on(q.put(String::from("x"))),
        Err(QueueShutDown(String::from("x")))
    );
}

#[test]
fn shutdown_lets_gets_drain_then_fail() {
    let q = Queue::new(0);
    for n in 1..=3 {
        q.put_nowait(n).unwrap();
    }
    q.shutdown(false);
    assert_eq!(block_on(q.get()), Ok(1));
    assert_eq!(q.get_nowait(), Ok(2));
    assert_eq!(Probe::new(q.get()).poll(), Poll::Ready(Ok(3)));
    assert_eq!(q.get_nowait(), Err(GetNowaitError::ShutDown));
    assert_eq!(block_on(q.get()), Err(QueueShutDown(())));
}

#[test]
fn shutdown_wakes_blocked_getters_with_an_error() {
    let q = Queue::<u8>::new(0);
    let mut g1 = Probe::new(q.get());
    let mut g2 = Probe::new(q.get());
    assert!(g1.poll().is_pending() && g2.poll().is_pending());
    q.shutdown(false);
    assert!(g1.woken() && g2.woken(), "every getter is woken");
    assert_eq!(g1.poll(), Poll::Ready(Err(QueueShutDown(()))));
    assert_eq!(g2.poll(), Poll::Ready(Err(QueueShutDown(()))));
}

#[test]
fn shutdown_without_immediate_keeps_join_waiting() {
    let q = Queue::new(0);
    q.put_nowait(1).unwrap();
    let mut join = Probe::new(q.join());
    assert!(join.poll().is_pending());
    q.shutdown(false);
    assert!(join.poll().is_pending());
    assert_eq!(q.get_nowait(), Ok(1));
    q.task_done().unwrap();
    assert_eq!(join.poll(), Poll::Ready(()));
}

#[test]
fn shutdown_immediate_discards_items_and_releases_join() {
    let marker = Arc::new(());
    let q = Queue::new(0);
    for _ in 0..3 {
        q.put_nowait(Arc::clone(&marker)).unwrap();
    }
    let mut join = Probe::new(q.join());
    assert!(join.poll().is_pending());
    q.shutdown(true);
    assert_eq!(Arc::strong_count(&marker), 1, "the items were dropped");
    assert!(q.empty());
    assert!(join.woken());
    assert_eq!(join.poll(), Poll::Ready(()));
    assert_eq!(q.get_nowait(), Err(GetNowaitError::ShutDown));
    assert_eq!(block_on(q.get()), Err(QueueShutDown(())));
    // Each discarded item counted one task_done; no more are owed.
    assert_eq!(q.task_done(), Err(TaskDoneError));
}

#[test]
fn shutdown_immediate_counts_only_discarded_items() {
    let q = Queue::new(0);
    for n in 0..3 {
        q.put_nowait(n).unwrap();
    }
    assert_eq!(q.get_nowait(), Ok(0)); // taken, not yet done
    let mut join = Probe::new(q.join());
    assert!(join.poll().is_pending());
    q.shutdown(true);
    assert!(
        join.poll().is_pending(),
        "the taken item is still unfinished"
    );
    q.task_done().unwrap();
    assert_eq!(join.poll(), Poll::Ready(()));
}

#[test]
fn shutdown_immediate_never_drives_the_count_below_zero() {
    let q = Queue::new(0);
    q.put_nowait(1).unwrap();
    q.put_nowait(2).unwrap();
    q.task_done().unwrap();
    q.task_done().unwrap();
    q.shutdown(true);
    assert_eq!(q.task_done(), Err(TaskDoneError));
    assert!(q.empty());
}

#[test]
fn shutdown_immediate_wakes_blocked_getters_and_putters() {
    let q = Queue::new(1);
    let mut get = Probe::new(q.get());
    assert!(get.poll().is_pending());
    let empty_q = Queue::new(1);
    empty_q.put_nowait(0).unwrap();
    let mut put = Probe::new(empty_q.put(9));
    assert!(put.poll().is_pending());
    q.shutdown(true);
    empty_q.shutdown(true);
    assert!(get.woken() && put.woken());
    assert_eq!(get.poll(), Poll::Ready(Err::<u8, _>(QueueShutDown(()))));
    assert_eq!(put.poll(), Poll::Ready(Err(QueueShutDown(9))));
}

#[test]
fn shutdown_twice_is_fine_and_immediate_after_graceful_discards() {
    let q = Queue::new(0);
    q.put_nowait(1).unwrap();
    q.shutdown(false);
    q.shutdown(false);
    assert_eq!(q.qsize(), 1);
    q.shutdown(true);
    assert_eq!(q.qsize(), 0);
    assert_eq!(q.get_nowait(), Err(GetNowaitError::ShutDown));
}

// ---- cancellation ----

#[test]
fn a_notified_then_dropped_get_passes_the_item_on() {
    let q = Queue::new(0);
    let mut g1 = Probe::new(q.get());
    let mut g2 = Probe::new(q.get());
    assert!(g1.poll().is_pending() && g2.poll().is_pending());
    q.put_nowait(10).unwrap();
    assert!(g1.woken() && !g2.woken());
    drop(g1); // notified, never polled again
    assert!(g2.woken(), "the notification moved to the next getter");
    assert_eq!(g2.poll(), Poll::Ready(Ok(10)));
}

#[test]
fn a_notified_then_dropped_put_passes_the_room_on() {
    let q = Queue::new(1);
    q.put_nowait(0).unwrap();
    let mut p1 = Probe::new(q.put(1));
    let mut p2 = Probe::new(q.put(2));
    assert!(p1.poll().is_pending() && p2.poll().is_pending());
    assert_eq!(q.get_nowait(), Ok(0));
    assert!(p1.woken() && !p2.woken());
    drop(p1); // its item goes with it
    assert!(p2.woken());
    assert_eq!(p2.poll(), Poll::Ready(Ok(())));
    assert_eq!(q.get_nowait(), Ok(2));
    assert!(q.empty());
}

#[test]
fn a_dropped_get_that_was_never_notified_takes_nothing() {
    let q = Queue::new(0);
    let mut g = Probe::new(q.get());
    assert!(g.poll().is_pending());
    drop(g);
    q.put_nowait(1).unwrap();
    assert_eq!(q.get_nowait(), Ok(1));
    // And a later waiter is still woken (the dropped one no longer counts).
    let mut g = Probe::new(q.get());
    assert!(g.poll().is_pending());
    q.put_nowait(2).unwrap();
    assert!(g.woken());
    assert_eq!(g.poll(), Poll::Ready(Ok(2)));
}

#[test]
fn a_woken_get_that_finds_its_item_stolen_waits_again() {
    let q = Queue::new(0);
    let mut g = Probe::new(q.get());
    assert!(g.poll().is_pending());
    q.put_nowait(1).unwrap();
    assert!(g.woken());
    assert_eq!(q.get_nowait(), Ok(1)); // barges in, as asyncio allows
    assert!(g.poll().is_pending());
    q.put_nowait(2).unwrap();
    assert!(g.woken(), "re-registered after the lost race");
    assert_eq!(g.poll(), Poll::Ready(Ok(2)));
}

#[test]
fn a_get_notified_while_another_runs_first_hands_over() {
    // g2 takes the item g1 was notified for; g1's notification must not strand a later item.
    let q = Queue::new(0);
    let mut g1 = Probe::new(q.get());
    let mut g2 = Probe::new(q.get());
    let mut g3 = Probe::new(q.get());
    assert!(g1.poll().is_pending() && g2.poll().is_pending() && g3.poll().is_pending());
    q.put_nowait(1).unwrap();
    assert!(g1.woken());
    assert_eq!(
        g2.poll(),
        Poll::Ready(Ok(1)),
        "a spurious poll may take the item"
    );
    q.put_nowait(2).unwrap();
    // g1 still holds its unconsumed notification, so someone is awake for item 2.
    assert!(g1.woken() || g3.woken());
    drop(g1);
    assert!(g3.woken());
    assert_eq!(g3.poll(), Poll::Ready(Ok(2)));
}

#[test]
fn a_finishing_get_does_not_wake_another_for_nothing() {
    let q = Queue::new(0);
    let mut g1 = Probe::new(q.get());
    let mut g2 = Probe::new(q.get());
    assert!(g1.poll().is_pending() && g2.poll().is_pending());
    q.put_nowait(1).unwrap();
    assert!(g1.woken() && !g2.woken());
    assert_eq!(g1.poll(), Poll::Ready(Ok(1)));
    assert!(!g2.woken(), "one item, one wake-up");
    q.put_nowait(2).unwrap();
    assert!(g2.woken());
    assert_eq!(g2.poll(), Poll::Ready(Ok(2)));
}

#[test]
fn a_dropped_put_never_half_puts() {
    let q = Queue::new(1);
    q.put_nowait(String::from("a")).unwrap();
    let mut p = Probe::new(q.put(String::from("b")));
    assert!(p.poll().is_pending());
    drop(p);
    assert_eq!(q.qsize(), 1);
    assert_eq!(q.get_nowait().as_deref(), Ok("a"));
    assert_eq!(q.get_nowait(), Err(GetNowaitError::Empty));
}

#[test]
fn cancellation_under_block_on_with_select() {
    // `or` drops the loser: a get raced against a ready future is cancelled mid-wait.
    let q = Queue::new(0);
    for round in 0..100 {
        let got = block_on(futures_lite::future::or(
            async { Some(q.get().await.unwrap()) },
            async { None },
        ));
        assert_eq!(got, None);
        q.put_nowait(round).unwrap();
        assert_eq!(block_on(q.get()), Ok(round));
    }
}

// ---- threads and block_on ----

#[test]
fn threads_put_waits_while_full_and_get_waits_while_empty() {
    within(30, || {
        let q = Queue::bounded(1);
        let producer = {
            let q = q.clone();
            thread::spawn(move || {
                for n in 0..100 {
                    if n % 2 == 0 {
                        q.blocking_put(n).unwrap();
                    } else {
                        block_on(q.put(n)).unwrap();
                    }
                    assert!(q.qsize() <= 1);
                }
            })
        };
        for n in 0..100 {
            let got = if n % 2 == 0 {
                q.blocking_get()
            } else {
                block_on(q.get())
            };
            assert_eq!(got, Ok(n));
        }
        producer.join().unwrap();
    });
}

#[test]
fn threads_join_waits_for_workers() {
    within(30, || {
        let q = Queue::new(4);
        let done = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..3)
            .map(|_| {
                let (q, done) = (q.clone(), Arc::clone(&done));
                thread::spawn(move || {
                    while let Ok(()) = q.blocking_get() {
                        done.fetch_add(1, Ordering::SeqCst);
                        q.task_done().unwrap();
                    }
                })
            })
            .collect();
        for _ in 0..200 {
            q.blocking_put(()).unwrap();
        }
        q.blocking_join();
        assert_eq!(done.load(Ordering::SeqCst), 200);
        block_on(q.join());
        q.shutdown(false);
        for w in workers {
            w.join().unwrap();
        }
    });
}

#[test]
fn threads_shutdown_wakes_blocked_threads() {
    within(30, || {
        let q = Queue::<u32>::bounded(1);
        let getters: Vec<_> = (0..2)
            .map(|_| {
                let q = q.clone();
                thread::spawn(move || q.blocking_get())
            })
            .collect();
        let full = Queue::bounded(1);
        full.put_nowait(0).unwrap();
        let putters: Vec<_> = (1..3)
            .map(|n| {
                let full = full.clone();
                thread::spawn(move || block_on(full.put(n)))
            })
            .collect();
        thread::sleep(Duration::from_millis(50)); // let them block
        q.shutdown(false);
        full.shutdown(false);
        for g in getters {
            assert_eq!(g.join().unwrap(), Err(QueueShutDown(())));
        }
        let mut back: Vec<_> = putters
            .into_iter()
            .map(|p| p.join().unwrap().unwrap_err().into_inner())
            .collect();
        back.sort();
        assert_eq!(back, [1, 2]);
    });
}

#[test]
fn threads_shutdown_immediate_releases_a_blocked_join() {
    within(30, || {
        let q = Queue::new(0);
        for n in 0..10 {
            q.put_nowait(n).unwrap();
        }
        let joiner = {
            let q = q.clone();
            thread::spawn(move || q.blocking_join())
        };
        thread::sleep(Duration::from_millis(20));
        q.shutdown(true);
        joiner.join().unwrap();
    });
}

/// Four producers (two `blocking_put`, two async `put` under `block_on`) and four consumers
/// (likewise) through one small bounded queue; every item must arrive exactly once. Returns
/// what each consumer received, in order.
macro_rules! stress {
    ($queue:ident, $capacity:expr) => {{
        const PER_PRODUCER: u64 = 10_000;
        let q = $queue::bounded($capacity);
        let producers: Vec<_> = (0..4u64)
            .map(|p| {
                let q = q.clone();
                thread::spawn(move || {
                    for i in 0..PER_PRODUCER {
                        let n = p * PER_PRODUCER + i;
                        if p % 2 == 0 {
                            q.blocking_put(n).unwrap();
                        } else {
                            block_on(q.put(n)).unwrap();
                        }
                    }
                })
            })
            .collect();
        let consumers: Vec<_> = (0..4)
            .map(|c| {
                let q = q.clone();
                thread::spawn(move || {
                    let mut got = Vec::new();
                    loop {
                        let r = if c % 2 == 0 {
                            q.blocking_get()
                        } else {
                            block_on(q.get())
                        };
                        let Ok(n) = r else { break got };
                        got.push(n);
                        q.task_done().unwrap();
                    }
                })
            })
            .collect();
        for p in producers {
            p.join().unwrap();
        }
        // Everything was put; join returns once every item was taken and marked done.
        q.blocking_join();
        assert!(q.empty());
        q.shutdown(false);
        let received: Vec<Vec<u64>> = consumers.into_iter().map(|c| c.join().unwrap()).collect();
        let mut seen = HashSet::new();
        for n in received.iter().flatten() {
            assert!(seen.insert(*n), "item {n} received twice");
        }
        assert_eq!(seen.len() as u64, 4 * PER_PRODUCER, "items lost");
        received
    }};
}

#[test]
fn stress_queue_8_threads() {
    within(120, || {
        let received = stress!(Queue, 16);
        // First in, first out: each consumer sees each producer's items in order.
        for got in received {
            let mut last = [None::<u64>; 4];
            for n in got {
                let p = (n / 10_000) as usize;
                assert!(last[p] < Some(n), "producer {p}'s items out of order");
                last[p] = Some(n);
            }
        }
    });
}

#[test]
fn stress_lifo_queue_8_threads() {
    within(120, || {
        stress!(LifoQueue, 16);
    });
}

#[test]
fn stress_priority_queue_8_threads() {
    within(120, || {
        stress!(PriorityQueue, 16);
    });
}

#[test]
fn stress_queue_of_one_8_threads() {
    within(120, || {
        stress!(Queue, 1);
    });
}

#[test]
fn stress_with_cancelled_gets_and_puts_loses_nothing() {
    // Consumers abandon gets mid-wait (polled once, then dropped) and producers abandon puts
    // the same way; a lost wake-up would leave a blocking consumer hanging.
    within(120, || {
        const PER_PRODUCER: u64 = 5_000;
        let q = Queue::bounded(4);
        let noop = Waker::noop();
        let producers: Vec<_> = (0..2u64)
            .map(|p| {
                let q = q.clone();
                thread::spawn(move || {
                    for i in 0..PER_PRODUCER {
                        let n = p * PER_PRODUCER + i;
                        let mut put = Box::pin(q.put(n));
                        match put.as_mut().poll(&mut Context::from_waker(noop)) {
                            Poll::Ready(r) => r.unwrap(),
                            Poll::Pending => {
                                // Cancel; the item went with the future, so put it again.
                                drop(put);
                                q.blocking_put(n).unwrap();
                            }
                        }
                    }
                })
            })
            .collect();
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let q = q.clone();
                thread::spawn(move || {
                    let mut got = Vec::new();
                    loop {
                        let mut get = Box::pin(q.get());
                        let first = get.as_mut().poll(&mut Context::from_waker(noop));
                        let r = match first {
                            Poll::Ready(r) => r,
                            Poll::Pending if got.len() % 3 == 0 => {
                                drop(get); // cancel a waiting get
                                q.blocking_get()
                            }
                            Poll::Pending => block_on(get),
                        };
                        match r {
                            Ok(n) => got.push(n),
                            Err(QueueShutDown(())) => break got,
                        }
                    }
                })
            })
            .collect();
        for p in producers {
            p.join().unwrap();
        }
        // Gets may still be waiting; shutdown lets them drain and stop.
        q.shutdown(false);
        let mut seen = HashSet::new();
        for c in consumers {
            for n in c.join().unwrap() {
                assert!(seen.insert(n), "item {n} received twice");
            }
        }
        assert_eq!(seen.len() as u64, 2 * PER_PRODUCER, "items lost");
    });
}

#[test]
fn ping_pong_between_threads_never_stalls() {
    // Every hand-off races a getter going to sleep against the put that should wake it;
    // one lost wake-up stalls the exchange for good.
    within(60, || {
        let (ping, pong) = (Queue::new(1), LifoQueue::new(0));
        let echo = {
            let (ping, pong) = (ping.clone(), pong.clone());
            thread::spawn(move || {
                let mut n = 0;
                while let Ok(v) = block_on(ping.get()) {
                    pong.blocking_put(v + 1).unwrap();
                    n += 1;
                }
                n
            })
        };
        for i in 0..10_000u32 {
            ping.blocking_put(i).unwrap();
            assert_eq!(block_on(pong.get()), Ok(i + 1));
        }
        ping.shutdown(false);
        assert_eq!(echo.join().unwrap(), 10_000);
    });
}
