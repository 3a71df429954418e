//! corio-sync's suites again, with corio driving them: each `run` / `block_on` is a corio
//! runtime, so the primitives are woken by corio's wakers here and by futures-lite's in
//! corio-sync's own tests.

mod locks {
    fn run<F: std::future::Future>(f: F) -> F::Output {
        corio::run(f)
    }

    include!("../../corio-sync/tests/suite/locks.rs");
}

/// One current-thread runtime per thread: the suites call `block_on` per operation from
/// many threads.
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    thread_local! {
        static RT: corio::Runtime = corio::Builder::new()
            .current_thread()
            .build()
            .expect("a corio runtime");
    }
    RT.with(|rt| rt.block_on(f))
}

mod queue {
    use super::block_on;

    include!("../../corio-sync/tests/suite/queue.rs");
}

mod channels {
    use super::block_on;

    include!("../../corio-sync/tests/suite/channels.rs");
}
