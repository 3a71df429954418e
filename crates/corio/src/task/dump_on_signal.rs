//! `Builder::dump_tasks_on_sigusr1`: prints the task dump each time the process receives
//! `SIGUSR1`.
//!
//! The dump is taken on a thread of its own rather than in a task: a dump is most wanted when
//! the loop is stuck in some task, and then no task of that runtime would run.

use std::io;
use std::sync::Arc;
use std::thread::JoinHandle;

use corio_executor::Handle;
use corio_process::signal::{Signal, Signals};
use corio_sync::Event;
use futures_lite::future;

/// The thread that waits for `SIGUSR1`; dropping this stops it.
pub(crate) struct DumpOnSignal {
    stop: Arc<Event>,
    thread: Option<JoinHandle<()>>,
}

impl DumpOnSignal {
    /// Watches `SIGUSR1` from now on (its default action, ending the process, is suspended
    /// while this lives) and dumps `runtime`'s tasks on each delivery.
    pub(crate) fn start(runtime: Handle) -> io::Result<DumpOnSignal> {
        let mut signals = Signals::new([Signal::USR1])?;
        let stop = Arc::new(Event::new());
        let stopped = stop.clone();
        let thread = std::thread::Builder::new()
            .name("corio-task-dump".into())
            .spawn(move || {
                while future::block_on(future::or(async { Some(signals.recv().await) }, async {
                    stopped.wait().await;
                    None
                }))
                .is_some()
                {
                    eprintln!("{}", runtime.dump());
                }
            })?;
        Ok(DumpOnSignal {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for DumpOnSignal {
    fn drop(&mut self) {
        self.stop.set();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
