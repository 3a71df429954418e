#!/usr/bin/env python3
"""The Python asyncio side of corio-net's python_peer tests.

Usage:
  asyncio_peer.py client PORT LINES LONG DEADLINE_SECONDS
  asyncio_peer.py server LINES LONG DEADLINE_SECONDS

Both speak the same line protocol with the corio side:

1. the client sends LINES lines `line <i>\\n`, all written before one drain, and reads
   each echo with readline;
2. the client sends one line of LONG bytes (plus the newline), longer than asyncio's and
   corio's 64 KiB default limit, in several writes with a drain after each, and reads
   its echo with readexactly;
3. the client half-closes (write_eof); the server, at end of file, answers one summary
   line `SERVER lines=<n> bytes=<n> longest=<n>` and closes; the client reads it, then
   the end of the stream, and closes.

`client` connects to a corio server on 127.0.0.1:PORT with asyncio.open_connection.
`server` runs asyncio.start_server on 127.0.0.1, port 0, prints `PORT <n>` first, serves
one connection, checks every byte it received, and exits.

Each prints its summary on stdout as one line of key=value pairs (the Rust test parses
it) and exits 0 only if everything it saw matched; 1 on a mismatch, 3 if it ran past
DEADLINE_SECONDS (so it never outlives the test).
"""

import asyncio
import sys

# Reader limit for the long line: above LONG, as the corio server sets its own.
LIMIT = 1 << 20


def line(i: int) -> bytes:
    return b"line %d\n" % i


def long_line(n: int) -> bytes:
    return bytes(97 + i % 26 for i in range(n)) + b"\n"


def pieces(data: bytes):
    """Splits data at awkward places: 1 byte, just below and above 64 KiB, the rest."""
    cuts = [0, 1, 65535, 65535 + 65537, len(data)]
    return [data[a:b] for a, b in zip(cuts, cuts[1:]) if a < b]


def log(*args):
    print(*args, file=sys.stderr, flush=True)


async def client(port: int, lines: int, long: int) -> int:
    problems = []
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=LIMIT)
    peer = writer.get_extra_info("peername")
    if peer[1] != port:
        problems.append(f"peername {peer}")

    # 1. Many lines, pipelined.
    sent_bytes = 0
    for i in range(lines):
        writer.write(line(i))
        sent_bytes += len(line(i))
    await writer.drain()
    echoed = 0
    for i in range(lines):
        got = await reader.readline()
        if got == line(i):
            echoed += 1
        elif len(problems) < 5:
            problems.append(f"echo {i}: {got!r}")

    # 2. The long line, split across writes.
    big = long_line(long)
    for piece in pieces(big):
        writer.write(piece)
        await writer.drain()
    sent_bytes += len(big)
    got = await reader.readexactly(len(big))
    long_ok = got == big
    if not long_ok:
        problems.append(f"the long line came back different ({len(got)} bytes)")

    # 3. Half-close; the server still answers, then closes.
    if not writer.can_write_eof():
        problems.append("cannot write_eof")
    writer.write_eof()
    summary = (await reader.readline()).decode().strip()
    want = f"SERVER lines={lines + 1} bytes={sent_bytes} longest={len(big)}"
    if summary != want:
        problems.append(f"summary {summary!r}, wanted {want!r}")
    rest = await reader.read()
    eof = rest == b"" and reader.at_eof()
    if not eof:
        problems.append(f"after the summary: {rest!r}")
    writer.close()
    await writer.wait_closed()

    print(
        f"CLIENT sent_lines={lines + 1} sent_bytes={sent_bytes} echoed={echoed} "
        f"long_ok={int(long_ok)} eof={int(eof)} problems={len(problems)}",
        flush=True,
    )
    for p in problems:
        log("client:", p)
    return 1 if problems else 0


async def server(lines: int, long: int) -> int:
    done = asyncio.get_running_loop().create_future()

    async def handle(reader, writer):
        problems = []
        count = size = longest = 0
        try:
            while True:
                got = await reader.readline()
                if not got:
                    break
                want = line(count) if count < lines else long_line(long)
                if got != want and len(problems) < 5:
                    problems.append(f"line {count}: {got[:40]!r}... ({len(got)} bytes)")
                count += 1
                size += len(got)
                longest = max(longest, len(got))
                writer.write(got)
                await writer.drain()
            if count != lines + 1:
                problems.append(f"{count} lines")
            writer.write(f"SERVER lines={count} bytes={size} longest={longest}\n".encode())
            await writer.drain()
            writer.close()
            await writer.wait_closed()
            done.set_result((count, size, longest, problems))
        except Exception as e:  # noqa: BLE001 - reported to the test
            done.set_result((count, size, longest, problems + [f"{type(e).__name__}: {e}"]))

    srv = await asyncio.start_server(handle, "127.0.0.1", 0, limit=LIMIT)
    port = srv.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    count, size, longest, problems = await done
    srv.close()
    await srv.wait_closed()
    print(
        f"SERVER lines={count} bytes={size} longest={longest} problems={len(problems)}",
        flush=True,
    )
    for p in problems:
        log("server:", p)
    return 1 if problems else 0


def main() -> int:
    mode = sys.argv[1]
    if mode == "client":
        port, lines, long, limit = map(int, sys.argv[2:6])
        work = client(port, lines, long)
    elif mode == "server":
        lines, long, limit = map(int, sys.argv[2:5])
        work = server(lines, long)
    else:
        log(f"unknown mode {mode!r}")
        return 2

    async def bounded():
        return await asyncio.wait_for(work, limit)

    try:
        return asyncio.run(bounded())
    except asyncio.TimeoutError:
        print(f"error: gave up after {limit} s", flush=True)
        return 3


if __name__ == "__main__":
    sys.exit(main())
