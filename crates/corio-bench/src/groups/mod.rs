//! The benchmark groups: each a list of workloads, each workload written once against the
//! runtime adapter ([`crate::rt`]) and run on every runtime that has what it needs.

use crate::measure::{Measurement, Plan};

mod channel;
pub(crate) mod executor;
mod fs;
mod http;
pub(crate) mod net;
mod process;
mod sync;
mod tasks;
mod timer;

/// Runs every benchmark of one group.
pub(crate) type Group = fn(Plan) -> Vec<Measurement>;

/// The benchmark groups, in the order they run.
pub(crate) const GROUPS: &[(&str, Group)] = &[
    ("executor", executor::run),
    ("timer", timer::run),
    ("tasks", tasks::run),
    ("sync", sync::run),
    ("channel", channel::run),
    ("net", net::run),
    ("process", process::run),
    ("fs", fs::run),
    ("http", http::run),
];
