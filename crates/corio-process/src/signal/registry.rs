//! The process-wide half of signal handling: the handler, its counters, the wake-up pipe,
//! the thread that reads it, and who is registered for which signal.
//!
//! - **The handler** does two async-signal-safe things: it increments the signal's delivery
//!   counter (a lock-free `AtomicU64`) and writes one byte to a non-blocking pipe. It saves
//!   and restores `errno`.
//! - **The dispatcher** is one thread (`corio-signal`), started with the first registration,
//!   that blocks reading the pipe. After each read it compares every counter with the value
//!   it saw last and wakes the [`Listener`]s of each signal that moved, and on `SIGCHLD` reaps
//!   the orphaned children (`crate::exit`).
//! - **Listeners** keep their own position in the counter, so each delivery is seen once by
//!   every listener, however late it polls. A listener is woken by the dispatcher but reads
//!   the counter itself, so it can never miss a delivery that happened before it looked.
//! - **Dispositions** are reference-counted per signal ([`Registration`]): the first
//!   registration installs the handler (`SA_RESTART`), the last one to go restores the
//!   disposition that was there before (normally the default).

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use super::kind::{SLOTS, Signal, SignalError};

/// Deliveries per signal number, counted by the handler.
static DELIVERED: [AtomicU64; SLOTS] = [const { AtomicU64::new(0) }; SLOTS];
/// The pipe's write end, or -1 before the dispatcher started.
static WAKE_FD: AtomicI32 = AtomicI32::new(-1);

/// Per signal: how many registrations, and the disposition to restore after the last.
static DISPOSITIONS: Mutex<Vec<Disposition>> = Mutex::new(Vec::new());
/// Per signal: the wakers of its listeners.
static WAITERS: [Mutex<Waiters>; SLOTS] = [const { Mutex::new(Waiters::new()) }; SLOTS];

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section here leaves its data consistent, even if a waker panicked.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// How many times `sig` was delivered since the process started (while a handler of ours
/// was installed).
pub(crate) fn delivered(sig: Signal) -> u64 {
    DELIVERED[sig.index()].load(Ordering::SeqCst)
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn errno_location() -> *mut libc::c_int {
    // SAFETY: returns the calling thread's errno slot; no preconditions.
    unsafe { libc::__errno_location() }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn errno_location() -> *mut libc::c_int {
    // SAFETY: returns the calling thread's errno slot; no preconditions.
    unsafe { libc::__error() }
}

/// The signal handler. Only async-signal-safe operations: an atomic increment, an atomic
/// load, `write(2)`, and errno saved and restored around it.
extern "C" fn on_signal(raw: libc::c_int) {
    if let Some(counter) = DELIVERED.get(raw as usize) {
        counter.fetch_add(1, Ordering::SeqCst);
    }
    let fd = WAKE_FD.load(Ordering::SeqCst);
    if fd >= 0 {
        let errno = errno_location();
        // SAFETY: `errno` is this thread's errno slot, valid for the thread's lifetime.
        let saved = unsafe { *errno };
        let byte = 1u8;
        // SAFETY: `fd` is the pipe's write end, which is never closed once published, and the
        // buffer is one valid byte. A full pipe (EAGAIN) is fine: a wake-up is pending anyway.
        let _ = unsafe { libc::write(fd, (&raw const byte).cast(), 1) };
        // SAFETY: as above.
        unsafe { *errno = saved };
    }
}

/// A registration for a signal: while one exists, the handler is installed for it.
#[derive(Debug)]
pub(crate) struct Registration {
    sig: Signal,
}

#[derive(Clone, Copy)]
struct Disposition {
    users: usize,
    /// What `sigaction` returned when the first registration installed the handler.
    previous: Option<libc::sigaction>,
}

impl Registration {
    /// Installs the handler for `sig` unless a registration already did, and starts the
    /// dispatcher thread the first time.
    pub(crate) fn new(sig: Signal) -> Result<Registration, SignalError> {
        let sig = sig.check_catchable()?;
        let mut table = lock(&DISPOSITIONS);
        if table.is_empty() {
            table.resize(
                SLOTS,
                Disposition {
                    users: 0,
                    previous: None,
                },
            );
        }
        start_dispatcher().map_err(SignalError::Io)?;
        let entry = &mut table[sig.index()];
        if entry.users == 0 {
            entry.previous = Some(install(sig).map_err(SignalError::Io)?);
        }
        entry.users += 1;
        Ok(Registration { sig })
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let mut table = lock(&DISPOSITIONS);
        let entry = &mut table[self.sig.index()];
        entry.users -= 1;
        if entry.users == 0
            && let Some(previous) = entry.previous.take()
        {
            // SAFETY: `previous` is the action `sigaction` gave us for this signal, so it is a
            // valid action to put back; the old-action pointer may be null.
            let _ = unsafe { libc::sigaction(self.sig.as_raw(), &previous, std::ptr::null_mut()) };
        }
    }
}

/// Installs `on_signal` for `sig` and returns the action it replaced.
fn install(sig: Signal) -> io::Result<libc::sigaction> {
    // SAFETY: an all-zero `sigaction` is a valid value of the plain C struct.
    let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
    action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    action.sa_flags = libc::SA_RESTART;
    // SAFETY: `sa_mask` is a valid signal set to initialise.
    unsafe { libc::sigemptyset(&mut action.sa_mask) };
    // SAFETY: as above.
    let mut previous: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are to valid `sigaction` values; `on_signal` is
    // async-signal-safe and lives for the whole program.
    if unsafe { libc::sigaction(sig.as_raw(), &action, &mut previous) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(previous)
}

/// Creates the wake-up pipe and the dispatcher thread, once. Called with `DISPOSITIONS`
/// locked, which serialises it.
fn start_dispatcher() -> io::Result<()> {
    if WAKE_FD.load(Ordering::SeqCst) >= 0 {
        return Ok(());
    }
    let (read, write) = cloexec_pipe()?;
    set_flag(write.as_raw_fd(), libc::O_NONBLOCK)?;
    std::thread::Builder::new()
        .name("corio-signal".into())
        .spawn(move || dispatch(read))?;
    // The write end stays open for the life of the process: the handler may use it any time.
    let write = std::mem::ManuallyDrop::new(write);
    WAKE_FD.store(write.as_raw_fd(), Ordering::SeqCst);
    Ok(())
}

/// A pipe whose ends are both close-on-exec, so children never inherit them.
pub(crate) fn cloexec_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [-1; 2];
    // SAFETY: `fds` has room for the two descriptors `pipe2` writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `pipe2` succeeded, so both are fresh descriptors that nothing else owns.
    let read = unsafe { OwnedFd::from_raw_fd(fds[0]) };
    // SAFETY: as above.
    let write = unsafe { OwnedFd::from_raw_fd(fds[1]) };
    Ok((read, write))
}

fn set_flag(fd: RawFd, flag: libc::c_int) -> io::Result<()> {
    // SAFETY: `F_GETFL` on a descriptor we own; no pointers.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    // SAFETY: `F_SETFL` on a descriptor we own; no pointers.
    if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags | flag) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The dispatcher thread: read the pipe (blocking), then hand out what the counters say.
fn dispatch(pipe: OwnedFd) {
    let mut seen = [0u64; SLOTS];
    let mut buf = [0u8; 64];
    loop {
        // SAFETY: `pipe` is open for the life of this thread and `buf` is writable.
        let n = unsafe { libc::read(pipe.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
            continue;
        }
        if n <= 0 {
            // Not expected from a pipe whose write end never closes; stop rather than spin.
            return;
        }
        for (raw, counter) in DELIVERED.iter().enumerate().skip(1) {
            let now = counter.load(Ordering::SeqCst);
            if now != seen[raw] {
                seen[raw] = now;
                if raw == libc::SIGCHLD as usize {
                    crate::exit::reap_orphans();
                }
                wake_listeners(raw);
            }
        }
    }
}

fn wake_listeners(raw: usize) {
    let wakers: Vec<Waker> = lock(&WAITERS[raw])
        .slots
        .iter()
        .flatten()
        .cloned()
        .collect();
    for waker in wakers {
        waker.wake();
    }
}

/// Waker slots of one signal's listeners, reused through a free list.
struct Waiters {
    slots: Vec<Option<Waker>>,
    free: Vec<usize>,
}

impl Waiters {
    const fn new() -> Waiters {
        Waiters {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }
}

/// One consumer's view of one signal: its position in the delivery counter and its waker
/// slot. It does not install anything; pair it with a [`Registration`].
#[derive(Debug)]
pub(crate) struct Listener {
    sig: Signal,
    /// Deliveries already reported.
    seen: u64,
    /// The waker slot, taken at the first wait.
    slot: Option<usize>,
}

impl Listener {
    /// A listener that reports deliveries from now on.
    pub(crate) fn new(sig: Signal) -> Listener {
        Listener {
            sig,
            seen: delivered(sig),
            slot: None,
        }
    }

    pub(crate) fn signal(&self) -> Signal {
        self.sig
    }

    /// Takes one delivery if there is one not yet reported.
    pub(crate) fn try_next(&mut self) -> bool {
        if delivered(self.sig) > self.seen {
            self.seen += 1;
            true
        } else {
            false
        }
    }

    /// Ready once per delivery: `n` deliveries give `n` ready polls.
    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if self.try_next() {
            return Poll::Ready(());
        }
        self.register(cx.waker());
        // A delivery between the check and the registration was not woken for: look again.
        if self.try_next() {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }

    /// Ready if anything was delivered since the last ready poll, catching up on all of it.
    pub(crate) fn poll_any(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let ready = self.poll_next(cx);
        if ready.is_ready() {
            self.seen = self.seen.max(delivered(self.sig));
        }
        ready
    }

    fn register(&mut self, waker: &Waker) {
        let mut waiters = lock(&WAITERS[self.sig.index()]);
        match self.slot {
            Some(i) => match &mut waiters.slots[i] {
                Some(old) if old.will_wake(waker) => {}
                slot => *slot = Some(waker.clone()),
            },
            None => {
                let i = match waiters.free.pop() {
                    Some(i) => i,
                    None => {
                        waiters.slots.push(None);
                        waiters.slots.len() - 1
                    }
                };
                waiters.slots[i] = Some(waker.clone());
                self.slot = Some(i);
            }
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        if let Some(i) = self.slot {
            let mut waiters = lock(&WAITERS[self.sig.index()]);
            waiters.slots[i] = None;
            waiters.free.push(i);
        }
    }
}
