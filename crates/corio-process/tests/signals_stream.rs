//! The `Signals` stream: back-to-back deliveries are not lost, every stream sees every
//! delivery, and dropping the last one restores the disposition that was there before.
//! Signals are process-wide, so these tests have a binary of their own, and each uses a
//! signal of its own.

mod common;

use common::{block_on_limited, disposition, raise, runtimes, send_to_self};
use corio::signal::{Signal, Signals};
use futures_lite::StreamExt;

#[test]
fn back_to_back_deliveries_are_each_seen() {
    for (flavour, rt) in runtimes() {
        block_on_limited(flavour, &rt, async {
            let mut signals = Signals::new([Signal::USR2])?;
            // Three deliveries while nobody polls (each `raise` runs the handler before
            // it returns, so the kernel merges none of them).
            for _ in 0..3 {
                raise(libc::SIGUSR2);
            }
            for _ in 0..3 {
                assert_eq!(signals.next().await, Some(Signal::USR2));
            }
            assert_eq!(signals.try_recv(), None);
            // And from outside the thread, as another process would send it.
            send_to_self(libc::SIGUSR2);
            assert_eq!(signals.recv().await, Signal::USR2);
            std::io::Result::Ok(())
        });
    }
}

#[test]
fn real_time_signals_sent_back_to_back_are_queued_not_merged() {
    // Two `kill`s of a standard signal may become one delivery if the second arrives while
    // the first is still pending (the kernel keeps one pending instance). Real-time signals
    // are queued by the kernel, so each `kill` is a delivery, and corio reports each.
    let rt = corio::Builder::new().worker_threads(2).build().unwrap();
    rt.block_on(async {
        let sig = Signal::new(libc::SIGRTMIN() + 1).unwrap();
        let mut signals = Signals::new([sig]).unwrap();
        for _ in 0..5 {
            send_to_self(sig.as_raw());
        }
        for _ in 0..5 {
            assert_eq!(
                corio::wait_for(signals.recv(), common::LIMIT).await,
                Ok(sig)
            );
        }
    });
}

#[test]
fn every_stream_sees_every_delivery_of_its_signals() {
    let rt = corio::Builder::new().worker_threads(2).build().unwrap();
    rt.block_on(async {
        let mut both = Signals::new([Signal::HUP, Signal::WINCH]).unwrap();
        let mut hup = Signals::new([Signal::HUP]).unwrap();
        let waiter = corio::spawn(async move { hup.recv().await });
        send_to_self(libc::SIGHUP);
        send_to_self(libc::SIGWINCH);
        assert_eq!(waiter.await.unwrap(), Signal::HUP);
        let mut got = [both.recv().await, both.recv().await];
        got.sort_unstable();
        assert_eq!(got, [Signal::HUP, Signal::WINCH]);
        assert_eq!(both.try_recv(), None);
    });
}

#[test]
fn a_stream_sees_only_deliveries_after_its_creation() {
    let mut early = Signals::new([Signal::ALRM]).unwrap();
    raise(libc::SIGALRM);
    let mut late = Signals::new([Signal::ALRM]).unwrap();
    assert_eq!(early.try_recv(), Some(Signal::ALRM));
    assert_eq!(late.try_recv(), None);
}

#[test]
fn the_previous_disposition_comes_back() {
    // SIGPIPE starts ignored in a Rust program: that, not the default, must come back.
    assert_eq!(disposition(libc::SIGPIPE), libc::SIG_IGN);
    let first = Signals::new([Signal::PIPE]).unwrap();
    let second = Signals::new([Signal::PIPE, Signal::PIPE]).unwrap();
    assert_ne!(disposition(libc::SIGPIPE), libc::SIG_IGN);
    drop(first);
    assert_ne!(disposition(libc::SIGPIPE), libc::SIG_IGN, "still watched");
    drop(second);
    assert_eq!(disposition(libc::SIGPIPE), libc::SIG_IGN);
}

#[test]
fn uncatchable_signals_install_nothing() {
    // SIG_DFL, or SIG_IGN in a background job of a non-interactive shell: either way no
    // handler of ours, and the same afterwards.
    let before = disposition(libc::SIGQUIT);
    assert!(before == libc::SIG_DFL || before == libc::SIG_IGN);
    let err = Signals::new([Signal::QUIT, Signal::KILL]).unwrap_err();
    assert!(matches!(
        err,
        corio::signal::SignalError::Uncatchable(Signal::KILL)
    ));
    assert_eq!(disposition(libc::SIGQUIT), before);
}
