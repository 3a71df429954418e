//! `#[corio::main]` and `#[corio::test]`: an `async fn main` or an `async fn` test, run on a
//! corio runtime. Use them through the facade, `corio::main` and `corio::test`; the generated
//! code calls `::corio`.
//!
//! The attributes are parsed by hand on `proc_macro` (the transformation is small), so using
//! them costs a build no `syn`.

mod args;
mod error;
mod expand;
mod function;
mod options;

use proc_macro::TokenStream;

use options::Attribute;

/// Runs `async fn main` on a corio runtime — Python's `if __name__ == "__main__":
/// asyncio.run(main())`.
///
/// The function becomes a plain `fn main` that builds a `corio::Builder` runtime and
/// blocks on the body, like `corio::run`: when the body returns, the tasks still pending
/// are cancelled and the worker threads are joined. The return type is kept, so `main` may
/// return `Result<(), E>` and use `?`.
///
/// ```
/// use std::time::Duration;
///
/// #[corio::main]
/// async fn main() -> Result<(), corio::TimeoutError> {
///     let greeting = corio::spawn(async { "hello" });
///     let greeting = corio::timeout(Duration::from_secs(5), greeting).await?;
///     println!("{}", greeting.expect("the task ran"));
///     Ok(())
/// }
/// ```
///
/// Options, all optional:
///
/// - `flavor = "multi_thread"` (the default: one worker per core) or
///   `flavor = "current_thread"` (every task on the main thread, asyncio's model);
/// - `worker_threads = N` (N ≥ 1): a multi-thread runtime with `N` workers;
/// - `debug` (or `debug = true`): the runtime's debug mode (`corio::Builder::debug`).
///
/// ```
/// #[corio::main(flavor = "current_thread", debug)]
/// async fn main() {
///     let here = std::thread::current().id();
///     let there = corio::spawn(async { std::thread::current().id() }).await.unwrap();
///     assert_eq!(here, there);
/// }
/// ```
///
/// The function must be `async`, without arguments or generics; anything else, an unknown
/// option, an option given twice or contradictory ones (`flavor = "current_thread"` with
/// `worker_threads`) is a compile error. If the operating system refuses the runtime (no
/// file descriptors or threads left), `main` panics with the reason.
#[proc_macro_attribute]
pub fn main(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand(Attribute::Main, attr, item)
}

/// Runs an `async fn` test on a fresh corio runtime — Python's
/// `unittest.IsolatedAsyncioTestCase` (or pytest-asyncio) for one test.
///
/// The function becomes a `#[test]` that builds a **current-thread runtime on the virtual
/// clock** and blocks on the body: time stands still while tasks run and jumps to the next
/// timer when they all wait, so a test that sleeps for an hour finishes at once and always
/// the same way. Other attributes (`#[should_panic]`, `#[ignore]`) keep working, and the test
/// may return `Result<(), E>`.
///
/// ```
/// use std::time::Duration;
///
/// #[corio::test]
/// async fn an_hour_passes_at_once() {
///     let started = corio::time::now();
///     corio::sleep(Duration::from_secs(3600)).await;
///     assert_eq!(corio::time::now() - started, Duration::from_secs(3600));
/// }
/// # // A doctest is not built with `--test`, which compiles `#[test]` functions out: run
/// # // the body on the runtime the attribute builds, to show it does what it says.
/// # fn main() {
/// #     corio::Builder::new().virtual_clock().build().unwrap().block_on(async {
/// #         let started = corio::time::now();
/// #         corio::sleep(Duration::from_secs(3600)).await;
/// #         assert_eq!(corio::time::now() - started, Duration::from_secs(3600));
/// #     });
/// # }
/// ```
///
/// Options, all optional:
///
/// - `clock = "real"` for the real clock (`clock = "virtual"` is the default on the
///   current-thread runtime);
/// - `flavor = "multi_thread"` and/or `worker_threads = N` (N ≥ 1) for a multi-thread
///   runtime, on the real clock unless `clock = "virtual"` is given (virtual time then jumps
///   whenever the worker waiting for timers is idle, even while others are busy);
/// - `debug` (or `debug = true`): the runtime's debug mode (`corio::Builder::debug`);
/// - `seed = N`: the runtime runs its ready tasks in an order shuffled by `N`
///   (`corio::Builder::shuffle_seed`) — a different order than the usual first-come,
///   first-served one, but the same order on every run with the same seed. Current-thread
///   runtimes only.
///
/// ```
/// #[corio::test(seed = 1234)]
/// async fn order_does_not_matter() -> Result<(), corio::TaskError> {
///     let (a, b) = (corio::spawn(async { 1 }), corio::spawn(async { 2 }));
///     assert_eq!(a.await? + b.await?, 3);
///     Ok(())
/// }
///
/// #[corio::test(flavor = "multi_thread", worker_threads = 2, clock = "real")]
/// async fn on_two_workers() {
///     let task = corio::task::spawn_blocking(|| 6 * 7);
///     assert_eq!(task.await.unwrap(), 42);
/// }
/// # // The bodies above, on the runtimes the attributes build (see the first example).
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// #     let seeded = corio::Builder::new().virtual_clock().shuffle_seed(1234).build()?;
/// #     seeded.block_on(async {
/// #         let (a, b) = (corio::spawn(async { 1 }), corio::spawn(async { 2 }));
/// #         assert_eq!(a.await? + b.await?, 3);
/// #         Ok::<(), corio::TaskError>(())
/// #     })?;
/// #     corio::Builder::new().worker_threads(2).build()?.block_on(async {
/// #         let task = corio::task::spawn_blocking(|| 6 * 7);
/// #         assert_eq!(task.await.unwrap(), 42);
/// #     });
/// #     Ok(())
/// # }
/// ```
///
/// **Shaking a whole suite.** A test without `seed` reads the environment variable
/// `CORIO_TEST_SEED`: a number shuffles every current-thread `#[corio::test]` with that seed,
/// `random` gives each test a seed of its own on every run, and unset (or empty) keeps the
/// usual order. Whenever a seed is in use and the test fails (panics or returns `Err`), it
/// prints the seed to stderr before failing:
///
/// ```text
/// corio::test: failed with seed = 1234; reproduce with #[corio::test(seed = 1234)] or CORIO_TEST_SEED=1234
/// ```
///
/// so `CORIO_TEST_SEED=random cargo test` run a few times shakes out tests that depend on
/// which task runs first, and the line says how to replay the failure.
///
/// The function must be `async`, without arguments or generics, and without its own
/// `#[test]`; anything else, an unknown option, an option given twice, a seed on a
/// multi-thread runtime or contradictory options is a compile error.
#[proc_macro_attribute]
pub fn test(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand(Attribute::Test, attr, item)
}

fn expand(attribute: Attribute, attr: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Vec::new();
    let args = args::parse(attr, &mut errors);
    let options = options::resolve(attribute, args, &mut errors);
    let function = function::parse(attribute, item, &mut errors);
    if errors.is_empty() {
        if let Some(function) = function {
            return match expand::expand(attribute, &options, function) {
                Ok(tokens) => tokens,
                Err(e) => e.to_compile_error(),
            };
        }
    }
    let mut tokens = error::to_compile_errors(&errors);
    tokens.extend(expand::placeholder(attribute, function.as_ref()));
    tokens
}
