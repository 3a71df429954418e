//! A `File`'s buffer, and the work one blocking job does with it.
//!
//! The buffer travels: it is moved into each job with the file and comes back with the
//! result, so the job and the task never share it and no lock is needed. It holds either
//! data read ahead and not yet handed out, or data written and not yet on the file — never
//! both, since every job first *settles* it (writes what is pending, and moves the OS cursor
//! back over read-ahead the caller gave up), so the OS cursor matches the caller's position
//! before the job does anything else.

use std::fs::File as StdFile;
use std::io::{self, Read, Seek, SeekFrom, Write};

/// The most one job reads or writes: a 1 MiB read or write is one job, and a file's buffer
/// never grows past this.
pub(crate) const MAX_BUF: usize = 2 * 1024 * 1024;

/// Buffered writes start a background job once this much is pending: small writes batch up
/// to here, large ones go at once.
pub(crate) const WRITE_BEHIND: usize = 128 * 1024;

/// The least a read job asks the OS for, whatever the caller's buffer: a caller reading in
/// small pieces (a `BufReader`'s 8 KiB, `read_to_end`'s growing vector) still gets them
/// from one job per this much. Reading sequentially doubles it, up to [`MAX_BUF`].
pub(crate) const READ_AHEAD: usize = 64 * 1024;

/// What a job does once the buffer is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// Nothing more: the pending writes (and a rewind) are the point. A flush, or a write
    /// started in the background.
    Write,
    /// One `read` of at most this many bytes into the buffer.
    Read(usize),
    /// Move the cursor.
    Seek(SeekFrom),
    SyncAll,
    SyncData,
    SetLen(u64),
    /// Settle everything, read-ahead included, before the file leaves (`into_std`).
    Release,
}

impl Op {
    /// Whether the OS cursor must be where the caller is, read-ahead given back, first.
    pub(crate) fn needs_cursor(self) -> bool {
        // After `set_len` a read must not serve bytes cut off the end.
        matches!(self, Op::Seek(_) | Op::SetLen(_) | Op::Release)
    }
}

/// How a job failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Settling failed: pending writes were lost (or the cursor could not be moved back).
    /// Worth reporting even when whoever started the job has gone.
    Settle(io::Error),
    /// The operation itself failed.
    Op(io::Error),
}

impl Failure {
    pub(crate) fn into_error(self) -> io::Error {
        match self {
            Failure::Settle(e) | Failure::Op(e) => e,
        }
    }
}

/// What a job achieved.
#[derive(Debug)]
pub(crate) enum Done {
    /// Bytes read into the buffer; 0 at the end of the file.
    Read(usize),
    /// The new cursor position, after a seek.
    Pos(u64),
    Nothing,
}

#[derive(Debug, Default)]
pub(crate) struct Buf {
    /// Always initialised up to its length (safe code cannot read into spare capacity), and
    /// kept between jobs so a file's reads zero it once, not per read.
    bytes: Vec<u8>,
    /// Read-ahead: `bytes[start..end]` is read from the file and not yet handed out.
    /// Writing: `bytes[..end]` is written by the caller and not yet on the file.
    start: usize,
    end: usize,
    writing: bool,
    /// The OS cursor is this far past the caller's position: read-ahead dropped when the
    /// caller turned to writing or seeking. Undone first by the next job.
    rewind: u64,
}

impl Buf {
    pub(crate) fn new() -> Buf {
        Buf::default()
    }

    /// Read-ahead not yet handed out.
    pub(crate) fn unread(&self) -> &[u8] {
        if self.writing {
            &[]
        } else {
            &self.bytes[self.start..self.end]
        }
    }

    /// Hands out up to `dst.len()` bytes of read-ahead.
    pub(crate) fn copy_to(&mut self, dst: &mut [u8]) -> usize {
        let src = self.unread();
        let n = src.len().min(dst.len());
        dst[..n].copy_from_slice(&src[..n]);
        self.start += n;
        n
    }

    /// Bytes written by the caller and not yet on the file.
    pub(crate) fn pending(&self) -> usize {
        if self.writing { self.end } else { 0 }
    }

    /// Whether the OS cursor is exactly where the caller is: nothing pending, read ahead or
    /// to rewind.
    pub(crate) fn settled(&self) -> bool {
        self.pending() == 0 && self.unread().is_empty() && self.rewind == 0
    }

    /// Forgets the read-ahead, remembering to move the OS cursor back over it: the caller
    /// is about to write or seek from its own position.
    pub(crate) fn drop_read_ahead(&mut self) {
        if !self.writing {
            self.rewind += (self.end - self.start) as u64;
            self.start = 0;
            self.end = 0;
        }
    }

    /// Queues as much of `src` as fits under [`MAX_BUF`]; returns how much. Read-ahead is
    /// dropped first (to be rewound over).
    pub(crate) fn push(&mut self, src: &[u8]) -> usize {
        if !self.writing {
            self.drop_read_ahead();
            self.writing = true;
            self.start = 0;
            self.end = 0;
        }
        let n = src.len().min(MAX_BUF - self.end);
        // `extend_from_slice` beyond the initialised part, a plain copy inside it.
        let keep = self.bytes.len().min(self.end + n);
        let inside = keep.saturating_sub(self.end);
        self.bytes[self.end..keep].copy_from_slice(&src[..inside]);
        self.bytes.extend_from_slice(&src[inside..n]);
        self.end += n;
        n
    }

    /// Runs `op` on `file`, on a pool thread: settles the buffer, then does the operation.
    pub(crate) fn run(&mut self, file: &StdFile, op: Op) -> Result<Done, Failure> {
        if op.needs_cursor() {
            self.drop_read_ahead();
        }
        self.settle(file).map_err(Failure::Settle)?;
        let mut file = file;
        let done = match op {
            Op::Write | Op::Release => Ok(Done::Nothing),
            // Read-ahead left over (a read raced by an abandoned one) is served first.
            Op::Read(_) if !self.unread().is_empty() => Ok(Done::Read(self.unread().len())),
            Op::Read(len) => self.read_from(file, len).map(Done::Read),
            Op::Seek(pos) => file.seek(pos).map(Done::Pos),
            Op::SyncAll => file.sync_all().map(|()| Done::Nothing),
            Op::SyncData => file.sync_data().map(|()| Done::Nothing),
            Op::SetLen(len) => file.set_len(len).map(|()| Done::Nothing),
        };
        done.map_err(Failure::Op)
    }

    /// Brings the OS cursor to the caller's position: back over dropped read-ahead, then past
    /// the pending writes. Pending data is dropped even if writing it fails: the error is
    /// reported once, and retrying the same write forever helps nobody.
    pub(crate) fn settle(&mut self, mut file: &StdFile) -> io::Result<()> {
        if self.rewind > 0 {
            let back = std::mem::take(&mut self.rewind);
            let back = i64::try_from(back).map_err(|_| io::Error::other("read-ahead too large"))?;
            file.seek(SeekFrom::Current(-back))?;
        }
        if self.writing {
            let end = std::mem::take(&mut self.end);
            self.writing = false;
            file.write_all(&self.bytes[..end])?;
        }
        // Read-ahead stays: the caller's position is still at its start.
        Ok(())
    }

    /// One `read` of up to `len` bytes (retried if a signal interrupts it).
    fn read_from(&mut self, mut file: &StdFile, len: usize) -> io::Result<usize> {
        if self.bytes.len() < len {
            self.bytes.resize(len, 0);
        }
        self.start = 0;
        self.end = 0;
        let n = loop {
            match file.read(&mut self.bytes[..len]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => break r?,
            }
        };
        self.end = n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_caps_at_max_buf_and_reuses_initialised_bytes() {
        let mut b = Buf::new();
        assert_eq!(b.push(&[1; 10]), 10);
        assert_eq!(b.pending(), 10);
        assert!(b.unread().is_empty());
        let big = vec![2; MAX_BUF];
        assert_eq!(b.push(&big), MAX_BUF - 10);
        assert_eq!(b.pending(), MAX_BUF);
        assert_eq!(b.push(&[3]), 0);
        // Written out (as a job would), then reused from the start.
        b.end = 0;
        b.writing = false;
        assert_eq!(b.push(&[4, 5]), 2);
        assert_eq!(&b.bytes[..2], &[4, 5]);
        assert_eq!(b.bytes.len(), MAX_BUF);
    }

    #[test]
    fn dropped_read_ahead_becomes_a_rewind() {
        let mut b = Buf::new();
        b.bytes = vec![0; 8];
        b.end = 8;
        let mut dst = [0; 3];
        assert_eq!(b.copy_to(&mut dst), 3);
        assert_eq!(b.unread().len(), 5);
        b.drop_read_ahead();
        assert_eq!(b.rewind, 5);
        assert!(b.unread().is_empty());
    }
}
