//! The synchronisation primitives of the code the loom models check: std's in every normal
//! build (plain re-exports, so nothing changes), loom's under `--cfg corio_loom`.
//!
//! Only the sleep/wake protocols use this module: the thread parker (`parker.rs`), the
//! current-thread loop's sleep (`current_thread.rs`), and the multi-thread scheduler's idle
//! accounting (`multi_thread/idle.rs`) and worker parker (`multi_thread/park.rs`), with the
//! flags of the schedulers' `Shared` that these touch. Everything else keeps std's types, which loom does not see. A loom build is therefore good only for
//! running the models (`cargo xtask loom`, which runs only the `loom_tests` modules): its
//! runtimes must not be started outside a model, where loom's primitives panic.
//!
//! The models and what they check: docs/architecture.md, "Loom models".

#[cfg(not(corio_loom))]
pub(crate) use std::sync::{Condvar, Mutex};

#[cfg(corio_loom)]
pub(crate) use loom::sync::{Condvar, Mutex};

/// Atomics: `std::sync::atomic`, or loom's under `--cfg corio_loom`.
pub(crate) mod atomic {
    #[cfg(not(corio_loom))]
    pub(crate) use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering, fence};

    #[cfg(corio_loom)]
    pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering, fence};
}

/// Locks a mutex whose data cannot be left inconsistent by a panic (see
/// [`parker::lock`](crate::parker::lock), the same helper for std's mutexes elsewhere).
#[cfg(not(corio_loom))]
pub(crate) use crate::parker::lock;

/// Locks a loom mutex, ignoring poisoning like [`parker::lock`](crate::parker::lock).
#[cfg(corio_loom)]
pub(crate) fn lock<T>(m: &Mutex<T>) -> loom::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
