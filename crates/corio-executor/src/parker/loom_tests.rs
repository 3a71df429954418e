//! Loom models of the thread parker (`cargo xtask loom`), the one `ThreadDriver` and
//! `block_on` sleep on (and the models' driver, so every other model runs it too).

use std::sync::Arc;

use loom::sync::atomic::{AtomicBool, Ordering};
use loom::thread;

use super::Parker;
use crate::loom_support::check;

/// No lost wake-up: `park(None)` racing one `unpark` from another thread always returns (loom
/// reports a deadlock otherwise), and returns only after that unpark, seeing what the unparker
/// wrote before it: the permit carries happens-before (the relaxed flag below would otherwise
/// be allowed to read `false`).
#[test]
fn unpark_ends_a_racing_park() {
    check(|| {
        let parker = Arc::new(Parker::default());
        let sent = Arc::new(AtomicBool::new(false));
        let unparker = thread::spawn({
            let (parker, sent) = (parker.clone(), sent.clone());
            move || {
                sent.store(true, Ordering::Relaxed);
                parker.unpark();
            }
        });
        parker.park(None);
        assert!(
            sent.load(Ordering::Relaxed),
            "park returned before the unpark"
        );
        unparker.join().unwrap();
    });
}

/// Repeated unparks are harmless: two unparks racing one park leave the parker usable (one
/// more unpark/park pair completes; a parker stuck in its parked state would deadlock), and
/// never block the unparkers.
#[test]
fn concurrent_unparks_leave_the_parker_usable() {
    check(|| {
        let parker = Arc::new(Parker::default());
        let unparkers: Vec<_> = (0..2)
            .map(|_| {
                let parker = parker.clone();
                thread::spawn(move || parker.unpark())
            })
            .collect();
        parker.park(None);
        for u in unparkers {
            u.join().unwrap();
        }
        parker.unpark();
        parker.park(None);
    });
}
