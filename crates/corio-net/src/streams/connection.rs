//! asyncio's `open_connection`: a connection as a [`StreamReader`] and a [`StreamWriter`],
//! and the addresses of a connection's writer.

use std::io;
use std::net::SocketAddr;
use std::path::Path;

use super::{StreamReader, StreamWriter, TcpReader, TcpWriter, UnixReader, UnixWriter};
use crate::addr::ToSocketAddrs;
use crate::split::OwnedWriteHalf;
use crate::{TcpStream, UnixStream};

/// Connects to a TCP server and returns the connection as a reader and a writer (asyncio's
/// `open_connection(host, port)`; pass `(host, port)` or `"host:port"`). The connection gets
/// `TCP_NODELAY`, as in asyncio.
///
/// # Errors
///
/// As [`TcpStream::connect`]: resolution errors, `ConnectionRefused`…
///
/// Cancel safety: cancelling abandons the attempt.
///
/// ```
/// corio::run(async {
///     let server = corio_net::start_server(
///         |mut r: corio_net::TcpReader, w: corio_net::TcpWriter| async move {
///             let name = r.readline().await?;
///             w.write(b"hello, ")?;
///             w.write(&name)?;
///             w.drain().await
///         },
///         "127.0.0.1:0",
///     )
///     .await?;
///     let port = server.local_addr()?.port();
///     let (mut reader, writer) = corio_net::open_connection(("127.0.0.1", port)).await?;
///     writer.write(b"corio\n")?;
///     writer.drain().await?;
///     assert_eq!(reader.readline().await?, b"hello, corio\n");
///     assert_eq!(writer.peer_addr()?, server.local_addr()?);
///     std::io::Result::Ok(())
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn open_connection(addr: impl ToSocketAddrs) -> io::Result<(TcpReader, TcpWriter)> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (read, write) = stream.into_split();
    Ok((StreamReader::new(read), StreamWriter::new(write)))
}

/// Connects to a Unix-domain server at `path`; see [`open_connection`].
///
/// # Errors
///
/// As [`UnixStream::connect`].
///
/// Cancel safety: cancelling abandons the attempt.
///
/// ```
/// corio::run(async {
///     let path = std::env::temp_dir().join(format!("corio-doc-ouc-{}", std::process::id()));
///     let _ = std::fs::remove_file(&path);
///     let server = corio_net::start_unix_server(
///         |mut r: corio_net::UnixReader, w: corio_net::UnixWriter| async move {
///             let line = r.readline().await?;
///             w.write(&line)?;
///             w.drain().await
///         },
///         &path,
///     )?;
///     let (mut reader, writer) = corio_net::open_unix_connection(&path).await?;
///     writer.write(b"ping\n")?;
///     writer.drain().await?;
///     assert_eq!(reader.readline().await?, b"ping\n");
///     server.close();
///     std::fs::remove_file(&path)
/// })?;
/// # std::io::Result::Ok(())
/// ```
pub async fn open_unix_connection(path: impl AsRef<Path>) -> io::Result<(UnixReader, UnixWriter)> {
    let (read, write) = UnixStream::connect(path).await?.into_split();
    Ok((StreamReader::new(read), StreamWriter::new(write)))
}

impl StreamWriter<OwnedWriteHalf<TcpStream>> {
    /// The address of the peer (asyncio's `get_extra_info('peername')`).
    ///
    /// # Errors
    ///
    /// `NotConnected` once the connection is gone.
    ///
    /// ```
    /// corio::run(async {
    ///     let server = corio_net::start_server(|_r, _w| async {}, "127.0.0.1:0").await?;
    ///     let (_r, w) = corio_net::open_connection(server.local_addr()?).await?;
    ///     assert_eq!(w.peer_addr()?, server.local_addr()?);
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.with_inner(|w| w.get_ref().peer_addr())
    }

    /// The local address of the connection (asyncio's `get_extra_info('sockname')`).
    ///
    /// # Errors
    ///
    /// As `getsockname(2)`.
    ///
    /// ```
    /// corio::run(async {
    ///     let server = corio_net::start_server(|_r, _w| async {}, "127.0.0.1:0").await?;
    ///     let (_r, w) = corio_net::open_connection(server.local_addr()?).await?;
    ///     assert!(w.local_addr()?.ip().is_loopback());
    ///     std::io::Result::Ok(())
    /// })?;
    /// # std::io::Result::Ok(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.with_inner(|w| w.get_ref().local_addr())
    }
}

impl StreamWriter<OwnedWriteHalf<UnixStream>> {
    /// The address of the peer.
    ///
    /// # Errors
    ///
    /// As `getpeername(2)`.
    ///
    /// ```
    /// let (a, _b) = corio::run(async { corio_net::UnixStream::pair() })?;
    /// let (_read, write) = a.into_split();
    /// let w = corio_net::StreamWriter::new(write);
    /// assert!(w.peer_addr()?.is_unnamed());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn peer_addr(&self) -> io::Result<std::os::unix::net::SocketAddr> {
        self.with_inner(|w| w.get_ref().peer_addr())
    }

    /// The local address.
    ///
    /// # Errors
    ///
    /// As `getsockname(2)`.
    ///
    /// ```
    /// let (a, _b) = corio::run(async { corio_net::UnixStream::pair() })?;
    /// let (_read, write) = a.into_split();
    /// let w = corio_net::StreamWriter::new(write);
    /// assert!(w.local_addr()?.is_unnamed());
    /// # std::io::Result::Ok(())
    /// ```
    pub fn local_addr(&self) -> io::Result<std::os::unix::net::SocketAddr> {
        self.with_inner(|w| w.get_ref().local_addr())
    }
}
