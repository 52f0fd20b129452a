#!/usr/bin/env bash
# What the tests need beyond Python packages, from Debian: redis-server (the idempotency and OAuth
# tests start a real one on a loopback port) and chromium (the browser tests drive it through
# Playwright; no browser is downloaded). Installed when absent; `make test` runs this first.
set -euo pipefail
# command -> the packages that bring it (chromium without its recommends, which start system services,
# but with fonts, so that screenshots show text)
declare -A NEEDED=([redis-server]="redis-server" [chromium]="chromium fonts-liberation fonts-dejavu-core")
missing=()
for command in "${!NEEDED[@]}"; do
    # shellcheck disable=SC2206 # a list of package names, split on purpose
    command -v "$command" >/dev/null 2>&1 || missing+=(${NEEDED[$command]})
done
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
install() { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null; }
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing ${missing[*]} (Debian packages) for the tests"
    install "${missing[@]}" || { $SUDO apt-get update -q >/dev/null && install "${missing[@]}"; }
    # The redis package may start a system instance; the tests run their own on free ports, so stop it.
    $SUDO pkill -x redis-server 2>/dev/null || true
    for command in "${!NEEDED[@]}"; do
        command -v "$command" >/dev/null || { echo "$command is still missing" >&2; exit 1; }
    done
fi

# The MCP Apps host the task-board browser test loads the view into: the published ext-apps host
# helpers from npm (versions pinned by its package-lock.json), bundled with esbuild.
HOST=tests/mcp/board_host
cd "$(dirname "$0")/.."
if ! command -v npm >/dev/null 2>&1; then
    echo "installing nodejs and npm (Debian packages) for the browser tests"
    install nodejs npm || { $SUDO apt-get update -q >/dev/null && install nodejs npm; }
fi
if [ ! -d "$HOST/node_modules" ] || [ "$HOST/package-lock.json" -nt "$HOST/node_modules" ]; then
    (cd "$HOST" && npm ci --no-audit --no-fund --loglevel=error && touch node_modules)
fi
if [ ! -f "$HOST/dist/host.js" ] || [ "$HOST/host.js" -nt "$HOST/dist/host.js" ]; then
    (cd "$HOST" && npm run --silent build)
fi
