//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use std::fs::File;
use std::future::Future;
use std::io;
use std::net::{TcpListener, TcpStream};
use std::os::fd::{FromRawFd, OwnedFd};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use corio_reactor::{Reactor, Unparker};
use corio_timer::Clock;

/// Creates a reactor on one poller backend.
pub type NewReactor = fn(Clock) -> io::Result<Reactor>;

/// Runs `body` once per poller backend: `Reactor::new`'s (epoll on Linux), then `polling`.
/// An error names the backend it came from; a panic comes after a line that names it.
pub fn each_backend(mut body: impl FnMut(NewReactor) -> io::Result<()>) -> io::Result<()> {
    let backends: [(&str, NewReactor); 2] = [
        ("default", Reactor::new),
        ("polling", Reactor::with_portable_poller),
    ];
    for (name, new_reactor) in backends {
        eprintln!("poller backend: {name}");
        body(new_reactor)
            .map_err(|e| io::Error::new(e.kind(), format!("with the {name} backend: {e}")))?;
    }
    Ok(())
}

/// Aborts the test process if the test is still running after `secs`, so nothing can hang CI.
pub struct Watchdog(#[allow(dead_code)] mpsc::Sender<()>);

pub fn watchdog(secs: u64) -> Watchdog {
    let (tx, rx) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(Duration::from_secs(secs)) {
            eprintln!("watchdog: test still running after {secs} s, aborting");
            std::process::exit(101);
        }
    });
    Watchdog(tx)
}

/// A waker that counts its wakes.
pub struct Counter(AtomicUsize);

impl Wake for Counter {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Counter {
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

pub fn counting_waker() -> (Arc<Counter>, Waker) {
    let counter = Arc::new(Counter(AtomicUsize::new(0)));
    (counter.clone(), Waker::from(counter))
}

/// Polls `fut` once with `waker`.
pub fn poll_with<F: Future + Unpin>(fut: &mut F, waker: &Waker) -> Poll<F::Output> {
    std::pin::Pin::new(fut).poll(&mut Context::from_waker(waker))
}

struct LoopWaker {
    woken: AtomicBool,
    unparker: Unparker,
}

impl Wake for LoopWaker {
    fn wake(self: Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        self.unparker.unpark();
    }
}

/// Runs `fut` on `reactor` (entered) on this thread, parking while it waits.
pub fn drive<F: Future>(reactor: &Reactor, fut: F) -> F::Output {
    let _entered = reactor.enter();
    let signal = Arc::new(LoopWaker {
        woken: AtomicBool::new(true),
        unparker: reactor.unparker(),
    });
    let waker = Waker::from(signal.clone());
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if signal.woken.swap(false, Ordering::SeqCst) {
            if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
                return out;
            }
        }
        reactor.park(None).expect("park");
    }
}

/// A pipe as (read end, write end).
pub fn pipe() -> io::Result<(File, File)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe() writes.
    if unsafe { libc::pipe(fds.as_mut_ptr()) } == -1 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe() succeeded, so both descriptors are open and owned by nobody else.
    let read = unsafe { OwnedFd::from_raw_fd(fds[0]) };
    // SAFETY: as above, for the write end.
    let write = unsafe { OwnedFd::from_raw_fd(fds[1]) };
    Ok((File::from(read), File::from(write)))
}

/// A connected TCP pair on 127.0.0.1 as (client, server side).
pub fn tcp_pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let client = TcpStream::connect(listener.local_addr()?)?;
    let (server, _) = listener.accept()?;
    Ok((client, server))
}
