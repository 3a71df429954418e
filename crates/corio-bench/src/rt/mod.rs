//! The runtime adapter: what a workload may ask of a runtime, split by capability so a
//! runtime that lacks one simply does not implement its trait (and its column says `n/a`).
//!
//! | trait | what | implemented by |
//! |---|---|---|
//! | [`Rt`] | run a root future, sleep, timeout, interval | corio-*, tokio-*, smol-* |
//! | [`Net`] | TCP, UDP and pipes through the reactor | corio-*, tokio-*, smol-* |
//! | [`Spawn`] | spawn, detach, yield | corio-*, tokio-*, smol-* |
//! | [`Concert`] | gather, task group | corio-*, tokio-*, smol-* |
//! | [`Locks`] | mutex, semaphore, rwlock, event, condition | corio-*, tokio-*, smol-* |
//! | [`Channels`] | mpsc, queue, oneshot, broadcast | corio-*, tokio-*, smol-* |
//! | [`Process`] | spawn and wait for a child process | corio-*, tokio-*, smol-* |
//! | [`Fs`] | read and write whole files | corio-*, tokio-*, smol-* |
//! | [`Http`] | TCP in hyper's I/O traits, hyper's timer | corio-*, tokio-*, smol-* |
//!
//! Workloads are generic functions (`fn spawn_many<R: Spawn>(…)`); [`contenders!`] lists,
//! per capability, the runtimes that implement it — the one place to add a runtime to.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::ops::{Deref, DerefMut};
use std::os::fd::AsFd;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::{Duration, Instant};

mod corio_rt;
mod http;
mod smol_rt;
mod tokio_rt;

use corio_rt::Corio;
pub(crate) use corio_rt::{CorioCt, CorioMt};
pub(crate) use http::Http;
use smol_rt::Smol;
pub(crate) use smol_rt::{SmolCt, SmolMt};
use tokio_rt::Tokio;
pub(crate) use tokio_rt::{TokioCt, TokioMt};

/// Every runtime flavour a column exists for, in table order. `corio-mt` has no
/// implementation yet, so every one of its cells reads `n/a`.
pub(crate) const FLAVOURS: [&str; 6] = [
    "corio-mt", "corio-ct", "tokio-mt", "tokio-ct", "smol-mt", "smol-ct",
];

/// The capability a workload needs; for a runtime that lacks it the table says `n/a` and the
/// notes say why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Needs {
    /// [`Rt`]: a loop with timers.
    Time,
    /// [`Net`].
    Net,
    /// [`Spawn`].
    Spawn,
    /// [`Locks`].
    Locks,
    /// [`Channels`].
    Channels,
    /// [`Process`].
    Process,
    /// [`Fs`].
    Fs,
    /// [`Http`].
    Http,
    /// Not a runtime workload: one of corio's building blocks alone, no peer has the same.
    CorioInternal,
}

impl Needs {
    /// Why `runtime` has no number for a workload that needs `self`.
    pub(crate) fn missing(self, runtime: &str) -> &'static str {
        match (self, runtime) {
            (Needs::CorioInternal, _) => {
                "measures a corio building block alone; no peer equivalent"
            }
            (
                Needs::Time
                | Needs::Net
                | Needs::Spawn
                | Needs::Locks
                | Needs::Channels
                | Needs::Process
                | Needs::Fs
                | Needs::Http,
                _,
            ) => "not registered for this runtime",
        }
    }
}

/// A runtime flavour: how a workload's root future is run, and time.
pub(crate) trait Rt: 'static {
    /// The column name: `<runtime>-mt` or `<runtime>-ct`.
    const NAME: &'static str;
    /// Which timer store this flavour's timers live in; flavours that share one (smol's two
    /// executors share async-io's process-wide reactor) share live-timer fixtures.
    const TIMERS: &'static str;

    /// Runs `fut` to completion the way an application would: a current-thread flavour on
    /// the calling thread, a multi-thread flavour as a task on its workers while the caller
    /// waits.
    fn run<F>(fut: F) -> F::Output
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Runs `f` outside the runtime's per-task cooperative budget, for the harness's own
    /// drivers that stand in for many tasks: a join of 100,000 sleeps, or a loop polling
    /// 200,000 sleeps once each. Under tokio's budget (128 resource polls per task turn) the
    /// loop would stop registering timers after 128 and the join would re-poll every pending
    /// sleep 128 at a time — measuring the budget, not the timers. Runtimes without a budget
    /// return `f` as it is.
    fn unconstrained<F: Future + Send>(f: F) -> impl Future<Output = F::Output> + Send;

    /// A sleep of `d`.
    fn sleep(d: Duration) -> impl Future<Output = ()> + Send + 'static;

    /// `f`, or `None` if it is still pending after `d`.
    fn timeout<F: Future + Send>(
        d: Duration,
        f: F,
    ) -> impl Future<Output = Option<F::Output>> + Send;

    /// Ticks every `period` (the first tick after at most one period).
    fn interval(period: Duration) -> impl Tick;
}

/// A periodic timer.
pub(crate) trait Tick: Send + 'static {
    /// Waits for the next tick; returns when it was scheduled.
    fn tick(&mut self) -> impl Future<Output = Instant> + Send + '_;
}

/// Tasks.
pub(crate) trait Spawn: Rt {
    /// A spawned task; awaiting it gives the task's output (a panic in the task propagates).
    type Task<T: Send + 'static>: Future<Output = T> + Send + 'static;

    /// Spawns `f` on this runtime — callable from its tasks and from any other thread.
    fn spawn<F>(f: F) -> Self::Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Lets `task` run to completion on its own, nobody awaiting it.
    fn detach<T: Send + 'static>(task: Self::Task<T>);

    /// Gives the other tasks a turn.
    fn yield_now() -> impl Future<Output = ()> + Send;
}

/// Tasks in concert: asyncio's `gather` and `TaskGroup`, or each runtime's idiom for them.
pub(crate) trait Concert: Spawn {
    /// Runs `futures` as tasks; their outputs in order (corio: `gather`; tokio and smol:
    /// spawn each, then await the handles in order).
    fn gather<F>(futures: Vec<F>) -> impl Future<Output = Vec<F::Output>> + Send
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Runs `futures` as children of a scope that ends when all have (corio: `task_group`;
    /// tokio: a `JoinSet`; smol: spawned tasks, each awaited).
    fn group<F>(futures: Vec<F>) -> impl Future<Output = ()> + Send
    where
        F: Future<Output = ()> + Send + 'static;

    /// asyncio's `wait_for`: `f`, or `None` if it is still pending after `d` (tokio and smol:
    /// their timeout, [`Rt::timeout`]).
    fn wait_for<F: Future + Send>(
        d: Duration,
        f: F,
    ) -> impl Future<Output = Option<F::Output>> + Send {
        Self::timeout(d, f)
    }
}

/// Synchronisation primitives, each the runtime's own (or its ecosystem's): asyncio's `Lock`,
/// `Semaphore`, `Event`, `Condition`, and a reader–writer lock. They guard a `u64`.
pub(crate) trait Locks: Spawn {
    /// A mutex around a `u64`.
    type Mutex: Send + Sync + 'static;
    /// A counting semaphore.
    type Semaphore: Send + Sync + 'static;
    /// A reader–writer lock around a `u64`.
    type RwLock: Send + Sync + 'static;
    /// A one-shot flag every waiter sees (asyncio's `Event`).
    type Event: Send + Sync + 'static;
    /// Wake-one notification with a predicate (asyncio's `Condition.wait_for` / `notify(1)`).
    type Cond: Send + Sync + 'static;

    /// A mutex holding 0.
    fn mutex() -> Self::Mutex;
    /// Locks `m`; the lock is released when the guard drops.
    fn lock(
        m: &Self::Mutex,
    ) -> impl Future<Output = impl DerefMut<Target = u64> + Send + '_> + Send;

    /// A semaphore with `permits` permits.
    fn semaphore(permits: usize) -> Self::Semaphore;
    /// Takes a permit; it is given back when the guard drops.
    fn acquire(s: &Self::Semaphore) -> impl Future<Output = impl Send + '_> + Send;

    /// A reader–writer lock holding 0.
    fn rwlock() -> Self::RwLock;
    /// Shared access.
    fn read(l: &Self::RwLock) -> impl Future<Output = impl Deref<Target = u64> + Send + '_> + Send;
    /// Exclusive access.
    fn write(
        l: &Self::RwLock,
    ) -> impl Future<Output = impl DerefMut<Target = u64> + Send + '_> + Send;

    /// An event, not set.
    fn event() -> Self::Event;
    /// Sets the event: every current and future waiter proceeds.
    fn set(e: &Self::Event);
    /// Waits until the event is set.
    fn wait(e: &Self::Event) -> impl Future<Output = ()> + Send + '_;

    /// A condition.
    fn cond() -> Self::Cond;
    /// Wakes one waiter.
    fn notify_one(c: &Self::Cond);
    /// Waits until `ready()` holds, re-checking whenever notified.
    fn wait_until<'a>(
        c: &'a Self::Cond,
        ready: impl Fn() -> bool + Send + 'a,
    ) -> impl Future<Output = ()> + Send + 'a;
}

/// Channels and queues, each the runtime's own (or its ecosystem's).
pub(crate) trait Channels: Spawn {
    /// The sending half of a bounded multi-producer channel.
    type Sender<T: Send + 'static>: Clone + Send + Sync + 'static;
    /// Its receiving half.
    type Receiver<T: Send + 'static>: Send + 'static;
    /// The sending half of an unbounded queue (`put` never waits).
    type QueueTx<T: Send + 'static>: Send + Sync + 'static;
    /// The receiving half of an unbounded queue.
    type QueueRx<T: Send + 'static>: Send + 'static;
    /// The sending half of a one-value channel.
    type OnceTx<T: Send + 'static>: Send + 'static;
    /// Its receiving half: resolves to the value, or `None` if the sender was dropped.
    type OnceRx<T: Send + 'static>: Future<Output = Option<T>> + Send + 'static;
    /// The sending half of a broadcast channel.
    type BcastTx<T: Clone + Send + Sync + 'static>: Send + Sync + 'static;
    /// A receiver of a broadcast channel: every receiver sees every value.
    type BcastRx<T: Clone + Send + Sync + 'static>: Send + 'static;

    /// A bounded channel of `cap` slots.
    fn bounded<T: Send + 'static>(cap: usize) -> (Self::Sender<T>, Self::Receiver<T>);
    /// Sends `v`, waiting while the channel is full; `false` if the receiver is gone.
    fn send<T: Send + 'static>(
        tx: &Self::Sender<T>,
        v: T,
    ) -> impl Future<Output = bool> + Send + '_;
    /// The next value, or `None` once every sender is gone.
    fn recv<T: Send + 'static>(
        rx: &mut Self::Receiver<T>,
    ) -> impl Future<Output = Option<T>> + Send + '_;

    /// An unbounded queue.
    fn queue<T: Send + 'static>() -> (Self::QueueTx<T>, Self::QueueRx<T>);
    /// Appends `v` without waiting.
    fn put<T: Send + 'static>(tx: &Self::QueueTx<T>, v: T);
    /// The next value, waiting for one; `None` once the sender is gone.
    fn get<T: Send + 'static>(
        rx: &mut Self::QueueRx<T>,
    ) -> impl Future<Output = Option<T>> + Send + '_;

    /// A one-value channel.
    fn oneshot<T: Send + 'static>() -> (Self::OnceTx<T>, Self::OnceRx<T>);
    /// Sends the value.
    fn fire<T: Send + 'static>(tx: Self::OnceTx<T>, v: T);

    /// A broadcast channel with room for `cap` values per receiver.
    fn broadcast<T: Clone + Send + Sync + 'static>(
        cap: usize,
    ) -> (Self::BcastTx<T>, Self::BcastRx<T>);
    /// Another receiver, seeing values sent from now on.
    fn subscribe<T: Clone + Send + Sync + 'static>(tx: &Self::BcastTx<T>) -> Self::BcastRx<T>;
    /// Sends `v` to every receiver.
    fn publish<T: Clone + Send + Sync + 'static>(
        tx: &Self::BcastTx<T>,
        v: T,
    ) -> impl Future<Output = ()> + Send + '_;
    /// The next value, or `None` once the sender is gone (and everything was received).
    fn next<T: Clone + Send + Sync + 'static>(
        rx: &mut Self::BcastRx<T>,
    ) -> impl Future<Output = Option<T>> + Send + '_;
}

/// Readiness I/O: loopback TCP and UDP, and pipes. Call these inside [`Rt::run`].
pub(crate) trait Net: Rt {
    /// A listening TCP socket.
    type Listener: Send + Sync + 'static;
    /// A connected TCP stream.
    type Stream: AsFd + Send + 'static;
    /// A connected UDP socket.
    type Udp: Send + Sync + 'static;
    /// The reading end of a pipe.
    type PipeR: Send + 'static;
    /// The writing end of a pipe.
    type PipeW: Send + 'static;

    /// Listens on `127.0.0.1`, on a free port.
    fn listen() -> impl Future<Output = io::Result<(Self::Listener, SocketAddr)>> + Send;
    /// The next connection (with `TCP_NODELAY` set).
    fn accept(l: &Self::Listener) -> impl Future<Output = io::Result<Self::Stream>> + Send + '_;
    /// Connects to `addr` (with `TCP_NODELAY` set).
    fn connect(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Stream>> + Send;
    /// Fills `buf` from `s`.
    fn read_exact<'a>(
        s: &'a mut Self::Stream,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a;
    /// Writes all of `buf` to `s`.
    fn write_all<'a>(
        s: &'a mut Self::Stream,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a;

    /// Two UDP sockets on `127.0.0.1`, each connected to the other.
    fn udp_pair() -> impl Future<Output = io::Result<(Self::Udp, Self::Udp)>> + Send;
    /// Sends one datagram.
    fn send<'a>(
        u: &'a Self::Udp,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a;
    /// Receives one datagram.
    fn recv<'a>(
        u: &'a Self::Udp,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<usize>> + Send + 'a;

    /// A new pipe.
    fn pipe() -> io::Result<(Self::PipeR, Self::PipeW)>;
    /// Fills `buf` from the pipe.
    fn pipe_read<'a>(
        r: &'a mut Self::PipeR,
        buf: &'a mut [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a;
    /// Writes all of `buf` to the pipe.
    fn pipe_write<'a>(
        w: &'a mut Self::PipeW,
        buf: &'a [u8],
    ) -> impl Future<Output = io::Result<()>> + Send + 'a;
}

/// Child processes.
pub(crate) trait Process: Rt {
    /// Spawns `program` (no arguments, standard streams inherited) and waits for it to exit.
    fn status(program: &'static str) -> impl Future<Output = io::Result<ExitStatus>> + Send;
}

/// Whole-file reads and writes, however the runtime does them (tokio and smol: on a
/// blocking-thread pool).
pub(crate) trait Fs: Rt {
    /// Creates or truncates `path` and writes `data` to it.
    fn write(path: PathBuf, data: &'static [u8]) -> impl Future<Output = io::Result<()>> + Send;
    /// Reads all of `path`.
    fn read(path: PathBuf) -> impl Future<Output = io::Result<Vec<u8>>> + Send;
}

/// The contenders for a workload: one per runtime that has the capability, each a closure
/// taking one sample. `$work::<R>(args)` must return the sampling closure for runtime `R`
/// (set-up it needs happens in that call, once).
///
/// ```text
/// contenders!(spawn: spawn_many(10_000))
/// ```
///
/// To add a runtime, add it to the lists of the capabilities it implements.
macro_rules! contenders {
    (time: $($work:tt)*) => {
        $crate::rt::contenders!(@on [CorioMt, CorioCt, TokioMt, TokioCt, SmolMt, SmolCt] $($work)*)
    };
    (net: $($work:tt)*) => {
        $crate::rt::contenders!(@on [CorioMt, CorioCt, TokioMt, TokioCt, SmolMt, SmolCt] $($work)*)
    };
    (spawn: $($work:tt)*) => {
        $crate::rt::contenders!(@on [CorioMt, CorioCt, TokioMt, TokioCt, SmolMt, SmolCt] $($work)*)
    };
    (concert: $($work:tt)*) => {
        $crate::rt::contenders!(@on [CorioMt, CorioCt, TokioMt, TokioCt, SmolMt, SmolCt] $($work)*)
    };
    (locks: $($work:tt)*) => {
        $crate::rt::contenders!(@on [CorioMt, CorioCt, TokioMt, TokioCt, SmolMt, SmolCt] $($work)*)
    };
    (channels: $($work:tt)*) => {
        $crate::rt::contenders!(@on [CorioMt, CorioCt, TokioMt, TokioCt, SmolMt, SmolCt] $($work)*)
    };
    (process: $($work:tt)*) => {
        $crate::rt::contenders!(@on [CorioMt, CorioCt, TokioMt, TokioCt, SmolMt, SmolCt] $($work)*)
    };
    (fs: $($work:tt)*) => {
        $crate::rt::contenders!(@on [CorioMt, CorioCt, TokioMt, TokioCt, SmolMt, SmolCt] $($work)*)
    };
    (http: $($work:tt)*) => {
        $crate::rt::contenders!(@on [CorioMt, CorioCt, TokioMt, TokioCt, SmolMt, SmolCt] $($work)*)
    };
    (@on [$($rt:ident),*] $work:ident $args:tt) => {
        vec![$(
            $crate::measure::Contender::new(
                <$crate::rt::$rt as $crate::rt::Rt>::NAME,
                $work::<$crate::rt::$rt> $args,
            )
        ),*]
    };
}

/// Calls `$work::<R>(args)` for the runtime of the given capability whose name is `$name`:
/// `Some(result)`, or `None` if no such runtime has the capability.
macro_rules! dispatch {
    (spawn: $name:expr, $($work:tt)*) => {
        $crate::rt::dispatch!(@on [CorioMt, CorioCt, TokioMt, TokioCt, SmolMt, SmolCt] $name, $($work)*)
    };
    (@on [$($rt:ident),*] $name:expr, $work:ident $args:tt) => {{
        let name: &str = $name;
        $(
            if name == <$crate::rt::$rt as $crate::rt::Rt>::NAME {
                Some($work::<$crate::rt::$rt> $args)
            } else
        )* {
            None
        }
    }};
}

pub(crate) use {contenders, dispatch};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_implemented_flavour_has_a_column() {
        for name in [
            CorioCt::NAME,
            TokioMt::NAME,
            TokioCt::NAME,
            SmolMt::NAME,
            SmolCt::NAME,
        ] {
            assert!(FLAVOURS.contains(&name), "{name}");
        }
    }

    #[test]
    fn missing_capabilities_say_why() {
        // corio has subprocesses now: a missing cell is a registration gap, not a lack.
        assert_eq!(
            Needs::Process.missing("corio-ct"),
            "not registered for this runtime"
        );
        assert_eq!(
            Needs::Spawn.missing("tokio-ct"),
            "not registered for this runtime"
        );
        // corio has file I/O now: a missing fs cell is a registration gap, not a lack.
        assert_eq!(
            Needs::Fs.missing("corio-mt"),
            "not registered for this runtime"
        );
    }
}
