// The lock, semaphore, event, condition and barrier behaviours, written once and run by
// every runtime: `run` is the including file's (futures-lite's `block_on`, corio's `run`).
// Tasks are interleaved by hand with `poll_once`, so the order of events is the test's.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use corio_sync::{
    Barrier, BoundedSemaphore, BrokenBarrierError, Condition, Event, Mutex, RwLock, Semaphore,
    TooManyReleases,
};
use futures_lite::future::{poll_once, yield_now, zip};

/// Polls `f` once: `Some(output)` if it finished.
async fn step<F: Future>(f: std::pin::Pin<&mut F>) -> Option<F::Output> {
    poll_once(f).await
}

#[test]
fn lock_waiters_acquire_in_arrival_order() {
    run(async {
        // asyncio's test: c1 and c2 queue before c3; they get the lock in that order.
        let m = Mutex::new(Vec::new());
        let held = m.lock().await;
        let (mut c1, mut c2) = (pin!(m.lock()), pin!(m.lock()));
        assert!(step(c1.as_mut()).await.is_none());
        assert!(step(c2.as_mut()).await.is_none());
        drop(held);
        let mut c3 = pin!(m.lock());
        assert!(step(c3.as_mut()).await.is_none(), "c3 does not barge past c1, c2");
        assert!(m.try_lock().is_err(), "nor does try_lock");
        let mut g1 = step(c1.as_mut()).await.expect("c1 was handed the lock");
        g1.push(1);
        drop(g1);
        assert!(step(c3.as_mut()).await.is_none(), "c2 is next, not c3");
        step(c2.as_mut()).await.expect("c2 next").push(2);
        step(c3.as_mut()).await.expect("then c3").push(3);
        assert_eq!(*m.lock().await, [1, 2, 3]);
    });
}

#[test]
fn a_lock_handed_to_a_cancelled_waiter_passes_on() {
    run(async {
        let m = Mutex::new(0);
        let held = m.lock().await;
        let mut next = pin!(m.lock());
        {
            let mut cancelled = pin!(m.lock());
            assert!(step(cancelled.as_mut()).await.is_none());
            assert!(step(next.as_mut()).await.is_none());
            drop(held); // hands the lock to `cancelled`, which is dropped unpolled
        }
        let mut g = step(next.as_mut()).await.expect("the hand-off moved on");
        *g += 1;
        drop(g);
        assert!(!m.locked());
    });
}

#[test]
fn owned_guards_move_into_other_tasks() {
    run(async {
        let m = Arc::new(Mutex::new(1));
        let guard = m.clone().lock_owned().await;
        let worker = async move {
            let mut g = guard;
            *g *= 10;
        };
        let mut waiter = pin!(m.lock());
        assert!(step(waiter.as_mut()).await.is_none());
        worker.await;
        assert_eq!(*waiter.await, 10);
    });
}

#[test]
fn semaphore_is_fifo_and_acquire_many_waits_its_turn() {
    run(async {
        let s = Semaphore::new(2);
        let a = s.acquire().await;
        let b = s.acquire().await;
        let mut many = pin!(s.acquire_many(2));
        let mut one = pin!(s.acquire());
        assert!(step(many.as_mut()).await.is_none());
        assert!(step(one.as_mut()).await.is_none());
        drop(a);
        assert!(step(one.as_mut()).await.is_none(), "one permit waits for the pair first");
        drop(b);
        let pair = step(many.as_mut()).await.expect("two released").expect("≤ max");
        assert_eq!(pair.num_permits(), 2);
        drop(pair);
        assert!(step(one.as_mut()).await.is_some());
        assert_eq!(s.available_permits(), 2);
        assert!(s.acquire_many(Semaphore::MAX_PERMITS + 1).await.is_err());
    });
}

#[test]
fn semaphore_release_and_bounded_semaphore_bound() {
    run(async {
        let s = Semaphore::new(0);
        assert!(s.locked());
        let mut waiter = pin!(s.acquire());
        assert!(step(waiter.as_mut()).await.is_none());
        s.release().unwrap();
        assert!(step(waiter.as_mut()).await.is_some());

        let b = BoundedSemaphore::new(1);
        assert_eq!(b.release(), Err(TooManyReleases));
        let p = b.acquire().await;
        assert!(b.locked());
        drop(p);
        assert_eq!(b.release(), Err(TooManyReleases), "the permit already went back");
        b.acquire().await.forget();
        assert_eq!(b.release(), Ok(()));
        assert_eq!(b.available_permits(), 1);
    });
}

#[test]
fn rwlock_readers_share_and_a_waiting_writer_holds_new_readers_back() {
    run(async {
        let l = RwLock::new(0);
        let r1 = l.read().await;
        let r2 = l.read().await;
        let mut writer = pin!(l.write());
        assert!(step(writer.as_mut()).await.is_none());
        let mut late_reader = pin!(l.read());
        assert!(step(late_reader.as_mut()).await.is_none(), "no writer starvation");
        assert!(l.try_read().is_none());
        drop((r1, r2));
        *step(writer.as_mut()).await.expect("readers gone") += 1;
        assert_eq!(*step(late_reader.as_mut()).await.expect("writer gone"), 1);
    });
}

#[test]
fn event_wakes_every_waiter_even_when_cleared_at_once() {
    run(async {
        let e = Event::new();
        let (mut w1, mut w2) = (pin!(e.wait()), pin!(e.wait()));
        assert!(step(w1.as_mut()).await.is_none());
        assert!(step(w2.as_mut()).await.is_none());
        e.set();
        e.clear();
        assert!(step(w1.as_mut()).await.is_some());
        assert!(step(w2.as_mut()).await.is_some());
        let mut late = pin!(e.wait());
        assert!(step(late.as_mut()).await.is_none(), "cleared: later waiters wait");
        e.set();
        late.await;
    });
}

#[test]
fn condition_notify_one_wakes_one_and_notify_all_wakes_all() {
    run(async {
        let (m, cond) = (Mutex::new(0), Condition::new());
        let woken = AtomicUsize::new(0);
        let waiter = || async {
            let g = cond.wait(m.lock().await).await;
            woken.fetch_add(1, Ordering::SeqCst);
            drop(g);
        };
        let (mut a, mut b, mut c) = (pin!(waiter()), pin!(waiter()), pin!(waiter()));
        for w in [a.as_mut(), b.as_mut(), c.as_mut()] {
            assert!(step(w).await.is_none());
        }
        cond.notify(1);
        let mut done = [false; 3];
        for (d, w) in done.iter_mut().zip([a.as_mut(), b.as_mut(), c.as_mut()]) {
            *d = step(w).await.is_some();
        }
        assert_eq!(woken.load(Ordering::SeqCst), 1, "notify(1) wakes exactly one");
        assert_eq!(done, [true, false, false], "the longest waiter");
        cond.notify_all();
        zip(b, c).await;
        assert_eq!(woken.load(Ordering::SeqCst), 3);
    });
}

#[test]
fn a_notification_that_reached_a_cancelled_waiter_passes_on() {
    run(async {
        let (m, cond) = (Mutex::new(()), Condition::new());
        let mut second = pin!(async { drop(cond.wait(m.lock().await).await) });
        {
            let mut first = pin!(async { drop(cond.wait(m.lock().await).await) });
            assert!(step(first.as_mut()).await.is_none());
            assert!(step(second.as_mut()).await.is_none());
            cond.notify(1); // reaches `first`, which is dropped without running
        }
        assert!(step(second.as_mut()).await.is_some(), "the notify moved on");
    });
}

#[test]
fn a_waiter_cancelled_while_relocking_passes_its_notification_on() {
    run(async {
        let (m, cond) = (Mutex::new(()), Condition::new());
        let mut second = pin!(async { drop(cond.wait(m.lock().await).await) });
        {
            let mut first = pin!(async { drop(cond.wait(m.lock().await).await) });
            assert!(step(first.as_mut()).await.is_none());
            assert!(step(second.as_mut()).await.is_none());
            let held = m.lock().await;
            cond.notify(1);
            // `first` consumes the notification, then waits for the lock we hold.
            assert!(step(first.as_mut()).await.is_none());
            drop(held);
        }
        assert!(step(second.as_mut()).await.is_some(), "the notify moved on");
    });
}

#[test]
fn barrier_gives_arrival_indices_and_trips_every_round() {
    run(async {
        let barrier = Barrier::new(3).unwrap();
        for _round in 0..2 {
            let (mut a, mut b) = (pin!(barrier.wait()), pin!(barrier.wait()));
            assert!(step(a.as_mut()).await.is_none());
            assert!(step(b.as_mut()).await.is_none());
            assert_eq!(barrier.n_waiting(), 2);
            assert_eq!(barrier.wait().await, Ok(2), "the last arrival");
            assert_eq!((a.await, b.await), (Ok(0), Ok(1)));
            assert_eq!(barrier.n_waiting(), 0);
        }
        assert!(Barrier::new(0).is_err());
    });
}

#[test]
fn barrier_abort_and_reset_break_the_waiters() {
    run(async {
        let barrier = Barrier::new(2).unwrap();
        let mut w = pin!(barrier.wait());
        assert!(step(w.as_mut()).await.is_none());
        barrier.abort();
        assert_eq!(w.await, Err(BrokenBarrierError));
        assert!(barrier.broken());
        assert_eq!(barrier.wait().await, Err(BrokenBarrierError));
        barrier.reset();
        assert!(!barrier.broken());

        let mut w = pin!(barrier.wait());
        assert!(step(w.as_mut()).await.is_none());
        barrier.reset();
        assert_eq!(w.await, Err(BrokenBarrierError), "reset breaks current waiters");
        assert_eq!(zip(barrier.wait(), barrier.wait()).await, (Ok(0), Ok(1)));
    });
}

#[test]
fn a_cancelled_barrier_waiter_leaves_its_round() {
    run(async {
        let barrier = Barrier::new(2).unwrap();
        {
            let mut gone = pin!(barrier.wait());
            assert!(step(gone.as_mut()).await.is_none());
            assert_eq!(barrier.n_waiting(), 1);
        }
        assert_eq!(barrier.n_waiting(), 0);
        let mut w = pin!(barrier.wait());
        assert!(step(w.as_mut()).await.is_none(), "one arrival is not a round");
        assert_eq!(barrier.wait().await, Ok(1));
        assert_eq!(w.await, Ok(0));
    });
}

#[test]
fn eight_threads_keep_a_counter_under_the_lock_exact() {
    let m = Arc::new(Mutex::new(0u64));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let m = m.clone();
            std::thread::spawn(move || {
                run(async move {
                    for i in 0..10_000 {
                        // A read-yield-write race the lock must rule out.
                        if (t + i) % 2 == 0 {
                            let mut g = m.lock().await;
                            let v = *g;
                            if i % 64 == 0 {
                                yield_now().await;
                            }
                            *g = v + 1;
                        } else {
                            let mut g = m.clone().lock_owned().await;
                            let v = *g;
                            yield_now().await;
                            *g = v + 1;
                        }
                    }
                })
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    assert_eq!(*m.blocking_lock(), 80_000);
}

#[test]
fn eight_threads_never_hold_more_than_the_permits() {
    let s = Arc::new(Semaphore::new(3));
    let (inside, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (s, inside, most) = (s.clone(), inside.clone(), most.clone());
            std::thread::spawn(move || {
                run(async move {
                    for i in 0..10_000 {
                        let n = if (t + i) % 7 == 0 { 2 } else { 1 };
                        let permit = s.acquire_many(n).await.unwrap();
                        let now = inside.fetch_add(n, Ordering::SeqCst) + n;
                        most.fetch_max(now, Ordering::SeqCst);
                        if i % 32 == 0 {
                            yield_now().await;
                        }
                        inside.fetch_sub(n, Ordering::SeqCst);
                        drop(permit);
                    }
                })
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    assert!(most.load(Ordering::SeqCst) <= 3);
    assert_eq!(s.available_permits(), 3);
}
