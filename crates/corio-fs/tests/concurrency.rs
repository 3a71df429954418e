//! Many tasks reading and writing many files at once, under both schedulers.

mod common;

use common::{on_both, pattern};
use corio_fs::File;
use futures_lite::{AsyncReadExt, AsyncWriteExt};

#[test]
fn many_tasks_read_many_files() {
    on_both("concurrent-reads", |dir| async move {
        const FILES: usize = 64;
        for i in 0..FILES {
            corio_fs::write(dir.join(i.to_string()), pattern(10_000 + i)).await?;
        }
        let tasks: Vec<_> = (0..FILES * 4)
            .map(|t| {
                let path = dir.join((t % FILES).to_string());
                corio::spawn(async move {
                    let want = pattern(10_000 + t % FILES);
                    // Half through the whole-file helper, half through a File.
                    let got = if t % 2 == 0 {
                        corio_fs::read(&path).await?
                    } else {
                        let mut v = Vec::new();
                        File::open(&path).await?.read_to_end(&mut v).await?;
                        v
                    };
                    assert!(got == want, "file {} came back wrong", t % FILES);
                    std::io::Result::Ok(())
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("the task ran")?;
        }
        Ok(())
    });
}

#[test]
fn many_tasks_write_their_own_files() {
    on_both("concurrent-writes", |dir| async move {
        let tasks: Vec<_> = (0..32)
            .map(|i| {
                let path = dir.join(format!("w{i}"));
                corio::spawn(async move {
                    let mut f = File::create(&path).await?;
                    for chunk in pattern(200_000 + i).chunks(3000) {
                        f.write_all(chunk).await?;
                    }
                    f.close().await?;
                    std::io::Result::Ok(())
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("the task ran")?;
        }
        for i in 0..32 {
            assert!(corio_fs::read(dir.join(format!("w{i}"))).await? == pattern(200_000 + i));
        }
        Ok(())
    });
}
