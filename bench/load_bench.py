"""Load benchmark: many concurrent `tools/call` posts to one server process, against the simulator.

Bounded: a fixed number of calls, then it stops. Prints calls per second, p50/p99 latency, the error
count, and the server's resident memory (RSS) and CPU time at the start, after each checkpoint and at
the end. The figures feed the Kubernetes requests and limits in deploy/.

    .venv/bin/python -m bench.load_bench [--calls 50000] [--concurrency 32] [--era legacy|2026-07-28]
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx2

from bench.batch_bench import TOKEN, free_port, process, simulator

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def server_pid(port: int) -> int:
    """The pid of the benchmarked server process started with `--port <port>`."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if any(a == b"--port" and b == str(port).encode() for a, b in itertools.pairwise(cmdline)):
                return int(entry.name)
    raise RuntimeError("server process not found")


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def request(era: str, task_id: str, n: int) -> tuple[dict[str, str], dict[str, Any]]:
    params: dict[str, Any] = {"name": "kling_get_task", "arguments": {"task_id": task_id}}
    headers = {"authorization": f"Bearer {TOKEN}", "accept": "application/json, text/event-stream"}
    if era == "2026-07-28":
        params["_meta"] = {
            "io.modelcontextprotocol/protocolVersion": era,
            "io.modelcontextprotocol/clientInfo": {"name": "load", "version": "0"},
            "io.modelcontextprotocol/clientCapabilities": {},
        }
        headers |= {"mcp-protocol-version": era, "mcp-method": "tools/call", "mcp-name": "kling_get_task"}
    else:
        headers["mcp-protocol-version"] = "2025-11-25"
    return headers, {"jsonrpc": "2.0", "id": n, "method": "tools/call", "params": params}


async def run(url: str, era: str, task_id: str, calls: int, concurrency: int, pid: int) -> float:
    latencies: list[float] = []
    errors = 0
    shed = 0
    sent = 0
    checkpoints = {10_000, calls // 2}
    rss_at: dict[int, float] = {}
    started = time.perf_counter()
    print(f"start: RSS {rss_mib(pid):.1f} MiB, CPU {cpu_seconds(pid):.1f} s")

    async def worker(http: httpx2.AsyncClient) -> None:
        nonlocal errors, sent, shed
        while sent < calls:
            sent += 1
            n = sent
            headers, body = request(era, task_id, n)
            t0 = time.perf_counter()
            try:
                response = await http.post("/mcp", json=body, headers=headers)
                ok = response.status_code == 200 and '"isError":false' in response.text
                refused = response.status_code == 503
            except httpx2.HTTPError:
                ok = refused = False
            if refused:  # shed at admission: answered at once; a client waits Retry-After and tries again
                shed += 1
                sent -= 1
                await anyio.sleep(float(response.headers.get("retry-after", "1")))
                continue
            latencies.append(time.perf_counter() - t0)
            errors += not ok
            if n in checkpoints:
                rss_at[n] = rss_mib(pid)
                print(f"after {n} calls: RSS {rss_at[n]:.1f} MiB, CPU {cpu_seconds(pid):.1f} s")

    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx2.AsyncClient(base_url=url, limits=limits, timeout=30) as http:
        async with anyio.create_task_group() as group:
            for _ in range(concurrency):
                group.start_soon(worker, http)
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    p50, p99 = statistics.median(ordered) * 1000, ordered[int(0.99 * (len(ordered) - 1))] * 1000
    rate = len(latencies) / wall
    print(
        f"{era}: {len(latencies)} calls in {wall:.1f} s = {rate:.0f} calls/s; "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms"
    )
    print(f"errors: {errors}; shed with 503: {shed}")
    end_rss = rss_mib(pid)
    print(f"end: RSS {end_rss:.1f} MiB, CPU {cpu_seconds(pid):.1f} s")
    if 10_000 in rss_at and calls > 10_000:
        print(f"RSS growth from 10,000 calls to the end: {(end_rss / rss_at[10_000] - 1) * 100:+.1f}%")
    return rate


@contextlib.contextmanager
def pinned(pid: int, cores: set[int]) -> Iterator[None]:
    """Keep a process on `cores` (when the machine has them), so that CPU figures compare."""
    if (os.cpu_count() or 1) > max(cores):
        os.sched_setaffinity(pid, cores)
    yield


async def measure(
    url: str, era: str, task_id: str, calls: int, concurrency: int, pid: int
) -> dict[str, float]:
    """One closed-loop run: calls/s, p50, and the server process's CPU per call."""
    latencies: list[float] = []
    sent = 0

    async def worker(http: httpx2.AsyncClient) -> None:
        nonlocal sent
        while sent < calls:
            sent += 1
            headers, body = request(era, task_id, sent)
            t0 = time.perf_counter()
            response = await http.post("/mcp", json=body, headers=headers)
            if response.status_code != 200 or '"isError":false' not in response.text:
                raise RuntimeError(f"call failed: {response.status_code} {response.text[:200]}")
            latencies.append(time.perf_counter() - t0)

    limits = httpx2.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx2.AsyncClient(base_url=url, limits=limits, timeout=30) as http:
        cpu_before, started = cpu_seconds(pid), time.perf_counter()
        async with anyio.create_task_group() as group:
            for _ in range(concurrency):
                group.start_soon(worker, http)
        wall, cpu = time.perf_counter() - started, cpu_seconds(pid) - cpu_before
    return {
        "rate": len(latencies) / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "cpu_ms": cpu / len(latencies) * 1000,
    }


async def compare(args: argparse.Namespace, sim: str, task_id: str) -> None:
    """The server against the bare forwarder on the same stack, interleaved, each pinned to core 0."""
    # One token drives every call here, so its per-token caps are lifted to the levels measured.
    env = {
        "ACEDATACLOUD_API_BASE_URL": sim,
        "KLING_MCP_LOG_LEVEL": "INFO",
        "KLING_MCP_MAX_CONCURRENT_REQUESTS_PER_TOKEN": "256",
        "KLING_MCP_UPSTREAM_MAX_CONCURRENCY_PER_TOKEN": "256",
        **dict(args.env or []),
    }
    ports = {"forwarder": free_port(), "sdk": free_port(), "server": free_port()}
    commands = {
        "forwarder": [sys.executable, "-m", "bench.ceiling", "--upstream", sim],
        "sdk": [sys.executable, "-m", "bench.sdk_floor", "--upstream", sim],
        "server": [sys.executable, "-m", "app", "serve"],
    }
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    results: dict[tuple[str, str, int], list[dict[str, float]]] = {}
    with contextlib.ExitStack() as stack:
        for name, command in commands.items():
            command = [*command, "--port", str(ports[name])]
            stack.enter_context(process(command, env if name == "server" else {}, f"{urls[name]}/readyz"))
        pids = {name: server_pid(port) for name, port in ports.items()}
        for pid in pids.values():
            stack.enter_context(pinned(pid, {0}))
        for round_ in range(args.rounds):
            for concurrency in args.concurrency_levels:
                calls = args.calls if concurrency > 1 else args.calls // 4
                for target, era in (
                    ("forwarder", "legacy"),
                    *((name, era) for era in ("legacy", "2026-07-28") for name in ("sdk", "server")),
                ):
                    figures = await measure(urls[target], era, task_id, calls, concurrency, pids[target])
                    results.setdefault((target, era, concurrency), []).append(figures)
            print(f"round {round_ + 1} of {args.rounds} done")
    report(results, args.concurrency_levels)


def report(results: dict[tuple[str, str, int], list[dict[str, float]]], levels: list[int]) -> None:
    """Medians over the rounds: kling-mcp and the SDK floor, each against the bare forwarder."""

    def med(target: str, era: str, c: int, field: str) -> float:
        return statistics.median(r[field] for r in results[(target, era, c)])

    print(
        "| era | c | calls/s: server / SDK floor / forwarder | server ratio | CPU ms/call: server / SDK floor"
        " / forwarder | server ratio | SDK floor ratio | p50 ms: server / SDK floor / forwarder |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for era in ("legacy", "2026-07-28"):
        for c in levels:
            targets = (("server", era), ("sdk", era), ("forwarder", "legacy"))
            rate, cpu, p50 = ([med(*t, c, field) for t in targets] for field in ("rate", "cpu_ms", "p50_ms"))
            print(
                f"| {era} | {c} | {rate[0]:.0f} / {rate[1]:.0f} / {rate[2]:.0f} | {rate[0] / rate[2]:.2f} "
                f"| {cpu[0]:.2f} / {cpu[1]:.2f} / {cpu[2]:.2f} "
                f"| {cpu[0] / cpu[2]:.2f} | {cpu[1] / cpu[2]:.2f} "
                f"| {p50[0]:.1f} / {p50[1]:.1f} / {p50[2]:.1f} |"
            )
        if 16 in levels and 64 in levels:
            for target in ("server", "sdk"):
                held = med(target, era, 64, "rate") / med(target, era, 16, "rate")
                print(f"{era}, {target}: throughput at c=64 / c=16 = {held:.2f}")


def add_env_option(parser: argparse.ArgumentParser) -> None:
    """`--env NAME=VALUE`, repeatable: settings for the benchmarked server."""
    parser.add_argument(
        "--env",
        type=lambda pair: tuple(pair.split("=", 1)),
        action="append",
        help="NAME=VALUE for the server",
    )


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--ceiling-calls", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--era", choices=["legacy", "2026-07-28", "both"], default="both")
    parser.add_argument("--max-in-flight", type=int, help="KLING_MCP_MAX_CONCURRENT_REQUESTS for the server")
    parser.add_argument("--skip-ceiling", action="store_true")
    parser.add_argument(
        "--compare", action="store_true", help="server against the bare forwarder, interleaved, pinned"
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency-levels", type=int, nargs="+", default=[1, 16, 64])
    add_env_option(parser)
    args = parser.parse_args()
    eras = ["legacy", "2026-07-28"] if args.era == "both" else [args.era]
    with simulator(0) as sim:
        async with httpx2.AsyncClient(base_url=sim) as http:
            created = await http.post("/_sim/tasks/bulk", json={"token": TOKEN, "count": 1})
            task_id: str = created.json()["ids"][0]
        if args.compare:
            # The load (this process and the simulator) on the other core: what is measured is core 0.
            with pinned(os.getpid(), {1}), pinned(server_pid_of_simulator(sim), {1}):
                await compare(args, sim, task_id)
            return
        ceiling = 0.0
        if not args.skip_ceiling:
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            command = [sys.executable, "-m", "bench.ceiling", "--port", str(port), "--upstream", sim]
            with process(command, {}, f"{url}/readyz"):
                print("-- ceiling: bare Starlette forwarder, one pooled httpx2 client")
                ceiling = await run(
                    url, "legacy", task_id, args.ceiling_calls, args.concurrency, server_pid(port)
                )
        env = {"ACEDATACLOUD_API_BASE_URL": sim, "KLING_MCP_LOG_LEVEL": "WARNING"}
        if args.max_in_flight:
            env["KLING_MCP_MAX_CONCURRENT_REQUESTS"] = str(args.max_in_flight)
        for era in eras:
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            with process([sys.executable, "-m", "app", "serve", "--port", str(port)], env, f"{url}/readyz"):
                print(f"-- kling-mcp, {era}")
                rate = await run(url, era, task_id, args.calls, args.concurrency, server_pid(port))
            if ceiling:
                print(f"ratio to the ceiling ({era}): {rate / ceiling:.2f}")


def server_pid_of_simulator(url: str) -> int:
    return server_pid(int(url.rsplit(":", 1)[1]))


if __name__ == "__main__":
    anyio.run(main)
