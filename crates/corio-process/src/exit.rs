//! Seeing children exit without a thread per child.
//!
//! - **pidfd** (Linux 5.3+). At the first wait that has to block, `pidfd_open` gives a
//!   descriptor that becomes readable when the child exits. It is registered with the
//!   reactor like any other [`Async`] source, so a waiting child costs one registration and
//!   no thread; the exit wakes the waiting task straight from `epoll_wait`.
//! - **SIGCHLD**, where `pidfd_open` fails (an older kernel, a seccomp filter, no descriptor
//!   left) or when forced (`CORIO_PROCESS_EXIT=sigchld`, or per command for tests). The
//!   waiter watches the `SIGCHLD` delivery counter of [`crate::signal`] and tries `waitpid`
//!   on its own child after each delivery. `SIGCHLD` is coalesced by the kernel (several
//!   exits may raise it once), which is why every waiter retries on every delivery.
//! - **Orphans.** A [`Child`](crate::Child) dropped before its exit was seen hands its
//!   process to a list that the `corio-signal` thread reaps on every `SIGCHLD` (installing
//!   that handler once, for good, the first time). So no zombie stays behind, whichever way
//!   exits are detected.
//!
//! Only our own children's pids are waited for (never `waitpid(-1)`), so children that other
//! code spawned with `std::process` are left to it.

use std::future::poll_fn;
use std::io;
use std::os::fd::OwnedFd;
use std::process::{self, ExitStatus};
use std::sync::{Mutex, OnceLock, PoisonError};

use corio_reactor::Async;

use crate::signal::Signal;
use crate::signal::registry::{Listener, Registration};

/// Set to `sigchld` to detect every child's exit through `SIGCHLD`, as if `pidfd_open`
/// were missing (read once).
const EXIT_VAR: &str = "CORIO_PROCESS_EXIT";

fn sigchld_forced_by_env() -> bool {
    static FORCED: OnceLock<bool> = OnceLock::new();
    *FORCED.get_or_init(|| std::env::var_os(EXIT_VAR).is_some_and(|v| v == "sigchld"))
}

/// How a child's exit is being watched for.
#[derive(Debug, Default)]
pub(crate) enum Watcher {
    /// Not yet: the child has not been waited for, or exited before it had to be.
    #[default]
    Idle,
    Pidfd(Async<OwnedFd>),
    Sigchld {
        listener: Listener,
        _registration: Registration,
    },
}

impl Watcher {
    fn start(pid: u32, force_sigchld: bool) -> io::Result<Watcher> {
        if !force_sigchld
            && !sigchld_forced_by_env()
            && let Ok(fd) = pidfd_open(pid)
            && let Ok(fd) = Async::new(fd)
        {
            return Ok(Watcher::Pidfd(fd));
        }
        // The handler first, then the listener's snapshot of the counter: an exit after this
        // point is counted, one before it is seen by the caller's next `waitpid`.
        let registration = Registration::new(Signal::CHLD)?;
        Ok(Watcher::Sigchld {
            listener: Listener::new(Signal::CHLD),
            _registration: registration,
        })
    }

    /// Whether exits are watched through a pidfd (for tests).
    pub(crate) fn is_pidfd(&self) -> bool {
        matches!(self, Watcher::Pidfd(_))
    }
}

/// Waits until `child` has exited and reaps it. Cancel-safe: the watcher stays in place for
/// the next call.
pub(crate) async fn wait(
    child: &mut process::Child,
    watcher: &mut Watcher,
    force_sigchld: bool,
) -> io::Result<ExitStatus> {
    if let Some(status) = child.try_wait()? {
        return Ok(status);
    }
    if let Watcher::Idle = watcher {
        *watcher = Watcher::start(child.id(), force_sigchld)?;
    }
    match watcher {
        Watcher::Pidfd(pidfd) => {
            // `read_with` keeps the reactor's readiness protocol: a `WouldBlock` clears the
            // cached readiness unless an event came in meanwhile.
            pidfd
                .read_with(|_| {
                    child
                        .try_wait()?
                        .ok_or_else(|| io::ErrorKind::WouldBlock.into())
                })
                .await
        }
        Watcher::Sigchld { listener, .. } => loop {
            if let Some(status) = child.try_wait()? {
                return Ok(status);
            }
            poll_fn(|cx| listener.poll_any(cx)).await;
        },
        Watcher::Idle => unreachable!("the watcher was just started"),
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn pidfd_open(pid: u32) -> io::Result<OwnedFd> {
    use std::os::fd::FromRawFd;

    // SAFETY: `pidfd_open(pid, flags)` takes two integers and returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as libc::pid_t, 0) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: a fresh descriptor (close-on-exec, as every pidfd is) that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd as i32) })
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn pidfd_open(_pid: u32) -> io::Result<OwnedFd> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Children dropped before they were reaped.
static ORPHANS: Mutex<Vec<process::Child>> = Mutex::new(Vec::new());
/// The `SIGCHLD` registration that the orphan reaper keeps for the rest of the process.
static REAPER: Mutex<Option<Registration>> = Mutex::new(None);

/// Makes sure `child` is reaped once it exits, without anyone waiting for it.
pub(crate) fn orphan(child: process::Child) {
    {
        let mut reaper = REAPER.lock().unwrap_or_else(PoisonError::into_inner);
        if reaper.is_none() {
            // If this fails the orphan stays a zombie until the next `SIGCHLD` we see, or
            // until this process exits; there is nobody to report it to.
            *reaper = Registration::new(Signal::CHLD).ok();
        }
    }
    ORPHANS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(child);
    // It may have exited before the handler was in place.
    reap_orphans();
}

/// Reaps the orphans that have exited. Called by the `corio-signal` thread on `SIGCHLD`.
pub(crate) fn reap_orphans() {
    ORPHANS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        // `Err` means someone else reaped it (a `waitpid(-1)` elsewhere): gone either way.
        .retain_mut(|child| matches!(child.try_wait(), Ok(None)));
}

/// How many dropped children have not been reaped yet.
pub(crate) fn orphans_pending() -> usize {
    ORPHANS.lock().unwrap_or_else(PoisonError::into_inner).len()
}
