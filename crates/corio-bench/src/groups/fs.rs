//! Files: writing and reading 100 files of 1 MiB each, one after another, through the
//! runtime's file API.

use std::path::PathBuf;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use crate::measure::{Bench, Measurement, Plan, Unit, compare};
use crate::rt::{Fs, Needs, contenders};

const FILES: usize = 100;
const MIB: usize = 1 << 20;

/// The content every file gets: 1 MiB of non-zero bytes.
static DATA: LazyLock<Vec<u8>> = LazyLock::new(|| (0..MIB).map(|i| (i % 251) as u8 + 1).collect());

/// A directory of this process, under the system's temporary directory.
fn dir() -> PathBuf {
    std::env::temp_dir().join(format!("corio-bench-fs-{}", std::process::id()))
}

fn file(i: usize) -> PathBuf {
    dir().join(format!("{i:03}.bin"))
}

/// Writes the `FILES` files.
fn write_files<R: Fs>() -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let data: &'static [u8] = &DATA;
            let started = Instant::now();
            for i in 0..FILES {
                R::write(file(i), data).await.expect("write a file");
            }
            started.elapsed()
        })
    }
}

/// Reads the `FILES` files back.
fn read_files<R: Fs>() -> impl FnMut() -> Duration {
    move || {
        R::run(async move {
            let started = Instant::now();
            for i in 0..FILES {
                let got = R::read(file(i)).await.expect("read a file");
                assert_eq!(got.len(), MIB);
            }
            started.elapsed()
        })
    }
}

pub(crate) fn run(plan: Plan) -> Vec<Measurement> {
    std::fs::create_dir_all(dir()).expect("create the scratch directory");
    let data: &[u8] = &DATA;
    for i in 0..FILES {
        std::fs::write(file(i), data).expect("write a file");
    }
    let bench = |name, about| Bench {
        group: "fs",
        name,
        unit: Unit::PerOp(FILES as u64),
        needs: Needs::Fs,
        about,
    };
    let mut out = compare(
        bench(
            "write_100x1mib",
            "100 files of 1 MiB written (create/truncate + write), one after another; op = one file",
        ),
        plan,
        contenders!(fs: write_files()),
    );
    out.extend(compare(
        bench(
            "read_100x1mib",
            "100 files of 1 MiB read whole (from the page cache), one after another; op = one file",
        ),
        plan,
        contenders!(fs: read_files()),
    ));
    let _ = std::fs::remove_dir_all(dir());
    out
}
