//! Batching: how many blocking jobs an operation costs, counted by the crate's per-thread
//! debug counter. Each scenario runs in the future given to `block_on`, which is polled on
//! this thread under both schedulers, so the count is this scenario's alone.

mod common;

use std::future::Future;
use std::io;

use common::{Scratch, pattern};
use corio_fs::File;
use futures_lite::{AsyncReadExt, AsyncWriteExt, StreamExt};

const MIB: usize = 1 << 20;

/// Jobs started by `f`, run to completion under both schedulers; both must agree.
fn jobs<F, Fut>(f: F) -> u64
where
    F: Fn() -> Fut,
    Fut: Future<Output = io::Result<()>>,
{
    let mut counts = Vec::new();
    for rt in [
        corio::Builder::new().current_thread().build(),
        corio::Builder::new().worker_threads(2).build(),
    ] {
        let rt = rt.expect("a runtime");
        let before = corio_fs::blocking_jobs_started();
        rt.block_on(f()).expect("the scenario");
        counts.push(corio_fs::blocking_jobs_started() - before);
    }
    assert_eq!(counts[0], counts[1], "the schedulers disagree");
    counts[0]
}

#[test]
fn a_one_mib_file_read_is_a_handful_of_jobs() {
    let dir = Scratch::new("batch-read");
    let path = dir.join("big");
    std::fs::write(&path, pattern(MIB)).unwrap();

    // open, one read of 1 MiB, and the close when the File drops.
    let n = jobs(|| async {
        let mut f = File::open(&path).await?;
        let mut buf = vec![0; MIB];
        f.read_exact(&mut buf).await?;
        assert!(buf == pattern(MIB));
        Ok(())
    });
    assert_eq!(n, 3, "open + read + close");

    // read_to_end asks for 32 bytes, then doubles: the read-ahead window keeps it few.
    let n = jobs(|| async {
        let mut f = File::open(&path).await?;
        let mut all = Vec::new();
        f.read_to_end(&mut all).await?;
        assert_eq!(all.len(), MIB);
        Ok(())
    });
    eprintln!("read_to_end of 1 MiB: {n} jobs");
    assert!(n <= 8, "read_to_end of 1 MiB took {n} jobs");

    // Through an 8 KiB BufReader: 128 reads of the file, a handful of jobs.
    let n = jobs(|| async {
        let mut r = futures_lite::io::BufReader::new(File::open(&path).await?);
        let mut all = Vec::new();
        r.read_to_end(&mut all).await?;
        assert_eq!(all.len(), MIB);
        Ok(())
    });
    eprintln!("1 MiB through a BufReader: {n} jobs");
    assert!(n <= 10, "a BufReader over 1 MiB took {n} jobs");

    // The whole-file helper: one job.
    let n = jobs(|| async {
        assert_eq!(corio_fs::read(&path).await?.len(), MIB);
        Ok(())
    });
    assert_eq!(n, 1);
}

#[test]
fn a_one_mib_file_write_is_a_handful_of_jobs() {
    let dir = Scratch::new("batch-write");
    let path = dir.join("big");
    let data = pattern(MIB);

    let n = jobs(|| async {
        let mut f = File::create(&path).await?;
        f.write_all(&data).await?;
        f.close().await?;
        Ok(())
    });
    assert_eq!(n, 3, "create + write + close");
    assert!(std::fs::read(&path).unwrap() == data);

    // In 4 KiB pieces: gathered into a few jobs.
    let n = jobs(|| async {
        let mut f = File::create(&path).await?;
        for chunk in data.chunks(4096) {
            f.write_all(chunk).await?;
        }
        f.close().await?;
        Ok(())
    });
    eprintln!("1 MiB in 4 KiB writes: {n} jobs");
    assert!(n <= 12, "1 MiB in 4 KiB writes took {n} jobs");
    assert!(std::fs::read(&path).unwrap() == data);

    let n = jobs(|| async { corio_fs::write(&path, &data).await });
    assert_eq!(n, 1);
}

#[test]
fn a_directory_of_100_entries_is_four_jobs() {
    let dir = Scratch::new("batch-dir");
    for i in 0..100 {
        std::fs::write(dir.join(&i.to_string()), b"").unwrap();
    }
    let n = jobs(|| async {
        let entries = corio_fs::read_dir(dir.path()).await?;
        assert_eq!(entries.count().await, 100);
        Ok(())
    });
    // 32 + 32 + 32 + 4: the first batch comes with the open.
    assert_eq!(n, 4);
}
