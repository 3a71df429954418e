//! What `#[corio::main]` and `#[corio::test]` expand to call (as `corio::__private`): building
//! the runtime, choosing a test's shuffle seed and reporting it when the test fails. Compiled
//! once here instead of in every expansion. Not an API: only the macros' output uses it.

use std::collections::hash_map::RandomState;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::process::ExitCode;

use crate::Builder;

/// The environment variable that shuffles every `#[corio::test]` written without a seed.
const SEED_VARIABLE: &str = "CORIO_TEST_SEED";

/// Builds the runtime and runs the body of an `async fn main`.
///
/// Panics (this is the application's `main`, and nothing else can report it) when the
/// operating system refuses the runtime.
///
/// ```
/// let out = corio::__private::run_main(corio::Builder::new().current_thread(), async { 7 });
/// assert_eq!(out, 7);
/// ```
pub fn run_main<F: Future>(builder: Builder, main: F) -> F::Output {
    match builder.build() {
        Ok(runtime) => runtime.block_on(main),
        Err(e) => panic!("corio::main: cannot create the runtime: {e}"),
    }
}

/// How a test's ready tasks are ordered.
///
/// ```
/// use corio::__private::{Shuffle, run_test};
///
/// // Eight tasks race to send first; with a seed, the same one wins on every run.
/// let race = |shuffle| {
///     let body = std::pin::pin!(async {
///         let (tx, rx) = std::sync::mpsc::channel();
///         let racers: Vec<_> = (0..8u32)
///             .map(|i| {
///                 let tx = tx.clone();
///                 corio::spawn(async move { tx.send(i).unwrap() })
///             })
///             .collect();
///         for racer in racers {
///             racer.await.unwrap();
///         }
///         Ok::<u32, String>(rx.recv().unwrap())
///     });
///     run_test(corio::Builder::new().current_thread(), shuffle, body)
/// };
/// let winner = race(Shuffle::Seed(42));
/// assert!(matches!(winner, Ok(0..8)));
/// for _ in 0..3 {
///     assert_eq!(race(Shuffle::Seed(42)), winner);
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shuffle {
    /// Shuffled by this seed, written in the attribute.
    Seed(u64),
    /// Shuffled as `CORIO_TEST_SEED` says: a number, `random`, or unset for no shuffle.
    FromEnv,
    /// Never shuffled (a multi-thread runtime).
    Off,
}

impl Shuffle {
    /// The seed in use, if any.
    ///
    /// # Panics
    ///
    /// When `CORIO_TEST_SEED` holds something else than a `u64` or `random`: the test fails
    /// with the reason rather than run unshuffled unnoticed.
    fn seed(self) -> Option<u64> {
        match self {
            Shuffle::Seed(seed) => Some(seed),
            Shuffle::Off => None,
            Shuffle::FromEnv => match std::env::var(SEED_VARIABLE) {
                Err(std::env::VarError::NotPresent) => None,
                Ok(value) => match parse_seed_variable(&value) {
                    Ok(seed) => seed,
                    Err(e) => panic!("{e}"),
                },
                Err(std::env::VarError::NotUnicode(value)) => panic!(
                    "corio::test: {SEED_VARIABLE}={value:?} is neither a number nor `random`"
                ),
            },
        }
    }
}

/// `CORIO_TEST_SEED`'s value: a seed, a fresh random one for `random`, none when empty.
fn parse_seed_variable(value: &str) -> Result<Option<u64>, String> {
    match value.trim() {
        "" => Ok(None),
        "random" => Ok(Some(random_seed())),
        number => number.parse().map(Some).map_err(|_| {
            format!(
                "corio::test: {SEED_VARIABLE}={value:?} is neither a number (a u64) nor `random`"
            )
        }),
    }
}

/// A seed that differs between tests and runs: std's randomly keyed hasher (a fresh key per
/// `RandomState`), so no random-number crate is needed for it.
fn random_seed() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos()),
    );
    hasher.finish()
}

/// Builds the runtime and runs a test's body; if a shuffle seed is in use and the test
/// fails, prints the seed (and how to replay it) to stderr first.
///
/// Panics (how a test fails) when the operating system refuses the runtime, and with the
/// body's panic.
///
/// ```
/// use corio::__private::{Shuffle, run_test};
///
/// let body = std::pin::pin!(async { Ok::<u32, String>(7) });
/// let out = run_test::<Result<u32, String>>(corio::Builder::new().virtual_clock(), Shuffle::Off, body);
/// assert_eq!(out, Ok(7));
/// ```
pub fn run_test<T: TestOutcome>(
    builder: Builder,
    shuffle: Shuffle,
    body: Pin<&mut dyn Future<Output = T>>,
) -> T {
    let seed = shuffle.seed();
    let builder = match seed {
        Some(seed) => builder.shuffle_seed(seed),
        None => builder,
    };
    let runtime = match builder.build() {
        Ok(runtime) => runtime,
        Err(e) => panic!("corio::test: cannot create the runtime: {e}"),
    };
    let Some(seed) = seed else {
        return runtime.block_on(body);
    };
    match panic::catch_unwind(AssertUnwindSafe(|| runtime.block_on(body))) {
        Ok(outcome) => {
            if outcome.is_failure() {
                report_seed(seed);
            }
            outcome
        }
        Err(payload) => {
            report_seed(seed);
            panic::resume_unwind(payload)
        }
    }
}

fn report_seed(seed: u64) {
    eprintln!(
        "corio::test: failed with seed = {seed}; reproduce with #[corio::test(seed = {seed})] \
         or {SEED_VARIABLE}={seed}"
    );
}

/// The values an `#[corio::test]` function may return, and whether one is a failure.
///
/// ```
/// use corio::__private::TestOutcome;
/// use std::process::ExitCode;
///
/// assert!(!().is_failure());
/// assert!(!Ok::<u8, String>(1).is_failure());
/// assert!(Err::<u8, _>("boom").is_failure());
/// assert!(ExitCode::FAILURE.is_failure());
/// assert!(!ExitCode::SUCCESS.is_failure());
/// ```
#[diagnostic::on_unimplemented(
    message = "a #[corio::test] function returns `()`, `Result<T, E>` or `ExitCode`, not `{Self}`"
)]
pub trait TestOutcome {
    /// Whether the test failed (without panicking).
    ///
    /// ```
    /// use corio::__private::TestOutcome;
    ///
    /// assert!(Err::<(), &str>("no").is_failure());
    /// assert!(!().is_failure());
    /// ```
    fn is_failure(&self) -> bool;
}

impl TestOutcome for () {
    fn is_failure(&self) -> bool {
        false
    }
}

impl<T, E> TestOutcome for Result<T, E> {
    fn is_failure(&self) -> bool {
        self.is_err()
    }
}

impl TestOutcome for ExitCode {
    fn is_failure(&self) -> bool {
        *self != ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_variable_reads_numbers_random_and_nothing() {
        assert_eq!(parse_seed_variable("1234"), Ok(Some(1234)));
        assert_eq!(parse_seed_variable(" 7 "), Ok(Some(7)));
        assert_eq!(parse_seed_variable(""), Ok(None));
        assert!(matches!(parse_seed_variable("random"), Ok(Some(_))));
        let err = parse_seed_variable("lots").unwrap_err();
        assert!(err.contains("CORIO_TEST_SEED=\"lots\""), "{err}");
        assert!(parse_seed_variable("-1").is_err());
    }

    #[test]
    fn random_seeds_differ() {
        // Two fresh hasher keys colliding on all 64 bits would be a broken RandomState.
        assert_ne!(random_seed(), random_seed());
    }
}
