//! asyncio's TCP echo server, from the streams documentation: `start_server` hands each
//! connection to a handler as a reader and a writer; the handler reads one line, prints it
//! with the peer's address, sends it back and closes the connection.
//!
//! Run it with `cargo run -p corio --example echo_server [ADDR]` (default `127.0.0.1:8888`;
//! `127.0.0.1:0` picks a free port), then talk to it with the `echo_client` example or
//! `nc 127.0.0.1 8888`. Its first line is `listening on ADDR`, with the port it got.
//! Stop it with Ctrl-C.

use std::process::ExitCode;

use corio::net::{TcpReader, TcpWriter};

/// One connection: asyncio's `handle_echo(reader, writer)`.
async fn handle_echo(mut reader: TcpReader, writer: TcpWriter) -> std::io::Result<()> {
    let peer = writer.peer_addr()?;
    // Up to and including the newline; at the end of the stream, whatever came before it.
    let data = reader.readline().await?;
    let message = String::from_utf8_lossy(&data);
    println!("Received {:?} from {peer}", message.trim_end());

    println!("Send: {:?}", message.trim_end());
    writer.write(&data)?; // buffered …
    writer.drain().await?; // … and sent

    println!("Close the connection with {peer}");
    writer.close();
    writer.wait_closed().await
}

fn main() -> ExitCode {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8888".into());
    let served = corio::run(async {
        // Each connection runs `handle_echo` in a task of its own; an error it returns is
        // printed on stderr by the server.
        let server = corio::net::start_server(handle_echo, addr.as_str()).await?;
        println!("listening on {}", server.local_addr()?);
        server.serve_forever().await;
        std::io::Result::Ok(())
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("echo_server: {addr}: {e}");
            ExitCode::FAILURE
        }
    }
}
