//! The `echo_server` and `echo_client` examples, run as real processes against each other.

mod support;

use support::{Server, example, limited, run};

#[test]
fn the_client_gets_its_message_back_and_the_server_reports_it() {
    limited(async {
        let mut server = Server::start("echo_server", &["127.0.0.1:0"]).await;
        let addr = server.addr.to_string();

        let out = run(
            example("echo_client"),
            &[&addr, "Hello from the test!"],
            b"",
        )
        .await;
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{out:?}");
        assert_eq!(
            stdout.lines().collect::<Vec<_>>(),
            [
                r#"Send: "Hello from the test!""#,
                r#"Received: "Hello from the test!""#,
                "Close the connection",
            ],
            "{out:?}"
        );

        // The server printed the message with the client's address, then closed.
        let received = server.next_line().await;
        let peer = received
            .strip_prefix(r#"Received "Hello from the test!" from "#)
            .unwrap_or_else(|| panic!("{received:?}"))
            .to_owned();
        assert!(peer.starts_with("127.0.0.1:"), "{peer}");
        assert_eq!(server.next_line().await, r#"Send: "Hello from the test!""#);
        assert_eq!(
            server.next_line().await,
            format!("Close the connection with {peer}")
        );

        // The server goes on serving: a second client, with the default message.
        let out = run(example("echo_client"), &[&addr], b"").await;
        assert!(out.status.success(), "{out:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains(r#"Received: "Hello World!""#),
            "{out:?}"
        );
        assert_eq!(server.stop().await, "", "nothing on the server's stderr");
    });
}

#[test]
fn the_client_reports_a_server_that_is_not_there() {
    limited(async {
        // A port nobody listens on: bind one, learn its number, let it go.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let addr = format!("127.0.0.1:{port}");
        let out = run(example("echo_client"), &[&addr], b"").await;
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with(&format!("echo_client: {addr}: ")) && stderr.contains("refused"),
            "{stderr}"
        );
    });
}
