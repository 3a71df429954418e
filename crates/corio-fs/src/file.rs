//! `File`: an open file whose every system call runs on the blocking pool, in batches.
//!
//! A `File` is idle (holding its buffer) or busy (one job in flight, which has the buffer).
//! Each `poll_*` first waits for the job in flight, then serves the call from the buffer if
//! it can, and otherwise starts one job that settles the buffer and does the call's work.
//! A job whose caller went away (a dropped read or seek future) is still waited for by the
//! next call; its result is kept if it matters (read-ahead, a failed write) and dropped
//! otherwise.

use std::fmt;
use std::fs::{File as StdFile, Metadata, Permissions};
use std::future::{Future, poll_fn};
use std::io::{self, SeekFrom};
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use corio_executor::BlockingTask;
use futures_io::{AsyncRead, AsyncSeek, AsyncWrite};

use crate::buf::{Buf, Done, Failure, MAX_BUF, Op, READ_AHEAD, WRITE_BEHIND};
use crate::open_options::OpenOptions;
use crate::pool;

/// An open file, for async code: [`AsyncRead`], [`AsyncWrite`] and [`AsyncSeek`] (the
/// `futures-io` traits; use them through `futures_lite::{AsyncReadExt, AsyncWriteExt,
/// AsyncSeekExt}`).
///
/// **Every system call runs on the blocking pool**, never on the thread running tasks.
/// To keep that cheap the `File` buffers, so a call is a job on the pool only when it must be:
///
/// * **Reads** ask the OS for at least the caller's request (up to 2 MiB in one job), and at
///   least 64 KiB, a window that doubles while the caller reads on sequentially. Reading a
///   1 MiB file is one job with a 1 MiB buffer, and a handful with `read_to_end` or a
///   `BufReader`. Later reads are served from what was read ahead.
/// * **Writes** are copied into the buffer and return at once. Once 128 KiB are pending a job
///   writes them in the background while the caller goes on, so a 1 MiB `write_all` is one
///   job and many small writes share one. The buffer never holds more than 2 MiB.
/// * **Flush** ([`poll_flush`](AsyncWrite::poll_flush), and [`poll_close`](AsyncWrite::poll_close))
///   waits until everything written has reached the OS, and reports a failed background write.
///   [`sync_all`](File::sync_all) also makes it durable on disk.
/// * **Seek** is relative to what the caller has read or written, not to how far the file
///   was read ahead or how much is still buffered.
/// * **Drop**: close or flush before dropping to see errors. A `File` dropped with buffered
///   writes still writes them, in the background on the blocking pool (best effort: a
///   failure then has nobody to go to), and closes the file there too.
///
/// Metadata ([`metadata`](File::metadata)) comes from the OS, so it does not count writes
/// still in the buffer: flush first.
///
/// ```
/// use futures_lite::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
/// use std::io::SeekFrom;
///
/// let path = std::env::temp_dir().join(format!("corio-fs-doc-file-{}", std::process::id()));
/// corio::run(async {
///     let mut f = corio_fs::File::create(&path).await?;
///     f.write_all(b"hello, world").await?;
///     f.flush().await?;
///
///     let mut f = corio_fs::File::open(&path).await?;
///     let mut hello = [0; 5];
///     f.read_exact(&mut hello).await?;
///     assert_eq!(&hello, b"hello");
///     f.seek(SeekFrom::Current(2)).await?;
///     let mut rest = String::new();
///     f.read_to_string(&mut rest).await?;
///     assert_eq!(rest, "world");
///     corio_fs::remove_file(&path).await
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub struct File {
    /// Shared with the job in flight. `None` only once `into_std` took it.
    file: Option<Arc<StdFile>>,
    state: State,
    /// A failure nobody was waiting for (a background write): the next write, flush, sync or
    /// `set_len` reports it.
    failed: Option<io::Error>,
    /// The least the next read job asks for: grows while the caller reads on, back to
    /// [`READ_AHEAD`] after a seek or a write.
    window: usize,
}

enum State {
    Idle(Buf),
    Busy {
        op: Op,
        job: BlockingTask<(Buf, Result<Done, Failure>)>,
    },
}

impl File {
    /// Opens `path` for reading (`std::fs::File::open`).
    ///
    /// ```
    /// corio::run(async {
    ///     let missing = corio_fs::File::open("/no/such/corio/file").await.unwrap_err();
    ///     assert_eq!(missing.kind(), std::io::ErrorKind::NotFound);
    /// });
    /// ```
    pub async fn open(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new().read(true).open(path).await
    }

    /// Opens `path` for writing, creating it or truncating it (`std::fs::File::create`).
    ///
    /// ```
    /// use futures_lite::AsyncWriteExt;
    ///
    /// let path = std::env::temp_dir().join(format!("corio-fs-doc-create-{}", std::process::id()));
    /// corio::run(async {
    ///     let mut f = corio_fs::File::create(&path).await?;
    ///     f.write_all(b"new").await?;
    ///     f.close().await?;
    ///     assert_eq!(corio_fs::read(&path).await?, b"new");
    ///     corio_fs::remove_file(&path).await
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn create(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)
            .await
    }

    /// Creates `path` and opens it for writing; fails with
    /// [`io::ErrorKind::AlreadyExists`] if it exists (`std::fs::File::create_new`).
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("corio-fs-doc-cnew-{}", std::process::id()));
    /// corio::run(async {
    ///     let f = corio_fs::File::create_new(&path).await?;
    ///     drop(f);
    ///     let again = corio_fs::File::create_new(&path).await.unwrap_err();
    ///     assert_eq!(again.kind(), std::io::ErrorKind::AlreadyExists);
    ///     corio_fs::remove_file(&path).await
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn create_new(path: impl AsRef<Path>) -> io::Result<File> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
            .await
    }

    /// A blank [`OpenOptions`], to choose how to open a file.
    ///
    /// ```
    /// use futures_lite::AsyncWriteExt;
    ///
    /// let path = std::env::temp_dir().join(format!("corio-fs-doc-options-{}", std::process::id()));
    /// corio::run(async {
    ///     let mut log = corio_fs::File::options().append(true).create(true).open(&path).await?;
    ///     log.write_all(b"one line\n").await?;
    ///     log.close().await?;
    ///     corio_fs::remove_file(&path).await
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn options() -> OpenOptions {
        OpenOptions::new()
    }

    /// Wraps a file opened with `std` (no system call).
    ///
    /// ```
    /// use futures_lite::AsyncReadExt;
    ///
    /// let path = std::env::temp_dir().join(format!("corio-fs-doc-fromstd-{}", std::process::id()));
    /// std::fs::write(&path, b"from std")?;
    /// let std_file = std::fs::File::open(&path)?;
    /// corio::run(async {
    ///     let mut f = corio_fs::File::from_std(std_file);
    ///     let mut s = String::new();
    ///     f.read_to_string(&mut s).await?;
    ///     assert_eq!(s, "from std");
    ///     corio_fs::remove_file(&path).await
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn from_std(file: StdFile) -> File {
        File {
            file: Some(Arc::new(file)),
            state: State::Idle(Buf::new()),
            failed: None,
            window: READ_AHEAD,
        }
    }

    /// The `std` file underneath, once everything in flight has landed: buffered writes are
    /// written (their failure is this call's error) and the OS cursor is moved back over
    /// data read ahead, so the `std` file continues exactly where this one stopped.
    ///
    /// ```
    /// use futures_lite::AsyncReadExt;
    /// use std::io::Read;
    ///
    /// let path = std::env::temp_dir().join(format!("corio-fs-doc-intostd-{}", std::process::id()));
    /// corio::run(async {
    ///     corio_fs::write(&path, b"abcdef").await?;
    ///     let mut f = corio_fs::File::open(&path).await?;
    ///     let mut two = [0; 2];
    ///     f.read_exact(&mut two).await?; // reads ahead, hands out "ab"
    ///     let mut std_file = f.into_std().await?;
    ///     let mut rest = String::new();
    ///     std_file.read_to_string(&mut rest)?; // a blocking call, fine in an example
    ///     assert_eq!(rest, "cdef");
    ///     corio_fs::remove_file(&path).await
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn into_std(mut self) -> io::Result<StdFile> {
        self.run(Op::Release).await?;
        let file = self.file.take().ok_or_else(gone)?;
        drop(self);
        match Arc::try_unwrap(file) {
            Ok(file) => Ok(file),
            // A job of a dropped `metadata` future still holds it: hand out a duplicate.
            Err(shared) => pool::unblock(move || shared.try_clone()).await,
        }
    }

    /// Writes what is buffered and waits until the file's data and metadata are on disk
    /// (`fsync`). Reports a background write that failed.
    ///
    /// ```
    /// use futures_lite::AsyncWriteExt;
    ///
    /// let path = std::env::temp_dir().join(format!("corio-fs-doc-syncall-{}", std::process::id()));
    /// corio::run(async {
    ///     let mut f = corio_fs::File::create(&path).await?;
    ///     f.write_all(b"durable").await?;
    ///     f.sync_all().await?;
    ///     assert_eq!(corio_fs::read(&path).await?, b"durable");
    ///     corio_fs::remove_file(&path).await
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn sync_all(&mut self) -> io::Result<()> {
        self.run(Op::SyncAll).await.map(drop)
    }

    /// Like [`sync_all`](File::sync_all), but may skip metadata not needed to read the data
    /// back (`fdatasync`).
    ///
    /// ```
    /// use futures_lite::AsyncWriteExt;
    ///
    /// let path = std::env::temp_dir().join(format!("corio-fs-doc-syncdata-{}", std::process::id()));
    /// corio::run(async {
    ///     let mut f = corio_fs::File::create(&path).await?;
    ///     f.write_all(b"data").await?;
    ///     f.sync_data().await?;
    ///     corio_fs::remove_file(&path).await
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn sync_data(&mut self) -> io::Result<()> {
        self.run(Op::SyncData).await.map(drop)
    }

    /// Truncates or extends (with zeros) the file to `size` bytes, after writing what is
    /// buffered. The position does not move; reading past the new end gives nothing.
    ///
    /// ```
    /// use futures_lite::AsyncWriteExt;
    ///
    /// let path = std::env::temp_dir().join(format!("corio-fs-doc-setlen-{}", std::process::id()));
    /// corio::run(async {
    ///     let mut f = corio_fs::File::create(&path).await?;
    ///     f.write_all(b"0123456789").await?;
    ///     f.set_len(4).await?;
    ///     assert_eq!(f.metadata().await?.len(), 4);
    ///     corio_fs::remove_file(&path).await
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn set_len(&mut self, size: u64) -> io::Result<()> {
        self.run(Op::SetLen(size)).await.map(drop)
    }

    /// The file's metadata, from the OS (`fstat`): writes still in this `File`'s buffer are
    /// not counted until flushed.
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("corio-fs-doc-fmeta-{}", std::process::id()));
    /// corio::run(async {
    ///     corio_fs::write(&path, [0u8; 300]).await?;
    ///     let f = corio_fs::File::open(&path).await?;
    ///     let meta = f.metadata().await?;
    ///     assert!(meta.is_file());
    ///     assert_eq!(meta.len(), 300);
    ///     corio_fs::remove_file(&path).await
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn metadata(&self) -> io::Result<Metadata> {
        let file = self.file.clone().ok_or_else(gone)?;
        pool::unblock(move || file.metadata()).await
    }

    /// Changes the file's permissions (`fchmod`).
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("corio-fs-doc-fchmod-{}", std::process::id()));
    /// corio::run(async {
    ///     let f = corio_fs::File::create(&path).await?;
    ///     let mut perms = f.metadata().await?.permissions();
    ///     perms.set_readonly(true);
    ///     f.set_permissions(perms).await?;
    ///     assert!(f.metadata().await?.permissions().readonly());
    ///     corio_fs::remove_file(&path).await
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub async fn set_permissions(&self, perm: Permissions) -> io::Result<()> {
        let file = self.file.clone().ok_or_else(gone)?;
        pool::unblock(move || file.set_permissions(perm)).await
    }

    /// Waits for what is in flight, then runs `op` in a job of its own and gives its result.
    fn run(&mut self, op: Op) -> impl Future<Output = io::Result<Done>> + '_ {
        let mut started = false;
        poll_fn(move |cx| {
            loop {
                if let Some((done, res)) = ready!(self.poll_job(cx)) {
                    if started {
                        return Poll::Ready(res.map_err(Failure::into_error));
                    }
                    self.absorb(done, res);
                    continue;
                }
                if let Some(e) = self.failed.take() {
                    return Poll::Ready(Err(e));
                }
                if started {
                    // Not reached: a started job is waited for above.
                    return Poll::Ready(Ok(Done::Nothing));
                }
                if op == Op::Release && self.buf()?.settled() {
                    // Nothing to write or rewind: no job needed.
                    return Poll::Ready(Ok(Done::Nothing));
                }
                if op.needs_cursor() {
                    self.window = READ_AHEAD;
                }
                self.start(op)?;
                started = true;
            }
        })
    }

    /// Starts `op` in a job; the file is idle.
    fn start(&mut self, op: Op) -> io::Result<()> {
        let file = self.file.clone().ok_or_else(gone)?;
        let State::Idle(buf) = &mut self.state else {
            return Err(io::Error::other(
                "corio-fs: a file job started while one is in flight",
            ));
        };
        let parcel = Parcel {
            buf: Some(std::mem::take(buf)),
            file,
        };
        // Refused (the runtime is shut down): the parcel is dropped here and writes what
        // it holds on this thread.
        let job = pool::spawn(move || parcel.open(op))?;
        self.state = State::Busy { op, job };
        Ok(())
    }

    /// Waits for the job in flight, if any: `Ready(None)` when idle, else what the job was
    /// and how it went (the file is idle again, with the buffer back).
    fn poll_job(&mut self, cx: &mut Context<'_>) -> Poll<Option<(Op, Result<Done, Failure>)>> {
        let State::Busy { op, job } = &mut self.state else {
            return Poll::Ready(None);
        };
        let op = *op;
        let (buf, res) = match ready!(Pin::new(job).poll(cx)) {
            Ok(out) => out,
            // The job never ran (the runtime shut down): what it held is lost.
            Err(e) => (Buf::new(), Err(Failure::Settle(pool::lost(e)))),
        };
        self.state = State::Idle(buf);
        Poll::Ready(Some((op, res)))
    }

    /// Keeps what matters of a job nobody waits for any more: a failed write (or a lost
    /// job), for the next call that reports write errors. Read-ahead is already in the
    /// buffer and a seek already moved the cursor.
    fn absorb(&mut self, op: Op, res: Result<Done, Failure>) {
        match (op, res) {
            (_, Err(Failure::Settle(e))) | (Op::Write, Err(Failure::Op(e))) => {
                self.failed.get_or_insert(e);
            }
            _ => {}
        }
    }

    /// The buffer of an idle file.
    fn buf(&mut self) -> io::Result<&mut Buf> {
        match &mut self.state {
            State::Idle(buf) => Ok(buf),
            State::Busy { .. } => Err(io::Error::other("corio-fs: file buffer in use by a job")),
        }
    }
}

/// What a `File` whose `std` file was taken reports (not reachable through the public API).
fn gone() -> io::Error {
    io::Error::other("corio-fs: the file was converted into a std file")
}

impl AsyncRead for File {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        dst: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if dst.is_empty() {
            return Poll::Ready(Ok(0));
        }
        loop {
            if let Some((op, res)) = ready!(this.poll_job(cx)) {
                match (op, res) {
                    (Op::Read(_), Ok(Done::Read(0))) => return Poll::Ready(Ok(0)),
                    (Op::Read(len), Ok(Done::Read(n))) => {
                        if n == len {
                            // Read on sequentially: the next job fetches twice as much.
                            this.window = len.saturating_mul(2).min(MAX_BUF);
                        }
                    }
                    (Op::Read(_), Err(f)) => return Poll::Ready(Err(f.into_error())),
                    (op, res) => this.absorb(op, res),
                }
                continue;
            }
            let window = this.window;
            let buf = this.buf()?;
            if !buf.unread().is_empty() {
                return Poll::Ready(Ok(buf.copy_to(dst)));
            }
            this.start(Op::Read(dst.len().max(window).min(MAX_BUF)))?;
        }
    }
}

impl AsyncWrite for File {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        src: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if src.is_empty() {
            return Poll::Ready(Ok(0));
        }
        loop {
            if let Some((op, res)) = ready!(this.poll_job(cx)) {
                this.absorb(op, res);
                continue;
            }
            if let Some(e) = this.failed.take() {
                return Poll::Ready(Err(e));
            }
            this.window = READ_AHEAD;
            let buf = this.buf()?;
            let n = buf.push(src);
            if n == 0 {
                // The buffer is full: write it out, then take more.
                this.start(Op::Write)?;
                continue;
            }
            if buf.pending() >= WRITE_BEHIND {
                // In the background: the caller goes on; the next call waits for it.
                this.start(Op::Write)?;
            }
            return Poll::Ready(Ok(n));
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if let Some((op, res)) = ready!(this.poll_job(cx)) {
                this.absorb(op, res);
                continue;
            }
            if let Some(e) = this.failed.take() {
                return Poll::Ready(Err(e));
            }
            if this.buf()?.pending() == 0 {
                return Poll::Ready(Ok(()));
            }
            this.start(Op::Write)?;
        }
    }

    /// Flushes; the file itself stays open until the `File` is dropped.
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

impl AsyncSeek for File {
    fn poll_seek(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        pos: SeekFrom,
    ) -> Poll<io::Result<u64>> {
        let this = self.get_mut();
        loop {
            if let Some((op, res)) = ready!(this.poll_job(cx)) {
                match (op, res) {
                    // Ours (or an abandoned seek to the same place, which is as good).
                    (Op::Seek(p), Ok(Done::Pos(at))) if p == pos => return Poll::Ready(Ok(at)),
                    (Op::Seek(p), Err(f)) if p == pos => return Poll::Ready(Err(f.into_error())),
                    (op, res) => this.absorb(op, res),
                }
                continue;
            }
            this.window = READ_AHEAD;
            this.start(Op::Seek(pos))?;
        }
    }
}

impl Drop for File {
    /// Closes the file on the blocking pool, writing what is still buffered first.
    fn drop(&mut self) {
        let Some(file) = self.file.take() else {
            return;
        };
        let buf = match std::mem::replace(&mut self.state, State::Idle(Buf::new())) {
            State::Idle(buf) if buf.pending() > 0 => Some(buf),
            // A job in flight still runs, with its own reference to the file.
            _ => None,
        };
        let parcel = Parcel { buf, file };
        // Refused (the runtime is shut down): the parcel is dropped here instead, and does
        // its work on this thread: no task is left to hold up.
        let _ = pool::spawn(move || drop(parcel));
    }
}

/// What a job takes: the buffer and the file. Dropped without being opened — its job
/// refused by a shut-down pool, dropped from the queue at shutdown, or sent off by a dropped
/// `File` — it still writes the data it holds (best effort: nobody is left to hear of a
/// failure), wherever that drop happens. So buffered writes are never silently thrown away.
struct Parcel {
    buf: Option<Buf>,
    file: Arc<StdFile>,
}

impl Parcel {
    /// On a pool thread: does `op`, and hands the buffer back with the result.
    fn open(mut self, op: Op) -> (Buf, Result<Done, Failure>) {
        let mut buf = self.buf.take().unwrap_or_default();
        let res = buf.run(&self.file, op);
        (buf, res)
    }
}

impl Drop for Parcel {
    fn drop(&mut self) {
        if let Some(buf) = &mut self.buf {
            if buf.pending() > 0 {
                let _ = buf.settle(&self.file);
            }
        }
    }
}

impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("File");
        if let Some(file) = &self.file {
            d.field("std", &**file);
        }
        match &self.state {
            State::Idle(buf) => d
                .field("read_ahead", &buf.unread().len())
                .field("pending_writes", &buf.pending()),
            State::Busy { op, .. } => d.field("in_flight", op),
        };
        d.finish_non_exhaustive()
    }
}
