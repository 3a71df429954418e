#!/usr/bin/env python3
"""Client side of corio-net's many_connections test.

Usage: echo_clients.py PORT N DEADLINE_SECONDS

Opens N TCP connections to 127.0.0.1:PORT and waits until *all* of them are connected,
so the server holds N at once; then sends one line on each, reads each echo, and only
then closes them all. Prints one line, `connected=N echoed=M`, and exits 0 if every echo
matched; timings go to stderr. Gives up (exit 3) after DEADLINE_SECONDS, so it never
outlives the test.

Non-blocking sockets on one epoll rather than asyncio streams: the same concurrency, but
asyncio's per-connection objects took 5-7 s of a 2-core machine just to connect 10,000;
this takes well under one.
"""

import errno
import resource
import select
import socket
import sys
import time

# Handshakes in flight at once: a burst, but below the server's accept queue (somaxconn),
# so that no SYN is dropped into a one-second retransmission.
WAVE = 1000


class GaveUp(Exception):
    pass


def wait(ep, deadline, pending, on_event):
    """Runs epoll until `pending` (a set of fds) is empty, calling on_event(fd, events)."""
    while pending:
        left = deadline - time.monotonic()
        if left <= 0:
            raise GaveUp(f"{len(pending)} sockets still pending")
        for fd, events in ep.poll(min(left, 1.0)):
            on_event(fd, events)


def main(port: int, n: int, deadline: float) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < n + 32:
        print(f"error: RLIMIT_NOFILE hard limit {hard} < {n} connections + 32", flush=True)
        return 2
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    t0 = time.monotonic()
    ep = select.epoll()
    socks = {}

    # 1. Connect, in waves of concurrent handshakes; every connection stays open.
    for start in range(0, n, WAVE):
        pending = set()
        for _ in range(min(WAVE, n - start)):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            rc = s.connect_ex(("127.0.0.1", port))
            if rc not in (0, errno.EINPROGRESS):
                raise OSError(rc, f"connect: {errno.errorcode.get(rc, rc)}")
            socks[s.fileno()] = s
            pending.add(s.fileno())
            ep.register(s.fileno(), select.EPOLLOUT)

        def connected(fd, _events):
            err = socks[fd].getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                raise OSError(err, f"connect: {errno.errorcode.get(err, err)}")
            ep.unregister(fd)
            pending.discard(fd)

        wait(ep, deadline, pending, connected)
    t1 = time.monotonic()

    # 2. All connected: one line on each, then every echo.
    want = {}
    for i, (fd, s) in enumerate(socks.items()):
        line = b"line %d\n" % i
        want[fd] = line
        if s.send(line) != len(line):  # a few bytes into an empty buffer: all or nothing
            raise OSError(errno.EAGAIN, "short send")
        ep.register(fd, select.EPOLLIN)
    got = {fd: b"" for fd in socks}
    pending = set(socks)

    def readable(fd, _events):
        data = socks[fd].recv(256)
        got[fd] += data
        if not data or got[fd].endswith(b"\n"):
            ep.unregister(fd)
            pending.discard(fd)

    wait(ep, deadline, pending, readable)
    ok = sum(1 for fd in socks if got[fd] == want[fd])
    t2 = time.monotonic()

    # 3. Only now close them all.
    for s in socks.values():
        s.close()
    ep.close()
    t3 = time.monotonic()
    print(
        f"connect {t1 - t0:.2f} s, echo {t2 - t1:.2f} s, close {t3 - t2:.2f} s",
        file=sys.stderr,
        flush=True,
    )
    print(f"connected={len(socks)} echoed={ok}", flush=True)
    return 0 if ok == n else 1


def run() -> int:
    port, n, limit = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    try:
        return main(port, n, time.monotonic() + limit)
    except GaveUp as e:
        print(f"error: gave up after {limit} s: {e}", flush=True)
        return 3


if __name__ == "__main__":
    sys.exit(run())
