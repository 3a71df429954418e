//! Every descriptor corio opens is close-on-exec, so children inherit only their standard
//! streams. In a binary of its own: it compares this process's descriptors with a snapshot
//! taken before corio opened any.

mod common;

use std::time::Duration;

use common::{Exits, block_on_limited, open_fds, runtimes};
use corio_process::Stdio;
use corio_process::signal::{Signal, Signals};

/// The descriptors of this process without close-on-exec: what a child would inherit.
fn inheritable() -> Vec<i32> {
    open_fds()
        .iter()
        .map(|fd| fd.parse::<i32>().expect("a descriptor number"))
        .filter(|&fd| {
            // SAFETY: F_GETFD on a descriptor number; no pointers.
            let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
            flags >= 0 && flags & libc::FD_CLOEXEC == 0
        })
        .collect()
}

#[test]
fn corio_opens_nothing_a_child_inherits() {
    // Whatever the test harness's environment leaked to this process (it may), before corio.
    let before = inheritable();
    for (flavour, rt) in runtimes() {
        for sigchld in [false, true] {
            let exits = Exits { sigchld };
            let what = format!("{flavour}, {exits:?}");
            let expected = before.clone();
            let listed = block_on_limited(&what, &rt, async move {
                // Open all that corio opens: the runtime's poller (already), the signal
                // machinery, a pidfd (a wait that has to block), child pipes.
                let _signals = Signals::new([Signal::USR2])?;
                let mut sleeper = exits.command("sleep").arg("100").spawn()?;
                let _ = corio::wait_for(sleeper.wait(), Duration::from_millis(1)).await;
                let mut cat = exits
                    .command("cat")
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .spawn()?;
                assert_eq!(
                    inheritable(),
                    expected,
                    "a descriptor without close-on-exec"
                );
                // And as a child sees it: the shell lists its own descriptors (`ls` runs in
                // a child of the shell and opens the directory itself).
                let out = exits
                    .shell("ls /proc/$$/fd")
                    .stdin(Stdio::null())
                    .output()
                    .await?;
                sleeper.kill()?;
                sleeper.wait().await?;
                cat.communicate(None).await?;
                Ok(String::from_utf8_lossy(&out.stdout).into_owned())
            });
            for fd in listed.lines().map(|fd| fd.parse::<i32>().unwrap()) {
                assert!(
                    fd <= 2 || before.contains(&fd),
                    "{what}: the child inherited {fd}: {listed:?}"
                );
            }
        }
    }
}
