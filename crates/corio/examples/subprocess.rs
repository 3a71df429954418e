//! asyncio's `create_subprocess_exec`: run a command, capture its output, check its return
//! code; then a conversation with a child over its stdin and stdout.
//!
//! Run it with `cargo run -p corio --example subprocess`.

use corio::process::{Command, Stdio, shell};
use futures_lite::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

#[corio::main]
async fn main() -> std::io::Result<()> {
    // Run, capture, check: `await proc.communicate()` then `proc.returncode`.
    let out = Command::new("ls").args(["-1", "/"]).output().await?;
    if !out.status.success() {
        return Err(std::io::Error::other(format!("ls failed: {}", out.status)));
    }
    let entries = String::from_utf8_lossy(&out.stdout);
    println!(
        "/ has {} entries, the first {:?}",
        entries.lines().count(),
        entries.lines().next()
    );

    // A failing command is a status, not an error.
    let mut child = shell("echo 'about to fail' >&2; exit 3")
        .stderr(Stdio::piped())
        .spawn()?;
    let out = child.communicate(None).await?;
    println!(
        "the shell said {:?} and exited with return code {:?}",
        String::from_utf8_lossy(&out.stderr).trim(),
        child.returncode()
    );

    // A program that does not exist: the error names it.
    if let Err(e) = Command::new("no-such-program").spawn() {
        println!("as expected: {e}");
    }

    // Streaming: a line to `bc`, its answer back, as often as we like.
    let mut bc = Command::new("bc")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    if let Ok(bc) = &mut bc {
        let mut stdin = bc.stdin.take().expect("piped");
        let mut answers = BufReader::new(bc.stdout.take().expect("piped"));
        for sum in ["6 * 7", "2 ^ 64"] {
            stdin.write_all(format!("{sum}\n").as_bytes()).await?;
            let mut answer = String::new();
            answers.read_line(&mut answer).await?;
            println!("bc: {sum} = {}", answer.trim());
        }
        stdin.close().await?; // end of input: bc exits
        println!("bc exited: {}", bc.wait().await?);
    } else {
        println!("bc is not installed; skipping the conversation");
    }
    Ok(())
}
