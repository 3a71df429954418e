//! Registration life cycle: descriptors the reactor cannot use give an `io::Error`, never a
//! panic, and leave nothing registered; `into_inner` deregisters.

mod common;

use std::fs::File;
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::net::UnixStream;

use common::each_backend;
use corio_reactor::Async;
use corio_timer::Clock;

/// A descriptor number no process can have open (above the kernel's `nr_open` ceiling).
#[derive(Debug)]
struct NeverOpen;

impl AsFd for NeverOpen {
    fn as_fd(&self) -> BorrowedFd<'_> {
        // SAFETY: deliberately breaks BorrowedFd's "open descriptor" promise to test the error
        // path; the number is only handed to fcntl/epoll_ctl, which reject it with EBADF.
        unsafe { BorrowedFd::borrow_raw(i32::MAX - 1) }
    }
}

#[test]
fn closed_descriptor_is_an_error() -> io::Result<()> {
    each_backend(|new_reactor| {
        let reactor = new_reactor(Clock::Real)?;
        let err = Async::with_reactor(NeverOpen, &reactor).expect_err("registered a closed fd");
        assert_eq!(err.raw_os_error(), Some(libc::EBADF));
        assert_eq!(reactor.registered_sources(), 0);
        Ok(())
    })
}

#[test]
fn closed_descriptor_is_an_error_with_the_fallback_reactor() {
    let err = Async::new(NeverOpen).expect_err("registered a closed fd");
    assert_eq!(err.raw_os_error(), Some(libc::EBADF));
}

#[test]
fn descriptor_the_poller_refuses_is_an_error() -> io::Result<()> {
    // epoll refuses regular files (EPERM); other pollers may accept them.
    each_backend(|new_reactor| {
        let path = std::env::temp_dir().join(format!("corio-reactor-{}", std::process::id()));
        let file = File::create(&path)?;
        let reactor = new_reactor(Clock::Real)?;
        let result = Async::with_reactor(file, &reactor);
        std::fs::remove_file(&path)?;
        if cfg!(any(target_os = "linux", target_os = "android")) {
            assert_eq!(
                result.expect_err("epoll took a file").raw_os_error(),
                Some(libc::EPERM)
            );
            assert_eq!(reactor.registered_sources(), 0);
        }
        Ok(())
    })
}

#[test]
fn into_inner_deregisters_and_returns_the_io_object() -> io::Result<()> {
    each_backend(|new_reactor| {
        let reactor = new_reactor(Clock::Real)?;
        let (a, _b) = UnixStream::pair()?;
        let a = Async::with_reactor(a, &reactor)?;
        assert_eq!(reactor.registered_sources(), 1);
        let a: UnixStream = a.into_inner();
        assert_eq!(reactor.registered_sources(), 0);
        // Still usable, and can be registered again.
        let a = Async::with_reactor(a, &reactor)?;
        assert_eq!(reactor.registered_sources(), 1);
        drop(a);
        assert_eq!(reactor.registered_sources(), 0);
        Ok(())
    })
}

#[test]
fn each_backend_covers_both_pollers() -> io::Result<()> {
    let mut names = Vec::new();
    each_backend(|new_reactor| {
        names.push(format!("{:?}", new_reactor(Clock::Real)?));
        Ok(())
    })?;
    let default = if cfg!(any(target_os = "linux", target_os = "android"))
        && std::env::var_os("CORIO_POLLER").is_none_or(|name| name != "polling")
    {
        "epoll"
    } else {
        "polling"
    };
    assert!(
        names[0].contains(&format!(r#"poller: "{default}""#)),
        "{names:?}"
    );
    assert!(names[1].contains(r#"poller: "polling""#), "{names:?}");
    Ok(())
}
