//! A child's standard streams through asyncio's stream classes: `StreamWriter` on its stdin,
//! `StreamReader` on its stdout, so `readline` works on a child as on a socket.

use corio::net::{ReadError, StreamReader, StreamWriter};
use corio::process::{Command, Stdio};

fn runtimes() -> [corio::Runtime; 2] {
    [
        corio::Builder::new().current_thread().build().unwrap(),
        corio::Builder::new().worker_threads(2).build().unwrap(),
    ]
}

#[test]
fn readline_on_a_childs_stdout_and_drain_on_its_stdin() {
    for rt in runtimes() {
        rt.block_on(async {
            // A line filter: answers each line, exits at end of file.
            let mut child = Command::new("sh")
                .args(["-c", "while read -r l; do echo \"got $l\"; done; echo bye"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()?;
            let writer = StreamWriter::new(child.stdin.take().expect("piped stdin"));
            let mut reader = StreamReader::new(child.stdout.take().expect("piped stdout"));
            for i in 0..100 {
                writer.write(format!("line {i}\n").as_bytes())?;
                writer.drain().await?;
                assert_eq!(
                    reader.readline().await?,
                    format!("got line {i}\n").as_bytes()
                );
            }
            writer.write_eof().await?; // closes the pipe: the loop's `read` sees end of file
            assert_eq!(reader.readline().await?, b"bye\n");
            assert_eq!(
                reader.readline().await?,
                b"",
                "end of file after the child exits"
            );
            assert!(reader.at_eof());
            assert!(child.wait().await?.success());
            Ok::<_, std::io::Error>(())
        })
        .unwrap();
    }
}

#[test]
fn readexactly_past_a_childs_output_reports_the_partial_bytes() {
    for rt in runtimes() {
        rt.block_on(async {
            let mut child = Command::new("printf")
                .arg("abc")
                .stdout(Stdio::piped())
                .spawn()?;
            let mut reader = StreamReader::new(child.stdout.take().expect("piped stdout"));
            match reader.readexactly(10).await {
                Err(ReadError::IncompleteRead(e)) => {
                    assert_eq!(e.partial, b"abc");
                    assert_eq!(e.expected, Some(10));
                }
                other => panic!("expected an incomplete read, got {other:?}"),
            }
            assert!(child.wait().await?.success());
            Ok::<_, std::io::Error>(())
        })
        .unwrap();
    }
}
