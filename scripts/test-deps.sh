#!/usr/bin/env bash
# What the tests need beyond Python packages: Debian's redis-server (the idempotency tests start a
# real one on a loopback port). Installed when absent; `make test` runs this first.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
    exit 0
fi
echo "installing redis-server (Debian package) for the tests"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "redis-server is missing and this is not root: install it" >&2; exit 1; }
    SUDO="sudo"
fi
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >/dev/null \
    || { $SUDO apt-get update -q >/dev/null && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >/dev/null; }
# The package may start a system instance; the tests run their own on free ports, so stop it.
$SUDO pkill -x redis-server 2>/dev/null || true
command -v redis-server >/dev/null
