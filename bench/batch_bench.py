"""Benchmark kling_get_tasks_batch: fan-out speed, the server's own overhead, and output size.

Runs the simulator and the server as separate processes on loopback (as deployed), and drives them
with the MCP SDK client from this process. Bounded: a fixed number of calls, then everything stops.

    .venv/bin/python -m bench.batch_bench [--ids 1000] [--latency-ms 300] [--runs 5] [--overhead-calls 40]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

TOKEN = "tok-bench-0001"
TOOL = "kling_get_tasks_batch"
Mode = Literal["legacy", "2026-07-28"]
MODES: tuple[Mode, ...] = ("legacy", "2026-07-28")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def process(args: list[str], env: dict[str, str], ready_url: str) -> Iterator[None]:
    proc = subprocess.Popen(
        args, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(httpx2.HTTPError):
                if httpx2.get(ready_url, timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"{args} did not become ready")
            time.sleep(0.05)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@contextlib.contextmanager
def simulator(latency_ms: float) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [sys.executable, "-m", "app", "simulate", "--port", str(port), "--latency-ms", str(latency_ms)]
    with process(args, {"KLING_SIM_SHUFFLE_BATCHES": "true"}, f"{url}/_sim/stats"):
        yield url


@contextlib.contextmanager
def server(upstream: str, **settings: str) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"ACEDATACLOUD_API_BASE_URL": upstream, "KLING_MCP_LOG_LEVEL": "WARNING", **settings}
    with process([sys.executable, "-m", "app", "serve", "--port", str(port)], env, f"{url}/readyz"):
        yield url


@contextlib.asynccontextmanager
async def mcp(url: str, mode: Mode) -> AsyncIterator[Client]:
    headers = {"authorization": f"Bearer {TOKEN}"}
    async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=120)) as http:
        async with Client(streamable_http_client(f"{url}/mcp", http_client=http), mode=mode) as client:
            yield client


async def timed_call(client: Client, ids: list[str], **extra: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await client.call_tool(TOOL, {"task_ids": ids, **extra})
    elapsed = time.perf_counter() - started
    if result.is_error or result.structured_content is None:
        raise RuntimeError(f"batch call failed: {result.content}")
    return elapsed, result


async def direct_round_trip(sim: str, ids: list[str], chunks: int) -> float:
    """Wall time of `chunks` concurrent retrieve_batch posts of 50 ids, straight to the simulator."""
    async with httpx2.AsyncClient(base_url=sim, headers={"authorization": f"Bearer {TOKEN}"}) as http:
        body = {"action": "retrieve_batch", "ids": ids[:50]}
        await http.post("/kling/tasks", json=body)  # warm the connection

        async def post() -> None:
            (await http.post("/kling/tasks", json=body)).raise_for_status()

        started = time.perf_counter()
        async with anyio.create_task_group() as group:
            for _ in range(chunks):
                group.start_soon(post)
        return time.perf_counter() - started


async def raw_calls(url: str, ids: list[str], runs: int) -> list[float]:
    """Plain JSON-RPC posts (2025-11-25, stateless): what the server delivers, without any client-side
    work. The SDK client also validates every result against the output schema, which takes time."""
    headers = {
        "authorization": f"Bearer {TOKEN}",
        "accept": "application/json, text/event-stream",
        "mcp-protocol-version": "2025-11-25",
    }
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": TOOL, "arguments": {"task_ids": ids}},
    }
    times = []
    async with httpx2.AsyncClient(base_url=url, headers=headers, timeout=60) as http:
        for _ in range(runs + 1):
            started = time.perf_counter()
            response = await http.post("/mcp", json=body)
            times.append(time.perf_counter() - started)
            if response.status_code != 200 or '"isError":true' in response.text:
                raise RuntimeError(f"raw call failed: {response.status_code} {response.text[:300]}")
    return times[1:]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def line(label: str, seconds: float, extra: str = "") -> None:
    print(f"{label:<58} {seconds * 1000:8.1f} ms{extra}")


async def fan_out(args: argparse.Namespace, sim: str, ids: list[str]) -> None:
    chunks = -(-len(ids) // 50)
    one_rtt = statistics.median([await direct_round_trip(sim, ids, 1) for _ in range(args.runs)])
    line("one upstream round trip (50 ids, straight to simulator)", one_rtt)
    # The floor for any server: the same fan-out straight from this process. On a small machine the
    # one simulator process answering all chunks at once is much of a batch's time.
    floor = statistics.median([await direct_round_trip(sim, ids, chunks) for _ in range(args.runs)])
    line(f"{chunks} chunk requests at once, straight to simulator", floor, f"  = {floor / one_rtt:4.2f}x")
    with server(sim) as url:
        raw = statistics.median(await raw_calls(url, ids, args.runs))
        line(
            f"{len(ids)} ids, raw JSON-RPC post, median of {args.runs}",
            raw,
            f"  = {raw / one_rtt:4.2f}x one round trip",
        )
        for mode in MODES:
            async with mcp(url, mode) as client:
                await timed_call(client, ids[:1])
                wall = statistics.median([(await timed_call(client, ids))[0] for _ in range(args.runs)])
            line(
                f"{len(ids)} ids, SDK client {mode}, median of {args.runs}",
                wall,
                f"  = {wall / one_rtt:4.2f}x one round trip",
            )
    with server(sim, KLING_MCP_BATCH_MAX_CONCURRENCY="1") as url:
        sequential = statistics.median(await raw_calls(url, ids, 1))
    line(
        f"{len(ids)} ids, raw post, {chunks} chunks one after another",
        sequential,
        f"  -> concurrent is {sequential / raw:4.1f}x faster",
    )


async def overhead(args: argparse.Namespace, sim: str, ids: list[str]) -> None:
    async with httpx2.AsyncClient(base_url=sim) as http:
        (await http.put("/_sim/config", json={"latency_ms": 0})).raise_for_status()
    chunks = -(-len(ids) // 50)
    calls = args.overhead_calls

    def report(label: str, times: list[float]) -> None:
        p50, p99 = pct(times, 0.5) * 1000, pct(times, 0.99) * 1000
        print(f"{label:<58} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms ({len(times)} calls)")

    with server(sim) as url:
        for size in (1, len(ids)):
            report(f"zero latency, {size} ids, raw JSON-RPC post", await raw_calls(url, ids[:size], calls))
        for mode in MODES:
            async with mcp(url, mode) as client:
                for size in (1, len(ids)):
                    await timed_call(client, ids[:size])
                    times = [(await timed_call(client, ids[:size]))[0] for _ in range(calls)]
                    report(f"zero latency, {size} ids, SDK client {mode}", times)
    direct = [await direct_round_trip(sim, ids, chunks) for _ in range(args.runs)]
    report(f"zero latency, the {chunks} chunk requests alone (simulator share)", direct)


async def sizes(sim: str, ids: list[str]) -> None:
    with server(sim) as url:
        async with mcp(url, "legacy") as client:
            for include_raw in (False, True):
                ids = ids[:100] if include_raw else ids  # raw records: 100 ids per call by default
                _, result = await timed_call(client, ids, include_raw=include_raw)
                structured = len(json.dumps(result.structured_content, separators=(",", ":")))
                text = sum(len(block.text) for block in result.content)
                label = "with raw records" if include_raw else "default         "
                print(
                    f"output size, {label}: {structured / len(ids):6.0f} B/task structured,"
                    f" {text / len(ids):6.0f} B/task text ({len(ids)} tasks)"
                )
                if not include_raw:
                    # What the agent must read anyway: each task's id and its video URL.
                    tasks = result.structured_content["tasks"]
                    needed = sum(len(t["task_id"]) + len(t.get("video_url", "")) for t in tasks)
                    print(
                        f"text beyond each task's id and video URL: {(text - needed) / len(ids):6.1f} B/task"
                        f" ({len(ids)} finished tasks)"
                    )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ids", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--overhead-calls", type=int, default=40)
    args = parser.parse_args()
    print(
        f"kling_get_tasks_batch benchmark: {args.ids} ids, simulator latency {args.latency_ms:.0f} ms,"
        f" {os.cpu_count()} CPUs"
    )
    with simulator(args.latency_ms) as sim:
        async with httpx2.AsyncClient(base_url=sim) as http:
            response = await http.post(
                "/_sim/tasks/bulk", json={"token": TOKEN, "count": args.ids, "run_seconds": 0}
            )
            ids: list[str] = response.json()["ids"]
        await fan_out(args, sim, ids)
        await overhead(args, sim, ids)
        await sizes(sim, ids)


if __name__ == "__main__":
    anyio.run(main)
