//! `DirEntry`: one entry of a [`ReadDir`](crate::ReadDir) listing.

use std::ffi::OsString;
use std::fs::{FileType, Metadata};
use std::io;
use std::path::PathBuf;

use crate::error;
use crate::pool::unblock;

/// An entry of a directory listing (from [`read_dir`](crate::read_dir)).
///
/// Its path, name and (usually) file type were read along with the listing, so
/// [`path`](DirEntry::path) and [`file_name`](DirEntry::file_name) cost nothing and
/// [`file_type`](DirEntry::file_type) rarely costs a job. The entry does not keep the
/// directory open.
///
/// ```
/// use futures_lite::StreamExt;
///
/// let dir = std::env::temp_dir().join(format!("corio-fs-doc-entry-{}", std::process::id()));
/// corio::run(async {
///     corio_fs::create_dir_all(&dir).await?;
///     corio_fs::write(dir.join("data.bin"), [1u8; 10]).await?;
///     let entry = corio_fs::read_dir(&dir).await?.next().await.expect("one entry")?;
///     assert_eq!(entry.file_name(), "data.bin");
///     assert_eq!(entry.path(), dir.join("data.bin"));
///     assert!(entry.file_type().await?.is_file());
///     assert_eq!(entry.metadata().await?.len(), 10);
///     corio_fs::remove_dir_all(&dir).await
/// })?;
/// # std::io::Result::Ok(())
/// ```
#[derive(Debug, Clone)]
pub struct DirEntry {
    path: PathBuf,
    /// From the listing (`d_type`, or an `lstat` on the pool where the file system does not
    /// give it); `None` if that failed, and then asked again on demand.
    file_type: Option<FileType>,
    #[cfg(unix)]
    ino: u64,
}

impl DirEntry {
    /// On a pool thread: copies what is known of `entry`, so the entry owns no handle to the
    /// directory (which is then closed on the pool, not by whoever drops the last entry).
    pub(crate) fn new(entry: std::fs::DirEntry) -> DirEntry {
        DirEntry {
            file_type: entry.file_type().ok(),
            #[cfg(unix)]
            ino: std::os::unix::fs::DirEntryExt::ino(&entry),
            path: entry.path(),
        }
    }

    /// The entry's full path: the listed directory's path joined with the entry's name.
    ///
    /// ```
    /// use futures_lite::StreamExt;
    ///
    /// let dir = std::env::temp_dir().join(format!("corio-fs-doc-entrypath-{}", std::process::id()));
    /// corio::run(async {
    ///     corio_fs::create_dir_all(dir.join("child")).await?;
    ///     let entry = corio_fs::read_dir(&dir).await?.next().await.expect("one entry")?;
    ///     assert_eq!(entry.path(), dir.join("child"));
    ///     corio_fs::remove_dir_all(&dir).await
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// The entry's name within its directory.
    ///
    /// ```
    /// use futures_lite::StreamExt;
    ///
    /// let dir = std::env::temp_dir().join(format!("corio-fs-doc-entryname-{}", std::process::id()));
    /// corio::run(async {
    ///     corio_fs::create_dir_all(&dir).await?;
    ///     corio_fs::write(dir.join("notes.txt"), b"").await?;
    ///     let entry = corio_fs::read_dir(&dir).await?.next().await.expect("one entry")?;
    ///     assert_eq!(entry.file_name(), "notes.txt");
    ///     corio_fs::remove_dir_all(&dir).await
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn file_name(&self) -> OsString {
        self.path
            .file_name()
            .map(ToOwned::to_owned)
            .unwrap_or_default()
    }

    /// The entry's type, not following a symbolic link (a link is reported as a link).
    /// Usually known from the listing; otherwise one job asks the OS.
    ///
    /// ```
    /// use futures_lite::StreamExt;
    ///
    /// let dir = std::env::temp_dir().join(format!("corio-fs-doc-entrytype-{}", std::process::id()));
    /// corio::run(async {
    ///     corio_fs::create_dir_all(dir.join("sub")).await?;
    ///     let entry = corio_fs::read_dir(&dir).await?.next().await.expect("one entry")?;
    ///     assert!(entry.file_type().await?.is_dir());
    ///     corio_fs::remove_dir_all(&dir).await
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn file_type(&self) -> io::Result<FileType> {
        match self.file_type {
            Some(t) => Ok(t),
            None => self.metadata().await.map(|m| m.file_type()),
        }
    }

    /// The entry's metadata, not following a symbolic link (as `std::fs::DirEntry::metadata`
    /// does on Unix), in one job.
    ///
    /// ```
    /// use futures_lite::StreamExt;
    ///
    /// let dir = std::env::temp_dir().join(format!("corio-fs-doc-entrymeta-{}", std::process::id()));
    /// corio::run(async {
    ///     corio_fs::create_dir_all(&dir).await?;
    ///     corio_fs::write(dir.join("five"), b"12345").await?;
    ///     let entry = corio_fs::read_dir(&dir).await?.next().await.expect("one entry")?;
    ///     assert_eq!(entry.metadata().await?.len(), 5);
    ///     corio_fs::remove_dir_all(&dir).await
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let path = self.path.clone();
        unblock(move || {
            std::fs::symlink_metadata(&path)
                .map_err(|e| error::at(e, "read the metadata of", &path))
        })
        .await
    }

    /// The entry's inode number, from the listing.
    ///
    /// ```
    /// use futures_lite::StreamExt;
    /// use std::os::unix::fs::MetadataExt;
    ///
    /// let dir = std::env::temp_dir().join(format!("corio-fs-doc-entryino-{}", std::process::id()));
    /// corio::run(async {
    ///     corio_fs::create_dir_all(&dir).await?;
    ///     corio_fs::write(dir.join("f"), b"").await?;
    ///     let entry = corio_fs::read_dir(&dir).await?.next().await.expect("one entry")?;
    ///     assert_eq!(entry.ino(), entry.metadata().await?.ino());
    ///     corio_fs::remove_dir_all(&dir).await
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    #[cfg(unix)]
    pub fn ino(&self) -> u64 {
        self.ino
    }
}
