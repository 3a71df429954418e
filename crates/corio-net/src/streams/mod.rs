//! asyncio's streams: a buffered [`StreamReader`] and [`StreamWriter`] over any
//! `futures-io` reader or writer, and the servers and connections built on them.
