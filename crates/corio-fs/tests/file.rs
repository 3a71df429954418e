//! `File` and `OpenOptions`, each scenario under both schedulers.

mod common;

use std::io::{ErrorKind, SeekFrom};
use std::time::{Duration, Instant};

use common::{on_both, pattern};
use corio_fs::{File, OpenOptions};
use futures_lite::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

/// 0, 1, 2, … 99.
fn hundred() -> Vec<u8> {
    (0..100).collect()
}

#[test]
fn write_then_read_through_file() {
    on_both("file-roundtrip", |dir| async move {
        let path = dir.join("f");
        let mut f = File::create(&path).await?;
        f.write_all(b"hello, ").await?;
        f.write_all(b"file").await?;
        f.close().await?;
        drop(f);

        let mut f = File::open(&path).await?;
        let mut s = String::new();
        f.read_to_string(&mut s).await?;
        assert_eq!(s, "hello, file");
        // At the end: reads give 0, again and again.
        assert_eq!(f.read(&mut [0; 8]).await?, 0);
        assert_eq!(f.read(&mut [0; 8]).await?, 0);
        Ok(())
    });
}

#[test]
fn opening_a_missing_file_is_not_found() {
    on_both("file-missing", |dir| async move {
        let e = File::open(dir.join("nope")).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(e.to_string().contains("nope"), "{e}");
        Ok(())
    });
}

#[test]
fn create_new_on_an_existing_file_is_already_exists() {
    on_both("file-createnew", |dir| async move {
        let path = dir.join("f");
        let mut f = File::create_new(&path).await?;
        f.write_all(b"first").await?;
        f.close().await?;
        let e = File::create_new(&path).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AlreadyExists);
        let e = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AlreadyExists);
        assert_eq!(corio_fs::read(&path).await?, b"first");
        Ok(())
    });
}

#[test]
fn append_writes_at_the_end_wherever_the_cursor_is() {
    on_both("file-append", |dir| async move {
        let path = dir.join("log");
        corio_fs::write(&path, b"one\n").await?;
        let mut f = OpenOptions::new().append(true).open(&path).await?;
        f.write_all(b"two\n").await?;
        f.flush().await?;
        f.seek(SeekFrom::Start(0)).await?;
        f.write_all(b"three\n").await?;
        f.close().await?;
        assert_eq!(corio_fs::read(&path).await?, b"one\ntwo\nthree\n");
        Ok(())
    });
}

#[test]
fn truncate_or_overwrite_in_place() {
    on_both("file-truncate", |dir| async move {
        let path = dir.join("f");
        corio_fs::write(&path, b"0123456789").await?;
        // Without truncate: overwrites the start, keeps the rest.
        let mut f = OpenOptions::new().write(true).open(&path).await?;
        f.write_all(b"ab").await?;
        f.close().await?;
        assert_eq!(corio_fs::read(&path).await?, b"ab23456789");
        // With truncate: empty from the start.
        let mut f = OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&path)
            .await?;
        assert_eq!(f.metadata().await?.len(), 0);
        f.write_all(b"xy").await?;
        f.close().await?;
        assert_eq!(corio_fs::read(&path).await?, b"xy");
        // File::create truncates too.
        drop(File::create(&path).await?);
        assert_eq!(corio_fs::metadata(&path).await?.len(), 0);
        Ok(())
    });
}

#[test]
fn seek_after_partial_reads_counts_from_what_was_handed_out() {
    on_both("file-seek-read", |dir| async move {
        let path = dir.join("f");
        corio_fs::write(&path, hundred()).await?;
        let mut f = File::open(&path).await?;
        let mut ten = [0; 10];
        f.read_exact(&mut ten).await?; // the job read all 100 bytes ahead
        assert_eq!(ten, *b"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09");
        assert_eq!(f.seek(SeekFrom::Current(0)).await?, 10);
        assert_eq!(f.seek(SeekFrom::Current(5)).await?, 15);
        let mut one = [0; 1];
        f.read_exact(&mut one).await?;
        assert_eq!(one[0], 15);
        assert_eq!(f.seek(SeekFrom::End(-3)).await?, 97);
        f.read_exact(&mut one).await?;
        assert_eq!(one[0], 97);
        assert_eq!(f.seek(SeekFrom::Start(50)).await?, 50);
        f.read_exact(&mut one).await?;
        assert_eq!(one[0], 50);
        // Backwards, relative to the handed-out position (51).
        assert_eq!(f.seek(SeekFrom::Current(-41)).await?, 10);
        f.read_exact(&mut one).await?;
        assert_eq!(one[0], 10);
        // Before the start: an error, not a panic, and the file still works.
        let e = f.seek(SeekFrom::Current(-1000)).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        f.read_exact(&mut one).await?;
        assert_eq!(one[0], 11);
        Ok(())
    });
}

#[test]
fn seek_after_buffered_writes_counts_them() {
    on_both("file-seek-write", |dir| async move {
        let path = dir.join("f");
        let mut f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .await?;
        f.write_all(b"0123456789").await?; // still in the buffer
        assert_eq!(f.seek(SeekFrom::Current(0)).await?, 10);
        assert_eq!(f.seek(SeekFrom::Start(2)).await?, 2);
        f.write_all(b"ab").await?;
        assert_eq!(f.seek(SeekFrom::Current(1)).await?, 5);
        f.write_all(b"X").await?;
        assert_eq!(f.seek(SeekFrom::End(0)).await?, 10);
        f.write_all(b"!").await?;
        f.seek(SeekFrom::Start(0)).await?;
        let mut all = Vec::new();
        f.read_to_end(&mut all).await?;
        assert_eq!(all, b"01ab4X6789!");
        Ok(())
    });
}

#[test]
fn writing_after_a_partial_read_lands_at_the_read_position() {
    on_both("file-read-write", |dir| async move {
        let path = dir.join("f");
        corio_fs::write(&path, b"abcdef").await?;
        let mut f = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .await?;
        let mut two = [0; 2];
        f.read_exact(&mut two).await?; // "abcdef" read ahead, "ab" handed out
        f.write_all(b"XY").await?;
        let mut rest = [0; 2];
        f.read_exact(&mut rest).await?; // the buffered write goes first
        assert_eq!(&rest, b"ef");
        f.close().await?;
        assert_eq!(corio_fs::read(&path).await?, b"abXYef");
        Ok(())
    });
}

#[test]
fn one_mib_through_a_file() {
    on_both("file-mib", |dir| async move {
        let path = dir.join("big");
        let data = pattern(1 << 20);
        let mut f = File::create(&path).await?;
        f.write_all(&data).await?;
        f.close().await?;
        assert!(corio_fs::read(&path).await? == data);

        let mut f = File::open(&path).await?;
        let mut back = vec![0; 1 << 20];
        f.read_exact(&mut back).await?;
        assert!(back == data);
        assert_eq!(f.read(&mut [0; 16]).await?, 0);

        let mut f = File::open(&path).await?;
        let mut again = Vec::new();
        f.read_to_end(&mut again).await?;
        assert!(again == data);

        // Bigger than one job's buffer: several jobs, still in order.
        let five = pattern(5 << 20);
        let mut f = File::create(&path).await?;
        f.write_all(&five).await?;
        f.close().await?;
        let mut f = File::open(&path).await?;
        let mut back = Vec::new();
        f.read_to_end(&mut back).await?;
        assert!(back == five);
        Ok(())
    });
}

#[test]
fn many_small_writes_arrive_in_order() {
    on_both("file-small-writes", |dir| async move {
        let path = dir.join("f");
        let mut f = File::create(&path).await?;
        let mut expected = Vec::new();
        for i in 0..20_000u32 {
            let line = format!("{i}\n");
            f.write_all(line.as_bytes()).await?;
            expected.extend_from_slice(line.as_bytes());
        }
        f.close().await?;
        assert!(corio_fs::read(&path).await? == expected);
        Ok(())
    });
}

#[test]
fn close_flushes_without_a_drop() {
    on_both("file-close", |dir| async move {
        let path = dir.join("f");
        let mut f = File::create(&path).await?;
        f.write_all(b"flushed by close").await?;
        assert_eq!(
            corio_fs::metadata(&path).await?.len(),
            0,
            "a small write is buffered"
        );
        f.close().await?;
        // The File is still alive: close flushed it.
        assert_eq!(corio_fs::read(&path).await?, b"flushed by close");
        f.write_all(b"; and more").await?;
        f.flush().await?;
        assert_eq!(corio_fs::read(&path).await?, b"flushed by close; and more");
        Ok(())
    });
}

#[test]
fn dropping_a_file_with_buffered_writes_still_writes_them() {
    on_both("file-drop", |dir| async move {
        let path = dir.join("f");
        let mut f = File::create(&path).await?;
        f.write_all(b"written on drop").await?;
        drop(f);
        // In the background: wait for it, within reason.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if corio_fs::read(&path).await? == b"written on drop" {
                return Ok(());
            }
            assert!(Instant::now() < deadline, "the buffered write never landed");
            corio::sleep(Duration::from_millis(1)).await;
        }
    });
}

#[test]
fn a_failed_write_is_reported_by_flush() {
    on_both("file-write-error", |dir| async move {
        let path = dir.join("f");
        corio_fs::write(&path, b"read only").await?;
        let mut f = File::open(&path).await?; // read-only
        // Buffered: accepted now, refused by the OS when written.
        f.write_all(b"nope").await?;
        let e = f.flush().await.unwrap_err();
        assert_eq!(e.raw_os_error(), Some(9), "EBADF: {e}");
        // Reported once; the file is still usable.
        f.flush().await?;
        let mut s = String::new();
        f.read_to_string(&mut s).await?;
        assert_eq!(s, "read only");
        Ok(())
    });
}

#[test]
fn set_len_truncates_and_extends() {
    on_both("file-setlen", |dir| async move {
        let path = dir.join("f");
        corio_fs::write(&path, hundred()).await?;
        let mut f = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .await?;
        let mut ten = [0; 10];
        f.read_exact(&mut ten).await?; // 90 more bytes read ahead
        f.set_len(5).await?;
        assert_eq!(f.metadata().await?.len(), 5);
        // The position (10) is past the new end: nothing to read, read-ahead or not.
        assert_eq!(f.read(&mut [0; 10]).await?, 0);
        f.set_len(20).await?;
        f.seek(SeekFrom::Start(0)).await?;
        let mut all = Vec::new();
        f.read_to_end(&mut all).await?;
        assert_eq!(all, [&hundred()[..5], &[0; 15]].concat());
        // Pending writes go out before the length changes.
        f.seek(SeekFrom::Start(0)).await?;
        f.write_all(&[9; 30]).await?;
        f.set_len(25).await?;
        assert_eq!(corio_fs::read(&path).await?, vec![9; 25]);
        Ok(())
    });
}

#[test]
fn sync_all_and_sync_data_write_the_buffer() {
    on_both("file-sync", |dir| async move {
        let path = dir.join("f");
        let mut f = File::create(&path).await?;
        f.write_all(b"durable").await?;
        f.sync_all().await?;
        assert_eq!(corio_fs::read(&path).await?, b"durable");
        f.write_all(b" data").await?;
        f.sync_data().await?;
        assert_eq!(corio_fs::read(&path).await?, b"durable data");
        Ok(())
    });
}

#[test]
fn file_metadata_and_permissions() {
    use std::os::unix::fs::PermissionsExt;
    on_both("file-meta", |dir| async move {
        let path = dir.join("f");
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .mode(0o600)
            .open(&path)
            .await?;
        let meta = f.metadata().await?;
        assert!(meta.is_file());
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        f.write_all(&[0; 77]).await?;
        f.flush().await?;
        assert_eq!(f.metadata().await?.len(), 77);
        f.set_permissions(std::fs::Permissions::from_mode(0o644))
            .await?;
        assert_eq!(
            corio_fs::metadata(&path).await?.permissions().mode() & 0o777,
            0o644
        );
        Ok(())
    });
}

#[test]
fn into_std_continues_where_the_file_stopped() {
    use std::io::{Read, Write};
    on_both("file-intostd", |dir| async move {
        let path = dir.join("f");
        corio_fs::write(&path, b"abcdef").await?;
        let mut f = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .await?;
        let mut two = [0; 2];
        f.read_exact(&mut two).await?;
        let mut std_file = f.into_std().await?;
        let mut rest = String::new();
        std_file.read_to_string(&mut rest)?;
        assert_eq!(rest, "cdef");

        // And back: writes buffered in the async file are in the std file's view.
        let mut f = File::from_std(std_file);
        f.write_all(b"gh").await?;
        let mut std_file = f.into_std().await?;
        std_file.write_all(b"ij")?;
        drop(std_file);
        assert_eq!(corio_fs::read(&path).await?, b"abcdefghij");
        Ok(())
    });
}

#[test]
fn an_abandoned_read_is_not_lost() {
    on_both("file-abandoned", |dir| async move {
        let path = dir.join("f");
        corio_fs::write(&path, hundred()).await?;
        let mut f = File::open(&path).await?;
        // Start a read and drop it, usually before its job is done (if the pool was quick
        // enough, the read completed and handed out its bytes).
        let handed_out = {
            let mut buf = [0; 10];
            let read = f.read(&mut buf);
            match futures_lite::future::poll_once(read).await {
                Some(n) => n?,
                None => 0,
            }
        };
        // The next read goes on from there, whoever's job fetched the data.
        let mut rest = Vec::new();
        f.read_to_end(&mut rest).await?;
        assert_eq!(rest, hundred()[handed_out..]);
        Ok(())
    });
}

#[test]
fn debug_output_shows_the_buffer() {
    on_both("file-debug", |dir| async move {
        let mut f = File::create(dir.join("f")).await?;
        f.write_all(b"abc").await?;
        let shown = format!("{f:?}");
        assert!(shown.contains("pending_writes: 3"), "{shown}");
        Ok(())
    });
}

#[test]
fn the_types_can_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<File>();
    send_sync::<OpenOptions>();
    send_sync::<corio_fs::ReadDir>();
    send_sync::<corio_fs::DirEntry>();
}

#[test]
fn from_std_then_into_std_needs_no_job_when_nothing_is_buffered() {
    let dir = common::Scratch::new("file-fromstd-nojob");
    let std_file = std::fs::File::create(dir.join("f")).unwrap();
    let rt = corio::Builder::new().current_thread().build().unwrap();
    let before = corio_fs::blocking_jobs_started();
    let back = rt.block_on(File::from_std(std_file).into_std()).unwrap();
    assert_eq!(corio_fs::blocking_jobs_started(), before);
    drop(back);
}
