// Included by tests/channels.rs (futures-lite) and crates/corio/tests/sync_suite.rs (corio),
// each defining `block_on`.
// Behaviour of the channels: oneshot, mpsc (bounded and unbounded), broadcast, watch.
//
// Futures are polled by hand with counting wakers where the test is about who gets woken
// and when; the stress tests run real threads.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;

use corio_sync::{broadcast, mpsc, oneshot, watch};

/// A waker that counts its wake-ups.
struct Counter(AtomicUsize);

impl Wake for Counter {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn counter() -> (Arc<Counter>, Waker) {
    let c = Arc::new(Counter(AtomicUsize::new(0)));
    (c.clone(), Waker::from(c))
}

fn wakes(c: &Counter) -> usize {
    c.0.load(Ordering::SeqCst)
}

fn poll<F: Future + ?Sized>(fut: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(waker))
}

type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Loop counts for the stress tests: small under Miri, which is slow.
const fn scaled(n: u64) -> u64 {
    if cfg!(miri) { n / 200 + 2 } else { n }
}

// ---------------------------------------------------------------------------------------
// oneshot

#[test]
fn oneshot_send_then_receive() {
    let (tx, rx) = oneshot::channel();
    assert!(!tx.is_closed());
    tx.send(String::from("v")).unwrap();
    assert_eq!(block_on(rx), Ok(String::from("v")));
}

#[test]
fn oneshot_waiting_receiver_is_woken_by_send() {
    let (tx, mut rx) = oneshot::channel();
    let (c, waker) = counter();
    assert_eq!(poll(Pin::new(&mut rx), &waker), Poll::Pending);
    assert_eq!(poll(Pin::new(&mut rx), &waker), Poll::Pending);
    assert_eq!(wakes(&c), 0);
    tx.send(3).unwrap();
    assert_eq!(wakes(&c), 1);
    assert_eq!(poll(Pin::new(&mut rx), &waker), Poll::Ready(Ok(3)));
    // Spent: polling again is an error, not a panic.
    assert_eq!(
        poll(Pin::new(&mut rx), &waker),
        Poll::Ready(Err(oneshot::RecvError))
    );
}

#[test]
fn oneshot_sender_dropped_without_sending() {
    let (tx, mut rx) = oneshot::channel::<u8>();
    let (c, waker) = counter();
    assert_eq!(poll(Pin::new(&mut rx), &waker), Poll::Pending);
    drop(tx);
    assert_eq!(wakes(&c), 1);
    assert_eq!(
        poll(Pin::new(&mut rx), &waker),
        Poll::Ready(Err(oneshot::RecvError))
    );
}

#[test]
fn oneshot_send_after_receiver_dropped_returns_the_value() {
    let (tx, rx) = oneshot::channel();
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send(vec![1, 2]), Err(vec![1, 2]));
}

#[test]
fn oneshot_close_refuses_later_sends_but_keeps_earlier_value() {
    let (tx, mut rx) = oneshot::channel();
    rx.close();
    assert_eq!(tx.send(1), Err(1));
    assert_eq!(rx.try_recv(), Err(oneshot::TryRecvError::Closed));

    let (tx, mut rx) = oneshot::channel();
    tx.send(2).unwrap();
    rx.close();
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn oneshot_try_recv() {
    let (tx, mut rx) = oneshot::channel();
    assert_eq!(rx.try_recv(), Err(oneshot::TryRecvError::Empty));
    tx.send(1).unwrap();
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Err(oneshot::TryRecvError::Closed));
}

#[test]
fn oneshot_closed_resolves_when_receiver_goes() {
    let (mut tx, rx) = oneshot::channel::<u8>();
    let (c, waker) = counter();
    let mut closed = Box::pin(tx.closed());
    assert_eq!(poll(closed.as_mut(), &waker), Poll::Pending);
    drop(rx);
    assert_eq!(wakes(&c), 1);
    assert_eq!(poll(closed.as_mut(), &waker), Poll::Ready(()));
}

#[test]
fn oneshot_blocking_recv_across_threads() {
    for _ in 0..scaled(200) {
        let (tx, rx) = oneshot::channel();
        let t = thread::spawn(move || tx.send(9u32).unwrap());
        assert_eq!(rx.blocking_recv(), Ok(9));
        t.join().unwrap();
        let (tx, rx) = oneshot::channel::<u32>();
        let t = thread::spawn(move || drop(tx));
        assert_eq!(rx.blocking_recv(), Err(oneshot::RecvError));
        t.join().unwrap();
    }
}

#[test]
fn oneshot_race_send_against_receiver_drop_never_loses_the_value() {
    // Either the receiver got it, or the sender got it back: never neither, never both.
    for _ in 0..scaled(2000) {
        let (tx, mut rx) = oneshot::channel();
        let t = thread::spawn(move || tx.send(Box::new(7)));
        let got = rx.try_recv().ok();
        drop(rx);
        let sent = t.join().unwrap();
        match (got, sent) {
            (Some(v), Ok(())) => assert_eq!(*v, 7),
            (None, Err(v)) => assert_eq!(*v, 7),
            (None, Ok(())) => {} // delivered, then dropped unread with the receiver
            (Some(_), Err(_)) => panic!("the value was both received and returned"),
        }
    }
}

/// Counts live instances, to catch a double drop or a leak.
struct Tracked(Arc<AtomicUsize>);

impl Tracked {
    fn new(live: &Arc<AtomicUsize>) -> Self {
        live.fetch_add(1, Ordering::SeqCst);
        Self(live.clone())
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[test]
fn oneshot_value_is_dropped_exactly_once() {
    let live = Arc::new(AtomicUsize::new(0));
    // Delivered, never read: dropped with the receiver.
    let (tx, rx) = oneshot::channel();
    tx.send(Tracked::new(&live)).ok().unwrap();
    assert_eq!(live.load(Ordering::SeqCst), 1);
    drop(rx);
    assert_eq!(live.load(Ordering::SeqCst), 0);
    // Delivered, receiver closed, then read.
    let (tx, mut rx) = oneshot::channel();
    tx.send(Tracked::new(&live)).ok().unwrap();
    rx.close();
    drop(rx.try_recv().ok().unwrap());
    assert!(rx.try_recv().is_err());
    drop(rx);
    assert_eq!(live.load(Ordering::SeqCst), 0);
    // Delivered, receiver closed, never read.
    let (tx, mut rx) = oneshot::channel();
    tx.send(Tracked::new(&live)).ok().unwrap();
    rx.close();
    drop(rx);
    assert_eq!(live.load(Ordering::SeqCst), 0);
    // Refused: back to the sender.
    let (tx, mut rx) = oneshot::channel::<Tracked>();
    rx.close();
    let back = tx.send(Tracked::new(&live)).err().unwrap();
    assert_eq!(live.load(Ordering::SeqCst), 1);
    drop(back);
    assert_eq!(rx.try_recv().err(), Some(oneshot::TryRecvError::Closed));
    drop(rx);
    assert_eq!(live.load(Ordering::SeqCst), 0);
}

#[test]
fn oneshot_race_send_against_close_has_one_owner() {
    let live = Arc::new(AtomicUsize::new(0));
    for _ in 0..scaled(2000) {
        let (tx, mut rx) = oneshot::channel();
        let value = Tracked::new(&live);
        let t = thread::spawn(move || tx.send(value).is_ok());
        rx.close();
        let sent = t.join().unwrap();
        match rx.try_recv() {
            Ok(v) => {
                assert!(sent, "received a value the sender was told was refused");
                drop(v);
            }
            Err(e) => {
                assert_eq!(e, oneshot::TryRecvError::Closed);
                assert!(!sent, "a delivered value could not be received after close");
            }
        }
        drop(rx);
        assert_eq!(live.load(Ordering::SeqCst), 0);
    }
}

// ---------------------------------------------------------------------------------------
// mpsc, bounded

#[test]
fn mpsc_values_arrive_in_order() {
    block_on(async {
        let (tx, mut rx) = mpsc::channel(4);
        let producer = async move {
            for i in 0..100 {
                tx.send(i).await.unwrap();
            }
        };
        let consumer = async {
            let mut got = Vec::new();
            while let Some(v) = rx.recv().await {
                got.push(v);
            }
            got
        };
        let ((), got) = futures_lite::future::zip(producer, consumer).await;
        assert_eq!(got, (0..100).collect::<Vec<_>>());
    });
}

#[test]
fn mpsc_send_waits_while_full_then_proceeds() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(1).unwrap();
    let (c, waker) = counter();
    let mut send = Box::pin(tx.send(2));
    assert_eq!(poll(send.as_mut(), &waker), Poll::Pending);
    assert_eq!(poll(send.as_mut(), &waker), Poll::Pending);
    assert_eq!(wakes(&c), 0);
    assert_eq!(tx.capacity(), 0);
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(wakes(&c), 1, "the freed slot wakes the waiting sender");
    assert_eq!(poll(send.as_mut(), &waker), Poll::Ready(Ok(())));
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn mpsc_recv_waits_and_is_woken() {
    let (tx, mut rx) = mpsc::channel(2);
    let (c, waker) = counter();
    {
        let mut recv = Box::pin(rx.recv());
        assert_eq!(poll(recv.as_mut(), &waker), Poll::Pending);
        tx.try_send(5).unwrap();
        assert_eq!(wakes(&c), 1);
        tx.try_send(6).unwrap();
        assert_eq!(
            wakes(&c),
            1,
            "one wake-up for a receiver that has not run yet"
        );
        assert_eq!(poll(recv.as_mut(), &waker), Poll::Ready(Some(5)));
    }
    assert_eq!(rx.try_recv(), Ok(6));
}

#[test]
fn mpsc_none_after_senders_drop_and_buffer_drained() {
    let (tx, mut rx) = mpsc::channel(4);
    let tx2 = tx.clone();
    tx.try_send(1).unwrap();
    tx2.try_send(2).unwrap();
    drop(tx);
    assert!(!rx.is_closed());
    drop(tx2);
    assert!(rx.is_closed());
    assert_eq!(rx.len(), 2);
    block_on(async {
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(rx.recv().await, Some(2));
        assert_eq!(rx.recv().await, None);
        assert_eq!(rx.recv().await, None);
    });
    assert_eq!(rx.try_recv(), Err(mpsc::TryRecvError::Disconnected));
}

#[test]
fn mpsc_last_sender_drop_wakes_waiting_receiver() {
    let (tx, mut rx) = mpsc::channel::<u8>(4);
    let (c, waker) = counter();
    let mut recv = Box::pin(rx.recv());
    assert_eq!(poll(recv.as_mut(), &waker), Poll::Pending);
    drop(tx);
    assert_eq!(wakes(&c), 1);
    assert_eq!(poll(recv.as_mut(), &waker), Poll::Ready(None));
}

#[test]
fn mpsc_close_fails_senders_and_keeps_buffered_values() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(1).unwrap();
    let (c, waker) = counter();
    let mut waiting = Box::pin(tx.send(2));
    assert_eq!(poll(waiting.as_mut(), &waker), Poll::Pending);
    let mut closed = Box::pin(tx.closed());
    let (cc, cwaker) = counter();
    assert_eq!(poll(closed.as_mut(), &cwaker), Poll::Pending);

    rx.close();
    assert!(tx.is_closed());
    assert_eq!(wakes(&c), 1, "a waiting sender wakes to fail");
    assert_eq!(wakes(&cc), 1);
    assert_eq!(
        poll(waiting.as_mut(), &waker),
        Poll::Ready(Err(mpsc::SendError(2)))
    );
    assert_eq!(poll(closed.as_mut(), &cwaker), Poll::Ready(()));
    assert_eq!(tx.try_send(3), Err(mpsc::TrySendError::Closed(3)));
    assert_eq!(tx.blocking_send(4), Err(mpsc::SendError(4)));
    assert_eq!(rx.try_recv(), Ok(1));
    assert_eq!(rx.try_recv(), Err(mpsc::TryRecvError::Disconnected));
}

#[test]
fn mpsc_receiver_drop_closes_and_drops_buffered_values() {
    let tracked = Arc::new(());
    let (tx, rx) = mpsc::channel(4);
    tx.try_send(tracked.clone()).unwrap();
    assert_eq!(Arc::strong_count(&tracked), 2);
    drop(rx);
    assert_eq!(Arc::strong_count(&tracked), 1, "buffered values dropped");
    let err = tx.try_send(tracked.clone()).unwrap_err();
    assert!(err.is_closed());
    assert!(Arc::ptr_eq(&err.into_inner(), &tracked));
}

#[test]
fn mpsc_try_errors_and_capacity() {
    let (tx, mut rx) = mpsc::channel(0);
    assert_eq!(tx.max_capacity(), 1, "capacity 0 is clamped to 1");
    assert_eq!(rx.max_capacity(), 1);
    assert_eq!(rx.try_recv(), Err(mpsc::TryRecvError::Empty));
    assert_eq!(tx.capacity(), 1);
    tx.try_send('a').unwrap();
    assert_eq!(tx.capacity(), 0);
    assert_eq!(rx.len(), 1);
    assert!(!rx.is_empty());
    let err = tx.try_send('b').unwrap_err();
    assert!(err.is_full());
    assert_eq!(err, mpsc::TrySendError::Full('b'));
    assert_eq!(format!("{err:?}"), "Full(..)");
    assert_eq!(err.to_string(), "sending on a full channel");

    if !cfg!(miri) {
        // A million slots: too slow to set up under Miri.
        let (tx, _rx) = mpsc::channel::<u8>(usize::MAX);
        assert_eq!(tx.max_capacity(), mpsc::MAX_CAPACITY);
    }
}

#[test]
fn mpsc_errors_need_no_debug_on_the_value() {
    struct Opaque;
    let e = mpsc::SendError(Opaque);
    assert_eq!(format!("{e:?}"), "SendError { .. }");
    assert_eq!(e.to_string(), "sending on a closed channel");
    let boxed: Box<dyn std::error::Error> = Box::new(mpsc::TrySendError::Closed(Opaque));
    assert_eq!(boxed.to_string(), "sending on a closed channel");
    let boxed: Box<dyn std::error::Error> = Box::new(broadcast::SendError(Opaque));
    assert!(format!("{boxed:?}").starts_with("SendError"));
    let boxed: Box<dyn std::error::Error> = Box::new(watch::SendError(Opaque));
    assert!(format!("{boxed:?}").starts_with("SendError"));
}

#[test]
fn mpsc_is_a_stream() {
    use futures_lite::StreamExt;
    let (tx, rx) = mpsc::channel(8);
    for i in 0..5 {
        tx.try_send(i).unwrap();
    }
    drop(tx);
    assert_eq!(block_on(rx.collect::<Vec<_>>()), [0, 1, 2, 3, 4]);
}

#[test]
fn mpsc_woken_then_dropped_recv_serves_the_next_recv() {
    let (tx, mut rx) = mpsc::channel(2);
    let (c1, w1) = counter();
    let mut first = Box::pin(rx.recv());
    assert_eq!(poll(first.as_mut(), &w1), Poll::Pending);
    tx.try_send(1).unwrap();
    assert_eq!(wakes(&c1), 1);
    drop(first); // woken, never polled again
    let (c2, w2) = counter();
    let mut second = Box::pin(rx.recv());
    assert_eq!(poll(second.as_mut(), &w2), Poll::Ready(Some(1)));
    drop(second);
    // And a later value still wakes a later receive.
    let mut third = Box::pin(rx.recv());
    assert_eq!(poll(third.as_mut(), &w2), Poll::Pending);
    tx.try_send(2).unwrap();
    assert_eq!(wakes(&c2), 1);
    assert_eq!(poll(third.as_mut(), &w2), Poll::Ready(Some(2)));
}

#[test]
fn mpsc_dropped_woken_send_passes_the_slot_to_the_next_sender() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(0).unwrap();
    let (ca, wa) = counter();
    let (cb, wb) = counter();
    let (cc, wc) = counter();
    let mut a = Box::pin(tx.send(1));
    let mut b = Box::pin(tx.send(2));
    let mut c = Box::pin(tx.send(3));
    assert!(poll(a.as_mut(), &wa).is_pending());
    assert!(poll(b.as_mut(), &wb).is_pending());
    assert!(poll(c.as_mut(), &wc).is_pending());

    assert_eq!(rx.try_recv(), Ok(0));
    assert_eq!(
        (wakes(&ca), wakes(&cb), wakes(&cc)),
        (1, 0, 0),
        "FIFO: a first"
    );
    drop(a); // woken but never polled: its value is dropped, its wake-up goes to b
    assert_eq!((wakes(&cb), wakes(&cc)), (1, 0));
    assert_eq!(poll(b.as_mut(), &wb), Poll::Ready(Ok(())));
    assert!(poll(c.as_mut(), &wc).is_pending());
    assert_eq!(rx.try_recv(), Ok(2), "a's value was never inserted");
    assert_eq!(wakes(&cc), 1);
    assert_eq!(poll(c.as_mut(), &wc), Poll::Ready(Ok(())));
    assert_eq!(rx.try_recv(), Ok(3));
    assert_eq!(rx.try_recv(), Err(mpsc::TryRecvError::Empty));
}

#[test]
fn mpsc_dropped_unwoken_send_takes_no_wake_up() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(0).unwrap();
    let (ca, wa) = counter();
    let (cb, wb) = counter();
    let mut a = Box::pin(tx.send(1));
    let mut b = Box::pin(tx.send(2));
    assert!(poll(a.as_mut(), &wa).is_pending());
    assert!(poll(b.as_mut(), &wb).is_pending());
    drop(a); // cancelled before any slot freed
    assert_eq!(rx.try_recv(), Ok(0));
    assert_eq!((wakes(&ca), wakes(&cb)), (0, 1), "the freed slot goes to b");
    assert_eq!(poll(b.as_mut(), &wb), Poll::Ready(Ok(())));
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn mpsc_each_freed_slot_wakes_one_more_sender() {
    let (tx, mut rx) = mpsc::channel(2);
    tx.try_send(0).unwrap();
    tx.try_send(0).unwrap();
    let counters: Vec<_> = (0..4).map(|_| counter()).collect();
    let mut sends: Vec<_> = (1..=4).map(|i| Box::pin(tx.send(i))).collect();
    for (s, (_, w)) in sends.iter_mut().zip(&counters) {
        assert!(poll(s.as_mut(), w).is_pending());
    }
    let woken = || counters.iter().map(|(c, _)| wakes(c)).collect::<Vec<_>>();
    rx.try_recv().unwrap();
    assert_eq!(woken(), [1, 0, 0, 0]);
    rx.try_recv().unwrap();
    assert_eq!(
        woken(),
        [1, 1, 0, 0],
        "not swallowed while the first has not run"
    );
    assert!(poll(sends[0].as_mut(), &counters[0].1).is_ready());
    assert!(poll(sends[1].as_mut(), &counters[1].1).is_ready());
    assert!(poll(sends[2].as_mut(), &counters[2].1).is_pending());
}

#[test]
fn mpsc_woken_sender_whose_slot_was_taken_waits_again() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(0).unwrap();
    let (ca, wa) = counter();
    let mut a = Box::pin(tx.send(1));
    assert!(poll(a.as_mut(), &wa).is_pending());
    rx.try_recv().unwrap();
    assert_eq!(wakes(&ca), 1);
    tx.try_send(9).unwrap(); // steals the slot before `a` runs
    assert!(poll(a.as_mut(), &wa).is_pending());
    assert_eq!(rx.try_recv(), Ok(9));
    assert_eq!(wakes(&ca), 2);
    assert_eq!(poll(a.as_mut(), &wa), Poll::Ready(Ok(())));
    assert_eq!(rx.try_recv(), Ok(1));
}

#[test]
fn mpsc_poll_recv_keeps_its_wait_across_polls() {
    let (tx, mut rx) = mpsc::channel(1);
    let (c, waker) = counter();
    let mut cx = Context::from_waker(&waker);
    assert_eq!(rx.poll_recv(&mut cx), Poll::Pending);
    assert_eq!(rx.poll_recv(&mut cx), Poll::Pending);
    tx.try_send(1).unwrap();
    assert_eq!(wakes(&c), 1);
    assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Some(1)));
}

/// 7 producers × 10,000 through `capacity`, the consumer on the 8th thread; half the
/// producers use `blocking_send`, half `send` under `block_on`, and the consumer mixes
/// both kinds of receive.
fn mpsc_stress(capacity: usize) {
    const PRODUCERS: u64 = 7;
    const PER: u64 = scaled(10_000);
    let (tx, mut rx) = mpsc::channel(capacity);
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let tx = tx.clone();
            thread::spawn(move || {
                for i in 0..PER {
                    if p % 2 == 0 {
                        tx.blocking_send((p, i)).unwrap();
                    } else {
                        block_on(tx.send((p, i))).unwrap();
                    }
                }
            })
        })
        .collect();
    drop(tx);
    let consumer = thread::spawn(move || {
        let mut next = vec![0; PRODUCERS as usize];
        let mut n = 0u64;
        loop {
            let got = if n.is_multiple_of(3) {
                rx.blocking_recv()
            } else {
                block_on(rx.recv())
            };
            let Some((p, i)) = got else { break };
            assert_eq!(next[p as usize], i, "per-producer order");
            next[p as usize] += 1;
            n += 1;
        }
        assert!(next.iter().all(|&c| c == PER), "every message exactly once");
        n
    });
    for p in producers {
        p.join().unwrap();
    }
    assert_eq!(consumer.join().unwrap(), PRODUCERS * PER);
}

#[test]
fn mpsc_stress_small_buffer() {
    mpsc_stress(4);
}

#[test]
fn mpsc_stress_large_buffer() {
    mpsc_stress(1024);
}

#[test]
fn mpsc_stress_with_cancelled_sends_and_receives() {
    // Producers give up on a pending send after a poll and retry the same message later;
    // the consumer races every receive against a yield. A cancelled send that inserted its
    // value, or a cancelled receive that lost one or a wake-up, shows as a duplicate, a gap
    // or a hang.
    const PRODUCERS: u64 = 3;
    const PER: u64 = scaled(5_000);
    let (tx, mut rx) = mpsc::channel(2);
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let tx = tx.clone();
            thread::spawn(move || {
                let waker = Waker::noop();
                for i in 0..PER {
                    let mut attempts = 0u32;
                    loop {
                        attempts += 1;
                        if attempts.is_multiple_of(4) {
                            block_on(tx.send((p, i))).unwrap();
                            break;
                        }
                        let mut send = Box::pin(tx.send((p, i)));
                        if poll(send.as_mut(), waker).is_ready() {
                            break;
                        }
                        drop(send);
                        thread::yield_now();
                    }
                }
            })
        })
        .collect();
    drop(tx);
    let mut next = vec![0; PRODUCERS as usize];
    block_on(async {
        loop {
            let raced = futures_lite::future::or(async { Some(rx.recv().await) }, async {
                futures_lite::future::yield_now().await;
                None
            })
            .await;
            match raced {
                None => continue,
                Some(None) => break,
                Some(Some((p, i))) => {
                    assert_eq!(next[p as usize], i);
                    next[p as usize] += 1;
                }
            }
        }
    });
    for p in producers {
        p.join().unwrap();
    }
    assert!(next.iter().all(|&c| c == PER));
}

#[test]
fn mpsc_many_async_senders_on_one_thread() {
    block_on(async {
        let (tx, mut rx) = mpsc::channel(3);
        let mut senders: Vec<BoxFut<'_, ()>> = Vec::new();
        for p in 0..10u64 {
            let tx = tx.clone();
            senders.push(Box::pin(async move {
                for i in 0..scaled(500) {
                    tx.send((p, i)).await.unwrap();
                }
            }));
        }
        drop(tx);
        let all = async move {
            for s in senders {
                s.await;
            }
        };
        let consumer = async {
            let mut n = 0;
            while rx.recv().await.is_some() {
                n += 1;
            }
            n
        };
        let ((), n) = futures_lite::future::zip(all, consumer).await;
        assert_eq!(n, 10 * scaled(500));
    });
}

// ---------------------------------------------------------------------------------------
// mpsc, unbounded

#[test]
fn unbounded_basics() {
    let (tx, mut rx) = mpsc::unbounded();
    for i in 0..1000 {
        tx.send(i).unwrap();
    }
    assert_eq!(rx.len(), 1000);
    let tx2 = tx.clone();
    drop(tx);
    assert!(!rx.is_closed());
    block_on(async {
        for i in 0..1000 {
            assert_eq!(rx.recv().await, Some(i));
        }
        assert!(rx.is_empty());
        assert_eq!(rx.try_recv(), Err(mpsc::TryRecvError::Empty));
        drop(tx2);
        assert_eq!(rx.recv().await, None);
    });
}

#[test]
fn unbounded_close_and_closed() {
    let (tx, mut rx) = mpsc::unbounded();
    tx.send(1).unwrap();
    let (c, waker) = counter();
    let mut closed = Box::pin(tx.closed());
    assert!(poll(closed.as_mut(), &waker).is_pending());
    rx.close();
    assert_eq!(wakes(&c), 1);
    assert!(poll(closed.as_mut(), &waker).is_ready());
    assert!(tx.is_closed());
    assert_eq!(tx.send(2), Err(mpsc::SendError(2)));
    assert_eq!(rx.blocking_recv(), Some(1));
    assert_eq!(rx.blocking_recv(), None);
}

#[test]
fn unbounded_stress() {
    const PRODUCERS: u64 = 7;
    const PER: u64 = scaled(10_000);
    let (tx, mut rx) = mpsc::unbounded();
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let tx = tx.clone();
            thread::spawn(move || {
                for i in 0..PER {
                    tx.send((p, i)).unwrap();
                }
            })
        })
        .collect();
    drop(tx);
    let consumer = thread::spawn(move || {
        let mut next = vec![0; PRODUCERS as usize];
        let mut n = 0u64;
        loop {
            let got = if n.is_multiple_of(2) {
                rx.blocking_recv()
            } else {
                block_on(rx.recv())
            };
            let Some((p, i)) = got else { break };
            assert_eq!(next[p as usize], i);
            next[p as usize] += 1;
            n += 1;
        }
        n
    });
    for p in producers {
        p.join().unwrap();
    }
    assert_eq!(consumer.join().unwrap(), PRODUCERS * PER);
}

// ---------------------------------------------------------------------------------------
// broadcast

#[test]
fn broadcast_every_subscriber_sees_every_message() {
    let (tx, mut a) = broadcast::channel(16);
    let mut b = tx.subscribe();
    let mut c = a.resubscribe();
    assert_eq!(tx.receiver_count(), 3);
    for i in 0..10 {
        assert_eq!(tx.send(i), Ok(3));
    }
    drop(tx);
    for rx in [&mut a, &mut b, &mut c] {
        let got: Vec<_> = std::iter::from_fn(|| rx.try_recv().ok()).collect();
        assert_eq!(got, (0..10).collect::<Vec<_>>());
        assert_eq!(rx.try_recv(), Err(broadcast::TryRecvError::Closed));
    }
}

#[test]
fn broadcast_subscribers_only_see_later_messages() {
    let (tx, mut a) = broadcast::channel(8);
    tx.send(1).unwrap();
    let mut b = tx.subscribe();
    let mut c = a.resubscribe();
    tx.send(2).unwrap();
    assert_eq!(a.try_recv(), Ok(1));
    assert_eq!(a.try_recv(), Ok(2));
    assert_eq!(b.try_recv(), Ok(2));
    assert_eq!(c.try_recv(), Ok(2));
    assert_eq!(b.try_recv(), Err(broadcast::TryRecvError::Empty));
}

#[test]
fn broadcast_lagged_count_is_exact_and_reported_once() {
    let (tx, mut rx) = broadcast::channel(4);
    for i in 0..10 {
        tx.send(i).unwrap();
    }
    assert_eq!(rx.len(), 10);
    assert_eq!(rx.try_recv(), Err(broadcast::TryRecvError::Lagged(6)));
    assert_eq!(rx.len(), 4);
    for i in 6..10 {
        assert_eq!(rx.try_recv(), Ok(i));
    }
    assert_eq!(rx.try_recv(), Err(broadcast::TryRecvError::Empty));

    // Lag in the middle of reading, through the async API.
    let (tx, mut rx) = broadcast::channel(3);
    tx.send(0).unwrap();
    tx.send(1).unwrap();
    assert_eq!(rx.try_recv(), Ok(0));
    for i in 2..7 {
        tx.send(i).unwrap();
    }
    block_on(async {
        assert_eq!(rx.recv().await, Err(broadcast::RecvError::Lagged(3))); // 1, 2, 3
        assert_eq!(rx.recv().await, Ok(4));
        assert_eq!(rx.recv().await, Ok(5));
        assert_eq!(rx.recv().await, Ok(6));
        drop(tx);
        assert_eq!(rx.recv().await, Err(broadcast::RecvError::Closed));
    });
}

#[test]
fn broadcast_closed_only_after_everything_was_read() {
    let (tx, mut rx) = broadcast::channel(4);
    let tx2 = tx.clone();
    tx.send(1).unwrap();
    drop(tx);
    tx2.send(2).unwrap();
    drop(tx2);
    assert_eq!(rx.blocking_recv(), Ok(1));
    assert_eq!(rx.blocking_recv(), Ok(2));
    assert_eq!(rx.blocking_recv(), Err(broadcast::RecvError::Closed));
}

#[test]
fn broadcast_send_without_receivers_fails() {
    let (tx, rx) = broadcast::channel(2);
    drop(rx);
    assert_eq!(tx.receiver_count(), 0);
    assert_eq!(tx.send(5).unwrap_err().into_inner(), 5);
    let mut rx = tx.subscribe();
    assert_eq!(tx.send(6), Ok(1));
    assert_eq!(rx.try_recv(), Ok(6));
}

#[test]
fn broadcast_waiting_receivers_are_all_woken() {
    let (tx, mut a) = broadcast::channel(4);
    let mut b = tx.subscribe();
    let (ca, wa) = counter();
    let (cb, wb) = counter();
    let mut ra = Box::pin(a.recv());
    let mut rb = Box::pin(b.recv());
    assert!(poll(ra.as_mut(), &wa).is_pending());
    assert!(poll(rb.as_mut(), &wb).is_pending());
    tx.send(1).unwrap();
    assert_eq!((wakes(&ca), wakes(&cb)), (1, 1));
    drop(ra); // woken and dropped: b is unaffected
    assert_eq!(poll(rb.as_mut(), &wb), Poll::Ready(Ok(1)));
    drop(rb);
    assert_eq!(a.try_recv(), Ok(1), "a dropped recv consumed nothing");
    let mut ra = Box::pin(a.recv());
    assert!(poll(ra.as_mut(), &wa).is_pending());
    drop(tx);
    assert_eq!(wakes(&ca), 2, "the close wakes waiting receivers");
    assert_eq!(
        poll(ra.as_mut(), &wa),
        Poll::Ready(Err(broadcast::RecvError::Closed))
    );
}

#[test]
fn broadcast_capacity_is_clamped() {
    let (tx, mut rx) = broadcast::channel(0);
    assert_eq!(tx.capacity(), 1);
    tx.send(1).unwrap();
    tx.send(2).unwrap();
    assert_eq!(rx.try_recv(), Err(broadcast::TryRecvError::Lagged(1)));
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn broadcast_stress_several_threads() {
    // Two senders, four receivers on their own threads (async and blocking). With a small
    // ring receivers lag: what each gets plus what it is told it missed adds up to all,
    // and per sender the values it gets only go up.
    const SENDERS: u64 = 2;
    const PER: u64 = scaled(20_000);
    for capacity in [8, 64, 2 * PER as usize + 1] {
        let (tx, rx) = broadcast::channel(capacity);
        let receivers: Vec<_> = (0..4)
            .map(|r| {
                let mut rx = rx.resubscribe();
                thread::spawn(move || {
                    let mut last = vec![None::<u64>; SENDERS as usize];
                    let (mut got, mut missed) = (0u64, 0u64);
                    loop {
                        let res = if r % 2 == 0 {
                            rx.blocking_recv()
                        } else {
                            block_on(rx.recv())
                        };
                        match res {
                            Ok((s, i)) => {
                                let prev = &mut last[s as usize];
                                assert!(prev.is_none_or(|p| p < i), "order per sender");
                                *prev = Some(i);
                                got += 1;
                            }
                            Err(broadcast::RecvError::Lagged(n)) => missed += n,
                            Err(broadcast::RecvError::Closed) => break,
                        }
                    }
                    (got, missed)
                })
            })
            .collect();
        drop(rx);
        let senders: Vec<_> = (0..SENDERS)
            .map(|s| {
                let tx = tx.clone();
                thread::spawn(move || {
                    for i in 0..PER {
                        tx.send((s, i)).unwrap();
                    }
                })
            })
            .collect();
        drop(tx);
        for s in senders {
            s.join().unwrap();
        }
        for r in receivers {
            let (got, missed) = r.join().unwrap();
            assert_eq!(got + missed, SENDERS * PER, "capacity {capacity}");
            if capacity > (SENDERS * PER) as usize {
                assert_eq!(missed, 0);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// watch

#[test]
fn watch_sees_the_latest_value() {
    let (tx, mut rx) = watch::channel(0);
    assert_eq!(*rx.borrow(), 0);
    assert_eq!(rx.has_changed(), Ok(false));
    tx.send(1).unwrap();
    tx.send(2).unwrap();
    assert_eq!(rx.has_changed(), Ok(true));
    {
        let seen = rx.borrow_and_update();
        assert_eq!(*seen, 2);
        assert!(seen.has_changed());
    }
    assert_eq!(rx.has_changed(), Ok(false));
    assert!(!rx.borrow().has_changed());
    assert_eq!(*tx.borrow(), 2);
}

#[test]
fn watch_changed_resolves_once_per_batch() {
    let (tx, mut rx) = watch::channel(0);
    let (c, waker) = counter();
    {
        let mut changed = Box::pin(rx.changed());
        assert!(poll(changed.as_mut(), &waker).is_pending());
        tx.send(1).unwrap();
        assert_eq!(wakes(&c), 1);
        tx.send(2).unwrap();
        tx.send_modify(|v| *v += 1);
        assert_eq!(poll(changed.as_mut(), &waker), Poll::Ready(Ok(())));
    }
    assert_eq!(*rx.borrow(), 3);
    assert!(!rx.borrow().has_changed(), "changed() marked it seen");
    let mut changed = Box::pin(rx.changed());
    assert!(poll(changed.as_mut(), &waker).is_pending());
}

#[test]
fn watch_changed_errs_after_sender_drop_once_seen() {
    let (tx, mut rx) = watch::channel("a");
    tx.send("b").unwrap();
    drop(tx);
    assert!(rx.has_changed().is_err());
    block_on(async {
        // The last change is still reported, then the close.
        assert_eq!(rx.changed().await, Ok(()));
        assert_eq!(*rx.borrow(), "b");
        assert_eq!(rx.changed().await, Err(watch::RecvError));
    });

    let (tx, mut rx) = watch::channel(0);
    let (c, waker) = counter();
    let mut changed = Box::pin(rx.changed());
    assert!(poll(changed.as_mut(), &waker).is_pending());
    drop(tx);
    assert_eq!(wakes(&c), 1);
    assert_eq!(
        poll(changed.as_mut(), &waker),
        Poll::Ready(Err(watch::RecvError))
    );
}

#[test]
fn watch_send_variants() {
    let (tx, rx) = watch::channel(vec![1]);
    assert_eq!(tx.send_replace(vec![2]), [1]);
    assert!(!tx.send_if_modified(|_| false));
    assert_eq!(rx.has_changed(), Ok(true));
    let mut rx2 = rx.clone();
    rx2.mark_unchanged();
    assert!(!tx.send_if_modified(|_| false));
    assert_eq!(rx2.has_changed(), Ok(false));
    assert!(tx.send_if_modified(|v| {
        v.push(3);
        true
    }));
    assert_eq!(rx2.has_changed(), Ok(true));
    assert_eq!(*rx2.borrow(), [2, 3]);
    drop((rx, rx2));
    assert!(tx.is_closed());
    assert_eq!(tx.send(vec![9]).unwrap_err().into_inner(), [9]);
    assert_eq!(*tx.borrow(), [2, 3], "a failed send stores nothing");
}

#[test]
fn watch_mark_changed_and_subscribe() {
    let (tx, mut rx) = watch::channel(0);
    rx.mark_changed();
    assert_eq!(rx.has_changed(), Ok(true));
    assert_eq!(block_on(rx.changed()), Ok(()));
    assert_eq!(rx.has_changed(), Ok(false));
    let late = tx.subscribe();
    assert_eq!(tx.receiver_count(), 2);
    assert_eq!(late.has_changed(), Ok(false));
    assert!(late.same_channel(&rx));
}

#[test]
fn watch_closed_resolves_when_receivers_go() {
    let (tx, rx) = watch::channel(0);
    let rx2 = rx.clone();
    let (c, waker) = counter();
    let mut closed = Box::pin(tx.closed());
    assert!(poll(closed.as_mut(), &waker).is_pending());
    drop(rx);
    assert_eq!(wakes(&c), 0);
    drop(rx2);
    assert_eq!(wakes(&c), 1);
    assert!(poll(closed.as_mut(), &waker).is_ready());
}

#[test]
fn watch_woken_then_dropped_changed_keeps_the_change() {
    let (tx, mut rx) = watch::channel(0);
    let (c, waker) = counter();
    let mut changed = Box::pin(rx.changed());
    assert!(poll(changed.as_mut(), &waker).is_pending());
    tx.send(1).unwrap();
    assert_eq!(wakes(&c), 1);
    drop(changed);
    assert_eq!(rx.has_changed(), Ok(true), "still unseen");
    assert_eq!(block_on(rx.changed()), Ok(()));
}

#[test]
fn watch_stress_receivers_see_the_final_value() {
    const N: u64 = scaled(20_000);
    let (tx, rx) = watch::channel(0u64);
    let receivers: Vec<_> = (0..3)
        .map(|_| {
            let mut rx = rx.clone();
            thread::spawn(move || {
                let mut last = 0;
                while block_on(rx.changed()).is_ok() {
                    let v = *rx.borrow_and_update();
                    assert!(v >= last, "values only go forward");
                    last = v;
                }
                // Closed: the last value is still readable.
                *rx.borrow()
            })
        })
        .collect();
    drop(rx);
    for i in 1..=N {
        tx.send_replace(i);
    }
    drop(tx);
    for r in receivers {
        assert_eq!(r.join().unwrap(), N);
    }
}

#[test]
fn channels_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    fn assert_send<T: Send>() {}
    assert_send_sync::<mpsc::Sender<String>>();
    assert_send_sync::<mpsc::Receiver<String>>();
    assert_send_sync::<mpsc::UnboundedSender<String>>();
    assert_send_sync::<oneshot::Sender<String>>();
    assert_send_sync::<oneshot::Receiver<String>>();
    assert_send_sync::<broadcast::Sender<String>>();
    assert_send_sync::<broadcast::Receiver<String>>();
    assert_send_sync::<watch::Sender<String>>();
    assert_send_sync::<watch::Receiver<String>>();

    let (tx, mut rx) = mpsc::channel::<String>(1);
    let (utx, mut urx) = mpsc::unbounded::<String>();
    let (btx, mut brx) = broadcast::channel::<String>(1);
    let (_wtx, mut wrx) = watch::channel(String::new());
    let (mut otx, _orx) = oneshot::channel::<String>();
    fn check<F: Future + Send>(_: F) {}
    check(tx.send(String::new()));
    check(rx.recv());
    check(urx.recv());
    check(brx.recv());
    check(wrx.changed());
    check(otx.closed());
    let _ = (utx, btx);
    assert_send::<HashSet<u8>>();
}
