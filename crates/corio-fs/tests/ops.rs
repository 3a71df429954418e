//! The path functions, each under both schedulers.

mod common;

use std::io::ErrorKind;

use common::{on_both, pattern};

#[test]
fn write_then_read_round_trips() {
    on_both("roundtrip", |dir| async move {
        let path = dir.join("f");
        corio_fs::write(&path, b"hello").await?;
        assert_eq!(corio_fs::read(&path).await?, b"hello");
        // Writing again truncates.
        corio_fs::write(&path, b"hi").await?;
        assert_eq!(corio_fs::read(&path).await?, b"hi");
        assert_eq!(corio_fs::read_to_string(&path).await?, "hi");
        // Empty file.
        corio_fs::write(&path, b"").await?;
        assert!(corio_fs::read(&path).await?.is_empty());
        Ok(())
    });
}

#[test]
fn one_mib_whole_file_round_trip() {
    on_both("mib", |dir| async move {
        let path = dir.join("big");
        let data = pattern(1 << 20);
        corio_fs::write(&path, &data).await?;
        assert_eq!(corio_fs::metadata(&path).await?.len(), 1 << 20);
        assert!(corio_fs::read(&path).await? == data);
        Ok(())
    });
}

#[test]
fn reading_a_missing_file_is_not_found_and_names_it() {
    on_both("missing", |dir| async move {
        let path = dir.join("nope");
        let e = corio_fs::read(&path).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(e.to_string().contains(&*path.to_string_lossy()), "{e}");
        // The OS error is the source.
        let os = std::error::Error::source(&e).and_then(|s| s.downcast_ref::<std::io::Error>());
        assert_eq!(os.and_then(std::io::Error::raw_os_error), Some(2));
        assert_eq!(
            corio_fs::read_to_string(&path).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            corio_fs::metadata(&path).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            corio_fs::remove_file(&path).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        Ok(())
    });
}

#[test]
fn read_to_string_rejects_invalid_utf8() {
    on_both("utf8", |dir| async move {
        let path = dir.join("bin");
        corio_fs::write(&path, [0xff, 0xfe, 0xfd]).await?;
        let e = corio_fs::read_to_string(&path).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidData);
        Ok(())
    });
}

#[test]
fn metadata_and_symlink_metadata() {
    on_both("metadata", |dir| async move {
        let path = dir.join("f");
        corio_fs::write(&path, [1u8; 1234]).await?;
        let meta = corio_fs::metadata(&path).await?;
        assert!(meta.is_file());
        assert_eq!(meta.len(), 1234);
        assert!(corio_fs::metadata(&dir).await?.is_dir());

        let link = dir.join("link");
        std::os::unix::fs::symlink(&path, &link)?;
        assert!(
            corio_fs::symlink_metadata(&link)
                .await?
                .file_type()
                .is_symlink()
        );
        assert_eq!(corio_fs::metadata(&link).await?.len(), 1234);
        assert_eq!(corio_fs::read_link(&link).await?, path);
        assert_eq!(
            corio_fs::canonicalize(&link).await?,
            corio_fs::canonicalize(&path).await?
        );
        Ok(())
    });
}

#[test]
fn directories_are_created_and_removed() {
    on_both("dirs", |dir| async move {
        let sub = dir.join("a");
        corio_fs::create_dir(&sub).await?;
        assert_eq!(
            corio_fs::create_dir(&sub).await.unwrap_err().kind(),
            ErrorKind::AlreadyExists
        );
        // The parent must exist for create_dir, not for create_dir_all.
        let deep = dir.join("x/y/z");
        assert_eq!(
            corio_fs::create_dir(&deep).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
        corio_fs::create_dir_all(&deep).await?;
        corio_fs::create_dir_all(&deep).await?; // already there: fine
        assert!(corio_fs::metadata(&deep).await?.is_dir());

        corio_fs::remove_dir(&sub).await?;
        assert!(!corio_fs::try_exists(&sub).await?);

        // remove_dir refuses a non-empty directory; remove_dir_all takes the tree.
        corio_fs::write(deep.join("file"), b"x").await?;
        assert!(corio_fs::remove_dir(dir.join("x")).await.is_err());
        corio_fs::remove_dir_all(dir.join("x")).await?;
        assert!(!corio_fs::try_exists(dir.join("x")).await?);
        assert_eq!(
            corio_fs::remove_dir_all(dir.join("x"))
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::NotFound
        );
        Ok(())
    });
}

#[test]
fn rename_moves_and_replaces() {
    on_both("rename", |dir| async move {
        let (a, b) = (dir.join("a"), dir.join("b"));
        corio_fs::write(&a, b"first").await?;
        corio_fs::write(&b, b"old").await?;
        corio_fs::rename(&a, &b).await?;
        assert!(!corio_fs::try_exists(&a).await?);
        assert_eq!(corio_fs::read(&b).await?, b"first");
        let e = corio_fs::rename(&a, &b).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        let msg = e.to_string();
        assert!(
            msg.contains(&*a.to_string_lossy()) && msg.contains(&*b.to_string_lossy()),
            "{msg}"
        );
        Ok(())
    });
}

#[test]
fn copy_copies_contents_and_counts_bytes() {
    on_both("copy", |dir| async move {
        let (a, b) = (dir.join("a"), dir.join("b"));
        let data = pattern(300_000);
        corio_fs::write(&a, &data).await?;
        assert_eq!(corio_fs::copy(&a, &b).await?, 300_000);
        assert!(corio_fs::read(&b).await? == data);
        assert!(corio_fs::read(&a).await? == data);
        assert_eq!(
            corio_fs::copy(dir.join("missing"), &b)
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::NotFound
        );
        Ok(())
    });
}

#[test]
fn hard_link_shares_the_file() {
    on_both("hardlink", |dir| async move {
        let (a, b) = (dir.join("a"), dir.join("b"));
        corio_fs::write(&a, b"shared").await?;
        corio_fs::hard_link(&a, &b).await?;
        corio_fs::write(&a, b"changed").await?;
        assert_eq!(corio_fs::read(&b).await?, b"changed");
        assert_eq!(
            corio_fs::hard_link(&a, &b).await.unwrap_err().kind(),
            ErrorKind::AlreadyExists
        );
        Ok(())
    });
}

#[test]
fn set_permissions_and_try_exists() {
    use std::os::unix::fs::PermissionsExt;
    on_both("perms", |dir| async move {
        let path = dir.join("f");
        assert!(!corio_fs::try_exists(&path).await?);
        corio_fs::write(&path, b"x").await?;
        assert!(corio_fs::try_exists(&path).await?);
        corio_fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).await?;
        let mode = corio_fs::metadata(&path).await?.permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        Ok(())
    });
}

#[test]
fn canonicalize_resolves_dots() {
    on_both("canon", |dir| async move {
        corio_fs::create_dir(dir.join("sub")).await?;
        let canon = corio_fs::canonicalize(dir.join("sub/../sub/.")).await?;
        assert_eq!(canon, corio_fs::canonicalize(dir.join("sub")).await?);
        assert!(canon.is_absolute());
        assert_eq!(
            corio_fs::canonicalize(dir.join("nope"))
                .await
                .unwrap_err()
                .kind(),
            ErrorKind::NotFound
        );
        Ok(())
    });
}

#[test]
fn the_helpers_work_outside_any_runtime() {
    let dir = common::Scratch::new("noruntime");
    let path = dir.join("f");
    futures_lite::future::block_on(async {
        corio_fs::write(&path, b"plain block_on").await?;
        assert_eq!(corio_fs::read(&path).await?, b"plain block_on");
        std::io::Result::Ok(())
    })
    .unwrap();
}
