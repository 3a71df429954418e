//! [`ctrl_c`]: wait for the next `SIGINT`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::kind::{Signal, SignalError};
use super::stream::Signals;

/// Waits for the next `SIGINT` (Ctrl-C at the terminal) delivered after this call.
///
/// `SIGINT` is caught as soon as `ctrl_c()` is called, not at the first poll, so a Ctrl-C
/// between the call and the `.await` is not lost (and does not kill the process). Once the
/// future is dropped, `SIGINT` gets its previous disposition back (unless something else
/// still catches it). For a second Ctrl-C during clean-up, keep a [`Signals`] instead: it
/// sees every delivery.
///
/// # Errors
///
/// The future resolves to [`SignalError::Io`] if the handler could not be installed.
///
/// ```
/// use corio_process::signal::ctrl_c;
///
/// corio::run(async {
///     let interrupted = ctrl_c();
///     // SAFETY: raising a signal this process now catches.
///     unsafe { libc::raise(libc::SIGINT) };
///     interrupted.await?;
///     println!("interrupted, cleaning up");
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub fn ctrl_c() -> CtrlC {
    CtrlC {
        signals: Signals::new([Signal::INT]).map_err(Some),
    }
}

/// The future of [`ctrl_c`].
///
/// ```
/// use std::time::Duration;
///
/// corio::run(async {
///     // Nobody presses Ctrl-C within a millisecond: the timeout wins.
///     let pressed = corio::timeout(Duration::from_millis(1), corio_process::signal::ctrl_c()).await;
///     assert!(pressed.is_err());
/// });
/// ```
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited; SIGINT is caught while this exists"]
pub struct CtrlC {
    /// The error is taken when it is reported.
    signals: Result<Signals, Option<SignalError>>,
}

impl Future for CtrlC {
    type Output = Result<(), SignalError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().signals {
            Ok(signals) => signals.poll_recv(cx).map(|_| Ok(())),
            Err(e) => Poll::Ready(Err(e.take().expect("`CtrlC` polled after it failed"))),
        }
    }
}
