//! File I/O that never blocks the loop: `std::fs` for async code.
//!
//! Operating systems offer no readiness for regular files (a file is always "ready", and a
//! read may still wait for the disk), so every system call here runs on the blocking pool of
//! [`corio-executor`](corio_executor) — the runtime's own pool inside a corio runtime, a
//! process-wide one elsewhere — and the task awaits the result. A trip to the pool costs a
//! hand-off to another thread and a wake-up back, so the work is batched:
//!
//! * the path functions ([`read`], [`write()`], [`copy`], [`remove_dir_all`], …) do the whole
//!   operation in one job, whatever the size;
//! * [`read_dir`] fetches 32 entries per job;
//! * a [`File`] buffers: a read fetches what the caller asked for (and at least 64 KiB) in
//!   one job, writes are gathered and written up to 2 MiB per job. Reading or writing 1 MiB
//!   is one job, not one per 8 KiB.
//!
//! Errors are `std::io::Error`s of the same kind `std::fs` gives, with the path in the
//! message. After the runtime shut down, operations fail with an error instead of waiting.
//!
//! ```
//! use futures_lite::{AsyncReadExt, AsyncWriteExt};
//!
//! let dir = std::env::temp_dir().join(format!("corio-fs-doc-crate-{}", std::process::id()));
//! corio::run(async {
//!     corio_fs::create_dir_all(&dir).await?;
//!     corio_fs::write(dir.join("greeting"), "hello").await?;
//!
//!     let mut f = corio_fs::File::options().append(true).open(dir.join("greeting")).await?;
//!     f.write_all(b", world").await?;
//!     f.close().await?;
//!
//!     let mut text = String::new();
//!     corio_fs::File::open(dir.join("greeting")).await?.read_to_string(&mut text).await?;
//!     assert_eq!(text, "hello, world");
//!     corio_fs::remove_dir_all(&dir).await
//! })?;
//! # std::io::Result::Ok(())
//! ```
//!
//! The futures work under any executor (they only need a waker); outside a corio runtime
//! the jobs run on the process-wide pool:
//!
//! ```
//! let meta = futures_lite::future::block_on(corio_fs::metadata(std::env::temp_dir()))?;
//! assert!(meta.is_dir());
//! # std::io::Result::Ok(())
//! ```

mod buf;
mod dir_entry;
mod error;
mod file;
mod open_options;
mod ops;
mod pool;
mod read_dir;

pub use dir_entry::DirEntry;
pub use file::File;
pub use open_options::OpenOptions;
pub use ops::{
    canonicalize, copy, create_dir, create_dir_all, hard_link, metadata, read, read_link,
    read_to_string, remove_dir, remove_dir_all, remove_file, rename, set_permissions,
    symlink_metadata, try_exists, write,
};
#[doc(hidden)]
pub use pool::blocking_jobs_started;
pub use read_dir::{ReadDir, read_dir};
/// `std::fs`'s plain data types, returned as they are.
pub use std::fs::{FileType, Metadata, Permissions};
