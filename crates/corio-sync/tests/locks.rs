//! The lock-family suite under `futures_lite::future::block_on` and plain threads.

fn run<F: std::future::Future>(f: F) -> F::Output {
    futures_lite::future::block_on(f)
}

include!("suite/locks.rs");
