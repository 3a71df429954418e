//! Every descriptor corio-net creates is close-on-exec (`FD_CLOEXEC`), so a child process
//! never inherits a socket: made, accepted, connected, paired, and the pre-connection
//! `TcpSocket`.

mod common;

use std::io;
use std::os::fd::AsRawFd;

use common::{Scratch, cloexec, on_both};
use corio_net::{
    TcpListener, TcpSocket, TcpStream, UdpSocket, UnixDatagram, UnixListener, UnixStream,
};

/// Asserts `FD_CLOEXEC` on each `(what, descriptor)`.
fn check(fds: &[(&str, &dyn AsRawFd)]) {
    for (what, fd) in fds {
        let raw = fd.as_raw_fd();
        assert!(
            cloexec(&raw),
            "{what} (fd {raw}) would leak into a child process"
        );
    }
}

#[test]
fn tcp_descriptors_are_close_on_exec() {
    on_both("tcp cloexec", || async {
        let v4 = TcpSocket::new_v4()?;
        check(&[("TcpSocket::new_v4", &v4)]);
        if let Ok(v6) = TcpSocket::new_v6() {
            check(&[("TcpSocket::new_v6", &v6)]);
        }

        v4.bind("127.0.0.1:0".parse().unwrap())?;
        let from_socket = v4.listen(8)?;
        let bound = TcpListener::bind("127.0.0.1:0").await?;
        let addr = bound.local_addr()?;
        let connected = TcpStream::connect(addr).await?;
        let (accepted, _) = bound.accept().await?;
        let via_socket = TcpSocket::new_v4()?.connect(addr).await?;
        let (accepted2, _) = bound.accept().await?;
        check(&[
            ("TcpSocket::listen", &from_socket),
            ("TcpListener::bind", &bound),
            ("TcpStream::connect", &connected),
            ("TcpListener::accept", &accepted),
            ("TcpSocket::connect", &via_socket),
            ("TcpListener::accept (2)", &accepted2),
        ]);
        let (read, write) = accepted.into_split();
        check(&[
            ("OwnedReadHalf", read.get_ref()),
            ("OwnedWriteHalf", write.get_ref()),
        ]);
        // Through std and back: std's sockets are close-on-exec too.
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let from_std = TcpListener::from_std(std_listener)?;
        check(&[("TcpListener::from_std", &from_std)]);
        io::Result::Ok(())
    });
}

#[test]
fn udp_descriptors_are_close_on_exec() {
    on_both("udp cloexec", || async {
        let v4 = UdpSocket::bind("127.0.0.1:0").await?;
        check(&[("UdpSocket::bind", &v4)]);
        if let Ok(v6) = UdpSocket::bind("[::1]:0").await {
            check(&[("UdpSocket::bind v6", &v6)]);
        }
        Ok(())
    });
}

#[test]
fn unix_descriptors_are_close_on_exec() {
    on_both("unix cloexec", || async {
        let dir = Scratch::new("cloexec");
        let path = dir.join("s");
        let listener = UnixListener::bind(&path)?;
        let connected = UnixStream::connect(&path).await?;
        let (accepted, _) = listener.accept().await?;
        let (pa, pb) = UnixStream::pair()?;
        let dgram = UnixDatagram::bind(dir.join("d"))?;
        let unbound = UnixDatagram::unbound()?;
        let (da, db) = UnixDatagram::pair()?;
        check(&[
            ("UnixListener::bind", &listener),
            ("UnixStream::connect", &connected),
            ("UnixListener::accept", &accepted),
            ("UnixStream::pair (a)", &pa),
            ("UnixStream::pair (b)", &pb),
            ("UnixDatagram::bind", &dgram),
            ("UnixDatagram::unbound", &unbound),
            ("UnixDatagram::pair (a)", &da),
            ("UnixDatagram::pair (b)", &db),
        ]);
        Ok(())
    });
}

#[test]
fn a_child_process_inherits_no_socket() {
    // The end-to-end view of the flag: a program started while sockets are open sees none
    // of them among its descriptors.
    let Ok(probe) = std::process::Command::new("sh")
        .arg("-c")
        .arg("true")
        .status()
    else {
        common::loud("SKIPPED a_child_process_inherits_no_socket: no sh to start");
        return;
    };
    assert!(probe.success());
    on_both("exec", || async {
        let dir = Scratch::new("exec");
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let client = TcpStream::connect(listener.local_addr()?).await?;
        let (accepted, _) = listener.accept().await?;
        let udp = UdpSocket::bind("127.0.0.1:0").await?;
        let (pa, pb) = UnixStream::pair()?;
        let unix = UnixListener::bind(dir.join("s"))?;
        let ours: Vec<i32> = [
            listener.as_raw_fd(),
            client.as_raw_fd(),
            accepted.as_raw_fd(),
            udp.as_raw_fd(),
            pa.as_raw_fd(),
            pb.as_raw_fd(),
            unix.as_raw_fd(),
        ]
        .into();
        // The child lists the descriptors that are sockets (its own stdio are pipes).
        let out = corio::task::to_thread(|| {
            std::process::Command::new("sh")
                .arg("-c")
                .arg("for f in /proc/$$/fd/*; do case $(readlink $f) in socket:*) echo ${f##*/};; esac; done")
                .stdin(std::process::Stdio::null())
                .output()
        })
        .await
        .expect("the blocking pool")?;
        assert!(out.status.success());
        let inherited: Vec<i32> = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .filter_map(|s| s.parse().ok())
            .collect();
        // Other tests of this binary open sockets concurrently; none of *ours* may show.
        for fd in &ours {
            assert!(
                !inherited.contains(fd),
                "fd {fd} was inherited by the child (it saw sockets {inherited:?})"
            );
        }
        Ok(())
    });
}
