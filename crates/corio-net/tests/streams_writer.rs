//! `StreamWriter`: ordering, drain against full and dead sockets, concurrent drains,
//! half-close, close / wait_closed and cancellation, under both schedulers and without a
//! runtime.

mod stream_io;

use std::io::{self, ErrorKind};
use std::net::{TcpListener, TcpStream};
use std::pin::pin;

use corio::io::Async;
use corio_net::{StreamReader, StreamWriter, WriterClosedError};
use futures_lite::future::{poll_once, yield_now, zip};
use futures_lite::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use stream_io::{Recorder, duplex_pair, on_all, pattern, socket_pair};

/// Reads `n` bytes a few KiB at a time, yielding in between: a slow peer.
async fn read_slowly(peer: &mut (impl AsyncRead + Unpin), n: usize) -> io::Result<Vec<u8>> {
    let mut out = vec![0; n];
    let mut at = 0;
    while at < n {
        let end = (at + 4096).min(n);
        match peer.read(&mut out[at..end]).await? {
            0 => return Err(ErrorKind::UnexpectedEof.into()),
            got => at += got,
        }
        yield_now().await;
    }
    Ok(out)
}

/// What a write to a peer that is gone fails with.
fn is_peer_gone(e: &io::Error) -> bool {
    matches!(e.kind(), ErrorKind::BrokenPipe | ErrorKind::ConnectionReset)
}

#[test]
fn writes_are_delivered_in_order_by_drain() {
    on_all("write-drain", |_| async {
        let (a, mut b) = socket_pair()?;
        let writer = StreamWriter::new(a);
        writer.drain().await?; // nothing to do
        // Less than the high-water mark: it all stays buffered until drained.
        let data = pattern(50_000);
        for piece in data.chunks(777) {
            writer.write(piece)?;
        }
        assert_eq!(writer.get_write_buffer_size(), data.len());
        writer.drain().await?;
        assert_eq!(writer.get_write_buffer_size(), 0);
        let mut got = vec![0; data.len()];
        b.read_exact(&mut got).await?;
        assert_eq!(got, data);
        Ok(())
    });
}

#[test]
fn writelines_is_one_append_and_drain_sends_it_in_one_write() {
    on_all("writelines", |_| async {
        let writer = StreamWriter::new(Recorder::default());
        writer.writelines(["a", "bc", "def"])?;
        writer.writelines(Vec::<Vec<u8>>::new())?;
        writer.write(b"")?;
        assert_eq!(writer.get_write_buffer_size(), 6);
        writer.drain().await?;
        writer.with_inner(|r| {
            assert_eq!(r.writes, [b"abcdef"]);
            assert_eq!(r.flushes, 1);
        });
        writer.drain().await?;
        assert_eq!(writer.with_inner(|r| (r.writes.len(), r.flushes)), (1, 1));
        Ok(())
    });
}

#[test]
fn drain_keeps_writing_what_the_inner_writer_takes_a_little_at_a_time() {
    on_all("drain-partial", |_| async {
        let writer = StreamWriter::new(Recorder {
            max: Some(3),
            errors: [ErrorKind::Interrupted].into(),
            ..Recorder::default()
        });
        writer.write(b"0123456789")?;
        writer.drain().await?;
        writer.with_inner(|r| {
            assert_eq!(r.all(), b"0123456789");
            assert_eq!(r.writes.len(), 4);
        });
        Ok(())
    });
}

#[test]
fn drain_waits_while_a_slow_peer_empties_a_full_socket() {
    on_all("drain-full", |_| async {
        let (a, mut b) = socket_pair()?;
        let writer = StreamWriter::new(a);
        let data = pattern(4 << 20);
        writer.write(&data)?;
        let mut drain = pin!(writer.drain());
        assert!(poll_once(&mut drain).await.is_none(), "4 MiB fit no socket");
        let (drained, got) = zip(drain, read_slowly(&mut b, data.len())).await;
        drained?;
        assert!(got? == data, "the bytes arrived out of order");
        assert_eq!(writer.get_write_buffer_size(), 0);
        Ok(())
    });
}

#[test]
fn concurrent_drains_from_several_tasks_are_all_released() {
    on_all("drain-concurrent", |flavour| async move {
        const BLOCK: usize = 1 << 20;
        let (a, mut b) = socket_pair()?;
        let writer = StreamWriter::new(a);
        let tasks: Vec<_> = (0..3u8)
            .map(|i| {
                let writer = writer.clone();
                flavour.spawn(async move {
                    writer.write(&vec![i; BLOCK])?;
                    writer.drain().await
                })
            })
            .collect();
        let got = read_slowly(&mut b, 3 * BLOCK).await?;
        for task in tasks {
            task.await?;
        }
        // Each write is one append: the blocks arrive whole, in some order.
        let mut firsts: Vec<u8> = got.chunks(BLOCK).map(|block| block[0]).collect();
        for block in got.chunks(BLOCK) {
            assert!(block.iter().all(|&x| x == block[0]), "blocks interleaved");
        }
        firsts.sort();
        assert_eq!(firsts, [0, 1, 2]);
        assert_eq!(writer.get_write_buffer_size(), 0);
        Ok(())
    });
}

#[test]
fn a_cancelled_drain_leaves_its_bytes_to_the_next_drain() {
    on_all("drain-cancel", |_| async {
        let (a, mut b) = socket_pair()?;
        let writer = StreamWriter::new(a);
        let data = pattern(4 << 20);
        writer.write(&data)?;
        // A drains, B waits behind it; A is dropped while it holds bytes in flight.
        let mut first = Box::pin(writer.drain());
        let mut second = Box::pin(writer.drain());
        assert!(poll_once(&mut first).await.is_none());
        assert!(poll_once(&mut second).await.is_none());
        drop(first);
        let left = writer.get_write_buffer_size();
        assert!(0 < left && left < data.len(), "{left}");
        let (drained, got) = zip(second, read_slowly(&mut b, data.len())).await;
        drained?;
        assert!(got? == data, "bytes were lost or reordered");
        Ok(())
    });
}

#[test]
fn drain_after_the_peer_is_gone_fails_and_keeps_failing() {
    on_all("drain-peer-gone", |_| async {
        let (a, b) = socket_pair()?;
        let writer = StreamWriter::new(a);
        drop(b);
        writer.write(&pattern(1 << 20))?;
        let e = writer.drain().await.unwrap_err();
        assert!(is_peer_gone(&e), "{e:?}");
        assert_eq!(writer.get_write_buffer_size(), 0, "the buffer is dropped");
        for _ in 0..2 {
            assert_eq!(writer.drain().await.unwrap_err().kind(), e.kind());
        }
        assert_eq!(writer.write(b"more").unwrap_err().kind(), e.kind());
        assert_eq!(writer.write_eof().await.unwrap_err().kind(), e.kind());
        writer.close();
        assert_eq!(writer.wait_closed().await.unwrap_err().kind(), e.kind());
        Ok(())
    });
}

#[test]
fn a_waiting_drain_fails_when_the_peer_goes_away() {
    on_all("drain-peer-leaves", |_| async {
        let (a, mut b) = socket_pair()?;
        let writer = StreamWriter::new(a);
        writer.write(&pattern(4 << 20))?;
        let reader = async move {
            read_slowly(&mut b, 64 * 1024).await?;
            drop(b);
            io::Result::Ok(())
        };
        let (drained, read) = zip(writer.drain(), reader).await;
        read?;
        let e = drained.unwrap_err();
        assert!(is_peer_gone(&e), "{e:?}");
        Ok(())
    });
}

#[test]
fn drain_fails_when_a_tcp_peer_resets_the_connection() {
    on_all("drain-tcp-reset", |_| async {
        let listener = Async::new(TcpListener::bind("127.0.0.1:0")?)?;
        let mut client = Async::new(TcpStream::connect(listener.get_ref().local_addr()?)?)?;
        let (server, _) = listener.read_with(|l| l.accept()).await?;
        let server = Async::new(server)?;
        client.write_all(b"unread").await?;
        server.readable().await?;
        // Closing with unread data sends a reset.
        drop(server);

        let writer = StreamWriter::new(client);
        writer.write(&pattern(4 << 20))?;
        let e = writer.drain().await.unwrap_err();
        assert!(is_peer_gone(&e), "{e:?}");
        assert_eq!(writer.drain().await.unwrap_err().kind(), e.kind());
        Ok(())
    });
}

#[test]
fn write_eof_lets_the_peer_read_the_end_and_still_answer() {
    on_all("write-eof", |_| async {
        let (ours, theirs) = duplex_pair()?;
        let writer = StreamWriter::new(ours.clone());
        let mut reader = StreamReader::new(ours);
        writer.write(b"request")?;
        writer.write_eof().await?;
        let err = writer.write(b"more").unwrap_err();
        let why = err
            .get_ref()
            .and_then(|e| e.downcast_ref::<WriterClosedError>());
        assert_eq!(why, Some(&WriterClosedError::EofWritten));
        assert!(!writer.is_closing());

        let mut peer_reader = StreamReader::new(theirs.clone());
        assert_eq!(peer_reader.read_to_end().await?, b"request");
        let peer_writer = StreamWriter::new(theirs);
        peer_writer.write(b"response")?;
        peer_writer.write_eof().await?;

        assert_eq!(reader.read_to_end().await?, b"response");
        writer.close();
        writer.wait_closed().await?;
        Ok(())
    });
}

#[test]
fn wait_closed_waits_for_close_then_releases_every_waiter() {
    on_all("wait-closed", |_| async {
        let writer = StreamWriter::new(Recorder::default());
        writer.write(b"bye")?;
        let mut waiters: Vec<_> = (0..3).map(|_| Box::pin(writer.wait_closed())).collect();
        for w in &mut waiters {
            assert!(poll_once(w).await.is_none(), "nobody called close()");
        }
        assert!(!writer.is_closing());
        writer.close();
        assert!(writer.is_closing());
        for w in waiters {
            w.await?;
        }
        writer.with_inner(|r| {
            assert_eq!(r.all(), b"bye");
            assert_eq!(r.closes, 1, "the inner writer is closed once");
        });
        writer.wait_closed().await?;
        writer.write_eof().await?;
        assert_eq!(writer.with_inner(|r| r.closes), 1);
        Ok(())
    });
}

#[test]
fn close_and_wait_closed_from_several_tasks_flush_then_close() {
    on_all("wait-closed-tasks", |flavour| async move {
        let (ours, mut theirs) = duplex_pair()?;
        let writer = StreamWriter::new(ours);
        let data = pattern(2 << 20);
        writer.write(&data)?;
        let tasks: Vec<_> = (0..3)
            .map(|_| {
                let writer = writer.clone();
                flavour.spawn(async move { writer.wait_closed().await })
            })
            .collect();
        writer.close();
        assert!(writer.write(b"late").is_err());
        let mut got = Vec::new();
        theirs.read_to_end(&mut got).await?; // the end comes after the data
        assert!(got == data, "the buffered bytes were not all written first");
        for task in tasks {
            task.await?;
        }
        Ok(())
    });
}

#[test]
fn wait_closed_reports_the_error_to_every_waiter() {
    on_all("wait-closed-error", |_| async {
        let (a, b) = socket_pair()?;
        let writer = StreamWriter::new(a);
        drop(b);
        writer.write(&pattern(1 << 20))?;
        writer.close();
        let (first, second) = zip(writer.wait_closed(), writer.wait_closed()).await;
        let (first, second) = (first.unwrap_err(), second.unwrap_err());
        assert!(is_peer_gone(&first), "{first:?}");
        assert_eq!(first.kind(), second.kind());
        Ok(())
    });
}

#[test]
fn writes_after_close_fail_and_buffer_nothing() {
    on_all("write-after-close", |_| async {
        let writer = StreamWriter::new(Recorder::default());
        writer.write(b"kept")?;
        writer.close();
        for err in [
            writer.write(b"dropped").unwrap_err(),
            writer.writelines([b"dropped"]).unwrap_err(),
        ] {
            assert_eq!(err.kind(), ErrorKind::BrokenPipe);
            let why = err
                .get_ref()
                .and_then(|e| e.downcast_ref::<WriterClosedError>());
            assert_eq!(why, Some(&WriterClosedError::Closing));
        }
        assert_eq!(writer.get_write_buffer_size(), 4);
        writer.wait_closed().await?;
        assert_eq!(writer.with_inner(Recorder::all), b"kept");
        Ok(())
    });
}

#[test]
fn past_the_high_water_mark_write_sends_at_once() {
    on_all("send-ahead", |_| async {
        let (a, mut b) = socket_pair()?;
        let writer = StreamWriter::new(a);
        writer.set_write_buffer_limits(1024, 4096);
        assert_eq!(
            writer.get_write_buffer_limits(),
            (1024, 1024),
            "low <= high"
        );
        writer.write(&[1; 1000])?;
        assert_eq!(
            writer.get_write_buffer_size(),
            1000,
            "below the mark: buffered"
        );
        assert!(poll_once(b.read(&mut [0; 1])).await.is_none());
        writer.write(&[2; 1000])?;
        assert_eq!(writer.get_write_buffer_size(), 0, "above the mark: sent");
        let mut got = vec![0; 2000];
        b.read_exact(&mut got).await?;
        assert!(got[..1000].iter().all(|&x| x == 1) && got[1000..].iter().all(|&x| x == 2));
        Ok(())
    });
}

#[test]
fn send_ahead_into_a_full_socket_loses_no_wake_up() {
    on_all("send-ahead-full", |_| async {
        let (a, mut b) = socket_pair()?;
        let writer = StreamWriter::new(a);
        writer.set_write_buffer_limits(0, 0); // every write tries to send
        let data = pattern(4 << 20);
        for piece in data.chunks(64 * 1024) {
            writer.write(piece)?;
        }
        assert!(writer.get_write_buffer_size() > 0, "the socket filled up");
        let (drained, got) = zip(writer.drain(), read_slowly(&mut b, data.len())).await;
        drained?;
        assert!(got? == data);
        Ok(())
    });
}

#[test]
fn errors_of_the_inner_writer_stick() {
    on_all("writer-errors", |_| async {
        let writer = StreamWriter::new(Recorder {
            errors: [ErrorKind::Other].into(),
            ..Recorder::default()
        });
        writer.write(b"x")?;
        let e = writer.drain().await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Other);
        let again = writer.drain().await.unwrap_err();
        assert_eq!((again.kind(), again.to_string()), (e.kind(), e.to_string()));

        // A writer that takes nothing fails instead of spinning.
        let writer = StreamWriter::new(Recorder {
            max: Some(0),
            ..Recorder::default()
        });
        writer.write(b"x")?;
        assert_eq!(
            writer.drain().await.unwrap_err().kind(),
            ErrorKind::WriteZero
        );
        Ok(())
    });
}

#[test]
fn extreme_write_buffer_limits() {
    on_all("writer-limits", |_| async {
        let writer = StreamWriter::new(Recorder::default());
        writer.set_write_buffer_limits(usize::MAX, usize::MAX);
        writer.write(&pattern(1 << 20))?;
        assert_eq!(writer.get_write_buffer_size(), 1 << 20, "never sent ahead");
        writer.drain().await?;
        assert_eq!(writer.with_inner(|r| r.writes.len()), 1);
        Ok(())
    });
}
