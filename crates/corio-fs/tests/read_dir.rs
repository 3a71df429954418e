//! `read_dir`, `ReadDir` and `DirEntry`, under both schedulers.

mod common;

use std::collections::BTreeSet;
use std::io::ErrorKind;

use common::on_both;
use futures_lite::StreamExt;

#[test]
fn lists_exactly_the_created_entries_across_batches() {
    on_both("readdir-100", |dir| async move {
        let mut expected = BTreeSet::new();
        for i in 0..100 {
            let name = format!("file-{i:03}");
            corio_fs::write(dir.join(&name), [i as u8]).await?;
            expected.insert(name);
        }
        corio_fs::create_dir(dir.join("subdir")).await?;
        expected.insert("subdir".to_owned());

        let mut seen = BTreeSet::new();
        let mut entries = corio_fs::read_dir(&dir).await?;
        assert_eq!(entries.path(), dir.as_path());
        while let Some(entry) = entries.next().await {
            let entry = entry?;
            let name = entry.file_name().into_string().expect("an ASCII name");
            assert_eq!(entry.path(), dir.join(&name));
            let ty = entry.file_type().await?;
            if name == "subdir" {
                assert!(ty.is_dir());
            } else {
                assert!(ty.is_file());
                assert_eq!(entry.metadata().await?.len(), 1);
            }
            assert!(seen.insert(name), "an entry listed twice");
        }
        assert_eq!(seen, expected);
        // Over: stays over.
        assert!(entries.next().await.is_none());
        assert!(entries.next_entry().await?.is_none());
        Ok(())
    });
}

#[test]
fn an_empty_directory_lists_nothing() {
    on_both("readdir-empty", |dir| async move {
        let mut entries = corio_fs::read_dir(&dir).await?;
        assert!(entries.next_entry().await?.is_none());
        Ok(())
    });
}

#[test]
fn a_missing_directory_is_not_found() {
    on_both("readdir-missing", |dir| async move {
        let e = corio_fs::read_dir(dir.join("nope")).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(e.to_string().contains("nope"), "{e}");
        Ok(())
    });
}

#[test]
fn entries_report_symlinks_as_symlinks() {
    on_both("readdir-symlink", |dir| async move {
        corio_fs::write(dir.join("target"), b"x").await?;
        std::os::unix::fs::symlink(dir.join("target"), dir.join("link"))?;
        let mut entries = corio_fs::read_dir(&dir).await?;
        while let Some(entry) = entries.next_entry().await? {
            if entry.file_name() == "link" {
                assert!(entry.file_type().await?.is_symlink());
                assert!(entry.metadata().await?.file_type().is_symlink());
            }
        }
        Ok(())
    });
}

#[test]
fn dropping_a_listing_half_way_is_fine() {
    on_both("readdir-drop", |dir| async move {
        for i in 0..70 {
            corio_fs::write(dir.join(i.to_string()), b"").await?;
        }
        let mut entries = corio_fs::read_dir(&dir).await?;
        for _ in 0..40 {
            entries.next_entry().await?.expect("an entry");
        }
        drop(entries);
        // The directory can be removed and listed again.
        assert_eq!(corio_fs::read_dir(&dir).await?.count().await, 70);
        Ok(())
    });
}
