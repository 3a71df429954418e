//! `OpenOptions`: how to open a [`File`] — `std::fs::OpenOptions`, opened on the pool.

use std::io;
use std::path::Path;

use crate::error;
use crate::file::File;
use crate::pool::unblock;

/// Options for opening a [`File`]: the flags of `std::fs::OpenOptions` (which this wraps),
/// with an `open` that runs on the blocking pool.
///
/// ```
/// use futures_lite::{AsyncReadExt, AsyncWriteExt};
///
/// let path = std::env::temp_dir().join(format!("corio-fs-doc-oo-{}", std::process::id()));
/// corio::run(async {
///     let mut f = corio_fs::OpenOptions::new()
///         .read(true)
///         .write(true)
///         .create(true)
///         .truncate(true)
///         .open(&path)
///         .await?;
///     f.write_all(b"read me back").await?;
///     f.flush().await?;
///     drop(f);
///     let mut s = String::new();
///     corio_fs::File::open(&path).await?.read_to_string(&mut s).await?;
///     assert_eq!(s, "read me back");
///     corio_fs::remove_file(&path).await
/// })?;
/// # std::io::Result::Ok(())
/// ```
#[derive(Debug, Clone)]
pub struct OpenOptions(std::fs::OpenOptions);

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions::new()
    }
}

impl From<std::fs::OpenOptions> for OpenOptions {
    /// Uses options already set up for `std`.
    ///
    /// ```
    /// let mut std_opts = std::fs::OpenOptions::new();
    /// std_opts.read(true);
    /// let opts = corio_fs::OpenOptions::from(std_opts);
    /// # drop(opts);
    /// ```
    fn from(opts: std::fs::OpenOptions) -> Self {
        OpenOptions(opts)
    }
}

impl OpenOptions {
    /// Every option off: set at least one of `read`, `write` or `append`.
    ///
    /// ```
    /// let mut opts = corio_fs::OpenOptions::new();
    /// opts.read(true);
    /// ```
    pub fn new() -> OpenOptions {
        OpenOptions(std::fs::OpenOptions::new())
    }

    /// Open for reading.
    ///
    /// ```
    /// corio::run(async {
    ///     let f = corio_fs::OpenOptions::new().read(true).open(std::env::temp_dir()).await;
    ///     assert!(f.is_ok()); // a directory opens for reading on Unix; reading it fails
    /// });
    /// ```
    pub fn read(&mut self, read: bool) -> &mut OpenOptions {
        self.0.read(read);
        self
    }

    /// Open for writing (from the start; see [`append`](OpenOptions::append)).
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("corio-fs-doc-oow-{}", std::process::id()));
    /// corio::run(async {
    ///     corio_fs::write(&path, b"x").await?;
    ///     let f = corio_fs::OpenOptions::new().write(true).open(&path).await?;
    ///     drop(f);
    ///     corio_fs::remove_file(&path).await
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn write(&mut self, write: bool) -> &mut OpenOptions {
        self.0.write(write);
        self
    }

    /// Open for appending: every write goes to the current end of the file, even if another
    /// process appended meanwhile. Implies `write`.
    ///
    /// ```
    /// use futures_lite::AsyncWriteExt;
    ///
    /// let path = std::env::temp_dir().join(format!("corio-fs-doc-ooa-{}", std::process::id()));
    /// corio::run(async {
    ///     corio_fs::write(&path, b"one ").await?;
    ///     let mut f = corio_fs::OpenOptions::new().append(true).open(&path).await?;
    ///     f.write_all(b"two").await?;
    ///     f.close().await?;
    ///     assert_eq!(corio_fs::read(&path).await?, b"one two");
    ///     corio_fs::remove_file(&path).await
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn append(&mut self, append: bool) -> &mut OpenOptions {
        self.0.append(append);
        self
    }

    /// Truncate the file to length 0 when opening it (needs `write`).
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("corio-fs-doc-oot-{}", std::process::id()));
    /// corio::run(async {
    ///     corio_fs::write(&path, b"old contents").await?;
    ///     let f = corio_fs::OpenOptions::new().write(true).truncate(true).open(&path).await?;
    ///     assert_eq!(f.metadata().await?.len(), 0);
    ///     corio_fs::remove_file(&path).await
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn truncate(&mut self, truncate: bool) -> &mut OpenOptions {
        self.0.truncate(truncate);
        self
    }

    /// Create the file if it does not exist (needs `write` or `append`).
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("corio-fs-doc-ooc-{}", std::process::id()));
    /// corio::run(async {
    ///     let f = corio_fs::OpenOptions::new().write(true).create(true).open(&path).await?;
    ///     drop(f);
    ///     assert!(corio_fs::try_exists(&path).await?);
    ///     corio_fs::remove_file(&path).await
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn create(&mut self, create: bool) -> &mut OpenOptions {
        self.0.create(create);
        self
    }

    /// Create the file, failing with [`io::ErrorKind::AlreadyExists`] if it exists — checked
    /// and created in one step, so two racing creators cannot both succeed. Overrides
    /// `create` and `truncate`.
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("corio-fs-doc-oocn-{}", std::process::id()));
    /// corio::run(async {
    ///     corio_fs::write(&path, b"taken").await?;
    ///     let e = corio_fs::OpenOptions::new().write(true).create_new(true).open(&path).await;
    ///     assert_eq!(e.unwrap_err().kind(), std::io::ErrorKind::AlreadyExists);
    ///     corio_fs::remove_file(&path).await
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn create_new(&mut self, create_new: bool) -> &mut OpenOptions {
        self.0.create_new(create_new);
        self
    }

    /// The permission bits a created file gets (before the umask); default `0o666`.
    ///
    /// ```
    /// use std::os::unix::fs::PermissionsExt;
    ///
    /// let path = std::env::temp_dir().join(format!("corio-fs-doc-oom-{}", std::process::id()));
    /// corio::run(async {
    ///     let f = corio_fs::OpenOptions::new().write(true).create(true).mode(0o600).open(&path).await?;
    ///     assert_eq!(f.metadata().await?.permissions().mode() & 0o777, 0o600);
    ///     corio_fs::remove_file(&path).await
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    #[cfg(unix)]
    pub fn mode(&mut self, mode: u32) -> &mut OpenOptions {
        std::os::unix::fs::OpenOptionsExt::mode(&mut self.0, mode);
        self
    }

    /// Extra `open(2)` flags (`libc::O_*`), or-ed with the ones the other options set.
    ///
    /// ```
    /// const O_NONBLOCK: i32 = 0o4000; // Linux's value; `libc::O_NONBLOCK` in real code
    /// let mut opts = corio_fs::OpenOptions::new();
    /// opts.read(true).custom_flags(O_NONBLOCK);
    /// ```
    #[cfg(unix)]
    pub fn custom_flags(&mut self, flags: i32) -> &mut OpenOptions {
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut self.0, flags);
        self
    }

    /// Opens `path` with these options, in one job on the blocking pool. Errors name the
    /// path and keep the OS error's kind.
    ///
    /// ```
    /// corio::run(async {
    ///     let e = corio_fs::OpenOptions::new().read(true).open("/no/such/corio/file").await;
    ///     let e = e.unwrap_err();
    ///     assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
    ///     assert!(e.to_string().contains("/no/such/corio/file"));
    /// });
    /// ```
    pub async fn open(&self, path: impl AsRef<Path>) -> io::Result<File> {
        let opts = self.0.clone();
        let path = path.as_ref().to_owned();
        let file =
            unblock(move || opts.open(&path).map_err(|e| error::at(e, "open", &path))).await?;
        Ok(File::from_std(file))
    }
}
