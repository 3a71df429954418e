//! [`Signals`]: a stream of the deliveries of some signals.

use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use super::kind::{Signal, SignalError};
use super::registry::{Listener, Registration};

/// A stream of deliveries of the signals it was created for, from its creation on.
///
/// While a `Signals` (or any other registration for the same signal) exists, the signal no
/// longer has its default effect: a `SIGINT` does not kill the process, it shows up here.
/// Dropping the last registration for a signal restores the disposition it had before
/// (normally the default).
///
/// **Nothing is coalesced by corio.** Every time the signal handler runs, each `Signals`
/// for that signal yields the signal once, even if it was not being polled at the time: two
/// `SIGINT`s that arrive while a graceful shutdown is busy with the first are two items. The
/// kernel itself merges a standard (non-real-time) signal sent while the same signal is
/// still *pending* (sent but not yet delivered), so two `kill`s in quick succession may run
/// the handler once. Between different signals the order of the items is not the order of
/// arrival: each poll looks at the signals in turn, starting after the one it returned last.
///
/// `Signals` is a [`Stream`] (`futures_lite::StreamExt::next`), and has [`recv`](Self::recv).
/// It needs no runtime: the handler's wake-ups come from a thread of their own.
///
/// ```
/// use corio_process::signal::{Signal, Signals};
///
/// corio::run(async {
///     let mut signals = Signals::new([Signal::USR1, Signal::HUP])?;
///     // SAFETY: raising a signal this process now catches.
///     unsafe { libc::raise(libc::SIGUSR1) };
///     assert_eq!(signals.recv().await, Signal::USR1);
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
#[derive(Debug)]
#[must_use = "signals are caught only while the `Signals` exists"]
pub struct Signals {
    listeners: Vec<Listener>,
    /// Keeps the handler installed; declared after the listeners only for readability, the
    /// order of dropping does not matter.
    _registrations: Vec<Registration>,
    /// Where the next poll starts looking, so one busy signal cannot starve the others.
    start: usize,
}

impl Signals {
    /// Starts catching `signals` (duplicates are ignored) and reports them from now on.
    ///
    /// # Errors
    ///
    /// [`SignalError::Uncatchable`] for `SIGKILL` and `SIGSTOP`, [`SignalError::Forbidden`]
    /// for the hardware faults, [`SignalError::Io`] if `sigaction` fails or the dispatcher
    /// cannot start. Nothing is installed when it fails.
    ///
    /// ```
    /// use corio_process::signal::{Signal, SignalError, Signals};
    ///
    /// let _term = Signals::new([Signal::TERM, Signal::INT])?;
    /// assert!(matches!(Signals::new([Signal::STOP]), Err(SignalError::Uncatchable(_))));
    /// # Ok::<(), SignalError>(())
    /// ```
    pub fn new(signals: impl IntoIterator<Item = Signal>) -> Result<Signals, SignalError> {
        let mut wanted: Vec<Signal> = signals.into_iter().collect();
        wanted.sort_unstable();
        wanted.dedup();
        // Every check first, so a refusal installs nothing.
        for sig in &wanted {
            sig.check_catchable()?;
        }
        let registrations = wanted
            .iter()
            .map(|&sig| Registration::new(sig))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Signals {
            listeners: wanted.into_iter().map(Listener::new).collect(),
            _registrations: registrations,
            start: 0,
        })
    }

    /// The next delivery. Never ends: a `Signals` waits as long as it exists.
    ///
    /// Cancel-safe: a delivery is taken only by the poll that returns it.
    ///
    /// ```
    /// use corio_process::signal::{Signal, Signals};
    ///
    /// corio::run(async {
    ///     let mut usr2 = Signals::new([Signal::USR2])?;
    ///     // SAFETY: raising a signal this process now catches, twice.
    ///     unsafe { libc::raise(libc::SIGUSR2) };
    ///     // SAFETY: as above.
    ///     unsafe { libc::raise(libc::SIGUSR2) };
    ///     assert_eq!(usr2.recv().await, Signal::USR2);
    ///     assert_eq!(usr2.recv().await, Signal::USR2); // the second is not lost
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn recv(&mut self) -> Signal {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// A delivery not yet reported, if there is one, without waiting.
    ///
    /// ```
    /// use corio_process::signal::{Signal, Signals};
    ///
    /// let mut winch = Signals::new([Signal::WINCH])?;
    /// assert_eq!(winch.try_recv(), None);
    /// // SAFETY: raising a signal this process now catches.
    /// unsafe { libc::raise(libc::SIGWINCH) };
    /// assert_eq!(winch.try_recv(), Some(Signal::WINCH)); // the handler ran in `raise`
    /// # Ok::<(), corio_process::signal::SignalError>(())
    /// ```
    pub fn try_recv(&mut self) -> Option<Signal> {
        let n = self.listeners.len();
        for k in 0..n {
            let i = (self.start + k) % n;
            if self.listeners[i].try_next() {
                self.start = i + 1;
                return Some(self.listeners[i].signal());
            }
        }
        None
    }

    /// Polls for the next delivery; the building block of [`recv`](Self::recv) and of the
    /// [`Stream`] implementation.
    ///
    /// ```
    /// use corio_process::signal::{Signal, Signals};
    /// use std::task::{Context, Poll, Waker};
    ///
    /// let mut quit = Signals::new([Signal::QUIT])?;
    /// let mut cx = Context::from_waker(Waker::noop());
    /// assert!(quit.poll_recv(&mut cx).is_pending());
    /// # Ok::<(), corio_process::signal::SignalError>(())
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Signal> {
        if let Some(sig) = self.try_recv() {
            return Poll::Ready(sig);
        }
        for (i, listener) in self.listeners.iter_mut().enumerate() {
            if listener.poll_next(cx).is_ready() {
                self.start = i + 1;
                return Poll::Ready(listener.signal());
            }
        }
        Poll::Pending
    }
}

impl Stream for Signals {
    type Item = Signal;

    /// Never `None`.
    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Signal>> {
        self.get_mut().poll_recv(cx).map(Some)
    }
}
