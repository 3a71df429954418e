//! `StreamReader`, after CPython's test_streams: readers that hand out chosen chunks, and
//! real sockets, under both schedulers and without a runtime.

mod stream_io;

use std::io::{self, ErrorKind};

use corio_net::{IncompleteReadError, LimitOverrunError, ReadError, StreamReader};
use futures_lite::future::poll_once;
use futures_lite::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, StreamExt};
use stream_io::{Flavour, chunks, feed, on_all, socket_pair};

const DATA: &[u8] = b"line1\nline2\nline3\n";

fn overrun(r: Result<Vec<u8>, ReadError>) -> usize {
    match r {
        Err(ReadError::LimitOverrun(LimitOverrunError { consumed })) => consumed,
        other => panic!("expected a limit overrun, got {other:?}"),
    }
}

fn incomplete(r: Result<Vec<u8>, ReadError>) -> IncompleteReadError {
    match r {
        Err(ReadError::IncompleteRead(e)) => e,
        other => panic!("expected an incomplete read, got {other:?}"),
    }
}

#[test]
fn read_zero_returns_at_once_and_reads_nothing() {
    on_all("read-zero", |_| async {
        let mut r = StreamReader::new(chunks(&[DATA]));
        assert_eq!(r.read(0).await?, b"");
        assert_eq!(r.get_ref().reads(), 0);
        assert_eq!(r.read(100).await?, DATA);
        Ok(())
    });
}

#[test]
fn read_gives_the_buffer_or_one_underlying_read() {
    on_all("read-n", |_| async {
        let mut r = StreamReader::new(chunks(&[b"line1", b"line2"]));
        assert_eq!(r.read(3).await?, b"lin");
        assert_eq!(r.get_ref().reads(), 1);
        // Buffered bytes come first, without another read.
        assert_eq!(r.read(30).await?, b"e1");
        assert_eq!(r.get_ref().reads(), 1);
        // Then one read, even though more was asked for.
        assert_eq!(r.read(30).await?, b"line2");
        assert_eq!(r.get_ref().reads(), 2);
        assert!(!r.at_eof());
        assert_eq!(r.read(30).await?, b"");
        assert!(r.at_eof());
        assert_eq!(r.read(30).await?, b"");
        assert_eq!(r.get_ref().reads(), 3, "the end is not read twice");
        Ok(())
    });
}

#[test]
fn read_waits_for_data() {
    on_all("read-waits", |_| async {
        let (tx, rx) = feed();
        let mut r = StreamReader::new(rx);
        let mut read = Box::pin(r.read(30));
        assert!(poll_once(&mut read).await.is_none());
        tx.send(DATA);
        assert_eq!(read.await?, DATA);
        Ok(())
    });
}

#[test]
fn read_to_end_gathers_every_chunk_and_ignores_the_limit() {
    on_all("read-to-end", |_| async {
        let mut r = StreamReader::with_limit(chunks(&[b"chunk1\n", b"chunk2", b"!"]), 3);
        assert_eq!(r.read(2).await?, b"ch");
        assert_eq!(r.read_to_end().await?, b"unk1\nchunk2!");
        assert!(r.at_eof());
        assert_eq!(r.read_to_end().await?, b"");

        let big = stream_io::pattern(300_000);
        let mut r = StreamReader::new(chunks(&[&big[..100_000], &big[100_000..]]));
        assert_eq!(r.read_to_end().await?, big);
        Ok(())
    });
}

#[test]
fn readline_gathers_a_line_across_chunks() {
    on_all("readline-chunks", |_| async {
        let (tx, rx) = feed();
        tx.send(b"chunk1 ");
        let mut r = StreamReader::new(rx);
        let mut line = Box::pin(r.readline());
        assert!(poll_once(&mut line).await.is_none());
        tx.send(b"chunk2 ");
        tx.send(b"chunk3 ");
        tx.send(b"\n chunk4");
        assert_eq!(line.await.unwrap(), b"chunk1 chunk2 chunk3 \n");
        assert_eq!(r.buffer(), b" chunk4");
        drop(tx);
        assert_eq!(r.readline().await.unwrap(), b" chunk4");
        Ok(())
    });
}

#[test]
fn readline_takes_one_line_of_a_buffered_many() {
    on_all("readline-nowait", |_| async {
        let mut r = StreamReader::new(chunks(&[&DATA[..6], &DATA[6..]]));
        assert_eq!(r.readline().await.unwrap(), b"line1\n");
        assert_eq!(r.readline().await.unwrap(), b"line2\n");
        assert_eq!(r.read(7).await?, b"line3\n");
        Ok(())
    });
}

#[test]
fn readline_at_eof_returns_the_partial_line_then_nothing() {
    on_all("readline-eof", |_| async {
        let mut r = StreamReader::new(chunks(&[b"some ", b"data"]));
        assert_eq!(r.readline().await.unwrap(), b"some data");
        assert!(r.at_eof());
        assert_eq!(r.readline().await.unwrap(), b"");

        let mut r = StreamReader::new(chunks(&[]));
        assert_eq!(r.readline().await.unwrap(), b"");
        assert!(r.at_eof());
        Ok(())
    });
}

#[test]
fn readline_past_the_limit_drops_through_the_newline_when_it_is_buffered() {
    on_all("readline-limit-sep", |_| async {
        let mut r = StreamReader::with_limit(chunks(&[b"line1\nline2\n"]), 3);
        assert_eq!(overrun(r.readline().await), 5);
        assert_eq!(r.buffer(), b"line2\n");

        // The newline arrives in a read after the limit was passed; the rest stays.
        let mut r = StreamReader::with_limit(chunks(&[b"chunk1", b"chunk2\nchunk3\n"]), 7);
        overrun(r.readline().await);
        assert_eq!(r.buffer(), b"chunk3\n");
        assert_eq!(r.readline().await.unwrap(), b"chunk3\n");
        Ok(())
    });
}

#[test]
fn readline_past_the_limit_clears_the_buffer_when_no_newline_is_buffered() {
    on_all("readline-limit-nosep", |_| async {
        let mut r = StreamReader::with_limit(chunks(&[b"chunk1", b"chunk2", b"chunk3\n"]), 7);
        assert_eq!(overrun(r.readline().await), 12);
        assert_eq!(r.buffer(), b"");
        // asyncio's rule: the rest of the overlong line comes out as a line.
        assert_eq!(r.readline().await.unwrap(), b"chunk3\n");
        assert_eq!(r.readline().await.unwrap(), b"");
        Ok(())
    });
}

#[test]
fn readline_limit_is_strict() {
    on_all("readline-limit-strict", |_| async {
        let mut r = StreamReader::with_limit(chunks(&[b"1234567\n"]), 7);
        assert_eq!(r.readline().await.unwrap(), b"1234567\n");

        let mut r = StreamReader::with_limit(chunks(&[b"12345678\n"]), 7);
        overrun(r.readline().await);
        assert_eq!(r.buffer(), b"");
        assert_eq!(r.readline().await.unwrap(), b"");

        let mut r = StreamReader::with_limit(chunks(&[b"12345678"]), 7);
        overrun(r.readline().await);
        assert_eq!(r.buffer(), b"");
        Ok(())
    });
}

#[test]
fn a_client_sending_a_mebibyte_without_newline_keeps_the_buffer_bounded() {
    on_all("readline-bounded", |flavour| async move {
        const LIMIT: usize = 4096;
        // The limit plus the most one read takes.
        const BOUND: usize = LIMIT + 64 * 1024;
        let (client, server) = socket_pair()?;
        let sender = flavour.spawn(async move {
            let mut client = client;
            let junk = vec![b'x'; 1 << 20];
            client.write_all(&junk).await?;
            client.write_all(b"\nnext\n").await?;
            io::Result::Ok(())
        });
        let mut r = StreamReader::with_limit(server, LIMIT);
        let mut overruns = 0;
        loop {
            match r.readline().await {
                Ok(line) if line == b"next\n" => break,
                Ok(line) => assert!(
                    line.len() <= LIMIT + 1 && line.iter().all(|&b| b == b'x' || b == b'\n')
                ),
                Err(ReadError::LimitOverrun(_)) => overruns += 1,
                Err(e) => return Err(e.into()),
            }
            assert!(
                r.buffer().len() <= BOUND,
                "{} bytes buffered",
                r.buffer().len()
            );
        }
        assert!(overruns >= (1 << 20) / BOUND, "{overruns} overruns");
        sender.await?;
        assert_eq!(r.readline().await.unwrap(), b"");
        Ok(())
    });
}

#[test]
fn readuntil_finds_a_separator_split_across_chunks() {
    on_all("readuntil-chunks", |_| async {
        let cases: &[(&[&[u8]], &[u8])] = &[
            (&[b"lineaaa"], b"lineaaa"),
            (&[b"QWEaa", b"XYaa", b"a"], b"QWEaaXYaaa"),
            (&[b"QWEaa", b"XYa", b"aa"], b"QWEaaXYaaa"),
            (&[b"aaa"], b"aaa"),
            (&[b"Xaaa"], b"Xaaa"),
            (&[b"XXX", b"a", b"a", b"a"], b"XXXaaa"),
        ];
        for (parts, line) in cases {
            let mut r = StreamReader::new(chunks(parts));
            assert_eq!(r.readuntil(b"aaa").await.unwrap(), *line, "{parts:?}");
            assert_eq!(r.buffer(), b"");
        }
        let mut r = StreamReader::new(chunks(&[b"lineAAAxxx"]));
        assert_eq!(r.readuntil(b"AAA").await.unwrap(), b"lineAAA");
        assert_eq!(r.buffer(), b"xxx");
        Ok(())
    });
}

#[test]
fn readuntil_at_eof_gives_the_whole_buffer_as_partial() {
    on_all("readuntil-eof", |_| async {
        let mut r = StreamReader::new(chunks(&[b"some data", b"AA"]));
        let e = incomplete(r.readuntil(b"AAA").await);
        assert_eq!(e.partial, b"some dataAA");
        assert_eq!(e.expected, None);
        assert_eq!(r.buffer(), b"");
        assert!(r.at_eof());
        Ok(())
    });
}

#[test]
fn readuntil_past_the_limit_leaves_the_buffer_to_recover_from() {
    on_all("readuntil-limit", |_| async {
        let (tx, rx) = feed();
        let mut r = StreamReader::with_limit(rx, 3);
        tx.send(b"some dataAA");
        // Not found: the first 9 bytes cannot start "AAA".
        assert_eq!(overrun(r.readuntil(b"AAA").await), 9);
        assert_eq!(r.buffer(), b"some dataAA");
        // The buffer is already past the limit: it fails again without reading.
        tx.send(b"A");
        assert_eq!(overrun(r.readuntil(b"AAA").await), 9);
        assert_eq!(r.buffer(), b"some dataAA");

        assert_eq!(r.read(9).await?, b"some data");
        assert_eq!(r.readuntil(b"AAA").await.unwrap(), b"AAA");

        // Found, but too far: `consumed` is where the separator starts.
        let mut r = StreamReader::with_limit(chunks(&[b"some dataAAA rest"]), 3);
        assert_eq!(overrun(r.readuntil(b"AAA").await), 9);
        assert_eq!(r.buffer(), b"some dataAAA rest");
        assert_eq!(r.readexactly(9).await.unwrap(), b"some data");
        assert_eq!(r.readuntil(b"AAA").await.unwrap(), b"AAA");
        Ok(())
    });
}

#[test]
fn readuntil_any_returns_the_shortest_data_ending_with_a_separator() {
    on_all("readuntil-any", |_| async {
        // Different lengths: "b" ends before "abc", though "abc" starts first.
        let mut r = StreamReader::new(chunks(&[b"xabcd"]));
        assert_eq!(r.readuntil_any(&[b"abc", b"b"]).await.unwrap(), b"xab");
        assert_eq!(r.buffer(), b"cd");

        // One separator a prefix of the other (same start): the shorter ends first and
        // wins, whatever the order; the rest of the longer one is left.
        for seps in [&[&b"\r\n"[..], b"\r"], &[&b"\r"[..], b"\r\n"]] {
            let mut r = StreamReader::new(chunks(&[b"a\r\nb\r"]));
            assert_eq!(r.readuntil_any(seps).await.unwrap(), b"a\r");
            assert_eq!(r.readuntil_any(seps).await.unwrap(), b"\nb\r");
        }

        // One a suffix of the other (same end): the same data either way.
        let mut r = StreamReader::new(chunks(&[b"ab\r\ncd\n"]));
        let seps: &[&[u8]] = &[b"\r\n", b"\n"];
        assert_eq!(r.readuntil_any(seps).await.unwrap(), b"ab\r\n");
        assert_eq!(r.readuntil_any(seps).await.unwrap(), b"cd\n");

        // Separators split across chunks; a match is found as soon as it is complete.
        let mut r = StreamReader::new(chunks(&[b"xa", b"bcd", b"yyy"]));
        assert_eq!(r.readuntil_any(&[b"cdy", b"ab"]).await.unwrap(), b"xab");
        assert_eq!(r.readuntil_any(&[b"cdy", b"ab"]).await.unwrap(), b"cdy");
        Ok(())
    });
}

#[test]
fn readuntil_any_counts_the_shorter_separator_for_the_limit() {
    on_all("readuntil-any-limit", |_| async {
        let seps: &[&[u8]] = &[b"\r\n", b"\n"];
        // "\r\n" starts at 3 (within the limit), but "\n", at 4, is the one that counts.
        let mut r = StreamReader::with_limit(chunks(&[b"abc\r\n"]), 3);
        assert_eq!(overrun(r.readuntil_any(seps).await), 4);
        assert_eq!(r.buffer(), b"abc\r\n");
        let mut r = StreamReader::with_limit(chunks(&[b"abc\r\n"]), 4);
        assert_eq!(r.readuntil_any(seps).await.unwrap(), b"abc\r\n");

        // Not found: everything but the last (longest - 1) bytes is searched.
        let mut r = StreamReader::with_limit(chunks(&[b"abcdefg"]), 3);
        assert_eq!(overrun(r.readuntil_any(&[b"xyz", b"q"]).await), 5);
        Ok(())
    });
}

#[test]
fn empty_separators_are_refused_before_reading() {
    on_all("readuntil-empty", |_| async {
        let mut r = StreamReader::new(chunks(&[DATA]));
        assert!(matches!(
            r.readuntil(b"").await,
            Err(ReadError::EmptySeparator)
        ));
        assert!(matches!(
            r.readuntil_any(&[]).await,
            Err(ReadError::EmptySeparator)
        ));
        assert!(matches!(
            r.readuntil_any(&[b"\n", b""]).await,
            Err(ReadError::EmptySeparator)
        ));
        assert_eq!(r.get_ref().reads(), 0);
        let e = io::Error::from(r.readuntil(b"").await.unwrap_err());
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        Ok(())
    });
}

#[test]
fn readexactly_gathers_chunks_and_ignores_the_limit() {
    on_all("readexactly", |_| async {
        let mut r = StreamReader::with_limit(chunks(&[DATA, DATA, DATA]), 3);
        assert_eq!(r.readexactly(0).await.unwrap(), b"");
        let n = 2 * DATA.len();
        assert_eq!(r.readexactly(n).await.unwrap(), [DATA, DATA].concat());
        assert_eq!(r.readexactly(DATA.len()).await.unwrap(), DATA);

        let big = stream_io::pattern(200_000);
        let mut r = StreamReader::new(chunks(&[&big[..70_000], &big[70_000..]]));
        assert_eq!(r.readexactly(150_000).await.unwrap(), &big[..150_000]);
        assert_eq!(r.read_to_end().await?, &big[150_000..]);
        Ok(())
    });
}

#[test]
fn readexactly_at_eof_gives_what_came() {
    on_all("readexactly-eof", |_| async {
        let mut r = StreamReader::new(chunks(&[DATA]));
        let e = incomplete(r.readexactly(2 * DATA.len()).await);
        assert_eq!(e.partial, DATA);
        assert_eq!(e.expected, Some(36));
        assert_eq!(
            e.to_string(),
            "the stream ended after 18 of 36 expected bytes"
        );
        assert_eq!(r.buffer(), b"");
        assert!(r.at_eof());
        let e = io::Error::from(r.readexactly(1).await.unwrap_err());
        assert_eq!(e.kind(), ErrorKind::UnexpectedEof);
        Ok(())
    });
}

#[test]
fn at_eof_once_the_end_was_read_and_the_buffer_is_empty() {
    on_all("at-eof", |_| async {
        let (tx, rx) = feed();
        let mut r = StreamReader::new(rx);
        assert!(!r.at_eof());
        tx.send(b"some data\n");
        r.readline().await.unwrap();
        assert!(!r.at_eof());
        tx.send(b"some data\n");
        drop(tx);
        r.readline().await.unwrap();
        assert!(!r.at_eof(), "the end has not been read yet");
        assert_eq!(r.read(1).await?, b"");
        assert!(r.at_eof());
        Ok(())
    });
}

#[test]
fn errors_of_the_underlying_reader_propagate_and_keep_the_buffer() {
    on_all("reader-errors", |_| async {
        let (tx, rx) = feed();
        let mut r = StreamReader::new(rx);
        tx.send(b"abc");
        tx.fail(ErrorKind::ConnectionReset);
        match r.readline().await {
            Err(ReadError::Io(e)) => assert_eq!(e.kind(), ErrorKind::ConnectionReset),
            other => panic!("{other:?}"),
        }
        assert_eq!(r.buffer(), b"abc");
        // An interrupted read is retried.
        tx.fail(ErrorKind::Interrupted);
        tx.send(b"\n");
        assert_eq!(r.readline().await.unwrap(), b"abc\n");
        tx.fail(ErrorKind::ConnectionReset);
        assert_eq!(
            r.read(5).await.unwrap_err().kind(),
            ErrorKind::ConnectionReset
        );
        Ok(())
    });
}

#[test]
fn a_dropped_readline_loses_nothing() {
    on_all("cancel-readline", |_| async {
        let (tx, rx) = feed();
        let mut r = StreamReader::new(rx);
        tx.send(b"hel");
        assert!(poll_once(r.readline()).await.is_none());
        tx.send(b"lo");
        assert!(poll_once(r.readline()).await.is_none());
        tx.send(b"\nrest");
        assert_eq!(r.readline().await.unwrap(), b"hello\n");

        // The same for the other waiting methods.
        assert!(poll_once(r.readuntil(b"!")).await.is_none());
        assert!(poll_once(r.readexactly(10)).await.is_none());
        tx.send(b"ful!");
        assert_eq!(r.readuntil(b"!").await.unwrap(), b"restful!");
        drop(tx);
        assert!(poll_once(r.read_to_end()).await.is_some());
        Ok(())
    });
}

#[test]
fn futures_io_traits_see_the_same_stream() {
    on_all("bufread", |_| async {
        let mut r = StreamReader::new(chunks(&[b"one\ntw", b"o\nthree\nfour"]));
        assert_eq!(r.readline().await.unwrap(), b"one\n");
        let mut line = String::new();
        r.read_line(&mut line).await?;
        assert_eq!(line, "two\n");
        let mut buf = [0; 3];
        AsyncReadExt::read_exact(&mut r, &mut buf).await?;
        assert_eq!(&buf, b"thr");
        let rest: Vec<String> = (&mut r).lines().try_collect().await?;
        assert_eq!(rest, ["ee", "four"]);
        assert!(r.at_eof());

        // A large read goes straight into the caller's buffer.
        let big = stream_io::pattern(100_000);
        let mut r = StreamReader::new(chunks(&[b"ab", &big]));
        assert_eq!(r.read(1).await?, b"a");
        let mut all = Vec::new();
        AsyncReadExt::read_to_end(&mut r, &mut all).await?;
        assert_eq!(all, [&b"b"[..], &big].concat());
        Ok(())
    });
}

#[test]
fn into_parts_hands_back_the_buffered_bytes() {
    on_all("into-parts", |_| async {
        let mut r = StreamReader::new(chunks(&[b"head\nbody", b" more"]));
        r.readline().await.unwrap();
        let (rest, buffered) = r.into_parts();
        assert_eq!(buffered, b"body");
        let mut r = StreamReader::new(rest);
        assert_eq!(r.read_to_end().await?, b" more");
        Ok(())
    });
}

#[test]
fn lines_over_a_socket_written_by_another_task() {
    on_all("socket-lines", |flavour: Flavour| async move {
        let (mut client, server) = socket_pair()?;
        let sender = flavour.spawn(async move {
            for i in 0..1000 {
                client.write_all(format!("line {i}\n").as_bytes()).await?;
            }
            io::Result::Ok(())
        });
        let mut r = StreamReader::new(server);
        for i in 0..1000 {
            assert_eq!(
                r.readline().await.unwrap(),
                format!("line {i}\n").as_bytes()
            );
        }
        sender.await?;
        assert_eq!(r.readline().await.unwrap(), b"");
        Ok(())
    });
}

#[test]
fn extreme_limits() {
    on_all("reader-limits", |_| async {
        let big = vec![b'x'; 200_000];
        let mut r = StreamReader::with_limit(chunks(&[&big, b"\n"]), usize::MAX);
        assert_eq!(r.readline().await.unwrap().len(), big.len() + 1);

        // A limit of 0 takes only empty lines.
        let mut r = StreamReader::with_limit(chunks(&[b"\nx\n"]), 0);
        assert_eq!(r.readline().await.unwrap(), b"\n");
        assert_eq!(overrun(r.readline().await), 1);
        Ok(())
    });
}
