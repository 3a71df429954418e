//! Shared by the test files: each scenario runs under both of corio's schedulers, in a
//! scratch directory of its own.

#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh directory under the system's temporary directory, removed on drop.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("corio-fs-test-{}-{name}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the scratch directory");
        Scratch(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `scenario` (given a scratch directory of its own) under a current-thread runtime,
/// on the thread in `block_on`, then under a multi-thread runtime as a task on its workers.
/// A failure names the flavour.
pub fn on_both<F, Fut>(name: &str, scenario: F)
where
    F: Fn(PathBuf) -> Fut,
    Fut: Future<Output = io::Result<()>> + Send + 'static,
{
    let ct = corio::Builder::new()
        .current_thread()
        .build()
        .expect("a current-thread runtime");
    let dir = Scratch::new(&format!("{name}-ct"));
    if let Err(e) = ct.block_on(scenario(dir.path().to_owned())) {
        panic!("{name} under the current-thread runtime: {e}");
    }
    drop(dir);

    let mt = corio::Builder::new()
        .worker_threads(2)
        .build()
        .expect("a multi-thread runtime");
    let dir = Scratch::new(&format!("{name}-mt"));
    let task = mt
        .spawn(scenario(dir.path().to_owned()))
        .expect("the runtime runs");
    match mt.block_on(task) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("{name} under the multi-thread runtime: {e}"),
        Err(e) => panic!("{name} under the multi-thread runtime: the task failed: {e}"),
    }
}

/// `len` bytes that differ from their neighbours, so misplaced data shows.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}
