//! The `chat` example, run as a real process, with plain corio TCP clients: lines fan out
//! to everyone else, join and leave notices, nicknames, and a client too slow to read that
//! holds nobody up.

mod support;

use corio::net::{TcpReader, TcpSocket, TcpWriter};
use support::{Server, limited};

/// A chat client in the test.
struct Client {
    reader: TcpReader,
    writer: TcpWriter,
}

impl Client {
    async fn connect(server: &Server) -> Client {
        let (reader, writer) = corio::net::open_connection(server.addr)
            .await
            .expect("connect");
        let mut client = Client { reader, writer };
        assert_eq!(
            client.line().await,
            "* welcome to corio chat! your nickname?"
        );
        client
    }

    /// Connects and joins as `nick`; returns the server's greeting too.
    async fn join(server: &Server, nick: &str) -> (Client, String) {
        let mut client = Client::connect(server).await;
        client.say(nick).await;
        let hello = client.line().await;
        assert!(hello.starts_with(&format!("* hello, {nick}!")), "{hello}");
        (client, hello)
    }

    async fn say(&mut self, line: &str) {
        self.writer.write(line.as_bytes()).unwrap();
        self.writer.write(b"\n").unwrap();
        self.writer.drain().await.expect("send");
    }

    /// The next line from the server, without its newline.
    async fn line(&mut self) -> String {
        let line = self.reader.readline().await.expect("a line");
        assert!(line.ends_with(b"\n"), "the server closed: {line:?}");
        String::from_utf8(line[..line.len() - 1].to_vec()).expect("UTF-8")
    }

    async fn leave(self) {
        self.writer.close();
        self.writer.wait_closed().await.expect("close");
    }
}

#[test]
fn lines_go_to_everyone_else_with_join_and_leave_notices() {
    limited(async {
        let server = Server::start("chat", &["127.0.0.1:0"]).await;

        let (mut alice, hello) = Client::join(&server, "alice").await;
        assert_eq!(hello, "* hello, alice! nobody else is here yet");

        // A taken name is refused, and the client may try again.
        let mut bob = Client::connect(&server).await;
        bob.say("alice").await;
        assert_eq!(bob.line().await, "* alice is taken; another?");
        bob.say("no spaces allowed").await;
        assert!(bob.line().await.contains("no spaces"));
        bob.say("bob").await;
        assert_eq!(bob.line().await, "* hello, bob! here: alice");
        assert_eq!(alice.line().await, "* bob joined");

        let (mut carol, hello) = Client::join(&server, "carol").await;
        assert_eq!(hello, "* hello, carol! here: alice, bob");
        assert_eq!(alice.line().await, "* carol joined");
        assert_eq!(bob.line().await, "* carol joined");

        // One line, to the two others.
        alice.say("hello, everyone").await;
        assert_eq!(bob.line().await, "alice: hello, everyone");
        assert_eq!(carol.line().await, "alice: hello, everyone");
        // Not to the sender: the next thing alice hears is bob's line, not her own.
        bob.say("hi alice").await;
        assert_eq!(alice.line().await, "bob: hi alice");
        assert_eq!(carol.line().await, "bob: hi alice");

        // Leaving, the others are told; the name is free again.
        carol.leave().await;
        assert_eq!(alice.line().await, "* carol left");
        assert_eq!(bob.line().await, "* carol left");
        let (mut carol, hello) = Client::join(&server, "carol").await;
        assert_eq!(hello, "* hello, carol! here: alice, bob");
        assert_eq!(alice.line().await, "* carol joined");

        // A dropped connection (no orderly close) is a leave too.
        drop(bob);
        assert_eq!(alice.line().await, "* bob left");
        assert_eq!(carol.line().await, "* bob left");
        // Not even the dropped connection is an error worth reporting.
        assert_eq!(server.stop().await, "");
    });
}

#[test]
fn a_client_that_does_not_read_holds_nobody_up_and_is_told_what_it_missed() {
    limited(async {
        let server = Server::start("chat", &["127.0.0.1:0"]).await;

        // A slow client: a small receive buffer, and it stops reading once it has joined.
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        let (read, write) = socket.connect(server.addr).await.unwrap().into_split();
        let mut slow = Client {
            reader: corio::net::StreamReader::new(read),
            writer: corio::net::StreamWriter::new(write),
        };
        assert!(slow.line().await.contains("your nickname?"));
        slow.say("slow").await;
        assert!(slow.line().await.starts_with("* hello, slow!"));

        let (mut fast, _) = Client::join(&server, "fast").await;
        let (mut talker, _) = Client::join(&server, "talker").await;
        assert_eq!(fast.line().await, "* talker joined");

        // Far more than the socket buffers and the server's ring of 64 messages hold. In
        // lockstep: each line reaches the fast client before the next is sent, so the fast
        // client never falls behind, and if the slow one held anybody up, this would stall.
        const LINES: usize = 400;
        let filler = "x".repeat(50_000);
        for i in 0..LINES {
            let line = format!("{i} {filler}");
            talker.say(&line).await;
            let heard = fast.line().await;
            assert!(
                heard.strip_prefix("talker: ") == Some(&line),
                "line {i}: {:?}",
                &heard[..heard.len().min(80)]
            );
        }

        // Now the slow client reads: what its socket held, a notice of what it missed, and
        // from there on the lines still kept, up to the last one.
        let mut skipped = None;
        let mut last = None;
        while last != Some(LINES - 1) {
            let line = slow.line().await;
            if let Some(n) = line
                .strip_prefix("* you fell behind: ")
                .and_then(|rest| rest.strip_suffix(" messages skipped"))
            {
                assert!(skipped.is_none(), "told twice");
                skipped = Some(n.parse::<usize>().unwrap());
            } else if let Some(rest) = line.strip_prefix("talker: ") {
                last = rest.split_once(' ').and_then(|(n, _)| n.parse().ok());
            } else {
                assert!(
                    ["* fast joined", "* talker joined"].contains(&line.as_str()),
                    "{line}"
                );
            }
        }
        let skipped = skipped.expect("the slow client is told it fell behind");
        assert!((1..LINES).contains(&skipped), "{skipped}");
        assert_eq!(server.stop().await, "");
    });
}
