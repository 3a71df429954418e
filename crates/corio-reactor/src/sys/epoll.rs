//! Our epoll backend (Linux, Android): a wait is one `epoll_wait`, and nothing else.
//!
//! `polling`'s epoll backend arms a timerfd before every wait and drains and re-arms its
//! notifier after it: four system calls per wait. This one needs none of them:
//!
//! - **Timeouts** are `epoll_wait`'s own, in whole milliseconds rounded up, so that a wait
//!   never ends before the time it was given.
//! - **Notifications** go through an eventfd registered once, edge-triggered, under a key no
//!   descriptor gets. Every write to an eventfd raises a new edge, so the eventfd is never
//!   read and never re-armed: its counter simply grows, one per notification (the reactor
//!   coalesces them), and is reset only in the unlikely event that it saturates.
//! - **Descriptors** are registered once, for both directions, edge-triggered.

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::time::{Duration, Instant};

use libc::c_int;

use super::poller::Event;

/// The notifier's key. Registered descriptors have the keys of registry slots, far below.
const NOTIFY_KEY: u64 = u64::MAX;

/// What a registered descriptor is watched for: both directions and the peer's shutdown,
/// edge-triggered. Errors and hang-ups are always reported.
const INTEREST: u32 = (libc::EPOLLIN | libc::EPOLLOUT | libc::EPOLLRDHUP | libc::EPOLLET) as u32;
/// What the notifier is watched for.
const NOTIFY_INTEREST: u32 = (libc::EPOLLIN | libc::EPOLLET) as u32;
/// Flags that make a descriptor readable: data, urgent data, the peer's shutdown, errors.
const READABLE: u32 =
    (libc::EPOLLIN | libc::EPOLLPRI | libc::EPOLLHUP | libc::EPOLLRDHUP | libc::EPOLLERR) as u32;
/// Flags that say the stream may have ended: end of file or an error may follow the data.
const HUNG_UP: u32 = (libc::EPOLLHUP | libc::EPOLLRDHUP | libc::EPOLLERR) as u32;
/// Flags that make a descriptor writable: room to write, or an error to report.
const WRITABLE: u32 = (libc::EPOLLOUT | libc::EPOLLHUP | libc::EPOLLERR) as u32;

/// How many events one wait can return; more wait for the next one.
const CAPACITY: usize = 1024;

/// An epoll instance with its eventfd notifier.
#[derive(Debug)]
pub(crate) struct Poller {
    epoll: OwnedFd,
    /// The eventfd, as a `File` so that its reads and writes are plain safe I/O.
    notifier: File,
}

/// Turns a `-1` return into the thread's `errno`.
fn cvt(ret: c_int) -> io::Result<c_int> {
    if ret == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

impl Poller {
    /// Creates the epoll instance and the eventfd, both close-on-exec, and registers the
    /// eventfd once.
    pub(crate) fn new() -> io::Result<Poller> {
        // SAFETY: epoll_create1 takes no pointer; it returns a new descriptor or -1.
        let epoll = cvt(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) })?;
        // SAFETY: `epoll` was just created by this thread and has no other owner.
        let epoll = unsafe { OwnedFd::from_raw_fd(epoll) };
        // SAFETY: eventfd takes no pointer; it returns a new descriptor or -1.
        let notifier = cvt(unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) })?;
        // SAFETY: `notifier` was just created by this thread and has no other owner.
        let notifier = File::from(unsafe { OwnedFd::from_raw_fd(notifier) });
        let poller = Poller { epoll, notifier };
        poller.ctl(
            libc::EPOLL_CTL_ADD,
            poller.notifier.as_raw_fd(),
            NOTIFY_INTEREST,
            NOTIFY_KEY,
        )?;
        Ok(poller)
    }

    /// One `epoll_ctl` call.
    fn ctl(&self, op: c_int, fd: RawFd, events: u32, key: u64) -> io::Result<()> {
        let mut event = libc::epoll_event { events, u64: key };
        // SAFETY: `event` is a valid epoll_event that outlives the call (the kernel only
        // reads it). `fd` is just a number to the kernel: a closed or unsuitable one is
        // refused with an error.
        cvt(unsafe { libc::epoll_ctl(self.epoll.as_raw_fd(), op, fd, &mut event) })?;
        Ok(())
    }

    /// Registers `fd` under `key`, edge-triggered, for both directions.
    ///
    /// Unlike `polling`'s, this is safe: epoll forgets a descriptor by itself once it is
    /// closed everywhere.
    pub(crate) fn add(&self, fd: RawFd, key: usize) -> io::Result<()> {
        let key = key as u64;
        debug_assert_ne!(key, NOTIFY_KEY, "the notifier's key");
        self.ctl(libc::EPOLL_CTL_ADD, fd, INTEREST, key)
    }

    /// Removes `fd`: it produces no more events.
    pub(crate) fn delete(&self, fd: BorrowedFd<'_>) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_DEL, fd.as_raw_fd(), 0, 0)
    }

    /// Waits with one `epoll_wait` for events, a notification, or `timeout` (`None`: no
    /// limit), and stores what it returned in `events`.
    ///
    /// A signal that interrupts the wait does not end it: it goes on for what is left of
    /// `timeout`, so that a wait never ends before its time without a reason.
    pub(crate) fn wait(&self, events: &mut Events, timeout: Option<Duration>) -> io::Result<()> {
        // Only a bounded, non-zero wait needs to know when it began, to resume after a signal.
        let start = timeout.filter(|t| !t.is_zero()).map(|_| Instant::now());
        let mut millis = timeout_millis(timeout);
        let max = c_int::try_from(events.buffer.len()).unwrap_or(c_int::MAX);
        loop {
            events.len = 0;
            // SAFETY: `events.buffer` is valid for writes of `max` epoll_events (`max` is its
            // length or less); the kernel writes at most that many and returns how many.
            let n = unsafe {
                libc::epoll_wait(
                    self.epoll.as_raw_fd(),
                    events.buffer.as_mut_ptr(),
                    max,
                    millis,
                )
            };
            match cvt(n) {
                Ok(n) => {
                    events.len = usize::try_from(n).unwrap_or(0);
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    if let (Some(timeout), Some(start)) = (timeout, start) {
                        millis = timeout_millis(Some(timeout.saturating_sub(start.elapsed())));
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Ends the wait in progress, or the next one: a write to the eventfd raises an edge.
    pub(crate) fn notify(&self) -> io::Result<()> {
        let one = 1u64.to_ne_bytes();
        match (&self.notifier).write_all(&one) {
            // The counter cannot grow any more (after 2^64 - 2 notifications): reset it by
            // reading it, then write again. An empty counter here means another thread
            // has just reset it.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                let mut count = [0; 8];
                match (&self.notifier).read(&mut count) {
                    Err(e) if e.kind() != io::ErrorKind::WouldBlock => return Err(e),
                    _ => {}
                }
                (&self.notifier).write_all(&one)
            }
            written => written,
        }
    }

    /// Reads and resets the eventfd's counter: how many notifications were written since.
    #[cfg(test)]
    pub(crate) fn take_notifications(&self) -> io::Result<u64> {
        let mut count = [0; 8];
        match (&self.notifier).read(&mut count) {
            Ok(_) => Ok(u64::from_ne_bytes(count)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(0),
            Err(e) => Err(e),
        }
    }
}

/// `epoll_wait`'s timeout in milliseconds: rounded up, so that a wait never ends before
/// `timeout`; clamped to `c_int::MAX` (almost 25 days); `-1` for no limit.
fn timeout_millis(timeout: Option<Duration>) -> c_int {
    match timeout {
        None => -1,
        Some(timeout) => timeout
            .as_nanos()
            .div_ceil(1_000_000)
            .try_into()
            .unwrap_or(c_int::MAX),
    }
}

/// The buffer `epoll_wait` fills, reused from one wait to the next.
pub(crate) struct Events {
    buffer: Box<[libc::epoll_event]>,
    /// How many entries the last wait filled.
    len: usize,
}

impl Events {
    pub(crate) fn new() -> Events {
        Events {
            buffer: vec![libc::epoll_event { events: 0, u64: 0 }; CAPACITY].into_boxed_slice(),
            len: 0,
        }
    }

    /// The I/O events of the last wait, without the notifier's.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Event> + '_ {
        self.buffer[..self.len].iter().filter_map(|raw| {
            // Copies: the fields of a packed struct cannot be borrowed.
            let (flags, key) = (raw.events, raw.u64);
            (key != NOTIFY_KEY).then_some(Event {
                key: key as usize,
                readable: flags & READABLE != 0,
                writable: flags & WRITABLE != 0,
                hung_up: flags & HUNG_UP != 0,
            })
        })
    }

    /// Whether the last wait saw a notification.
    #[cfg(test)]
    fn notified(&self) -> bool {
        self.buffer[..self.len]
            .iter()
            .any(|raw| raw.u64 == NOTIFY_KEY)
    }
}

impl fmt::Debug for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Events")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;
    use std::os::unix::net::UnixStream;
    use std::os::unix::thread::JoinHandleExt;
    use std::sync::Arc;
    use std::thread;

    const LONG: Duration = Duration::from_secs(5);
    const SHORT: Duration = Duration::from_millis(20);

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Waits and returns how long it took.
    fn timed_wait(poller: &Poller, events: &mut Events, timeout: Duration) -> io::Result<Duration> {
        let start = Instant::now();
        poller.wait(events, Some(timeout))?;
        Ok(start.elapsed())
    }

    #[test]
    fn timeouts_round_up_to_whole_milliseconds() {
        assert_eq!(timeout_millis(None), -1);
        assert_eq!(timeout_millis(Some(Duration::ZERO)), 0);
        assert_eq!(timeout_millis(Some(Duration::from_nanos(1))), 1);
        assert_eq!(timeout_millis(Some(ms(1))), 1);
        assert_eq!(timeout_millis(Some(ms(1) + Duration::from_nanos(1))), 2);
        assert_eq!(timeout_millis(Some(Duration::from_micros(2_500))), 3);
        assert_eq!(timeout_millis(Some(ms(c_int::MAX as u64))), c_int::MAX);
        assert_eq!(timeout_millis(Some(Duration::MAX)), c_int::MAX);
    }

    #[test]
    fn notify_before_wait_ends_the_next_wait_once() -> io::Result<()> {
        let poller = Poller::new()?;
        let mut events = Events::new();
        poller.notify()?;
        assert!(timed_wait(&poller, &mut events, LONG)? < LONG / 2);
        assert!(events.notified());
        assert_eq!(events.iter().count(), 0, "a notification is no I/O event");
        // Consumed: the next wait lasts its whole timeout.
        assert!(timed_wait(&poller, &mut events, SHORT)? >= SHORT);
        assert!(!events.notified());
        // Every write raises a new edge, without the eventfd ever being read.
        poller.notify()?;
        assert!(timed_wait(&poller, &mut events, LONG)? < LONG / 2);
        assert!(events.notified());
        Ok(())
    }

    #[test]
    fn notify_from_another_thread_ends_an_unbounded_wait() -> io::Result<()> {
        let poller = Arc::new(Poller::new()?);
        let notifier = poller.clone();
        let thread = thread::spawn(move || {
            thread::sleep(SHORT);
            notifier.notify()
        });
        let mut events = Events::new();
        poller.wait(&mut events, None)?;
        assert!(events.notified());
        thread.join().expect("notifying thread")
    }

    #[test]
    fn many_notifies_coalesce_into_one_event() -> io::Result<()> {
        let poller = Poller::new()?;
        let mut events = Events::new();
        for _ in 0..1000 {
            poller.notify()?;
        }
        poller.wait(&mut events, Some(LONG))?;
        assert_eq!(events.len, 1);
        assert!(events.notified());
        assert!(timed_wait(&poller, &mut events, SHORT)? >= SHORT);
        assert_eq!(events.len, 0);
        assert_eq!(poller.take_notifications()?, 1000);
        Ok(())
    }

    #[test]
    fn a_saturated_counter_is_reset() -> io::Result<()> {
        let poller = Poller::new()?;
        let mut events = Events::new();
        // The largest value an eventfd holds: the next write of 1 would block.
        (&poller.notifier).write_all(&(u64::MAX - 1).to_ne_bytes())?;
        poller.wait(&mut events, Some(LONG))?;
        poller.notify()?;
        assert!(timed_wait(&poller, &mut events, LONG)? < LONG / 2);
        assert!(events.notified());
        assert_eq!(poller.take_notifications()?, 1);
        Ok(())
    }

    #[test]
    fn a_wait_never_ends_before_its_timeout() -> io::Result<()> {
        let poller = Poller::new()?;
        let mut events = Events::new();
        for _ in 0..20 {
            assert!(timed_wait(&poller, &mut events, ms(3))? >= ms(3));
        }
        let short = Duration::from_micros(300);
        assert!(timed_wait(&poller, &mut events, short)? >= short);
        assert!(timed_wait(&poller, &mut events, Duration::ZERO)? < LONG);
        Ok(())
    }

    #[test]
    fn readiness_of_a_socket_and_its_hang_up() -> io::Result<()> {
        let poller = Poller::new()?;
        let mut events = Events::new();
        let (mut peer, socket) = UnixStream::pair()?;
        socket.set_nonblocking(true)?;
        poller.add(socket.as_raw_fd(), 3)?;
        poller.wait(&mut events, Some(LONG))?;
        let writable = Event {
            key: 3,
            readable: false,
            writable: true,
            hung_up: false,
        };
        assert_eq!(events.iter().collect::<Vec<_>>(), [writable]);

        peer.write_all(b"x")?;
        poller.wait(&mut events, Some(LONG))?;
        let got: Vec<_> = events.iter().collect();
        assert!(
            got.len() == 1 && got[0].readable && !got[0].hung_up,
            "{got:?}"
        );

        drop(peer);
        poller.wait(&mut events, Some(LONG))?;
        let got: Vec<_> = events.iter().collect();
        assert!(
            got.len() == 1 && got[0].readable && got[0].writable && got[0].hung_up,
            "{got:?}"
        );
        Ok(())
    }

    #[test]
    fn a_deleted_descriptor_produces_no_events() -> io::Result<()> {
        let poller = Poller::new()?;
        let mut events = Events::new();
        let (mut peer, socket) = UnixStream::pair()?;
        socket.set_nonblocking(true)?;
        poller.add(socket.as_raw_fd(), 0)?;
        peer.write_all(b"before")?;
        // Deleted with an edge pending: it is never reported.
        poller.delete(socket.as_fd())?;
        assert!(timed_wait(&poller, &mut events, SHORT)? >= SHORT);
        assert_eq!(events.len, 0);
        peer.write_all(b"after")?;
        drop(peer);
        assert!(timed_wait(&poller, &mut events, SHORT)? >= SHORT);
        assert_eq!(events.len, 0);
        // Deleting it again is an error, not a panic.
        assert!(poller.delete(socket.as_fd()).is_err());
        Ok(())
    }

    extern "C" fn ignore_signal(_: c_int) {}

    /// Installs a handler that does nothing for SIGUSR1, so that it interrupts system calls
    /// instead of killing the process.
    fn catch_sigusr1() -> io::Result<()> {
        // SAFETY: sigaction is plain data, for which all zeroes is a valid value (no flags,
        // an empty mask).
        let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
        action.sa_sigaction = ignore_signal as extern "C" fn(c_int) as libc::sighandler_t;
        // SAFETY: `action` is a valid sigaction whose handler is async-signal-safe (it does
        // nothing); the previous action is not asked for.
        cvt(unsafe { libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut()) })?;
        Ok(())
    }

    /// Sends SIGUSR1 to `thread` a few times, `every` apart.
    fn interrupt(thread: &thread::JoinHandle<impl Send>, times: u32, every: Duration) {
        for _ in 0..times {
            thread::sleep(every);
            // SAFETY: the thread is not joined yet, so its pthread_t is valid; SIGUSR1 runs
            // the no-op handler installed by `catch_sigusr1`.
            let sent = unsafe { libc::pthread_kill(thread.as_pthread_t(), libc::SIGUSR1) };
            // ESRCH: it has already finished, which the caller's checks then report.
            assert!(sent == 0 || sent == libc::ESRCH, "pthread_kill: {sent}");
        }
    }

    #[test]
    fn signals_do_not_end_a_wait() -> io::Result<()> {
        catch_sigusr1()?;
        let poller = Arc::new(Poller::new()?);

        // Bounded: the wait goes on after each signal, until its whole timeout has passed.
        let waiter = poller.clone();
        let bounded = thread::spawn(move || {
            let mut events = Events::new();
            let took = timed_wait(&waiter, &mut events, ms(150));
            (took, events.len)
        });
        interrupt(&bounded, 5, ms(10));
        let (took, len) = bounded.join().expect("bounded waiter");
        assert!(took? >= ms(150));
        assert_eq!(len, 0);

        // Unbounded: only the notification ends it.
        let waiter = poller.clone();
        let unbounded = thread::spawn(move || {
            let mut events = Events::new();
            waiter.wait(&mut events, None).map(|()| events.notified())
        });
        interrupt(&unbounded, 5, ms(10));
        thread::sleep(ms(10));
        assert!(!unbounded.is_finished(), "a signal ended an unbounded wait");
        poller.notify()?;
        assert!(unbounded.join().expect("unbounded waiter")?);
        Ok(())
    }
}
