#!/usr/bin/env bash
# Saturation benchmark: useful throughput below and far past the in-flight cap, with wrk (Debian's
# `wrk` package) as a cheap load generator, so the client does not compete with the server for CPU.
# Bounded: 8 s per run. Usage: bench/saturation.sh [CAP]   (run from the repository root)
set -euo pipefail
CAP=${1:-48}
command -v wrk >/dev/null || { echo "needs wrk: apt-get install -y wrk" >&2; exit 1; }
SIM_PORT=8850
PORT=8853
.venv/bin/kling-mcp simulate --port "$SIM_PORT" >/tmp/saturation-sim.log 2>&1 &
SIM=$!
trap 'kill $SIM ${SERVER:-} 2>/dev/null || true' EXIT
sleep 1.5
TASK=$(curl -s -X POST "127.0.0.1:$SIM_PORT/_sim/tasks/bulk" -H 'content-type: application/json' \
    -d '{"token": "tok-bench", "count": 1}' | .venv/bin/python -c 'import json, sys; print(json.load(sys.stdin)["ids"][0])')
script() {  # $1: back off after a 503 (honour Retry-After) or not
    cat <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["Authorization"] = "Bearer tok-bench"
wrk.headers["MCP-Protocol-Version"] = "2025-11-25"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"kling_get_task","arguments":{"task_id":"$TASK"}}}'
response = function(status, headers, body)
  if $1 and status == 503 then wait_ms = 1000 else wait_ms = 0 end
end
delay = function() return wait_ms or 0 end
done = function(summary, latency, requests)
  local refused = summary.errors.status
  io.write(string.format("  answered %d/s, refused %d/s, p50 %.0f ms, p99 %.0f ms\\n",
    (summary.requests - refused) / (summary.duration / 1e6), refused / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA
}
script true >/tmp/saturation-backoff.lua
script false >/tmp/saturation-hammer.lua
for cap in 100000 "$CAP"; do
    ACEDATACLOUD_API_BASE_URL="http://127.0.0.1:$SIM_PORT" KLING_MCP_LOG_LEVEL=WARNING \
        KLING_MCP_MAX_CONCURRENT_REQUESTS="$cap" .venv/bin/kling-mcp serve --port "$PORT" >/tmp/saturation-server.log 2>&1 &
    SERVER=$!
    sleep 2.5
    for run in "32 backoff" "400 backoff" "400 hammer"; do
        set -- $run
        label="wait Retry-After"
        [ "$2" = hammer ] && label="retry at once"
        echo "cap $cap, $1 connections, clients that $label:"
        wrk -t1 -c"$1" -d8s -s "/tmp/saturation-$2.lua" "http://127.0.0.1:$PORT/mcp" 2>/dev/null | grep answered
    done
    kill $SERVER; wait $SERVER 2>/dev/null || true
done
