//! [`Signal`], a checked signal number, and [`SignalError`].

use std::error::Error;
use std::fmt;
use std::io;

/// A Unix signal number, checked to be one the system knows.
///
/// The common ones are constants ([`Signal::INT`], [`Signal::TERM`], …); any other number,
/// real-time signals included, goes through [`Signal::new`]. Every valid signal can be
/// *sent* ([`Child::send_signal`](crate::Child::send_signal)); waiting for one
/// ([`Signals`](super::Signals), [`add_signal_handler`](super::add_signal_handler)) refuses
/// the uncatchable `SIGKILL` and `SIGSTOP` and the hardware faults.
///
/// ```
/// use corio_process::signal::Signal;
///
/// assert_eq!(Signal::TERM.as_raw(), libc::SIGTERM);
/// assert_eq!(Signal::new(libc::SIGUSR1)?, Signal::USR1);
/// assert_eq!(Signal::INT.to_string(), "SIGINT");
/// assert!(Signal::new(0).is_err());
/// # Ok::<(), corio_process::signal::SignalError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Signal(i32);

macro_rules! signals {
    ($($(#[$doc:meta])* $name:ident = $raw:ident;)*) => {
        impl Signal {
            $($(#[$doc])* pub const $name: Signal = Signal(libc::$raw);)*
        }

        /// The name of a signal that has a constant, such as `"SIGINT"`.
        fn known_name(raw: i32) -> Option<&'static str> {
            match raw {
                $(libc::$raw => Some(stringify!($raw)),)*
                _ => None,
            }
        }
    };
}

signals! {
    /// `SIGHUP`: the terminal hung up; daemons take it as "reload the configuration".
    HUP = SIGHUP;
    /// `SIGINT`: Ctrl-C at the terminal.
    INT = SIGINT;
    /// `SIGQUIT`: Ctrl-\ at the terminal.
    QUIT = SIGQUIT;
    /// `SIGILL`: illegal instruction (a fault: cannot be waited for).
    ILL = SIGILL;
    /// `SIGABRT`: `abort()`.
    ABRT = SIGABRT;
    /// `SIGBUS`: bus error (a fault: cannot be waited for).
    BUS = SIGBUS;
    /// `SIGFPE`: arithmetic fault (cannot be waited for).
    FPE = SIGFPE;
    /// `SIGKILL`: kills at once; it cannot be caught.
    KILL = SIGKILL;
    /// `SIGUSR1`: for the application's own use.
    USR1 = SIGUSR1;
    /// `SIGSEGV`: invalid memory access (a fault: cannot be waited for).
    SEGV = SIGSEGV;
    /// `SIGUSR2`: for the application's own use.
    USR2 = SIGUSR2;
    /// `SIGPIPE`: a write to a pipe nobody reads.
    PIPE = SIGPIPE;
    /// `SIGALRM`: a timer set with `alarm()`.
    ALRM = SIGALRM;
    /// `SIGTERM`: the polite request to stop (what `kill` and service managers send).
    TERM = SIGTERM;
    /// `SIGCHLD`: a child stopped or exited.
    CHLD = SIGCHLD;
    /// `SIGCONT`: continue a stopped process.
    CONT = SIGCONT;
    /// `SIGSTOP`: stops the process; it cannot be caught.
    STOP = SIGSTOP;
    /// `SIGTSTP`: Ctrl-Z at the terminal.
    TSTP = SIGTSTP;
    /// `SIGWINCH`: the terminal changed size.
    WINCH = SIGWINCH;
}

/// One more than the largest signal number any supported system uses (Linux: 64).
pub(crate) const SLOTS: usize = 65;

fn max_signal() -> i32 {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        libc::SIGRTMAX()
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        31
    }
}

impl Signal {
    /// The signal numbered `raw`.
    ///
    /// # Errors
    ///
    /// [`SignalError::Invalid`] if the system has no such signal (0, negative, or above the
    /// last real-time signal).
    ///
    /// ```
    /// use corio_process::signal::{Signal, SignalError};
    ///
    /// assert_eq!(Signal::new(libc::SIGHUP).unwrap(), Signal::HUP);
    /// assert!(matches!(Signal::new(-3), Err(SignalError::Invalid(-3))));
    /// ```
    pub fn new(raw: i32) -> Result<Signal, SignalError> {
        if raw >= 1 && raw <= max_signal() && (raw as usize) < SLOTS {
            Ok(Signal(raw))
        } else {
            Err(SignalError::Invalid(raw))
        }
    }

    /// The signal's number, as `libc` and `kill(2)` know it.
    ///
    /// ```
    /// assert_eq!(corio_process::signal::Signal::KILL.as_raw(), 9);
    /// ```
    pub fn as_raw(self) -> i32 {
        self.0
    }

    /// Why this signal cannot be waited for, if it cannot.
    pub(crate) fn check_catchable(self) -> Result<Signal, SignalError> {
        match self {
            Signal::KILL | Signal::STOP => Err(SignalError::Uncatchable(self)),
            Signal::ILL | Signal::FPE | Signal::SEGV | Signal::BUS => {
                Err(SignalError::Forbidden(self))
            }
            _ => Ok(self),
        }
    }

    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

impl TryFrom<i32> for Signal {
    type Error = SignalError;

    /// [`Signal::new`].
    fn try_from(raw: i32) -> Result<Signal, SignalError> {
        Signal::new(raw)
    }
}

impl fmt::Display for Signal {
    /// `SIGTERM`, `SIGRT3` (the third real-time signal), or `signal 40`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = known_name(self.0) {
            return f.write_str(name);
        }
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if self.0 >= libc::SIGRTMIN() {
            return write!(f, "SIGRT{}", self.0 - libc::SIGRTMIN());
        }
        write!(f, "signal {}", self.0)
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}({})", self.0)
    }
}

/// Why a signal could not be used.
///
/// Converts into an [`io::Error`] (`InvalidInput` for the first three variants), so `?` works
/// in functions that return `io::Result`.
///
/// ```
/// use corio_process::signal::{Signal, SignalError, Signals};
///
/// let err = Signals::new([Signal::KILL]).unwrap_err();
/// assert!(matches!(err, SignalError::Uncatchable(Signal::KILL)));
/// assert_eq!(err.to_string(), "SIGKILL cannot be caught");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum SignalError {
    /// No signal has this number.
    Invalid(i32),
    /// `SIGKILL` or `SIGSTOP`: the kernel never lets a process catch them.
    Uncatchable(Signal),
    /// A hardware fault (`SIGSEGV`, `SIGBUS`, `SIGILL`, `SIGFPE`). A handler that only records
    /// the fault returns to the faulting instruction, which faults again, forever.
    Forbidden(Signal),
    /// [`add_signal_handler`](super::add_signal_handler) outside a corio runtime, or after it
    /// shut down: there is no loop to run the callback on.
    NoRuntime,
    /// The system refused: `sigaction` failed, or the wake-up pipe or the thread that reads
    /// it could not be created.
    Io(io::Error),
}

impl fmt::Display for SignalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignalError::Invalid(raw) => write!(f, "{raw} is not a signal number"),
            SignalError::Uncatchable(sig) => write!(f, "{sig} cannot be caught"),
            SignalError::Forbidden(sig) => {
                write!(f, "{sig} is a hardware fault and cannot be waited for")
            }
            SignalError::NoRuntime => f.write_str("no corio runtime to run the handler on"),
            SignalError::Io(e) => write!(f, "cannot handle the signal: {e}"),
        }
    }
}

impl Error for SignalError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            SignalError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<SignalError> for io::Error {
    fn from(e: SignalError) -> io::Error {
        match e {
            SignalError::Io(e) => e,
            SignalError::NoRuntime => io::Error::other(e),
            _ => io::Error::new(io::ErrorKind::InvalidInput, e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(Signal::USR2.to_string(), "SIGUSR2");
        #[cfg(target_os = "linux")]
        assert_eq!(
            Signal::new(libc::SIGRTMIN() + 2).unwrap().to_string(),
            "SIGRT2"
        );
        assert_eq!(format!("{:?}", Signal::INT), "SIGINT(2)");
    }

    #[test]
    fn range() {
        assert!(Signal::new(1).is_ok());
        assert!(Signal::new(max_signal()).is_ok());
        assert!(matches!(
            Signal::new(max_signal() + 1),
            Err(SignalError::Invalid(_))
        ));
        assert!(matches!(
            Signal::SEGV.check_catchable(),
            Err(SignalError::Forbidden(_))
        ));
        assert!(Signal::CHLD.check_catchable().is_ok());
    }

    #[test]
    fn into_io_error() {
        let e: io::Error = SignalError::Uncatchable(Signal::STOP).into();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("SIGSTOP"));
    }
}
