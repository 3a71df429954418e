//! `read_dir`: a directory's entries as a stream, fetched in batches on the blocking pool.

use std::collections::VecDeque;
use std::fmt;
use std::future::{Future, poll_fn};
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use corio_executor::BlockingTask;
use futures_core::Stream;

use crate::dir_entry::DirEntry;
use crate::error;
use crate::pool;

/// Entries fetched per job: one trip to the pool for this many `readdir` results (and the
/// file types, which `readdir` usually gives for free).
const BATCH: usize = 32;

/// Opens the directory `path` for listing (`std::fs::read_dir`). The same job reads the
/// first batch of entries, so a small directory is listed in one trip to the pool.
///
/// The entries come in the order the OS gives them, without `.` and `..`.
///
/// ```
/// use futures_lite::StreamExt;
///
/// let dir = std::env::temp_dir().join(format!("corio-fs-doc-readdir-{}", std::process::id()));
/// corio::run(async {
///     corio_fs::create_dir_all(&dir).await?;
///     corio_fs::write(dir.join("a.txt"), b"a").await?;
///     corio_fs::write(dir.join("b.txt"), b"b").await?;
///     let mut names = Vec::new();
///     let mut entries = corio_fs::read_dir(&dir).await?;
///     while let Some(entry) = entries.next().await {
///         names.push(entry?.file_name());
///     }
///     names.sort();
///     assert_eq!(names, ["a.txt", "b.txt"]);
///     corio_fs::remove_dir_all(&dir).await
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn read_dir(path: impl AsRef<Path>) -> io::Result<ReadDir> {
    let path: Arc<Path> = Arc::from(path.as_ref());
    let dir = path.clone();
    let batch = pool::unblock(move || {
        let iter = std::fs::read_dir(&dir).map_err(|e| error::at(e, "list the directory", &dir))?;
        let mut batch = Batch {
            iter: Some(iter),
            entries: VecDeque::new(),
            dir,
        };
        batch.fill();
        Ok(batch)
    })
    .await?;
    Ok(ReadDir {
        state: State::Idle(Some(batch)),
        path,
    })
}

/// The entries of a directory: a [`Stream`] of `io::Result<DirEntry>` (use
/// `futures_lite::StreamExt::next`), or [`next_entry`](ReadDir::next_entry).
///
/// Entries are fetched 32 per job on the blocking pool; when a batch runs out the next is
/// fetched while the last entry of the current one is handed out. Dropping the `ReadDir`
/// closes the directory (on the pool, once any fetch in flight is done).
///
/// ```
/// let dir = std::env::temp_dir().join(format!("corio-fs-doc-readdir2-{}", std::process::id()));
/// corio::run(async {
///     corio_fs::create_dir_all(dir.join("sub")).await?;
///     let mut entries = corio_fs::read_dir(&dir).await?;
///     let entry = entries.next_entry().await?.expect("one entry");
///     assert_eq!(entry.file_name(), "sub");
///     assert!(entries.next_entry().await?.is_none());
///     corio_fs::remove_dir_all(&dir).await
/// })?;
/// # std::io::Result::Ok(())
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct ReadDir {
    state: State,
    path: Arc<Path>,
}

enum State {
    /// `None`: the listing is over.
    Idle(Option<Batch>),
    Busy(BlockingTask<Batch>),
}

/// The directory being read and the entries fetched from it but not yet handed out.
struct Batch {
    /// `None` once the OS said there is nothing more.
    iter: Option<std::fs::ReadDir>,
    entries: VecDeque<io::Result<DirEntry>>,
    dir: Arc<Path>,
}

impl Batch {
    /// On a pool thread: reads up to [`BATCH`] more entries.
    fn fill(&mut self) {
        let Some(iter) = &mut self.iter else {
            return;
        };
        for _ in 0..BATCH {
            match iter.next() {
                Some(Ok(entry)) => self.entries.push_back(Ok(DirEntry::new(entry))),
                Some(Err(e)) => {
                    let e = error::at(e, "list the directory", &self.dir);
                    self.entries.push_back(Err(e));
                }
                None => {
                    // Closes the directory, here on the pool.
                    self.iter = None;
                    return;
                }
            }
        }
    }
}

impl ReadDir {
    /// The next entry, or `None` when there are no more: the stream's `next` without
    /// needing `StreamExt`.
    ///
    /// ```
    /// corio::run(async {
    ///     let mut entries = corio_fs::read_dir(std::env::temp_dir()).await?;
    ///     while let Some(entry) = entries.next_entry().await? {
    ///         let _ = entry.path();
    ///     }
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn next_entry(&mut self) -> impl Future<Output = io::Result<Option<DirEntry>>> + '_ {
        poll_fn(|cx| Pin::new(&mut *self).poll_next(cx).map(Option::transpose))
    }

    /// The directory being listed.
    ///
    /// ```
    /// corio::run(async {
    ///     let dir = std::env::temp_dir();
    ///     let entries = corio_fs::read_dir(&dir).await?;
    ///     assert_eq!(entries.path(), dir.as_path());
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Starts fetching the next batch. If the pool refuses (the runtime is shut down), the
    /// listing ends with that error.
    fn fetch(&mut self) {
        let State::Idle(Some(mut batch)) = std::mem::replace(&mut self.state, State::Idle(None))
        else {
            return;
        };
        let dir = batch.dir.clone();
        self.state = match pool::spawn(move || {
            batch.fill();
            batch
        }) {
            Ok(job) => State::Busy(job),
            Err(e) => State::Idle(Some(Batch {
                iter: None,
                entries: VecDeque::from([Err(e)]),
                dir,
            })),
        };
    }
}

impl Stream for ReadDir {
    type Item = io::Result<DirEntry>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Busy(job) => match ready!(Pin::new(job).poll(cx)) {
                    Ok(batch) => this.state = State::Idle(Some(batch)),
                    Err(e) => {
                        this.state = State::Idle(None);
                        return Poll::Ready(Some(Err(pool::lost(e))));
                    }
                },
                State::Idle(None) => return Poll::Ready(None),
                State::Idle(Some(batch)) => {
                    if let Some(entry) = batch.entries.pop_front() {
                        if batch.entries.is_empty() && batch.iter.is_some() {
                            // The batch's last entry: fetch the next while it is used.
                            this.fetch();
                        }
                        return Poll::Ready(Some(entry));
                    }
                    if batch.iter.is_none() {
                        this.state = State::Idle(None);
                        return Poll::Ready(None);
                    }
                    this.fetch();
                }
            }
        }
    }
}

impl Drop for ReadDir {
    /// Closes the directory on the pool. A fetch in flight closes it itself if it reaches
    /// the end, or drops it on the pool when it completes.
    fn drop(&mut self) {
        if let State::Idle(Some(batch)) = std::mem::replace(&mut self.state, State::Idle(None)) {
            if batch.iter.is_some() {
                // Refused (the runtime is shut down): closed on this thread instead.
                let _ = pool::spawn(move || drop(batch));
            }
        }
    }
}

impl fmt::Debug for ReadDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadDir")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}
