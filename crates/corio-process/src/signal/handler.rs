//! [`add_signal_handler`]: asyncio's `loop.add_signal_handler`, a callback run on the loop.

use std::fmt;
use std::future::poll_fn;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use corio_executor::{Task, try_spawn};

use super::kind::{Signal, SignalError};
use super::registry::{Listener, Registration};

/// Runs `callback` on the runtime once per delivery of `sig`, until the returned
/// [`SignalHandler`] is removed or dropped; then `sig` gets back the disposition it had
/// before (normally the default).
///
/// The callback runs in a task of the current corio runtime, never inside the signal
/// handler, so it may do anything a task may: lock, allocate, spawn. Deliveries that arrive
/// while it runs are each followed by one more call (see [`Signals`](super::Signals) for what
/// the kernel merges).
///
/// Unlike asyncio, where a second `add_signal_handler` for the same signal replaces the
/// first, any number of handlers (and [`Signals`](super::Signals) streams) may watch one
/// signal, and each sees every delivery.
///
/// # Errors
///
/// [`SignalError::Uncatchable`] for `SIGKILL` / `SIGSTOP` (asyncio raises `RuntimeError`),
/// [`SignalError::Forbidden`] for the hardware faults, [`SignalError::NoRuntime`] outside a
/// corio runtime, [`SignalError::Io`] if the handler cannot be installed.
///
/// ```
/// use corio_process::signal::{Signal, add_signal_handler};
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
///
/// corio::run(async {
///     let reloads = Arc::new(AtomicUsize::new(0));
///     let seen = reloads.clone();
///     let (tx, rx) = corio::sync::oneshot::channel();
///     let mut tx = Some(tx);
///     let handler = add_signal_handler(Signal::HUP, move || {
///         seen.fetch_add(1, Ordering::SeqCst);
///         if let Some(tx) = tx.take() {
///             let _ = tx.send(());
///         }
///     })?;
///     // SAFETY: raising a signal this process now catches.
///     unsafe { libc::raise(libc::SIGHUP) };
///     rx.await.unwrap();
///     assert_eq!(reloads.load(Ordering::SeqCst), 1);
///     handler.remove(); // SIGHUP has its default disposition again
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub fn add_signal_handler<F>(sig: Signal, mut callback: F) -> Result<SignalHandler, SignalError>
where
    F: FnMut() + Send + 'static,
{
    let registration = Registration::new(sig)?;
    let mut listener = Listener::new(sig);
    let removed = Arc::new(AtomicBool::new(false));
    let seen_removed = removed.clone();
    let task = try_spawn(async move {
        loop {
            poll_fn(|cx| listener.poll_next(cx)).await;
            // Cancelling the task takes effect at its next wait, and with deliveries queued
            // that wait may not come before another call: this flag stops it at once.
            if seen_removed.load(Ordering::SeqCst) {
                return;
            }
            callback();
        }
    })
    .map_err(|_| SignalError::NoRuntime)?;
    Ok(SignalHandler {
        sig,
        task,
        removed,
        _registration: registration,
    })
}

/// A callback registered with [`add_signal_handler`]. Removing or dropping it stops the
/// callback and, if nothing else watches the signal, restores the signal's previous
/// disposition at once (asyncio's `remove_signal_handler`).
///
/// ```
/// use corio_process::signal::{Signal, add_signal_handler};
///
/// corio::run(async {
///     let handler = add_signal_handler(Signal::USR2, || println!("SIGUSR2"))?;
///     assert_eq!(handler.signal(), Signal::USR2);
///     handler.remove(); // SIGUSR2 has its previous disposition again
///     Ok::<_, corio_process::signal::SignalError>(())
/// })?;
/// # Ok::<_, corio_process::signal::SignalError>(())
/// ```
#[must_use = "dropping a `SignalHandler` removes it at once"]
pub struct SignalHandler {
    sig: Signal,
    task: Task<()>,
    removed: Arc<AtomicBool>,
    _registration: Registration,
}

impl SignalHandler {
    /// The signal it handles.
    ///
    /// ```
    /// use corio_process::signal::{Signal, add_signal_handler};
    ///
    /// corio::run(async {
    ///     let handler = add_signal_handler(Signal::USR2, || {})?;
    ///     assert_eq!(handler.signal(), Signal::USR2);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn signal(&self) -> Signal {
        self.sig
    }

    /// Removes the handler: once this returns the callback is not started again (a call
    /// already running on another worker thread finishes), and the signal's previous
    /// disposition is back (unless another handler or [`Signals`] still watches it). The
    /// same as dropping it.
    ///
    /// [`Signals`]: super::Signals
    ///
    /// ```
    /// use corio_process::signal::{Signal, add_signal_handler};
    ///
    /// corio::run(async {
    ///     add_signal_handler(Signal::USR1, || println!("SIGUSR1"))?.remove();
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn remove(self) {}
}

impl Drop for SignalHandler {
    fn drop(&mut self) {
        self.removed.store(true, Ordering::SeqCst);
        self.task.cancel();
    }
}

impl fmt::Debug for SignalHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignalHandler")
            .field("signal", &self.sig)
            .finish_non_exhaustive()
    }
}
