//! `ctrl_c()`: SIGINT is caught from the call on, and given back when the future goes. In a
//! binary of its own: a SIGINT without a handler would end the test process.

mod common;

use common::{disposition, runtimes, send_to_self};
use corio::signal::ctrl_c;

#[test]
fn ctrl_c_resolves_on_sigint_and_then_restores_the_default() {
    for (flavour, rt) in runtimes() {
        assert_eq!(disposition(libc::SIGINT), libc::SIG_DFL, "{flavour}");
        rt.block_on(corio::wait_for(
            async {
                let interrupted = ctrl_c();
                // Sent before the first poll: caught, not lost.
                send_to_self(libc::SIGINT);
                interrupted.await
            },
            common::LIMIT,
        ))
        .unwrap_or_else(|_| panic!("{flavour}: timed out"))
        .unwrap_or_else(|e| panic!("{flavour}: {e}"));
        assert_eq!(disposition(libc::SIGINT), libc::SIG_DFL, "{flavour}");
    }
}
