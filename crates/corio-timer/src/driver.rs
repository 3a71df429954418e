//! The timer driver: a wheel of wakers shared by an event loop and the futures that
//! register in it, plus the thread's current driver and the global fallback.

use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::task::{Poll, Waker};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use crate::clock::Clock;
use crate::wheel::{Key, Wheel};

/// Tick of a deadline too far away to ever fire; such timers are never registered.
pub(crate) const NEVER: u64 = u64::MAX;

/// A timer driver: a timing wheel of wakers on a [`Clock`], with 1 ms resolution.
///
/// Futures ([`sleep`](crate::sleep), [`interval`](crate::interval),
/// [`timeout`](crate::timeout)) register in the driver the thread has
/// [`enter`](Timers::enter)ed when they are created. The event loop that owns the driver
/// asks [`park_timeout`](Timers::park_timeout) how long it may block, blocks, calls
/// [`unparked`](Timers::unparked), then [`process`](Timers::process) to wake whatever is
/// due. Cloning gives another handle to the same driver.
///
/// Deadlines are rounded up to the next millisecond and time is processed rounded down,
/// so a timer never completes before its deadline.
///
/// ```
/// use corio_timer::{Clock, Timers, sleep};
/// use std::time::Duration;
///
/// let clock = Clock::new_virtual();
/// let timers = Timers::new(clock.clone());
/// let _guard = timers.enter();
///
/// let start = clock.now();
/// let mut nap = std::pin::pin!(sleep(Duration::from_secs(60)));
/// let waker = std::task::Waker::noop();
/// let mut cx = std::task::Context::from_waker(waker);
/// while nap.as_mut().poll(&mut cx).is_pending() {
///     // A minimal virtual-time loop: jump to the next deadline, then fire it.
///     let Clock::Virtual(v) = &clock else { unreachable!() };
///     v.advance(timers.park_timeout().expect("a timer is registered"));
///     timers.unparked();
///     timers.process();
/// }
/// assert!(clock.now() - start >= Duration::from_secs(60));
/// ```
#[derive(Clone)]
pub struct Timers {
    inner: Arc<Inner>,
}

struct Inner {
    clock: Clock,
    /// The instant of tick 0.
    origin: Instant,
    /// Mirror of the wheel's `elapsed`, read without the lock by the futures.
    processed: AtomicU64,
    state: Mutex<State>,
    /// Reused by `process` so that firing allocates nothing in the steady state.
    wake_buf: Mutex<Vec<Waker>>,
    unpark: Option<Arc<dyn Fn() + Send + Sync>>,
    /// Driven by the global fallback thread, whose processed tick goes stale while idle.
    background: bool,
}

struct State {
    wheel: Wheel<Option<Waker>>,
    park: Park,
}

/// What the loop is doing, as far as inserts are concerned.
#[derive(Clone, Copy)]
enum Park {
    Running,
    /// Blocked until this tick.
    Until(u64),
    /// Blocked with no timer registered.
    Forever,
}

impl fmt::Debug for Timers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timers")
            .field("clock", &self.inner.clock)
            .field("processed_ms", &self.processed())
            .finish_non_exhaustive()
    }
}

impl Timers {
    /// A driver on `clock` without an unparker: registrations never interrupt the loop's
    /// wait. Enough when timers are only registered by the loop's own thread.
    ///
    /// ```
    /// let timers = corio_timer::Timers::new(corio_timer::Clock::Real);
    /// assert_eq!(timers.park_timeout(), None); // nothing registered
    /// ```
    pub fn new(clock: Clock) -> Timers {
        Self::build(clock, None, false)
    }

    /// A driver whose loop is woken by `unpark` when a timer is registered (from any
    /// thread) with a deadline earlier than the one the loop is parked until (see
    /// [`park_timeout`](Timers::park_timeout)). `unpark` is never called while the loop
    /// is not parked, and at most once per park.
    ///
    /// ```
    /// use corio_timer::{Clock, Timers};
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    ///
    /// let calls = Arc::new(AtomicUsize::new(0));
    /// let counter = calls.clone();
    /// let timers = Timers::with_unparker(
    ///     Clock::new_virtual(),
    ///     Arc::new(move || {
    ///         counter.fetch_add(1, Ordering::SeqCst);
    ///     }),
    /// );
    /// assert_eq!(timers.park_timeout(), None); // parks with no deadline
    /// let _guard = timers.enter();
    /// let mut nap = corio_timer::sleep(std::time::Duration::from_millis(10));
    /// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// assert!(std::pin::Pin::new(&mut nap).poll(&mut cx).is_pending());
    /// assert_eq!(calls.load(Ordering::SeqCst), 1);
    /// ```
    pub fn with_unparker(clock: Clock, unpark: Arc<dyn Fn() + Send + Sync>) -> Timers {
        Self::build(clock, Some(unpark), false)
    }

    fn build(
        clock: Clock,
        unpark: Option<Arc<dyn Fn() + Send + Sync>>,
        background: bool,
    ) -> Timers {
        let origin = clock.now();
        Timers {
            inner: Arc::new(Inner {
                clock,
                origin,
                processed: AtomicU64::new(0),
                state: Mutex::new(State {
                    wheel: Wheel::new(),
                    park: Park::Running,
                }),
                wake_buf: Mutex::new(Vec::new()),
                unpark,
                background,
            }),
        }
    }

    /// The clock this driver reads.
    ///
    /// ```
    /// let timers = corio_timer::Timers::new(corio_timer::Clock::new_virtual());
    /// assert!(timers.clock().is_virtual());
    /// ```
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// The current time on this driver's clock.
    ///
    /// ```
    /// let timers = corio_timer::Timers::new(corio_timer::Clock::new_virtual());
    /// assert_eq!(timers.now(), timers.clock().now());
    /// ```
    pub fn now(&self) -> Instant {
        self.inner.clock.now()
    }

    /// Makes this the thread's current driver until the guard drops. Guards nest: dropping
    /// one restores the driver that was current before it.
    ///
    /// ```
    /// use corio_timer::{Clock, Timers};
    ///
    /// let outer = Timers::new(Clock::new_virtual());
    /// let inner = Timers::new(Clock::Real);
    /// assert!(Timers::try_current().is_none());
    /// let g1 = outer.enter();
    /// {
    ///     let _g2 = inner.enter();
    ///     assert!(!Timers::try_current().unwrap().clock().is_virtual());
    /// }
    /// assert!(Timers::try_current().unwrap().clock().is_virtual());
    /// drop(g1);
    /// assert!(Timers::try_current().is_none());
    /// ```
    pub fn enter(&self) -> TimersGuard {
        let previous = CURRENT
            .try_with(|current| current.replace(Some(self.clone())))
            .ok()
            .flatten();
        TimersGuard {
            previous,
            _not_send: PhantomData,
        }
    }

    /// The thread's current driver, if one is entered.
    ///
    /// ```
    /// assert!(corio_timer::Timers::try_current().is_none());
    /// ```
    pub fn try_current() -> Option<Timers> {
        CURRENT
            .try_with(|current| current.borrow().clone())
            .ok()
            .flatten()
    }

    /// Loop side, before blocking: how long until the next timer is due on this clock
    /// (`Some(ZERO)` if one already is, `None` if no timer is registered). Records that the
    /// loop is parked until then, so that an earlier registration calls the unparker.
    ///
    /// The returned time may end at a cascade point of the wheel, before any deadline;
    /// processing then fires nothing and the next call returns the remaining time.
    ///
    /// ```
    /// use corio_timer::{Clock, Timers};
    /// use std::time::Duration;
    ///
    /// let timers = Timers::new(Clock::new_virtual());
    /// let _guard = timers.enter();
    /// let mut nap = corio_timer::sleep(Duration::from_millis(3));
    /// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// let _ = std::pin::Pin::new(&mut nap).poll(&mut cx);
    /// assert_eq!(timers.park_timeout(), Some(Duration::from_millis(3)));
    /// ```
    pub fn park_timeout(&self) -> Option<Duration> {
        let next = {
            let mut state = self.lock();
            let next = state.wheel.next_expiration();
            state.park = next.map_or(Park::Forever, Park::Until);
            next?
        };
        Some(match self.tick_instant(next) {
            Some(at) => at.saturating_duration_since(self.now()),
            None => Duration::MAX,
        })
    }

    /// Loop side, after blocking: the loop runs again, so registrations no longer call the
    /// unparker.
    ///
    /// ```
    /// let timers = corio_timer::Timers::new(corio_timer::Clock::Real);
    /// let _ = timers.park_timeout();
    /// timers.unparked();
    /// ```
    pub fn unparked(&self) {
        self.lock().park = Park::Running;
    }

    /// Wakes every timer whose deadline has passed on the clock, in deadline order, and
    /// returns how many fired. Wakers run after the internal lock is released.
    ///
    /// ```
    /// use corio_timer::{Clock, Timers};
    /// use std::time::Duration;
    ///
    /// let timers = Timers::new(Clock::Real);
    /// let _guard = timers.enter();
    /// let mut nap = corio_timer::sleep(Duration::from_millis(1));
    /// let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    /// let _ = std::pin::Pin::new(&mut nap).poll(&mut cx);
    /// std::thread::sleep(Duration::from_millis(2));
    /// assert_eq!(timers.process(), 1);
    /// assert!(nap.is_elapsed());
    /// ```
    pub fn process(&self) -> usize {
        let now = self.tick_floor(self.now());
        // A waker that calls `process` again finds the buffer busy and uses its own.
        let mut shared = self.inner.wake_buf.try_lock().ok();
        let mut own = Vec::new();
        let buf = shared.as_deref_mut().unwrap_or(&mut own);
        let mut fired = 0;
        {
            let mut state = self.lock();
            // Due entries leave the wheel as they fire, so a fired sleep's next poll and
            // its drop need only the processed tick, not the lock.
            state.wheel.drain_due(now, |waker| {
                fired += 1;
                if let Some(waker) = waker {
                    buf.push(waker);
                }
            });
            self.inner
                .processed
                .store(state.wheel.elapsed(), Ordering::Release);
        }
        for waker in buf.drain(..) {
            waker.wake();
        }
        fired
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The wheel is never left inconsistent by a panic (no user code runs under the
        // lock), so a poisoned lock is still usable.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The tick everything up to which has been fired.
    pub(crate) fn processed(&self) -> u64 {
        self.inner.processed.load(Ordering::Acquire)
    }

    /// Whether nobody processes this driver eagerly, so futures should check the clock
    /// before registering.
    pub(crate) fn is_background(&self) -> bool {
        self.inner.background
    }

    /// The first tick at or after `deadline` ([`NEVER`] if out of range).
    pub(crate) fn tick_ceil(&self, deadline: Instant) -> u64 {
        let Some(since) = deadline.checked_duration_since(self.inner.origin) else {
            return 0;
        };
        let ms = u64::from(since.subsec_nanos().div_ceil(1_000_000));
        since.as_secs().saturating_mul(1000).saturating_add(ms)
    }

    /// The last tick at or before `now`.
    fn tick_floor(&self, now: Instant) -> u64 {
        let since = now.saturating_duration_since(self.inner.origin);
        let ms = u64::from(since.subsec_millis());
        since.as_secs().saturating_mul(1000).saturating_add(ms)
    }

    fn tick_instant(&self, tick: u64) -> Option<Instant> {
        self.inner.origin.checked_add(Duration::from_millis(tick))
    }

    /// Registers a waker for `tick`; `None` if the tick was already processed.
    pub(crate) fn register(&self, tick: u64, waker: &Waker) -> Option<Key> {
        let mut state = self.lock();
        if tick <= state.wheel.elapsed() {
            return None;
        }
        let key = state.wheel.insert(tick, Some(waker.clone()));
        let unpark = Self::note_deadline(&mut state, tick);
        drop(state);
        self.maybe_unpark(unpark);
        Some(key)
    }

    /// Polls a registered entry: ready once its tick was processed (`process` has then
    /// removed it), otherwise stores `waker` if it differs from the stored one.
    pub(crate) fn poll_entry(&self, key: Key, tick: u64, waker: &Waker) -> Poll<()> {
        if tick <= self.processed() {
            return Poll::Ready(());
        }
        let mut state = self.lock();
        // Gone: drained by a `process` that ran since the check above.
        let Some(slot) = state.wheel.get_mut(key) else {
            return Poll::Ready(());
        };
        match slot {
            Some(stored) if stored.will_wake(waker) => {}
            _ => {
                let old = slot.replace(waker.clone());
                drop(state);
                drop(old);
            }
        }
        Poll::Pending
    }

    /// Moves a registered entry to `tick`. Returns `false` when the entry is no longer in
    /// the wheel: already fired (its waker was woken), or removed here because `tick` is
    /// already processed — then its waker is woken, so the owner polls again.
    pub(crate) fn reset_entry(&self, key: Key, tick: u64) -> bool {
        let mut state = self.lock();
        if tick <= state.wheel.elapsed() {
            let old = state.wheel.remove(key);
            drop(state);
            if let Some(Some(waker)) = old {
                waker.wake();
            }
            return false;
        }
        if !state.wheel.reset(key, tick) {
            return false;
        }
        let unpark = Self::note_deadline(&mut state, tick);
        drop(state);
        self.maybe_unpark(unpark);
        true
    }

    /// Removes a registered entry whose tick is `tick`; one already fired left the wheel
    /// when it was processed, so it costs no lock.
    pub(crate) fn deregister(&self, key: Key, tick: u64) {
        if tick <= self.processed() {
            return;
        }
        let old = self.lock().wheel.remove(key);
        // The waker is dropped outside the lock.
        drop(old);
    }

    /// Whether a new deadline at `tick` must interrupt the parked loop; if so the loop
    /// counts as running from now on, so one park gets at most one unpark.
    fn note_deadline(state: &mut State, tick: u64) -> bool {
        let earlier = match state.park {
            Park::Running => false,
            Park::Until(until) => tick < until,
            Park::Forever => true,
        };
        if earlier {
            state.park = Park::Running;
        }
        earlier
    }

    fn maybe_unpark(&self, unpark: bool) {
        if let (true, Some(unpark)) = (unpark, &self.inner.unpark) {
            unpark();
        }
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Timers>> = const { RefCell::new(None) };
}

/// Keeps a [`Timers`] current on this thread; see [`Timers::enter`].
///
/// ```
/// let timers = corio_timer::Timers::new(corio_timer::Clock::Real);
/// let guard = timers.enter();
/// assert!(corio_timer::Timers::try_current().is_some());
/// drop(guard);
/// assert!(corio_timer::Timers::try_current().is_none());
/// ```
#[must_use = "the driver is current only while the guard lives"]
pub struct TimersGuard {
    previous: Option<Timers>,
    /// The guard restores a thread-local, so it must stay on its thread.
    _not_send: PhantomData<*const ()>,
}

impl fmt::Debug for TimersGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimersGuard").finish_non_exhaustive()
    }
}

impl Drop for TimersGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        // During thread teardown the slot may be gone; there is nothing to restore then.
        let _ = CURRENT.try_with(|current| current.replace(previous));
    }
}

/// The driver futures register in: the thread's current one, else the global fallback.
pub(crate) fn current_or_global() -> Timers {
    Timers::try_current().unwrap_or_else(|| global().clone())
}

/// The lazily started fallback driver on the real clock, run by the thread
/// "corio-timer", used by futures created outside any entered driver.
///
/// # Panics
///
/// If the operating system refuses to start the thread (as `std::thread::spawn` does).
pub(crate) fn global() -> &'static Timers {
    static GLOBAL: OnceLock<Timers> = OnceLock::new();
    GLOBAL.get_or_init(|| {
        let handle: Arc<OnceLock<Thread>> = Arc::new(OnceLock::new());
        let unpark_handle = handle.clone();
        let unpark = Arc::new(move || {
            if let Some(thread) = unpark_handle.get() {
                thread.unpark();
            }
        });
        let timers = Timers::build(Clock::Real, Some(unpark), true);
        let driver = timers.clone();
        thread::Builder::new()
            .name("corio-timer".into())
            .spawn(move || {
                // Set before the first park is recorded, so no unpark can be missed.
                let _ = handle.set(thread::current());
                run_background(&driver);
            })
            .expect("corio-timer: failed to spawn the global timer thread");
        timers
    })
}

fn run_background(timers: &Timers) -> ! {
    loop {
        match timers.park_timeout() {
            None => thread::park(),
            Some(wait) if wait.is_zero() => {}
            Some(wait) => thread::park_timeout(wait),
        }
        timers.unparked();
        timers.process();
    }
}
