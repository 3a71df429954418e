//! Networking for corio: TCP, UDP and Unix sockets on the readiness reactor, and asyncio's
//! high-level streams (`StreamReader`, `StreamWriter`, `Server`).

pub mod streams;

pub use streams::{
    IncompleteReadError, LimitOverrunError, ReadError, StreamReader, StreamWriter,
    WriterClosedError,
};
