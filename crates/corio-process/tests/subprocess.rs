//! Behaviour of `Command` and `Child`, after CPython's `test_asyncio/test_subprocess.py`,
//! under both schedulers and both exit-detection paths.

mod common;

use std::io;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

use common::{eventually, on_all, process_exists};
use corio_process::Stdio;
use corio_process::signal::Signal;
use futures_lite::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

#[test]
fn communicate_through_cat() {
    on_all("communicate_through_cat", |exits| async move {
        let mut child = exits
            .command("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let out = child.communicate(Some(b"some data")).await?;
        assert_eq!(out.stdout, b"some data");
        assert!(out.stderr.is_empty(), "stderr was not piped");
        assert_eq!(child.returncode(), Some(0));
        Ok(())
    });
}

#[test]
fn exit_code() {
    on_all("exit_code", |exits| async move {
        let mut child = exits.shell("exit 7").spawn()?;
        assert_eq!(child.returncode(), None);
        let status = child.wait().await?;
        assert_eq!((status.code(), status.signal()), (Some(7), None));
        assert_eq!(child.returncode(), Some(7));
        // Waiting again gives the same status at once.
        assert_eq!(child.wait().await?, status);
        Ok(())
    });
}

#[test]
fn kill_gives_signal_9() {
    on_all("kill", |exits| async move {
        let mut child = exits.command("sleep").arg("100").spawn()?;
        child.kill()?;
        let status = child.wait().await?;
        assert_eq!((status.code(), status.signal()), (None, Some(9)));
        assert_eq!(child.returncode(), Some(-9));
        // Signalling a reaped child is a no-op, not an error (its pid may be reused).
        child.kill()?;
        Ok(())
    });
}

#[test]
fn terminate_gives_signal_15() {
    on_all("terminate", |exits| async move {
        let mut child = exits.command("sleep").arg("100").spawn()?;
        child.terminate()?;
        assert_eq!(child.wait().await?.signal(), Some(15));
        assert_eq!(child.returncode(), Some(-15));
        Ok(())
    });
}

#[test]
fn send_signal_reaches_the_childs_handler() {
    on_all("send_signal", |exits| async move {
        // The child says "ready" once its trap is set, then waits; SIGUSR1 makes it exit 3.
        // (Not SIGHUP: under `nohup` the shell starts with it ignored, and then cannot trap it.)
        let script = "trap 'kill $! 2>/dev/null; echo caught; exit 3' USR1; \
                      sleep 100 & echo ready; wait";
        let mut child = exits.shell(script).stdout(Stdio::piped()).spawn()?;
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).await?;
        assert_eq!(line, "ready\n");
        child.send_signal(Signal::USR1)?;
        line.clear();
        stdout.read_line(&mut line).await?;
        assert_eq!(line, "caught\n");
        assert_eq!(child.wait().await?.code(), Some(3));
        Ok(())
    });
}

#[test]
fn stdin_stdout_streaming() {
    on_all("streaming", |exits| async move {
        let mut child = exits
            .command("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        for i in 0..100 {
            let sent = format!("line {i}\n");
            stdin.write_all(sent.as_bytes()).await?;
            let mut line = String::new();
            stdout.read_line(&mut line).await?;
            assert_eq!(line, sent);
        }
        // Closing stdin is end of file for `cat`, which then exits: its stdout ends too.
        stdin.close().await?;
        assert_eq!(
            stdin.write(b"late").await.unwrap_err().kind(),
            io::ErrorKind::BrokenPipe
        );
        let mut rest = Vec::new();
        stdout.read_to_end(&mut rest).await?;
        assert!(rest.is_empty());
        assert!(child.wait().await?.success());
        Ok(())
    });
}

#[test]
fn output_captures_both_streams() {
    on_all("output", |exits| async move {
        let out = exits
            .shell("echo out; echo err >&2; exit 3")
            .output()
            .await?;
        assert_eq!(out.stdout, b"out\n");
        assert_eq!(out.stderr, b"err\n");
        assert_eq!(out.status.code(), Some(3));
        Ok(())
    });
}

#[test]
fn communicate_without_piped_stdin_refuses_input() {
    on_all("communicate_refuses_input", |exits| async move {
        let mut child = exits.command("true").spawn()?;
        let err = child.communicate(Some(b"lost")).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(child.wait().await?.success());
        Ok(())
    });
}

#[test]
fn communicate_with_a_child_that_reads_nothing() {
    on_all("communicate_ignores_broken_pipe", |exits| async move {
        // `true` exits without reading: the write fails with EPIPE, which is not an error.
        let mut child = exits.command("true").stdin(Stdio::piped()).spawn()?;
        let out = child.communicate(Some(&vec![b'x'; 1 << 20])).await?;
        assert!(out.status.success());
        Ok(())
    });
}

#[test]
fn hundred_mib_each_way_does_not_deadlock() {
    const LEN: usize = 100 << 20;
    // A pattern that shows misplaced data, built once (slow in a debug build).
    let input: std::sync::Arc<Vec<u8>> =
        std::sync::Arc::new((0..=250u8).cycle().take(LEN).collect());
    on_all("100 MiB through cat", |exits| {
        let input = input.clone();
        async move {
            let mut child = exits
                .command("cat")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()?;
            let out = child.communicate(Some(&input)).await?;
            assert_eq!(out.stdout.len(), LEN);
            assert!(out.stdout == *input, "the data came back changed");
            assert!(out.status.success());
            Ok(())
        }
    });
}

#[test]
fn program_not_found_names_the_program() {
    on_all("not_found", |exits| async move {
        let err = exits.command("corio-no-such-program").spawn().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(err.to_string().contains("corio-no-such-program"), "{err}");
        let source = std::error::Error::source(err.get_ref().unwrap()).unwrap();
        assert!(source.to_string().contains("os error 2"), "{source}");
        Ok(())
    });
}

#[test]
fn a_file_that_is_not_executable() {
    let path = std::env::temp_dir().join(format!("corio-not-executable-{}", std::process::id()));
    std::fs::write(&path, "#!/bin/sh\necho hi\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let shared = path.clone();
    on_all("not_executable", move |exits| {
        let path = shared.clone();
        async move {
            let err = exits.command(&path).spawn().unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
            assert!(err.to_string().contains("corio-not-executable"), "{err}");
            Ok(())
        }
    });
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn cancelled_wait_can_be_called_again() {
    on_all("cancel_wait", |exits| async move {
        let mut child = exits.command("sleep").arg("100").spawn()?;
        // `sleep 100` cannot exit in 20 ms: the wait is cancelled by the timeout.
        assert!(
            corio::wait_for(child.wait(), Duration::from_millis(20))
                .await
                .is_err()
        );
        assert_eq!(child.exit_watched_by_pidfd(), !exits.sigchld);
        assert!(child.try_wait()?.is_none());
        child.kill()?;
        assert_eq!(child.wait().await?.signal(), Some(9));
        Ok(())
    });
}

#[test]
fn try_wait_does_not_wait() {
    on_all("try_wait", |exits| async move {
        let mut child = exits.command("sleep").arg("100").spawn()?;
        assert_eq!(child.try_wait()?, None);
        assert_eq!(child.returncode(), None);
        child.terminate()?;
        let status = child.wait().await?;
        assert_eq!(child.try_wait()?, Some(status));
        Ok(())
    });
}

#[test]
fn dropped_children_are_reaped() {
    on_all("dropped_children", |exits| async move {
        // Exits on its own, nobody waits.
        let quick = exits.command("true").spawn()?;
        // Killed by the drop.
        let killed = exits
            .command("sleep")
            .arg("100")
            .kill_on_drop(true)
            .spawn()?;
        // Still running when dropped, exits later.
        let mut later = exits
            .command("cat")
            .stdin(Stdio::piped())
            .kill_on_drop(false)
            .spawn()?;
        let stdin = later.stdin.take().unwrap();
        let pids = [quick.pid(), killed.pid(), later.pid()];
        drop((quick, killed, later));
        assert!(process_exists(pids[2]), "`cat` waits for its input");
        drop(stdin); // now `cat` exits
        eventually("the dropped children are reaped", || {
            pids.iter().all(|&pid| !process_exists(pid))
        });
        Ok(())
    });
}

#[test]
fn cwd_env_and_null_streams() {
    on_all("cwd_env", |exits| async move {
        let out = exits
            .shell("pwd; echo \"$CORIO_TEST_VAR\"; cat")
            .current_dir("/")
            .env("CORIO_TEST_VAR", "set")
            .stdin(Stdio::null())
            .output()
            .await?;
        assert_eq!(out.stdout, b"/\nset\n");
        Ok(())
    });
}
