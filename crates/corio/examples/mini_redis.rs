//! A small Redis: enough of the RESP2 protocol and of Redis's string commands that the real
//! `redis-cli` and `redis-benchmark` work against it.
//!
//! Run it with `cargo run --release -p corio --example mini_redis [ADDR]` (default
//! `127.0.0.1:6379`, Redis's own port; `127.0.0.1:0` picks a free one; the first line
//! printed is `listening on ADDR`), then for example:
//!
//! ```text
//! redis-cli -p 6379 SET greeting hello EX 60
//! redis-cli -p 6379 GET greeting
//! redis-benchmark -p 6379 -t ping,set,get -c 50 -n 100000 -q -P 16
//! ```
//!
//! What it shows:
//!
//! * **Framing with asyncio's stream methods.** A request is either a RESP array
//!   (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`: `readline` for the count, `readuntil(b"\r\n")` for
//!   each `$len`, `readexactly` for each argument) or an inline command (`PING\r\n`, what
//!   `redis-benchmark`'s PING_INLINE and a human on `nc` send; split on whitespace, no
//!   quoting).
//! * **Pipelining.** A client may send many requests before reading a reply
//!   (`redis-benchmark -P 16`). Replies are encoded into one buffer and written out only
//!   when the next request is not buffered yet, i.e. just before the server would wait for
//!   the client: one write per read, not one system call per reply.
//! * **Bad input never panics.** A malformed or unknown command gets a RESP error
//!   (`-ERR …`, worded as Redis words it) and the connection goes on. A client that breaks
//!   the framing (garbage where a length should be, a bulk length above [`MAX_BULK_LEN`], a
//!   header longer than the reader's 64 KiB limit, a request above [`MAX_REQUEST_BYTES`])
//!   gets `-ERR Protocol error: …` and is disconnected, as by Redis. Nothing is allocated
//!   up front from a length the client sent, so what one connection can make the server
//!   hold is bounded by those limits.
//! * **Expiry on corio's timers: a lazy check plus a periodic sweep.** Every key with a
//!   deadline is also in an index ordered by deadline. A read of an expired key removes it
//!   first, so no client ever sees one, and a sweep task on a `corio::time::interval`
//!   removes the expired keys nobody reads, from the front of the index, ten times a
//!   second. The alternative, a timer task per key, would cost a task and a timer for each
//!   key with a TTL, and each SET, EXPIRE, PERSIST or DEL of such a key would have to
//!   cancel or outdate its task; the index needs one ordered insert or removal instead,
//!   and the sweep does work only for keys that actually expired. Redis itself does the
//!   same: lazy expiry plus an active expire cycle.
//!
//! Commands: `PING [msg]`, `ECHO msg`, `GET key`, `SET key value [EX s | PX ms | KEEPTTL]
//! [NX | XX] [GET]`, `DEL key…`, `EXISTS key…`, `INCR` / `DECR` / `INCRBY` / `DECRBY`,
//! `EXPIRE` / `PEXPIRE key time [NX | XX | GT | LT]`, `TTL` / `PTTL`, `PERSIST`, `DBSIZE`,
//! `FLUSHDB` / `FLUSHALL`, and for the tools' handshakes `SELECT 0`, `QUIT`, `HELLO [2]`
//! (`HELLO 3` is refused with NOPROTO, so clients stay on RESP2), `CLIENT SETNAME /
//! GETNAME / ID`, `CONFIG GET` (what `redis-benchmark` asks: `save`, `appendonly`),
//! `COMMAND` / `COMMAND DOCS` / `COMMAND COUNT` (what `redis-cli` asks for its hints) and
//! `INFO`. One database, strings only.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::io::{self, Write as _};
use std::pin::pin;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use corio::net::{ReadError, TcpReader, TcpWriter};
use corio::time::MissedTickBehavior;
use futures_lite::future::poll_once;

/// The longest argument a client may send (Redis's `proto-max-bulk-len` is 512 MiB; a
/// showcase keeps it smaller).
const MAX_BULK_LEN: usize = 16 * 1024 * 1024;
/// The most bytes of arguments in one request.
const MAX_REQUEST_BYTES: usize = 64 * 1024 * 1024;
/// The most arguments in one request.
const MAX_ARGS: usize = 64 * 1024;
/// Replies are written out once this many are waiting, even mid-pipeline, so a client that
/// pipelines without reading is held back by its socket instead of growing our buffer.
const REPLY_FLUSH_AT: usize = 64 * 1024;
/// How often the sweep removes expired keys, and how many it removes per lock.
const SWEEP_EVERY: Duration = Duration::from_millis(100);
const SWEEP_BATCH: usize = 1000;

// ---------------------------------------------------------------------------------------
// The protocol: reading requests, writing replies.
// ---------------------------------------------------------------------------------------

/// A framing error: the client is told and disconnected, because after one the server can
/// no longer tell where the next request starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProtocolError {
    InvalidMultibulkLength,
    InvalidBulkLength,
    ExpectedDollar(u8),
    BulkNotTerminated,
    TooBigInline,
    TooBigBulkCount,
    RequestTooLarge,
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Protocol error: ")?;
        match self {
            ProtocolError::InvalidMultibulkLength => f.write_str("invalid multibulk length"),
            ProtocolError::InvalidBulkLength => f.write_str("invalid bulk length"),
            ProtocolError::ExpectedDollar(got) => {
                write!(
                    f,
                    "expected '$', got '{}'",
                    char::from(*got).escape_default()
                )
            }
            ProtocolError::BulkNotTerminated => f.write_str("bulk data not terminated by CRLF"),
            ProtocolError::TooBigInline => f.write_str("too big inline request"),
            ProtocolError::TooBigBulkCount => f.write_str("too big bulk count string"),
            ProtocolError::RequestTooLarge => f.write_str("request too large"),
        }
    }
}

/// Why no request could be read.
#[derive(Debug)]
enum RequestError {
    Protocol(ProtocolError),
    Io(io::Error),
}

impl From<ProtocolError> for RequestError {
    fn from(e: ProtocolError) -> Self {
        RequestError::Protocol(e)
    }
}

/// A request: the command name and its arguments, as the client sent them.
type Request = Vec<Vec<u8>>;

/// Reads the next request. `Ok(None)` once the client has gone (also in the middle of a
/// request); an empty request for a blank line or an empty array, which Redis ignores.
async fn read_request(reader: &mut TcpReader) -> Result<Option<Request>, RequestError> {
    // The reader's limit (64 KiB, as Redis's for inline requests) bounds every line.
    let line = match reader.readline().await {
        Ok(line) if line.is_empty() => return Ok(None),
        Ok(line) if !line.ends_with(b"\n") => return Ok(None), // cut off by the end
        Ok(line) => line,
        Err(ReadError::LimitOverrun(_)) => return Err(ProtocolError::TooBigInline.into()),
        Err(e) => return Err(RequestError::Io(e.into())),
    };
    let line = strip_line_end(&line);
    let Some(count) = line.strip_prefix(b"*") else {
        // An inline command.
        return Ok(Some(
            line.split(|b| b.is_ascii_whitespace())
                .filter(|word| !word.is_empty())
                .map(<[u8]>::to_vec)
                .collect(),
        ));
    };
    let count = match parse_i64(count) {
        Some(n) if n <= 0 => return Ok(Some(Vec::new())),
        Some(n) if n as u64 <= MAX_ARGS as u64 => n as usize,
        _ => return Err(ProtocolError::InvalidMultibulkLength.into()),
    };
    // Never reserve what the client announced: only what it has actually sent.
    let mut args = Vec::with_capacity(count.min(16));
    let mut total = 0usize;
    for _ in 0..count {
        let header = match reader.readuntil(b"\r\n").await {
            Ok(header) => header,
            Err(ReadError::LimitOverrun(_)) => return Err(ProtocolError::TooBigBulkCount.into()),
            Err(ReadError::IncompleteRead(_)) => return Ok(None),
            Err(e) => return Err(RequestError::Io(e.into())),
        };
        let header = strip_line_end(&header);
        let Some(len) = header.strip_prefix(b"$") else {
            let got = header.first().copied().unwrap_or(b'\r');
            return Err(ProtocolError::ExpectedDollar(got).into());
        };
        let len = match parse_i64(len) {
            Some(n) if (0..=MAX_BULK_LEN as i64).contains(&n) => n as usize,
            _ => return Err(ProtocolError::InvalidBulkLength.into()),
        };
        total += len;
        if total > MAX_REQUEST_BYTES {
            return Err(ProtocolError::RequestTooLarge.into());
        }
        // The argument and its CRLF; the buffer grows only as the bytes arrive.
        let mut arg = match reader.readexactly(len + 2).await {
            Ok(arg) => arg,
            Err(ReadError::IncompleteRead(_)) => return Ok(None),
            Err(e) => return Err(RequestError::Io(e.into())),
        };
        if !arg.ends_with(b"\r\n") {
            return Err(ProtocolError::BulkNotTerminated.into());
        }
        arg.truncate(len);
        args.push(arg);
    }
    Ok(Some(args))
}

/// `line` without its `\n` or `\r\n`.
fn strip_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// A reply, in RESP2.
#[derive(Debug)]
enum Reply {
    Ok,
    Pong,
    Error(CommandError),
    Integer(i64),
    Bulk(Vec<u8>),
    Nil,
    Array(Vec<Reply>),
}

impl Reply {
    fn bulk(text: impl Into<Vec<u8>>) -> Reply {
        Reply::Bulk(text.into())
    }

    fn encode(&self, out: &mut Vec<u8>) {
        // Writing to a `Vec` cannot fail.
        let _ = match self {
            Reply::Ok => out.write_all(b"+OK\r\n"),
            Reply::Pong => out.write_all(b"+PONG\r\n"),
            Reply::Error(e) => {
                // An error is one line: no CR or LF from a client's bytes may break it.
                let text = e.to_string().replace(['\r', '\n'], " ");
                write!(out, "-{text}\r\n")
            }
            Reply::Integer(n) => write!(out, ":{n}\r\n"),
            Reply::Bulk(data) => {
                let _ = write!(out, "${}\r\n", data.len());
                out.extend_from_slice(data);
                out.write_all(b"\r\n")
            }
            Reply::Nil => out.write_all(b"$-1\r\n"),
            Reply::Array(items) => {
                let _ = write!(out, "*{}\r\n", items.len());
                items.iter().for_each(|item| item.encode(out));
                Ok(())
            }
        };
    }
}

// ---------------------------------------------------------------------------------------
// Commands: parsed from a request into a typed value, or a typed error.
// ---------------------------------------------------------------------------------------

/// A command error, shown to the client in Redis's words.
#[derive(Debug, Clone, PartialEq, Eq)]
enum CommandError {
    /// `args`: the first arguments, quoted, as Redis shows them.
    UnknownCommand {
        name: String,
        args: String,
    },
    UnknownSubcommand {
        command: &'static str,
        sub: String,
    },
    WrongArity(&'static str),
    Syntax,
    NotInteger,
    Overflow,
    InvalidExpireTime(&'static str),
    UnsupportedOption(String),
    IncompatibleExpireOptions,
    DbIndexOutOfRange,
    NoProto,
    ProtocolVersionNotInteger,
    /// Sent before the client is disconnected.
    Protocol(ProtocolError),
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::UnknownCommand { name, args } => {
                write!(
                    f,
                    "ERR unknown command '{name}', with args beginning with: {args}"
                )
            }
            CommandError::UnknownSubcommand { command, sub } => write!(
                f,
                "ERR unknown subcommand '{sub}'. Try {} HELP.",
                command.to_ascii_uppercase()
            ),
            CommandError::WrongArity(name) => {
                write!(f, "ERR wrong number of arguments for '{name}' command")
            }
            CommandError::Syntax => f.write_str("ERR syntax error"),
            CommandError::NotInteger => f.write_str("ERR value is not an integer or out of range"),
            CommandError::Overflow => f.write_str("ERR increment or decrement would overflow"),
            CommandError::InvalidExpireTime(name) => {
                write!(f, "ERR invalid expire time in '{name}' command")
            }
            CommandError::UnsupportedOption(option) => write!(f, "ERR Unsupported option {option}"),
            CommandError::IncompatibleExpireOptions => {
                f.write_str("ERR NX and XX, GT or LT options at the same time are not compatible")
            }
            CommandError::DbIndexOutOfRange => f.write_str("ERR DB index is out of range"),
            CommandError::NoProto => f.write_str("NOPROTO unsupported protocol version"),
            CommandError::ProtocolVersionNotInteger => {
                f.write_str("ERR Protocol version is not an integer or out of range")
            }
            CommandError::Protocol(e) => write!(f, "ERR {e}"),
        }
    }
}

impl std::error::Error for CommandError {}

/// When SET writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Condition {
    Always,
    /// NX: only a new key.
    IfMissing,
    /// XX: only an existing key.
    IfExists,
}

/// What SET does to the key's time to live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetTtl {
    Clear,
    Keep,
    After(Duration),
}

/// EXPIRE's condition on the current deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExpireIf {
    Always,
    NoDeadline,  // NX
    HasDeadline, // XX
    Later,       // GT
    Sooner,      // LT
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Seconds,
    Millis,
}

#[derive(Debug)]
enum Command {
    Ping(Option<Vec<u8>>),
    Echo(Vec<u8>),
    Get(Vec<u8>),
    Set {
        key: Vec<u8>,
        value: Vec<u8>,
        ttl: SetTtl,
        condition: Condition,
        get: bool,
    },
    Del(Vec<Vec<u8>>),
    Exists(Vec<Vec<u8>>),
    IncrBy(Vec<u8>, i64),
    /// A signed time: zero or less deletes the key.
    Expire {
        key: Vec<u8>,
        millis: i64,
        condition: ExpireIf,
    },
    Ttl(Vec<u8>, Unit),
    Persist(Vec<u8>),
    DbSize,
    FlushDb,
    Select(i64),
    Quit,
    Hello(Option<Vec<u8>>),
    ClientSetName(Vec<u8>),
    ClientGetName,
    ClientId,
    ConfigGet(Vec<Vec<u8>>),
    /// COMMAND, COMMAND DOCS, COMMAND INFO: the command table (empty here).
    Commands,
    CountCommands,
    Info,
}

/// Every command name, for telling "wrong number of arguments" from "unknown command".
const COMMANDS: &[&str] = &[
    "ping", "echo", "get", "set", "del", "exists", "incr", "decr", "incrby", "decrby", "expire",
    "pexpire", "ttl", "pttl", "persist", "dbsize", "flushdb", "flushall", "select", "quit",
    "hello", "client", "config", "command", "info",
];

/// The configuration `CONFIG GET` reports: what `redis-benchmark` asks about.
const CONFIG: &[(&str, &str)] = &[("save", ""), ("appendonly", "no"), ("databases", "1")];

impl Command {
    /// The command `name` with `args`.
    fn parse(name: &[u8], args: Vec<Vec<u8>>) -> Result<Command, CommandError> {
        let lower = String::from_utf8_lossy(name).to_ascii_lowercase();
        // The name as a `&'static str` for the error messages, if it is one of ours.
        let Some(&known) = COMMANDS.iter().find(|&&c| c == lower) else {
            return Err(unknown_command(name, &args));
        };
        let n = args.len();
        let mut args = args.into_iter();
        // Only called once `n` says the argument is there.
        let mut arg = || args.next().unwrap_or_default();
        Ok(match (known, n) {
            ("ping", 0) => Command::Ping(None),
            ("ping", 1) => Command::Ping(Some(arg())),
            ("echo", 1) => Command::Echo(arg()),
            ("get", 1) => Command::Get(arg()),
            ("set", 2..) => {
                let (key, value) = (arg(), arg());
                parse_set(key, value, args)?
            }
            ("del", 1..) => Command::Del(args.collect()),
            ("exists", 1..) => Command::Exists(args.collect()),
            ("incr", 1) => Command::IncrBy(arg(), 1),
            ("decr", 1) => Command::IncrBy(arg(), -1),
            ("incrby", 2) => Command::IncrBy(arg(), parse_int(&arg())?),
            ("decrby", 2) => {
                let key = arg();
                let by = parse_int(&arg())?.checked_neg();
                Command::IncrBy(key, by.ok_or(CommandError::Overflow)?)
            }
            ("expire" | "pexpire", 2..) => {
                let unit = if known == "expire" {
                    Unit::Seconds
                } else {
                    Unit::Millis
                };
                let (key, time) = (arg(), arg());
                parse_expire(known, unit, key, &time, args)?
            }
            ("ttl", 1) => Command::Ttl(arg(), Unit::Seconds),
            ("pttl", 1) => Command::Ttl(arg(), Unit::Millis),
            ("persist", 1) => Command::Persist(arg()),
            ("dbsize", 0) => Command::DbSize,
            // FLUSHDB [ASYNC | SYNC]: both mean "now" here.
            ("flushdb" | "flushall", 0) => Command::FlushDb,
            ("flushdb" | "flushall", 1) => match upper(&arg()).as_str() {
                "ASYNC" | "SYNC" => Command::FlushDb,
                _ => return Err(CommandError::Syntax),
            },
            ("select", 1) => Command::Select(parse_int(&arg())?),
            ("quit", _) => Command::Quit,
            ("hello", 0) => Command::Hello(None),
            // HELLO protover [SETNAME name]; AUTH is not supported.
            ("hello", 1 | 3) => {
                let version = arg();
                if n == 3 {
                    if upper(&arg()) != "SETNAME" {
                        return Err(CommandError::Syntax);
                    }
                    // The name is accepted and forgotten, as CLIENT SETNAME's below is not.
                    let _ = arg();
                }
                Command::Hello(Some(version))
            }
            ("client", 1..) => {
                let sub = arg();
                match (upper(&sub).as_str(), n) {
                    ("SETNAME", 2) => Command::ClientSetName(arg()),
                    ("GETNAME", 1) => Command::ClientGetName,
                    ("ID", 1) => Command::ClientId,
                    ("SETNAME", _) => return Err(CommandError::WrongArity("client|setname")),
                    ("GETNAME", _) => return Err(CommandError::WrongArity("client|getname")),
                    ("ID", _) => return Err(CommandError::WrongArity("client|id")),
                    _ => return Err(unknown_subcommand("client", &sub)),
                }
            }
            ("config", 1..) => {
                let sub = arg();
                match (upper(&sub).as_str(), n) {
                    ("GET", 2..) => Command::ConfigGet(args.collect()),
                    ("GET", _) => return Err(CommandError::WrongArity("config|get")),
                    _ => return Err(unknown_subcommand("config", &sub)),
                }
            }
            ("command", 0) => Command::Commands,
            ("command", _) => {
                let sub = arg();
                match upper(&sub).as_str() {
                    // No documentation to offer: redis-cli then simply shows no hints.
                    "DOCS" | "INFO" => Command::Commands,
                    "COUNT" if n == 1 => Command::CountCommands,
                    _ => return Err(unknown_subcommand("command", &sub)),
                }
            }
            ("info", _) => Command::Info,
            (known, _) => return Err(CommandError::WrongArity(known)),
        })
    }
}

/// `SET key value [EX s | PX ms | KEEPTTL] [NX | XX] [GET]`, after the key and value.
fn parse_set(
    key: Vec<u8>,
    value: Vec<u8>,
    mut options: impl Iterator<Item = Vec<u8>>,
) -> Result<Command, CommandError> {
    let mut ttl = SetTtl::Clear;
    let mut ttl_given = false;
    let mut condition = Condition::Always;
    let mut get = false;
    while let Some(option) = options.next() {
        match upper(&option).as_str() {
            opt @ ("EX" | "PX") if !ttl_given => {
                let time = parse_int(&options.next().ok_or(CommandError::Syntax)?)?;
                let unit = if opt == "EX" {
                    Unit::Seconds
                } else {
                    Unit::Millis
                };
                let millis = to_millis(time, unit)
                    .filter(|&ms| ms > 0)
                    .ok_or(CommandError::InvalidExpireTime("set"))?;
                ttl = SetTtl::After(Duration::from_millis(millis.unsigned_abs()));
                ttl_given = true;
            }
            "KEEPTTL" if !ttl_given => {
                ttl = SetTtl::Keep;
                ttl_given = true;
            }
            "NX" if condition == Condition::Always => condition = Condition::IfMissing,
            "XX" if condition == Condition::Always => condition = Condition::IfExists,
            "GET" => get = true,
            _ => return Err(CommandError::Syntax),
        }
    }
    Ok(Command::Set {
        key,
        value,
        ttl,
        condition,
        get,
    })
}

/// `EXPIRE key seconds [NX | XX | GT | LT]` (and PEXPIRE), after the key and time.
fn parse_expire(
    name: &'static str,
    unit: Unit,
    key: Vec<u8>,
    time: &[u8],
    options: impl Iterator<Item = Vec<u8>>,
) -> Result<Command, CommandError> {
    let millis = to_millis(parse_int(time)?, unit).ok_or(CommandError::InvalidExpireTime(name))?;
    let mut condition = ExpireIf::Always;
    for option in options {
        let wanted = match upper(&option).as_str() {
            "NX" => ExpireIf::NoDeadline,
            "XX" => ExpireIf::HasDeadline,
            "GT" => ExpireIf::Later,
            "LT" => ExpireIf::Sooner,
            other => return Err(CommandError::UnsupportedOption(other.to_owned())),
        };
        condition = match (condition, wanted) {
            (ExpireIf::Always, wanted) => wanted,
            (now, wanted) if now == wanted => now,
            // XX goes with GT or LT; every other pair contradicts itself.
            (ExpireIf::HasDeadline, w @ (ExpireIf::Later | ExpireIf::Sooner))
            | (w @ (ExpireIf::Later | ExpireIf::Sooner), ExpireIf::HasDeadline) => w,
            _ => return Err(CommandError::IncompatibleExpireOptions),
        };
    }
    Ok(Command::Expire {
        key,
        millis,
        condition,
    })
}

fn unknown_command(name: &[u8], args: &[Vec<u8>]) -> CommandError {
    // As Redis: the name up to 128 bytes, then the arguments quoted until 128 bytes of them.
    let mut shown = String::new();
    for arg in args {
        let Some(room) = 128usize.checked_sub(shown.len()).filter(|&r| r > 0) else {
            break;
        };
        shown.push_str(&format!("'{}' ", clip(arg, room)));
    }
    CommandError::UnknownCommand {
        name: clip(name, 128),
        args: shown,
    }
}

/// Up to `max` bytes of `bytes`, as text.
fn clip(bytes: &[u8], max: usize) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(max)]).into_owned()
}

fn unknown_subcommand(command: &'static str, sub: &[u8]) -> CommandError {
    CommandError::UnknownSubcommand {
        command,
        sub: clip(sub, 128),
    }
}

fn upper(word: &[u8]) -> String {
    String::from_utf8_lossy(word).to_ascii_uppercase()
}

/// `time` in `unit` as milliseconds, unless that overflows.
fn to_millis(time: i64, unit: Unit) -> Option<i64> {
    match unit {
        Unit::Seconds => time.checked_mul(1000),
        Unit::Millis => Some(time),
    }
}

/// An integer argument, as strictly as Redis reads one.
fn parse_int(arg: &[u8]) -> Result<i64, CommandError> {
    parse_i64(arg).ok_or(CommandError::NotInteger)
}

/// A decimal `i64` in Redis's canonical form: an optional `-`, then digits without leading
/// zeros (`"0"` itself is fine; `"+1"`, `" 1"`, `"01"` and `"-0"` are not).
fn parse_i64(text: &[u8]) -> Option<i64> {
    let digits = text.strip_prefix(b"-").unwrap_or(text);
    let canonical = match digits {
        [] => false,
        [b'0'] => digits.len() == text.len(),
        [first, ..] => *first != b'0' && digits.iter().all(u8::is_ascii_digit),
    };
    if !canonical {
        return None;
    }
    std::str::from_utf8(text).ok()?.parse().ok()
}

// ---------------------------------------------------------------------------------------
// The data: a map of strings with optional deadlines.
// ---------------------------------------------------------------------------------------

struct Entry {
    value: Vec<u8>,
    deadline: Option<Instant>,
}

/// The keyspace. Every key with a deadline is also in `deadlines`, ordered by deadline,
/// which is what the sweep walks; the two change together, only through these methods.
#[derive(Default)]
struct Db {
    entries: HashMap<Vec<u8>, Entry>,
    deadlines: BTreeSet<(Instant, Vec<u8>)>,
}

impl Db {
    /// The live entry for `key`: an expired one is removed first (the lazy check).
    fn live(&mut self, key: &[u8], now: Instant) -> Option<&mut Entry> {
        let expired = self
            .entries
            .get(key)
            .and_then(|e| e.deadline)
            .is_some_and(|d| d <= now);
        if expired {
            self.remove(key);
        }
        self.entries.get_mut(key)
    }

    fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        let entry = self.entries.remove(key)?;
        if let Some(deadline) = entry.deadline {
            self.deadlines.remove(&(deadline, key.to_vec()));
        }
        Some(entry)
    }

    /// Sets `key`'s deadline (the key exists).
    fn set_deadline(&mut self, key: &[u8], deadline: Option<Instant>) {
        let Some(entry) = self.entries.get_mut(key) else {
            return;
        };
        let old = std::mem::replace(&mut entry.deadline, deadline);
        if old == deadline {
            return;
        }
        if let Some(old) = old {
            self.deadlines.remove(&(old, key.to_vec()));
        }
        if let Some(new) = deadline {
            self.deadlines.insert((new, key.to_vec()));
        }
    }

    /// Writes `key`, with a deadline.
    fn insert(&mut self, key: Vec<u8>, value: Vec<u8>, deadline: Option<Instant>) {
        if let Some(entry) = self.entries.get_mut(&key) {
            // Overwriting: the common case for a benchmark's SET, without allocating.
            entry.value = value;
            self.set_deadline(&key, deadline);
            return;
        }
        if let Some(deadline) = deadline {
            self.deadlines.insert((deadline, key.clone()));
        }
        self.entries.insert(key, Entry { value, deadline });
    }

    /// Removes up to `max` keys whose deadline has passed; whether any are left.
    fn sweep(&mut self, now: Instant, max: usize) -> bool {
        for _ in 0..max {
            match self.deadlines.first() {
                Some((deadline, _)) if *deadline <= now => {
                    if let Some((_, key)) = self.deadlines.pop_first() {
                        self.entries.remove(&key);
                    }
                }
                _ => return false,
            }
        }
        true
    }
}

/// What the connections share.
struct Shared {
    db: Mutex<Db>,
    next_client_id: AtomicU64,
}

impl Shared {
    fn db(&self) -> MutexGuard<'_, Db> {
        // No update panics half-way (they only allocate); were one to, serving the other
        // clients on beats taking them all down.
        self.db.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One connection's own state.
struct Session {
    id: u64,
    name: Option<Vec<u8>>,
}

/// Runs `command`. Never waits: the keyspace lock is held for the command only.
fn execute(shared: &Shared, session: &mut Session, command: Command) -> Reply {
    let now = corio::time::now();
    match command {
        Command::Ping(None) => Reply::Pong,
        Command::Ping(Some(message)) | Command::Echo(message) => Reply::Bulk(message),
        Command::Get(key) => match shared.db().live(&key, now) {
            Some(entry) => Reply::Bulk(entry.value.clone()),
            None => Reply::Nil,
        },
        Command::Set {
            key,
            value,
            ttl,
            condition,
            get,
        } => {
            let mut db = shared.db();
            let current = db.live(&key, now);
            let exists = current.is_some();
            let old_deadline = current.as_ref().and_then(|e| e.deadline);
            let old = if get {
                current.map(|e| e.value.clone())
            } else {
                None
            };
            let write = match condition {
                Condition::Always => true,
                Condition::IfMissing => !exists,
                Condition::IfExists => exists,
            };
            if write {
                let deadline = match ttl {
                    SetTtl::Clear => None,
                    SetTtl::Keep => old_deadline,
                    SetTtl::After(ttl) => now.checked_add(ttl),
                };
                db.insert(key, value, deadline);
            }
            match (get, old, write) {
                (true, Some(old), _) => Reply::Bulk(old),
                (true, None, _) | (false, _, false) => Reply::Nil,
                (false, _, true) => Reply::Ok,
            }
        }
        Command::Del(keys) => {
            let mut db = shared.db();
            let removed = keys
                .iter()
                .filter(|key| db.live(key, now).is_some() && db.remove(key).is_some())
                .count();
            Reply::Integer(removed as i64)
        }
        Command::Exists(keys) => {
            let mut db = shared.db();
            // Counted once per argument: `EXISTS k k` is 2, as in Redis.
            let found = keys
                .iter()
                .filter(|key| db.live(key, now).is_some())
                .count();
            Reply::Integer(found as i64)
        }
        Command::IncrBy(key, by) => {
            let mut db = shared.db();
            let current = match db.live(&key, now) {
                Some(entry) => match parse_i64(&entry.value) {
                    Some(n) => n,
                    None => return Reply::Error(CommandError::NotInteger),
                },
                None => 0,
            };
            let Some(new) = current.checked_add(by) else {
                return Reply::Error(CommandError::Overflow);
            };
            // The deadline stays as it was.
            match db.live(&key, now) {
                Some(entry) => entry.value = new.to_string().into_bytes(),
                None => db.insert(key, new.to_string().into_bytes(), None),
            }
            Reply::Integer(new)
        }
        Command::Expire {
            key,
            millis,
            condition,
        } => {
            let mut db = shared.db();
            let Some(entry) = db.live(&key, now) else {
                return Reply::Integer(0);
            };
            // A time in the past (or too far ahead to represent) deletes the key / never
            // comes.
            let deadline = match u64::try_from(millis) {
                Ok(ms) => now.checked_add(Duration::from_millis(ms)),
                Err(_) => Some(now),
            };
            // No deadline counts as infinitely far, as in Redis.
            let allowed = match (condition, entry.deadline) {
                (ExpireIf::Always, _) => true,
                (ExpireIf::NoDeadline, current) => current.is_none(),
                (ExpireIf::HasDeadline, current) => current.is_some(),
                (ExpireIf::Later, None) => false,
                (ExpireIf::Later, Some(current)) => deadline.is_none_or(|d| d > current),
                (ExpireIf::Sooner, None) => true,
                (ExpireIf::Sooner, Some(current)) => deadline.is_some_and(|d| d < current),
            };
            if !allowed {
                return Reply::Integer(0);
            }
            match deadline {
                Some(d) if d <= now => {
                    db.remove(&key);
                }
                // Beyond what an `Instant` can hold: it never expires.
                None => db.set_deadline(&key, None),
                deadline => db.set_deadline(&key, deadline),
            }
            Reply::Integer(1)
        }
        Command::Ttl(key, unit) => match shared.db().live(&key, now) {
            None => Reply::Integer(-2),
            Some(Entry { deadline: None, .. }) => Reply::Integer(-1),
            Some(Entry {
                deadline: Some(deadline),
                ..
            }) => {
                let left = deadline.saturating_duration_since(now).as_millis();
                let left = match unit {
                    Unit::Millis => left,
                    // Rounded to the nearest second, as Redis does.
                    Unit::Seconds => (left + 500) / 1000,
                };
                Reply::Integer(i64::try_from(left).unwrap_or(i64::MAX))
            }
        },
        Command::Persist(key) => {
            let mut db = shared.db();
            match db.live(&key, now).map(|e| e.deadline.is_some()) {
                Some(true) => {
                    db.set_deadline(&key, None);
                    Reply::Integer(1)
                }
                _ => Reply::Integer(0),
            }
        }
        Command::DbSize => {
            let mut db = shared.db();
            // Expired keys nobody has read yet are not counted.
            while db.sweep(now, SWEEP_BATCH) {}
            Reply::Integer(db.entries.len() as i64)
        }
        Command::FlushDb => {
            *shared.db() = Db::default();
            Reply::Ok
        }
        Command::Select(0) => Reply::Ok,
        Command::Select(_) => Reply::Error(CommandError::DbIndexOutOfRange),
        // Answered by the connection loop.
        Command::Quit => Reply::Ok,
        Command::Hello(version) => match version.as_deref().map(parse_i64) {
            None | Some(Some(2)) => Reply::Array(vec![
                Reply::bulk("server"),
                Reply::bulk("redis"),
                Reply::bulk("version"),
                Reply::bulk(env!("CARGO_PKG_VERSION")),
                Reply::bulk("proto"),
                Reply::Integer(2),
                Reply::bulk("id"),
                Reply::Integer(session.id as i64),
                Reply::bulk("mode"),
                Reply::bulk("standalone"),
                Reply::bulk("role"),
                Reply::bulk("master"),
                Reply::bulk("modules"),
                Reply::Array(Vec::new()),
            ]),
            Some(Some(_)) => Reply::Error(CommandError::NoProto),
            Some(None) => Reply::Error(CommandError::ProtocolVersionNotInteger),
        },
        Command::ClientSetName(name) => {
            if name.iter().any(|b| !(b'!'..=b'~').contains(b)) {
                return Reply::Error(CommandError::Syntax);
            }
            session.name = (!name.is_empty()).then_some(name);
            Reply::Ok
        }
        Command::ClientGetName => session.name.clone().map_or(Reply::Nil, Reply::Bulk),
        Command::ClientId => Reply::Integer(session.id as i64),
        Command::ConfigGet(patterns) => {
            // Exact names (any case) or `*`; a flat list of name, value, name, value …
            let matches = |name: &str| {
                patterns
                    .iter()
                    .any(|p| p == b"*" || p.eq_ignore_ascii_case(name.as_bytes()))
            };
            let items = CONFIG
                .iter()
                .filter(|(name, _)| matches(name))
                .flat_map(|(name, value)| [Reply::bulk(*name), Reply::bulk(*value)])
                .collect();
            Reply::Array(items)
        }
        Command::Commands => Reply::Array(Vec::new()),
        Command::CountCommands => Reply::Integer(COMMANDS.len() as i64),
        Command::Info => {
            let (keys, expires) = {
                let db = shared.db();
                (db.entries.len(), db.deadlines.len())
            };
            Reply::Bulk(
                format!(
                    "# Server\r\nredis_version:{}\r\nredis_mode:standalone\r\n\
                     server_name:corio mini_redis\r\n\r\n\
                     # Keyspace\r\ndb0:keys={keys},expires={expires},avg_ttl=0\r\n",
                    env!("CARGO_PKG_VERSION")
                )
                .into_bytes(),
            )
        }
    }
}

// ---------------------------------------------------------------------------------------
// Connections and the server.
// ---------------------------------------------------------------------------------------

/// Writes the encoded replies out and empties `out`.
async fn flush(writer: &TcpWriter, out: &mut Vec<u8>) -> io::Result<()> {
    if out.is_empty() {
        return Ok(());
    }
    writer.write(out)?;
    out.clear();
    writer.drain().await
}

/// Serves one client until it leaves, quits or breaks the protocol.
async fn connection(
    shared: &Shared,
    reader: &mut TcpReader,
    writer: &TcpWriter,
) -> Result<(), RequestError> {
    let mut session = Session {
        id: shared.next_client_id.fetch_add(1, Ordering::Relaxed),
        name: None,
    };
    let mut out = Vec::new();
    loop {
        let request = {
            let mut next = pin!(read_request(reader));
            // If the next request is already buffered, this returns it at once. If not, the
            // server is about to wait for the client: first send it the replies it is owed.
            match poll_once(next.as_mut()).await {
                Some(request) => request,
                None => {
                    flush(writer, &mut out).await.map_err(RequestError::Io)?;
                    next.await
                }
            }
        };
        let request = match request {
            Ok(Some(request)) => request,
            Ok(None) => break, // the client left
            Err(RequestError::Protocol(e)) => {
                Reply::Error(CommandError::Protocol(e)).encode(&mut out);
                let _ = flush(writer, &mut out).await;
                return Err(RequestError::Protocol(e));
            }
            Err(e) => return Err(e),
        };
        let mut words = request.into_iter();
        // A blank line or an empty array: ignored, as by Redis.
        let Some(name) = words.next() else {
            continue;
        };
        match Command::parse(&name, words.collect()) {
            Ok(Command::Quit) => {
                Reply::Ok.encode(&mut out);
                break;
            }
            Ok(command) => execute(shared, &mut session, command).encode(&mut out),
            Err(e) => Reply::Error(e).encode(&mut out),
        }
        if out.len() >= REPLY_FLUSH_AT {
            flush(writer, &mut out).await.map_err(RequestError::Io)?;
        }
    }
    flush(writer, &mut out).await.map_err(RequestError::Io)
}

async fn client(shared: Arc<Shared>, mut reader: TcpReader, writer: TcpWriter) {
    let peer = writer.peer_addr().map_or("?".into(), |a| a.to_string());
    match connection(&shared, &mut reader, &writer).await {
        Ok(()) => {}
        Err(RequestError::Protocol(e)) => eprintln!("mini_redis: {peer}: {e}; disconnected"),
        // A client that went away without a goodbye is no news.
        Err(RequestError::Io(e)) if vanished(&e) => {}
        Err(RequestError::Io(e)) => eprintln!("mini_redis: {peer}: {e}"),
    }
    writer.close();
    let _ = writer.wait_closed().await;
}

/// Whether `e` only says that the peer has gone.
fn vanished(e: &io::Error) -> bool {
    use io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionReset | ConnectionAborted | BrokenPipe | NotConnected
    )
}

/// Removes expired keys that nobody reads, ten times a second.
async fn sweep(shared: Arc<Shared>) {
    let mut every = corio::time::interval(SWEEP_EVERY);
    every.set_missed_tick_behavior(MissedTickBehavior::Skip);
    loop {
        every.tick().await;
        // In batches, letting other tasks have the keyspace in between.
        while shared.db().sweep(corio::time::now(), SWEEP_BATCH) {
            corio::yield_now().await;
        }
    }
}

fn main() -> ExitCode {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:6379".into());
    let served = corio::run(async {
        let shared = Arc::new(Shared {
            db: Mutex::new(Db::default()),
            next_client_id: AtomicU64::new(1),
        });
        let _sweeper = corio::spawn(sweep(shared.clone()));
        let server =
            corio::net::start_server(move |r, w| client(shared.clone(), r, w), addr.as_str())
                .await?;
        println!("listening on {}", server.local_addr()?);
        server.serve_forever().await;
        io::Result::Ok(())
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mini_redis: {addr}: {e}");
            ExitCode::FAILURE
        }
    }
}
