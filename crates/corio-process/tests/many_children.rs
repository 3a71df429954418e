//! 1,000 short-lived children at once, on both schedulers and both exit-detection paths:
//! every one is reaped, waited or dropped, and no descriptor is left open. In a test binary
//! of its own, since it counts this process's descriptors and children.

mod common;

use common::{Exits, block_on_limited, open_fds, orphans_reaped, runtimes};

const CHILDREN: usize = 1000;
const DROPPED: usize = 100;

#[test]
fn a_thousand_children_at_once_are_all_reaped_and_leak_no_fd() {
    for (flavour, rt) in runtimes() {
        for sigchld in [false, true] {
            let exits = Exits { sigchld };
            let what = format!("{flavour}, {exits:?}");
            // What corio opens once and for good (the signal machinery's pipe, which the
            // reaper of dropped children uses), opened before counting.
            rt.block_on(async {
                // Still running when dropped, so it goes to the reaper for sure.
                drop(
                    exits
                        .command("sleep")
                        .arg("100")
                        .kill_on_drop(true)
                        .spawn()?,
                );
                exits.command("true").status().await
            })
            .unwrap();
            orphans_reaped();
            let before = open_fds();

            block_on_limited(&what, &rt, async move {
                let children = (0..CHILDREN)
                    .map(|_| exits.command("true").spawn())
                    .collect::<std::io::Result<Vec<_>>>()?;
                // All waited for at once, one task each.
                let waits: Vec<_> = children
                    .into_iter()
                    .map(|mut child| corio::spawn(async move { child.wait().await }))
                    .collect();
                for wait in waits {
                    assert!(wait.await.expect("the task")?.success());
                }
                // And some nobody waits for.
                // (Some have exited when dropped, the others are reaped on SIGCHLD.)
                for _ in 0..DROPPED {
                    drop(exits.command("true").spawn()?);
                }
                std::io::Result::Ok(())
            });

            orphans_reaped();
            assert_eq!(open_fds(), before, "{what}: descriptors leaked");
        }
    }
    // No child of this process is left, not even a zombie: waitpid has nobody to wait for.
    let mut status = 0;
    // SAFETY: `status` is a valid place for waitpid to write to.
    let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
    assert_eq!(pid, -1, "a child was left behind (pid {pid})");
    assert_eq!(
        std::io::Error::last_os_error().raw_os_error(),
        Some(libc::ECHILD)
    );
}
