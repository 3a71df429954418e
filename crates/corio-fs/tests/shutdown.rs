//! After the runtime shuts down, file operations fail with an error; none hangs or panics.

mod common;

use std::io::ErrorKind;
use std::time::Duration;

use common::Scratch;
use corio_fs::File;
use futures_lite::{AsyncReadExt, AsyncWriteExt, StreamExt};

fn runtimes() -> [(&'static str, corio::Runtime); 2] {
    [
        (
            "current-thread",
            corio::Builder::new()
                .current_thread()
                .build()
                .expect("a runtime"),
        ),
        (
            "multi-thread",
            corio::Builder::new()
                .worker_threads(2)
                .build()
                .expect("a runtime"),
        ),
    ]
}

#[test]
fn operations_after_shutdown_fail_instead_of_hanging() {
    for (flavour, rt) in runtimes() {
        let dir = Scratch::new(&format!("shutdown-{flavour}"));
        let path = dir.join("f");
        std::fs::write(&path, b"before").unwrap();
        for i in 0..40 {
            std::fs::write(dir.join(&format!("e{i}")), b"").unwrap();
        }
        // Opened while the runtime runs: a file with buffered writes, one half read, a
        // listing half done.
        let (mut writer, mut reader, mut listing) = rt
            .block_on(async {
                let mut w = File::create(dir.join("w")).await?;
                w.write_all(b"buffered").await?;
                let mut r = File::open(&path).await?;
                let mut two = [0; 2];
                r.read_exact(&mut two).await?;
                let mut l = corio_fs::read_dir(dir.path()).await?;
                l.next_entry().await?;
                std::io::Result::Ok((w, r, l))
            })
            .unwrap();
        assert!(rt.shutdown_timeout(Duration::from_secs(10)));

        rt.block_on(async {
            let e = corio_fs::read(&path).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Other, "{flavour}: {e}");
            assert!(e.to_string().contains("shut down"), "{flavour}: {e}");
            assert!(File::open(&path).await.is_err());
            assert!(writer.flush().await.is_err(), "{flavour}");
            // The refused job did not throw the buffered data away.
            assert_eq!(
                std::fs::read(dir.join("w")).unwrap(),
                b"buffered",
                "{flavour}"
            );
            // Read-ahead already fetched is still handed out; then the pool is needed.
            let mut rest = Vec::new();
            assert!(reader.read_to_end(&mut rest).await.is_err(), "{flavour}");
            // The first batch is in memory; fetching the next fails, and the listing ends.
            let mut results = Vec::new();
            while let Some(r) = listing.next().await {
                results.push(r.is_ok());
            }
            assert_eq!(results.last(), Some(&false), "{flavour}: {results:?}");
        });
        drop((writer, reader, listing));
    }
}
