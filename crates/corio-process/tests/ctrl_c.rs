//! `ctrl_c()`: SIGINT is caught from the call on, and given back when the future goes. In a
//! binary of its own: a SIGINT without a handler would end the test process.

mod common;

use common::{block_on_limited, disposition, runtimes, send_to_self};
use corio::signal::ctrl_c;

#[test]
fn ctrl_c_resolves_on_sigint_and_then_restores_the_default() {
    // A process started in the background by a non-interactive shell inherits SIGINT
    // ignored; start from the default, which is what the test is about.
    // SAFETY: setting a standard disposition; no handler of ours is replaced.
    unsafe { libc::signal(libc::SIGINT, libc::SIG_DFL) };
    for (flavour, rt) in runtimes() {
        assert_eq!(disposition(libc::SIGINT), libc::SIG_DFL, "{flavour}");
        block_on_limited(flavour, &rt, async {
            let interrupted = ctrl_c();
            // Sent before the first poll: caught, not lost.
            send_to_self(libc::SIGINT);
            interrupted.await.map_err(std::io::Error::from)
        });
        assert_eq!(disposition(libc::SIGINT), libc::SIG_DFL, "{flavour}");
    }
}
