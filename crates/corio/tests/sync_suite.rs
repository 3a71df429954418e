//! corio-sync's lock-family suite again, each scenario as the root task of a corio
//! runtime: the primitives are driven by corio's wakers here, by futures-lite's there.

use corio::sync as corio_sync;

fn run<F>(f: F) -> F::Output
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    corio::run(f)
}

include!("../../corio-sync/tests/suite/locks.rs");
