//! asyncio's `Barrier`: a rendezvous for a fixed number of tasks.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

/// Blocks tasks until `parties` of them wait, then releases them all (asyncio's
/// `Barrier`). Reusable: the next `parties` arrivals form the next round.
///
/// [`wait`](Self::wait) returns the arrival index, `0..parties`. [`abort`](Self::abort)
/// breaks the barrier: current and later waiters get [`BrokenBarrierError`] until
/// [`reset`](Self::reset).
///
/// ```
/// use corio_sync::Barrier;
/// use futures_lite::future;
///
/// let barrier = Barrier::new(2)?;
/// let (a, b) = future::block_on(future::zip(barrier.wait(), barrier.wait()));
/// let mut indices = [a?, b?];
/// indices.sort();
/// assert_eq!(indices, [0, 1]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Barrier {
    parties: usize,
    state: Mutex<State>,
    waiters: event_listener::Event,
}

struct State {
    /// Tasks waiting in the current round.
    count: usize,
    /// The current round; a waiter keeps its round to learn how it ended.
    round: Arc<Round>,
    /// Set by `abort`, cleared by `reset`.
    broken: bool,
}

/// How a round ended, once it has: tripped (everyone arrived) or broken (abort / reset).
type Round = OnceLock<Result<(), BrokenBarrierError>>;

/// The barrier was aborted or reset while waiting, or is broken (asyncio's
/// `BrokenBarrierError`).
///
/// ```
/// let barrier = corio_sync::Barrier::new(2)?;
/// barrier.abort();
/// assert_eq!(
///     futures_lite::future::block_on(barrier.wait()),
///     Err(corio_sync::BrokenBarrierError)
/// );
/// # Ok::<(), corio_sync::BarrierError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrokenBarrierError;

impl fmt::Display for BrokenBarrierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the barrier is broken")
    }
}

impl std::error::Error for BrokenBarrierError {}

/// A barrier needs at least one party (asyncio's `ValueError` for `parties < 1`).
///
/// ```
/// assert!(corio_sync::Barrier::new(0).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarrierError;

impl fmt::Display for BarrierError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a barrier needs at least one party")
    }
}

impl std::error::Error for BarrierError {}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Takes a waiter out of the count if it is dropped before its round ends.
struct Leave<'a> {
    barrier: &'a Barrier,
    round: Option<Arc<Round>>,
}

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        if let Some(round) = self.round.take() {
            let mut state = lock(&self.barrier.state);
            // A round that ended was replaced (under this lock) by a new one.
            if Arc::ptr_eq(&state.round, &round) {
                state.count -= 1;
            }
        }
    }
}

impl Barrier {
    /// A barrier for `parties` tasks; zero parties is an error.
    ///
    /// ```
    /// let barrier = corio_sync::Barrier::new(3)?;
    /// assert_eq!(barrier.parties(), 3);
    /// # Ok::<(), corio_sync::BarrierError>(())
    /// ```
    pub fn new(parties: usize) -> Result<Barrier, BarrierError> {
        if parties == 0 {
            return Err(BarrierError);
        }
        Ok(Barrier {
            parties,
            state: Mutex::new(State {
                count: 0,
                round: Arc::default(),
                broken: false,
            }),
            waiters: event_listener::Event::new(),
        })
    }

    /// Waits until `parties` tasks wait, then returns this task's arrival index
    /// (`0..parties`; the last to arrive gets `parties - 1`).
    ///
    /// Cancel safety: a waiter dropped before its round is complete leaves it, so the
    /// round needs one more arrival, as in asyncio.
    ///
    /// ```
    /// let barrier = corio_sync::Barrier::new(1)?;
    /// assert_eq!(futures_lite::future::block_on(barrier.wait()), Ok(0));
    /// # Ok::<(), corio_sync::BarrierError>(())
    /// ```
    pub async fn wait(&self) -> Result<usize, BrokenBarrierError> {
        let (index, round) = {
            let mut state = lock(&self.state);
            if state.broken {
                return Err(BrokenBarrierError);
            }
            let index = state.count;
            if index + 1 == self.parties {
                self.end_round(&mut state, Ok(()));
                return Ok(index);
            }
            state.count += 1;
            (index, state.round.clone())
        };
        let mut leave = Leave {
            barrier: self,
            round: Some(round.clone()),
        };
        loop {
            event_listener::listener!(self.waiters => listener);
            if let Some(&outcome) = round.get() {
                leave.round = None;
                return outcome.map(|()| index);
            }
            listener.await;
        }
    }

    /// Ends the current round with `outcome` and wakes its waiters.
    fn end_round(&self, state: &mut State, outcome: Result<(), BrokenBarrierError>) {
        let _ = state.round.set(outcome);
        state.round = Arc::default();
        state.count = 0;
        self.waiters.notify(usize::MAX);
    }

    /// Breaks the barrier: current and future waiters get [`BrokenBarrierError`] until
    /// [`reset`](Self::reset).
    ///
    /// ```
    /// let barrier = corio_sync::Barrier::new(2)?;
    /// barrier.abort();
    /// assert!(barrier.broken());
    /// # Ok::<(), corio_sync::BarrierError>(())
    /// ```
    pub fn abort(&self) {
        let mut state = lock(&self.state);
        state.broken = true;
        self.end_round(&mut state, Err(BrokenBarrierError));
    }

    /// Returns the barrier to empty and unbroken; tasks waiting now get
    /// [`BrokenBarrierError`].
    ///
    /// ```
    /// let barrier = corio_sync::Barrier::new(2)?;
    /// barrier.abort();
    /// barrier.reset();
    /// assert!(!barrier.broken());
    /// # Ok::<(), corio_sync::BarrierError>(())
    /// ```
    pub fn reset(&self) {
        let mut state = lock(&self.state);
        state.broken = false;
        if state.count > 0 {
            self.end_round(&mut state, Err(BrokenBarrierError));
        }
    }

    /// How many tasks wait in the current round.
    ///
    /// ```
    /// assert_eq!(corio_sync::Barrier::new(2)?.n_waiting(), 0);
    /// # Ok::<(), corio_sync::BarrierError>(())
    /// ```
    pub fn n_waiting(&self) -> usize {
        lock(&self.state).count
    }

    /// How many tasks a round needs.
    ///
    /// ```
    /// assert_eq!(corio_sync::Barrier::new(4)?.parties(), 4);
    /// # Ok::<(), corio_sync::BarrierError>(())
    /// ```
    pub fn parties(&self) -> usize {
        self.parties
    }

    /// Whether the barrier is broken ([`abort`](Self::abort) without a
    /// [`reset`](Self::reset) since).
    ///
    /// ```
    /// assert!(!corio_sync::Barrier::new(1)?.broken());
    /// # Ok::<(), corio_sync::BarrierError>(())
    /// ```
    pub fn broken(&self) -> bool {
        lock(&self.state).broken
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("Barrier")
            .field("parties", &self.parties)
            .field("waiting", &state.count)
            .field("broken", &state.broken)
            .finish()
    }
}
