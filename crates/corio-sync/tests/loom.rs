//! loom models of the permit core under `Mutex`, `RwLock` and `Semaphore`: every
//! interleaving (to a preemption bound) of acquire, hand-off, cancel and release.
//!
//! Run with `cargo xtask loom`, which builds with `--cfg corio_loom`.
#![cfg(corio_loom)]

#[allow(dead_code, unreachable_pub)]
#[path = "../src/permits.rs"]
mod permits;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use permits::Permits;

fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = Some(3);
    builder.check(f);
}

/// Two threads locking one permit never hold it together, and it ends free.
#[test]
fn one_permit_is_held_by_one_thread_at_a_time() {
    model(|| {
        let p = Arc::new(Permits::new(1));
        let inside = Arc::new(AtomicUsize::new(0));
        let worker = |p: Arc<Permits>, inside: Arc<AtomicUsize>| {
            move || {
                loom::future::block_on(p.acquire(1));
                assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "two holders");
                inside.fetch_sub(1, Ordering::SeqCst);
                p.release(1);
            }
        };
        let t = loom::thread::spawn(worker(p.clone(), inside.clone()));
        worker(p.clone(), inside)();
        t.join().unwrap();
        assert_eq!(p.available(), 1);
        assert!(!p.has_waiters());
    });
}

/// A waiter dropped while the holder releases — before, during or after the hand-off —
/// never takes the permit with it.
#[test]
fn a_cancelled_waiter_never_loses_the_permit() {
    model(|| {
        let p = Arc::new(Permits::new(1));
        assert!(p.try_acquire(1));
        let holder = {
            let p = p.clone();
            loom::thread::spawn(move || p.release(1))
        };
        {
            let mut waiting = pin!(p.acquire(1));
            let mut cx = Context::from_waker(Waker::noop());
            if waiting.as_mut().poll(&mut cx) == Poll::Ready(()) {
                p.release(1); // Got it: give it back like a guard would.
            }
            // Dropped here, pending or granted.
        }
        holder.join().unwrap();
        assert_eq!(p.available(), 1, "the permit came back");
        assert!(!p.has_waiters());
    });
}

/// Three threads over two permits (one asking for both): never more than two held, and
/// all back at the end.
#[test]
fn permits_are_never_over_granted() {
    model(|| {
        let p = Arc::new(Permits::new(2));
        let held = Arc::new(AtomicUsize::new(0));
        let worker = |n: usize| {
            let (p, held) = (p.clone(), held.clone());
            move || {
                loom::future::block_on(p.acquire(n));
                assert!(held.fetch_add(n, Ordering::SeqCst) + n <= 2, "over-granted");
                held.fetch_sub(n, Ordering::SeqCst);
                p.release(n);
            }
        };
        let a = loom::thread::spawn(worker(2));
        let b = loom::thread::spawn(worker(1));
        worker(1)();
        a.join().unwrap();
        b.join().unwrap();
        assert_eq!(p.available(), 2);
    });
}
