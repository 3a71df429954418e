//! A chat server: every line a client sends goes to every other client, through one
//! broadcast channel (corio's `sync::broadcast`, asyncio's "one queue per subscriber" in a
//! single ring).
//!
//! * A client's first line is its nickname (asked for on connect; a taken name is refused).
//! * Everyone else sees `nick: text` for each of its lines, and `* nick joined` /
//!   `* nick left` notices. The sender does not get its own lines back.
//! * A slow client never holds anyone up: sending into the ring never waits. Only that
//!   client's own connection task waits for its socket, and if it falls more than the ring's
//!   capacity behind, it is told how many messages it missed (`Lagged`) and carries on
//!   from the oldest message still kept.
//!
//! Run it with `cargo run -p corio --example chat [ADDR]` (default `127.0.0.1:8889`;
//! `127.0.0.1:0` picks a free port; the first line printed is `listening on ADDR`), then
//! join from a few terminals with `nc 127.0.0.1 8889`.

use std::collections::BTreeSet;
use std::io;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use corio::net::{ReadError, TcpReader, TcpWriter};
use corio::sync::broadcast::{self, RecvError};
use futures_lite::future::or;

/// How many messages the ring keeps: how far a client may fall behind before it misses some.
const HISTORY: usize = 64;
/// The longest nickname, in characters.
const MAX_NICK: usize = 32;

/// One line for the room: who sent it (so it is not echoed back) and the text to show,
/// newline included. `Arc<str>`: each receiver clones it, which only counts a reference.
#[derive(Clone)]
struct Message {
    from: u64,
    line: Arc<str>,
}

/// What every connection shares.
struct Room {
    tx: broadcast::Sender<Message>,
    nicks: Mutex<BTreeSet<String>>,
    next_id: AtomicU64,
}

impl Room {
    fn new() -> Room {
        // The first receiver is dropped: each client subscribes its own.
        let (tx, _) = broadcast::channel(HISTORY);
        Room {
            tx,
            nicks: Mutex::new(BTreeSet::new()),
            next_id: AtomicU64::new(0),
        }
    }

    fn nicks(&self) -> MutexGuard<'_, BTreeSet<String>> {
        self.nicks.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Sends a line to everyone but `from`. Never waits; fails only when nobody listens.
    fn say(&self, from: u64, line: String) {
        let _ = self.tx.send(Message {
            from,
            line: line.into(),
        });
    }
}

/// A client in the room. Dropping it (whichever way the connection ends, cancellation
/// included) frees the nickname and tells the others.
struct Member {
    room: Arc<Room>,
    id: u64,
    nick: String,
}

impl Drop for Member {
    fn drop(&mut self) {
        self.room.nicks().remove(&self.nick);
        self.room.say(self.id, format!("* {} left\n", self.nick));
    }
}

/// What woke a connection up: a line from its client or a message from the room.
enum Event {
    Line(Result<Vec<u8>, ReadError>),
    Message(Result<Message, RecvError>),
}

/// One connection, from the nickname question to the goodbye. An error it returns is
/// printed by the server.
async fn client(room: Arc<Room>, mut reader: TcpReader, writer: TcpWriter) -> io::Result<()> {
    let id = room.next_id.fetch_add(1, Ordering::Relaxed);
    let talked = async {
        if let Some((member, messages)) = join(room, id, &mut reader, &writer).await? {
            chat(&member, messages, &mut reader, &writer).await?;
        }
        io::Result::Ok(())
    }
    .await;
    writer.close();
    let closed = writer.wait_closed().await;
    match talked.and(closed) {
        // A client that went away without a goodbye (reset, half-closed socket) has left.
        Err(e) if vanished(&e) => Ok(()),
        result => result,
    }
}

/// Whether `e` only says that the peer has gone.
fn vanished(e: &io::Error) -> bool {
    use io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionReset | ConnectionAborted | BrokenPipe | NotConnected
    )
}

/// Asks for a nickname until a free one comes, then joins the room: the client's membership
/// and its subscription to the room's messages. `None` if the client leaves first.
async fn join(
    room: Arc<Room>,
    id: u64,
    reader: &mut TcpReader,
    writer: &TcpWriter,
) -> io::Result<Option<(Member, broadcast::Receiver<Message>)>> {
    writer.write(b"* welcome to corio chat! your nickname?\n")?;
    loop {
        writer.drain().await?;
        let line = match reader.readline().await {
            Ok(line) if line.is_empty() => return Ok(None), // gone
            Ok(line) => line,
            Err(ReadError::LimitOverrun(_)) => Vec::new(), // refused below
            Err(e) => return Err(e.into()),
        };
        let nick = String::from_utf8_lossy(&line).trim().to_owned();
        let valid = !nick.is_empty()
            && nick.chars().count() <= MAX_NICK
            && !nick.chars().any(|c| c.is_whitespace() || c.is_control());
        if !valid {
            writer.write(
                format!("* a nickname is 1 to {MAX_NICK} characters, no spaces; another?\n")
                    .as_bytes(),
            )?;
            continue;
        }
        if !room.nicks().insert(nick.clone()) {
            writer.write(format!("* {nick} is taken; another?\n").as_bytes())?;
            continue;
        }
        // From here on the name is ours, and freed again however the connection ends.
        let member = Member { room, id, nick };
        // Subscribed before the announcement: whoever sees "joined" can talk to us.
        let messages = member.room.tx.subscribe();
        member.room.say(id, format!("* {} joined\n", member.nick));
        let others: Vec<String> = member
            .room
            .nicks()
            .iter()
            .filter(|n| **n != member.nick)
            .cloned()
            .collect();
        let here = if others.is_empty() {
            "nobody else is here yet".to_owned()
        } else {
            format!("here: {}", others.join(", "))
        };
        writer.write(format!("* hello, {}! {here}\n", member.nick).as_bytes())?;
        writer.drain().await?;
        return Ok(Some((member, messages)));
    }
}

/// Relays the client's lines to the room and the room's lines to the client until it leaves.
async fn chat(
    member: &Member,
    mut messages: broadcast::Receiver<Message>,
    reader: &mut TcpReader,
    writer: &TcpWriter,
) -> io::Result<()> {
    let Member { room, id, nick } = member;
    loop {
        // Both reads are cancel safe: the one that loses the race loses nothing.
        let event = or(async { Event::Line(reader.readline().await) }, async {
            Event::Message(messages.recv().await)
        })
        .await;
        match event {
            Event::Line(Ok(line)) if line.is_empty() => return Ok(()), // the client left
            Event::Line(Ok(line)) => {
                let text = String::from_utf8_lossy(&line);
                let text = text.trim_end();
                if !text.is_empty() {
                    room.say(*id, format!("{nick}: {text}\n"));
                }
            }
            Event::Line(Err(ReadError::LimitOverrun(_))) => {
                writer.write(b"* that line was too long; not sent\n")?;
                writer.drain().await?;
            }
            Event::Line(Err(e)) => return Err(e.into()),
            Event::Message(Ok(message)) => {
                if message.from != *id {
                    writer.write(message.line.as_bytes())?;
                    // A slow client makes only this task wait here; meanwhile the ring
                    // moves on without it.
                    writer.drain().await?;
                }
            }
            Event::Message(Err(RecvError::Lagged(missed))) => {
                writer
                    .write(format!("* you fell behind: {missed} messages skipped\n").as_bytes())?;
                writer.drain().await?;
            }
            // The room holds a sender for as long as the server runs.
            Event::Message(Err(RecvError::Closed)) => return Ok(()),
        }
    }
}

fn main() -> ExitCode {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8889".into());
    let served = corio::run(async {
        let room = Arc::new(Room::new());
        let server =
            corio::net::start_server(move |r, w| client(room.clone(), r, w), addr.as_str()).await?;
        println!("listening on {}", server.local_addr()?);
        server.serve_forever().await;
        io::Result::Ok(())
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chat: {addr}: {e}");
            ExitCode::FAILURE
        }
    }
}
