//! asyncio's TCP echo client, from the streams documentation: `open_connection` gives a
//! reader and a writer; the client sends one line, prints the reply and closes.
//!
//! Start the `echo_server` example, then run
//! `cargo run -p corio --example echo_client [ADDR] [MESSAGE]` (defaults `127.0.0.1:8888`
//! and `Hello World!`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8888".into());
    let message = args.next().unwrap_or_else(|| "Hello World!".into());

    let talk = corio::run(async {
        let (mut reader, writer) = corio::net::open_connection(addr.as_str()).await?;

        println!("Send: {message:?}");
        writer.write(message.as_bytes())?;
        writer.write(b"\n")?; // the server reads one line
        writer.drain().await?;

        let data = reader.readline().await?;
        if data.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the server closed the connection without replying",
            ));
        }
        println!("Received: {:?}", String::from_utf8_lossy(&data).trim_end());

        println!("Close the connection");
        writer.close();
        writer.wait_closed().await
    });
    match talk {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("echo_client: {addr}: {e}");
            ExitCode::FAILURE
        }
    }
}
