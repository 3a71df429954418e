//! 1,000 short-lived children at once, on both schedulers and both exit-detection paths:
//! every one is reaped, waited or dropped, and no descriptor is left open. In a test binary
//! of its own, since it counts this process's descriptors and children.

mod common;

use common::{Exits, LIMIT, eventually, open_fds, runtimes};

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
            eventually("the warm-up child is reaped", || {
                corio_process::Child::orphans_pending() == 0
            });
            let before = open_fds();

            rt.block_on(corio::wait_for(
                async move {
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
                    for _ in 0..DROPPED {
                        // Still running when dropped, so it goes to the reaper for sure.
                        drop(
                            exits
                                .command("sleep")
                                .arg("100")
                                .kill_on_drop(true)
                                .spawn()?,
                        );
                    }
                    std::io::Result::Ok(())
                },
                LIMIT,
            ))
            .unwrap_or_else(|_| panic!("{what}: timed out"))
            .unwrap_or_else(|e| panic!("{what}: {e}"));

            eventually("the dropped children are reaped", || {
                corio_process::Child::orphans_pending() == 0
            });
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
