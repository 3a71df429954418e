//! Errors: the operating system's error, with the operation and the path it was about.
//!
//! `std::fs` errors say "No such file or directory" without saying which file. Ours keep the
//! same [`io::ErrorKind`] and carry the OS error as their [`source`](std::error::Error::source),
//! so matching on the kind works as with `std`, and the message names the path.

use std::error::Error;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// An OS error and what it happened to.
#[derive(Debug)]
struct PathError {
    op: &'static str,
    path: PathBuf,
    /// The second path of a two-path operation (rename, copy, hard link).
    to: Option<PathBuf>,
    source: io::Error,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot {} `{}`", self.op, self.path.display())?;
        if let Some(to) = &self.to {
            write!(f, " to `{}`", to.display())?;
        }
        write!(f, ": {}", self.source)
    }
}

impl Error for PathError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.source)
    }
}

/// `e`, saying it happened when doing `op` on `path`.
pub(crate) fn at(e: io::Error, op: &'static str, path: &Path) -> io::Error {
    wrap(e, op, path, None)
}

/// `e`, saying it happened when doing `op` from `from` to `to`.
pub(crate) fn between(e: io::Error, op: &'static str, from: &Path, to: &Path) -> io::Error {
    wrap(e, op, from, Some(to))
}

fn wrap(e: io::Error, op: &'static str, path: &Path, to: Option<&Path>) -> io::Error {
    io::Error::new(
        e.kind(),
        PathError {
            op,
            path: path.to_owned(),
            to: to.map(Path::to_owned),
            source: e,
        },
    )
}

/// What a file operation reports when the runtime's blocking pool no longer takes jobs.
///
/// `ErrorKind::Other`, not `Interrupted`: loops such as `write_all` retry `Interrupted`
/// forever, and a shut-down runtime never comes back.
pub(crate) fn shut_down() -> io::Error {
    io::Error::other("the runtime is shut down: its blocking pool no longer runs file operations")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_stays_and_the_message_names_the_path() {
        let os = io::Error::from_raw_os_error(2);
        let e = at(os, "open", Path::new("/nowhere/x"));
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        let msg = e.to_string();
        assert!(msg.starts_with("cannot open `/nowhere/x`: "), "{msg}");
        let source = e.source().and_then(|s| s.downcast_ref::<io::Error>());
        assert_eq!(source.and_then(io::Error::raw_os_error), Some(2));
    }

    #[test]
    fn two_paths() {
        let e = between(
            io::Error::from(io::ErrorKind::NotFound),
            "rename",
            Path::new("a"),
            Path::new("b"),
        );
        assert!(
            e.to_string().starts_with("cannot rename `a` to `b`: "),
            "{e}"
        );
    }
}
