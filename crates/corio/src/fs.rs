//! Files and directories without blocking the loop (what Python reaches for `aiofiles` or
//! `asyncio.to_thread(open(...).read)` to do): the [`corio-fs`](corio_fs) crate.
//!
//! Every system call runs on the runtime's blocking pool, in batches: [`read`] and [`write()`]
//! are one job for the whole file, [`read_dir`] fetches 32 entries per job, and a [`File`]
//! buffers so that reading or writing 1 MiB is one job. A `File` is `AsyncRead`,
//! `AsyncWrite` and `AsyncSeek` (use `futures_lite`'s extension traits).
//!
//! ```
//! use futures_lite::{AsyncReadExt, AsyncWriteExt};
//!
//! let path = std::env::temp_dir().join(format!("corio-doc-fs-{}", std::process::id()));
//! corio::run(async {
//!     corio::fs::write(&path, b"line 1\n").await?;
//!
//!     let mut log = corio::fs::OpenOptions::new().append(true).open(&path).await?;
//!     log.write_all(b"line 2\n").await?;
//!     log.close().await?; // flush: the data is with the OS; `sync_all` for the disk
//!
//!     let mut text = String::new();
//!     corio::fs::File::open(&path).await?.read_to_string(&mut text).await?;
//!     assert_eq!(text, "line 1\nline 2\n");
//!     corio::fs::remove_file(&path).await
//! })?;
//! # std::io::Result::Ok(())
//! ```

pub use corio_fs::*;
