//! With no reactor entered, `Async` registers with the fallback reactor and its background
//! thread, so any executor works.

mod common;

use std::io::{self, Write};
use std::os::unix::net::UnixStream;
use std::thread;
use std::time::Duration;

use common::watchdog;
use corio_reactor::{Async, Reactor};
use futures_lite::AsyncReadExt;

#[test]
fn block_on_reads_through_the_fallback_reactor() -> io::Result<()> {
    let _watchdog = watchdog(10);
    assert!(Reactor::try_current().is_none());
    let (mut peer, socket) = UnixStream::pair()?;
    let writer = thread::spawn(move || {
        // Late, so that the read below has to wait for the fallback thread's event.
        thread::sleep(Duration::from_millis(20));
        peer.write_all(b"from afar")
    });
    let text = futures_lite::future::block_on(async {
        let mut socket = Async::new(socket)?;
        let mut text = String::new();
        socket.read_to_string(&mut text).await?;
        io::Result::Ok(text)
    })?;
    writer.join().expect("writer thread")?;
    assert_eq!(text, "from afar");
    Ok(())
}

#[test]
fn fallback_reactor_is_shared_and_driven_by_its_own_thread() -> io::Result<()> {
    let _watchdog = watchdog(10);
    let (a, b) = UnixStream::pair()?;
    let (a, b) = (Async::new(a)?, Async::new(b)?);
    // Both ends go to one fallback reactor, driven by a thread named corio-reactor.
    let readable = thread::spawn(move || futures_lite::future::block_on(b.readable()));
    thread::sleep(Duration::from_millis(5));
    a.get_ref().write_all(b"x")?;
    readable.join().expect("reader thread")?;
    #[cfg(target_os = "linux")]
    {
        let mut names = Vec::new();
        for task in std::fs::read_dir("/proc/self/task")? {
            names.push(std::fs::read_to_string(task?.path().join("comm"))?);
        }
        assert!(
            names.iter().any(|name| name.trim() == "corio-reactor"),
            "no corio-reactor thread among {names:?}"
        );
    }
    Ok(())
}
