#!/usr/bin/env bash
# Installs the real programs corio's tests talk to ("real peers"), from Debian packages:
# `redis-tools` (`redis-cli` and `redis-benchmark`, for the mini_redis example's tests),
# `curl` and `wrk` (for the http_server example's tests).
#
#   scripts/install-test-peers.sh
#
# `cargo xtask ci` runs it first. It installs with apt-get, non-interactively, as root or
# through `sudo -n` (never a password prompt). When a peer cannot be installed (no apt-get,
# no root and no password-less sudo, no network) it says so and still exits 0: the tests
# that need the peer then print `SKIPPED: …` and pass, rather than failing CI on a machine
# that cannot have them. It exits non-zero only when it is called wrongly.
set -uo pipefail

if [ "$#" -ne 0 ]; then
    echo "usage: $0   (installs redis-tools, curl and wrk)" >&2
    exit 2
fi

say() { echo "install-test-peers: $*"; }

# The package for each program the tests need.
missing_packages() {
    local pkgs=()
    if ! command -v redis-cli >/dev/null 2>&1 || ! command -v redis-benchmark >/dev/null 2>&1; then
        pkgs+=(redis-tools)
    fi
    local program
    for program in curl wrk; do  # each program is its package's name
        command -v "$program" >/dev/null 2>&1 || pkgs+=("$program")
    done
    echo "${pkgs[@]:-}"
}

packages=$(missing_packages)
if [ -z "$packages" ]; then
    say "redis-cli, redis-benchmark, curl and wrk already installed; nothing to do"
    exit 0
fi

cannot() {
    say "could not install $packages: $*"
    say "the tests that need these programs will print SKIPPED and pass"
    exit 0
}

command -v apt-get >/dev/null 2>&1 || cannot "apt-get not found (not a Debian/Ubuntu system); install them with your package manager"

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    cannot "not root, and no password-less sudo"
fi

apt() {
    # Wait for another apt run's lock instead of failing at once; never ask questions.
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get -o DPkg::Lock::Timeout=120 -y -q "$@"
}

# shellcheck disable=SC2086 # one word per package
say "installing $packages with ${as_root[*]:+${as_root[*]} }apt-get"
if ! apt install --no-install-recommends $packages >/dev/null 2>&1; then
    # A fresh machine (or container) often has no package lists yet.
    say "first attempt failed; running apt-get update and trying again"
    apt update >/dev/null 2>&1 || cannot "apt-get update failed (no network?)"
    # shellcheck disable=SC2086
    apt install --no-install-recommends $packages >/dev/null 2>&1 || cannot "apt-get install failed"
fi

packages=$(missing_packages)
[ -z "$packages" ] || cannot "apt-get succeeded but the programs are still not on PATH"
say "installed: $(redis-cli --version); $(curl --version | head -n 1); $(wrk --version 2>&1 | head -n 1)"
