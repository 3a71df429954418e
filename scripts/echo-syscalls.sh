#!/usr/bin/env bash
# Counts the system calls an asyncio-style corio echo server makes per round trip.
#
# The server (corio-bench's `echo_server` child: start_server, readline, write + drain, on a
# current-thread runtime) is loaded by CONNS blocking client threads in another process,
# each sending MSGS 64-byte lines one at a time. `perf stat` counts the server's system
# calls from outside, by tracepoint (no ptrace, so the server runs at full speed and batches
# events as it would). Usage: scripts/echo-syscalls.sh [CONNS] [MSGS]  (default 50 2000)
set -euo pipefail
cd "$(dirname "$0")/.."
conns=${1:-50}
msgs=${2:-2000}

if ! command -v perf >/dev/null; then
    echo "echo-syscalls: perf is not installed (linux-perf); cannot count" >&2
    exit 1
fi
cargo build --quiet --release -p corio-bench
bin=target/release/corio-bench
out=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$out"' EXIT

"$bin" --child echo_server >"$out/port" &
server=$!
for _ in $(seq 100); do [ -s "$out/port" ] && break; sleep 0.05; done
port=$(head -1 "$out/port")

events=raw_syscalls:sys_enter
for s in recvfrom sendto epoll_wait read write futex; do events+=",syscalls:sys_enter_$s"; done
perf stat -x, -e "$events" -p "$server" -o "$out/perf" &
perf_pid=$!
sleep 0.5 # let perf attach
trips=$("$bin" --child echo_load "$port" "$conns" "$msgs")
kill -INT "$perf_pid"
wait "$perf_pid" || true

echo "round trips: ${trips%.*} ($conns connections x $msgs lines of 64 B)"
awk -F, -v trips="$trips" '
    /^[0-9]/ {
        name = $3; sub(/.*sys_enter_?/, "", name); if (name == "") name = "all";
        printf "%-12s %10d  %.3f per round trip\n", name, $1, $1 / trips
    }' "$out/perf"
