//! The path operations: `std::fs`'s free functions, each one job on the blocking pool.
//!
//! Each function does the whole operation in a single job — `read` opens, sizes, reads and
//! closes the file in one trip to the pool — so its cost is one hand-off to a pool thread
//! and one wake-up back, whatever the file's size.

use std::fs::{Metadata, Permissions};
use std::io;
use std::path::{Path, PathBuf};

use crate::error;
use crate::pool::unblock;

/// Reads the whole file at `path` (`std::fs::read`), in one job on the blocking pool.
///
/// Errors name the path and keep the OS error's kind: a missing file is
/// [`io::ErrorKind::NotFound`].
///
/// ```
/// let path = std::env::temp_dir().join(format!("corio-fs-doc-read-{}", std::process::id()));
/// corio::run(async {
///     corio_fs::write(&path, b"hello").await?;
///     assert_eq!(corio_fs::read(&path).await?, b"hello");
///     corio_fs::remove_file(&path).await?;
///     let missing = corio_fs::read(&path).await.unwrap_err();
///     assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = path.as_ref().to_owned();
    unblock(move || std::fs::read(&path).map_err(|e| error::at(e, "read", &path))).await
}

/// Reads the whole file at `path` as UTF-8 text (`std::fs::read_to_string`); invalid UTF-8
/// is an [`io::ErrorKind::InvalidData`] error.
///
/// ```
/// let path = std::env::temp_dir().join(format!("corio-fs-doc-rts-{}", std::process::id()));
/// corio::run(async {
///     corio_fs::write(&path, "héllo").await?;
///     assert_eq!(corio_fs::read_to_string(&path).await?, "héllo");
///     corio_fs::remove_file(&path).await
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn read_to_string(path: impl AsRef<Path>) -> io::Result<String> {
    let path = path.as_ref().to_owned();
    unblock(move || std::fs::read_to_string(&path).map_err(|e| error::at(e, "read", &path))).await
}

/// Creates (or truncates) the file at `path` and writes all of `contents` to it
/// (`std::fs::write`), in one job on the blocking pool.
///
/// `contents` is copied first: the job runs on another thread and may outlive this future
/// if it is dropped.
///
/// ```
/// let path = std::env::temp_dir().join(format!("corio-fs-doc-write-{}", std::process::id()));
/// corio::run(async {
///     corio_fs::write(&path, vec![7u8; 1000]).await?;
///     assert_eq!(corio_fs::metadata(&path).await?.len(), 1000);
///     corio_fs::remove_file(&path).await
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn write(path: impl AsRef<Path>, contents: impl AsRef<[u8]>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    let contents = contents.as_ref().to_vec();
    unblock(move || std::fs::write(&path, contents).map_err(|e| error::at(e, "write", &path))).await
}

/// The metadata of `path`, following symbolic links (`std::fs::metadata`).
///
/// ```
/// corio::run(async {
///     let meta = corio_fs::metadata(std::env::temp_dir()).await?;
///     assert!(meta.is_dir());
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let path = path.as_ref().to_owned();
    unblock(move || {
        std::fs::metadata(&path).map_err(|e| error::at(e, "read the metadata of", &path))
    })
    .await
}

/// The metadata of `path` itself, not following a symbolic link
/// (`std::fs::symlink_metadata`).
///
/// ```
/// let dir = std::env::temp_dir();
/// let link = dir.join(format!("corio-fs-doc-symmeta-{}", std::process::id()));
/// # #[cfg(unix)]
/// corio::run(async {
///     std::os::unix::fs::symlink(&dir, &link)?;
///     assert!(corio_fs::symlink_metadata(&link).await?.file_type().is_symlink());
///     assert!(corio_fs::metadata(&link).await?.is_dir());
///     corio_fs::remove_file(&link).await
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn symlink_metadata(path: impl AsRef<Path>) -> io::Result<Metadata> {
    let path = path.as_ref().to_owned();
    unblock(move || {
        std::fs::symlink_metadata(&path).map_err(|e| error::at(e, "read the metadata of", &path))
    })
    .await
}

/// Creates the directory `path`; its parent must exist (`std::fs::create_dir`).
///
/// ```
/// let dir = std::env::temp_dir().join(format!("corio-fs-doc-mkdir-{}", std::process::id()));
/// corio::run(async {
///     corio_fs::create_dir(&dir).await?;
///     let again = corio_fs::create_dir(&dir).await.unwrap_err();
///     assert_eq!(again.kind(), std::io::ErrorKind::AlreadyExists);
///     corio_fs::remove_dir(&dir).await
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn create_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    unblock(move || {
        std::fs::create_dir(&path).map_err(|e| error::at(e, "create the directory", &path))
    })
    .await
}

/// Creates the directory `path` and any missing parents; succeeds if it already exists
/// (`std::fs::create_dir_all`).
///
/// ```
/// let top = std::env::temp_dir().join(format!("corio-fs-doc-mkdirs-{}", std::process::id()));
/// corio::run(async {
///     corio_fs::create_dir_all(top.join("a/b/c")).await?;
///     assert!(corio_fs::metadata(top.join("a/b/c")).await?.is_dir());
///     corio_fs::remove_dir_all(&top).await
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn create_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    unblock(move || {
        std::fs::create_dir_all(&path).map_err(|e| error::at(e, "create the directory", &path))
    })
    .await
}

/// Removes the file (or symbolic link) `path` (`std::fs::remove_file`).
///
/// ```
/// let path = std::env::temp_dir().join(format!("corio-fs-doc-rm-{}", std::process::id()));
/// corio::run(async {
///     corio_fs::write(&path, b"x").await?;
///     corio_fs::remove_file(&path).await?;
///     assert!(!corio_fs::try_exists(&path).await?);
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn remove_file(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    unblock(move || std::fs::remove_file(&path).map_err(|e| error::at(e, "remove", &path))).await
}

/// Removes the empty directory `path` (`std::fs::remove_dir`).
///
/// ```
/// let dir = std::env::temp_dir().join(format!("corio-fs-doc-rmdir-{}", std::process::id()));
/// corio::run(async {
///     corio_fs::create_dir(&dir).await?;
///     corio_fs::remove_dir(&dir).await?;
///     assert!(!corio_fs::try_exists(&dir).await?);
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn remove_dir(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    unblock(move || {
        std::fs::remove_dir(&path).map_err(|e| error::at(e, "remove the directory", &path))
    })
    .await
}

/// Removes the directory `path` and everything in it (`std::fs::remove_dir_all`), in one
/// job: the whole tree walk happens on one pool thread.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("corio-fs-doc-rmtree-{}", std::process::id()));
/// corio::run(async {
///     corio_fs::create_dir_all(dir.join("sub")).await?;
///     corio_fs::write(dir.join("sub/file"), b"x").await?;
///     corio_fs::remove_dir_all(&dir).await?;
///     assert!(!corio_fs::try_exists(&dir).await?);
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn remove_dir_all(path: impl AsRef<Path>) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    unblock(move || {
        std::fs::remove_dir_all(&path).map_err(|e| error::at(e, "remove the directory", &path))
    })
    .await
}

/// Renames `from` to `to`, replacing `to` if it is a file (`std::fs::rename`).
///
/// ```
/// let dir = std::env::temp_dir();
/// let (a, b) = (dir.join(format!("corio-fs-doc-mv-a-{}", std::process::id())),
///               dir.join(format!("corio-fs-doc-mv-b-{}", std::process::id())));
/// corio::run(async {
///     corio_fs::write(&a, b"moved").await?;
///     corio_fs::rename(&a, &b).await?;
///     assert_eq!(corio_fs::read(&b).await?, b"moved");
///     assert!(!corio_fs::try_exists(&a).await?);
///     corio_fs::remove_file(&b).await
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn rename(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<()> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    unblock(move || {
        std::fs::rename(&from, &to).map_err(|e| error::between(e, "rename", &from, &to))
    })
    .await
}

/// Copies the contents and permissions of the file `from` to `to`, creating or truncating
/// it; returns the number of bytes copied (`std::fs::copy`, which lets the kernel copy where
/// it can).
///
/// ```
/// let dir = std::env::temp_dir();
/// let (a, b) = (dir.join(format!("corio-fs-doc-cp-a-{}", std::process::id())),
///               dir.join(format!("corio-fs-doc-cp-b-{}", std::process::id())));
/// corio::run(async {
///     corio_fs::write(&a, b"copied").await?;
///     assert_eq!(corio_fs::copy(&a, &b).await?, 6);
///     assert_eq!(corio_fs::read(&b).await?, b"copied");
///     corio_fs::remove_file(&a).await?;
///     corio_fs::remove_file(&b).await
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn copy(from: impl AsRef<Path>, to: impl AsRef<Path>) -> io::Result<u64> {
    let (from, to) = (from.as_ref().to_owned(), to.as_ref().to_owned());
    unblock(move || std::fs::copy(&from, &to).map_err(|e| error::between(e, "copy", &from, &to)))
        .await
}

/// Makes `link` a new name (a hard link) for the file `original` (`std::fs::hard_link`).
///
/// ```
/// let dir = std::env::temp_dir();
/// let (a, b) = (dir.join(format!("corio-fs-doc-ln-a-{}", std::process::id())),
///               dir.join(format!("corio-fs-doc-ln-b-{}", std::process::id())));
/// corio::run(async {
///     corio_fs::write(&a, b"one file").await?;
///     corio_fs::hard_link(&a, &b).await?;
///     corio_fs::remove_file(&a).await?;
///     assert_eq!(corio_fs::read(&b).await?, b"one file");
///     corio_fs::remove_file(&b).await
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn hard_link(original: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    let (original, link) = (original.as_ref().to_owned(), link.as_ref().to_owned());
    unblock(move || {
        std::fs::hard_link(&original, &link)
            .map_err(|e| error::between(e, "hard-link", &original, &link))
    })
    .await
}

/// The absolute path of `path` with every symbolic link and `.` / `..` resolved
/// (`std::fs::canonicalize`); `path` must exist.
///
/// ```
/// corio::run(async {
///     let here = corio_fs::canonicalize(".").await?;
///     assert!(here.is_absolute());
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn canonicalize(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = path.as_ref().to_owned();
    unblock(move || std::fs::canonicalize(&path).map_err(|e| error::at(e, "canonicalize", &path)))
        .await
}

/// Where the symbolic link `path` points (`std::fs::read_link`).
///
/// ```
/// let link = std::env::temp_dir().join(format!("corio-fs-doc-readlink-{}", std::process::id()));
/// # #[cfg(unix)]
/// corio::run(async {
///     std::os::unix::fs::symlink("some/target", &link)?;
///     assert_eq!(corio_fs::read_link(&link).await?, std::path::Path::new("some/target"));
///     corio_fs::remove_file(&link).await
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn read_link(path: impl AsRef<Path>) -> io::Result<PathBuf> {
    let path = path.as_ref().to_owned();
    unblock(move || std::fs::read_link(&path).map_err(|e| error::at(e, "read the link", &path)))
        .await
}

/// Sets the permissions of `path` (`std::fs::set_permissions`).
///
/// ```
/// let path = std::env::temp_dir().join(format!("corio-fs-doc-chmod-{}", std::process::id()));
/// corio::run(async {
///     corio_fs::write(&path, b"x").await?;
///     let mut perms = corio_fs::metadata(&path).await?.permissions();
///     perms.set_readonly(true);
///     corio_fs::set_permissions(&path, perms).await?;
///     assert!(corio_fs::metadata(&path).await?.permissions().readonly());
///     corio_fs::remove_file(&path).await
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn set_permissions(path: impl AsRef<Path>, perm: Permissions) -> io::Result<()> {
    let path = path.as_ref().to_owned();
    unblock(move || {
        std::fs::set_permissions(&path, perm)
            .map_err(|e| error::at(e, "set the permissions of", &path))
    })
    .await
}

/// Whether `path` exists, following symbolic links (`Path::try_exists`): `Ok(false)` when
/// it does not, an error when that cannot be known (for example, a parent directory may
/// not be searched).
///
/// ```
/// corio::run(async {
///     assert!(corio_fs::try_exists(std::env::temp_dir()).await?);
///     assert!(!corio_fs::try_exists("/no/such/corio/path").await?);
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn try_exists(path: impl AsRef<Path>) -> io::Result<bool> {
    let path = path.as_ref().to_owned();
    unblock(move || {
        path.try_exists()
            .map_err(|e| error::at(e, "check the existence of", &path))
    })
    .await
}
