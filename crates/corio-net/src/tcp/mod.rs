//! TCP: [`TcpListener`], [`TcpStream`] and the pre-connection [`TcpSocket`].

mod listener;
mod socket;
mod stream;

pub use listener::{Incoming, TcpListener};
pub use socket::TcpSocket;
pub use stream::TcpStream;
pub(crate) use stream::stream_io;
