//! `add_signal_handler`: the test process sends itself SIGUSR1 and sees the handler run on
//! the loop; removing it restores the default disposition. Signals are process-wide, so
//! these tests have a binary of their own and take turns.

mod common;

use std::sync::Mutex;

use common::{block_on_limited, disposition, raise, runtimes, send_to_self};
use corio::signal::{Signal, SignalError, add_signal_handler};

/// The tests of this file share SIGUSR1.
static TURN: Mutex<()> = Mutex::new(());

#[test]
fn handler_runs_once_per_delivery_and_removal_restores_the_default() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    for (flavour, rt) in runtimes() {
        assert_eq!(disposition(libc::SIGUSR1), libc::SIG_DFL, "{flavour}");
        block_on_limited(flavour, &rt, async {
            let (tx, mut rx) = corio::sync::mpsc::unbounded();
            let handler = add_signal_handler(Signal::USR1, move || {
                // On the loop, not in the signal handler: allocating and locking are fine.
                tx.send(std::thread::current().name().map(str::to_owned))
                    .unwrap();
            })?;
            assert_ne!(disposition(libc::SIGUSR1), libc::SIG_DFL);

            send_to_self(libc::SIGUSR1);
            assert!(rx.recv().await.is_some());
            // Back to back, before the loop runs again: still two calls. (`raise` runs
            // the handler before it returns. Two `kill`s may be merged by the kernel if
            // the first is still pending when the second comes: see `signals_stream`.)
            raise(libc::SIGUSR1);
            raise(libc::SIGUSR1);
            rx.recv().await.unwrap();
            rx.recv().await.unwrap();

            handler.remove();
            assert_eq!(disposition(libc::SIGUSR1), libc::SIG_DFL);
            std::io::Result::Ok(())
        });
    }
}

#[test]
fn two_handlers_both_run_and_the_last_removal_restores() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let rt = corio::Builder::new().current_thread().build().unwrap();
    rt.block_on(async {
        let (tx, mut rx) = corio::sync::mpsc::unbounded();
        let tx2 = tx.clone();
        let first = add_signal_handler(Signal::USR1, move || tx.send(1).unwrap()).unwrap();
        let second = add_signal_handler(Signal::USR1, move || tx2.send(2).unwrap()).unwrap();
        send_to_self(libc::SIGUSR1);
        let mut got = [rx.recv().await.unwrap(), rx.recv().await.unwrap()];
        got.sort_unstable();
        assert_eq!(got, [1, 2]);
        drop(first);
        assert_ne!(disposition(libc::SIGUSR1), libc::SIG_DFL, "one is left");
        drop(second);
        assert_eq!(disposition(libc::SIGUSR1), libc::SIG_DFL);
    });
}

#[test]
fn refusals() {
    let rt = corio::Builder::new().current_thread().build().unwrap();
    rt.block_on(async {
        assert!(matches!(
            add_signal_handler(Signal::KILL, || {}),
            Err(SignalError::Uncatchable(Signal::KILL))
        ));
        assert!(matches!(
            add_signal_handler(Signal::STOP, || {}),
            Err(SignalError::Uncatchable(Signal::STOP))
        ));
        assert!(matches!(
            add_signal_handler(Signal::SEGV, || {}),
            Err(SignalError::Forbidden(Signal::SEGV))
        ));
    });
    assert!(matches!(Signal::new(0), Err(SignalError::Invalid(0))));
    assert!(matches!(Signal::new(1000), Err(SignalError::Invalid(1000))));
    // Outside a runtime there is no loop to run the callback on.
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    assert!(matches!(
        add_signal_handler(Signal::USR1, || {}),
        Err(SignalError::NoRuntime)
    ));
    assert_eq!(
        disposition(libc::SIGUSR1),
        libc::SIG_DFL,
        "nothing left installed"
    );
}
