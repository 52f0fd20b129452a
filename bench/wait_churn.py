"""Wait churn benchmark: thousands of `kling_wait_for_tasks` calls held while they end and are replaced.

bench/wait_bench.py holds waits that never end, so after opening nothing survives for long and no
collection runs. Here every wait's task finishes 20 to 60 s after it was created; the wait returns,
and its client creates another task and opens another wait at once, so about `--waits` are held
throughout while the heap keeps turning over. Every 15 s it prints what the server counted: waits
opened and ended, its garbage collections by generation, its longest pause and the longest silence
a wait saw (heartbeats are promised every 10 s).

    .venv/bin/python -m bench.wait_churn [--waits 3000] [--per-token 10] [--seconds 240]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time

import anyio
import httpx2

from bench.batch_bench import free_port, process, simulator
from bench.load_bench import pinned, server_pid, server_pid_of_simulator
from bench.wait_bench import Waiter, wait_request

REPORT_SECONDS = 15
TASK_SECONDS = (20.0, 60.0)
WAIT_SECONDS = 600  # longer than any task: every wait ends when its task does


def gc_summary(metrics: str) -> str:
    """Collections by generation (count, seconds in all), the longest pause and the longest silence."""
    found = dict(
        re.findall(
            r'kling_mcp_gc_pause_seconds_(count\{generation="\d"\}|sum\{generation="\d"\}) (\S+)', metrics
        )
    )
    parts = []
    for generation in "012":
        count = float(found.get(f'count{{generation="{generation}"}}', 0))
        total = float(found.get(f'sum{{generation="{generation}"}}', 0))
        parts.append(f"gen {generation}: {count:.0f} ({total:.2f} s)")
    longest = re.search(r"^kling_mcp_gc_longest_pause_seconds (\S+)", metrics, re.M)
    silence = re.search(r"^kling_mcp_wait_longest_silence_seconds (\S+)", metrics, re.M)
    parts.append(f"longest GC pause {float(longest[1]) * 1000:.0f} ms" if longest else "")
    parts.append(f"longest silence {float(silence[1]):.2f} s" if silence else "")
    return ", ".join(p for p in parts if p)


async def churn(args: argparse.Namespace, sim: str, url: str, metrics_url: str) -> None:
    counts = {"opened": 0, "ended": 0}
    errors: list[str] = []
    creating = anyio.Semaphore(32)  # task creation at the simulator, a few at a time
    limits = httpx2.Limits(max_connections=args.waits + 50)
    async with (
        httpx2.AsyncClient(base_url=sim, timeout=60) as upstream,
        httpx2.AsyncClient(base_url=url, limits=limits, timeout=httpx2.Timeout(30, read=120)) as http,
        httpx2.AsyncClient(timeout=30) as side,
    ):

        async def new_task(token: str) -> str:
            async with creating:
                body = {"token": token, "count": 1, "run_seconds": random.uniform(*TASK_SECONDS)}
                response = await upstream.post("/_sim/tasks/bulk", json=body)
            return str(response.json()["ids"][0])

        async def waiter(n: int, until: float) -> None:
            token = f"bench-churn-{n // args.per_token}"
            while time.monotonic() < until:
                try:
                    headers, body = wait_request(Waiter(token, await new_task(token)), n, WAIT_SECONDS)
                    # A wait's connection is not reused: no keep-alive race with the server.
                    headers["connection"] = "close"
                    async with http.stream("POST", "/mcp", json=body, headers=headers) as response:
                        counts["opened"] += 1
                        async for _ in response.aiter_raw():
                            pass
                    counts["ended"] += 1
                except httpx2.HTTPError as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
                    await anyio.sleep(1)

        started = time.monotonic()
        until = started + args.seconds
        async with anyio.create_task_group() as group:
            for n in range(args.waits):
                group.start_soon(waiter, n, until)
                if n % 50 == 49:
                    await anyio.sleep(0.5)  # opened over a minute, not in one storm
            while time.monotonic() < until:
                await anyio.sleep(REPORT_SECONDS)
                summary = gc_summary((await side.get(metrics_url)).text)
                print(
                    f"  +{time.monotonic() - started:4.0f} s: waits opened {counts['opened']}, ended"
                    f" {counts['ended']}, client errors {len(errors)}; {summary}",
                    flush=True,
                )
            group.cancel_scope.cancel()
    if errors:
        print(f"client errors: {len(errors)}, first: {errors[0]}")


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--waits", type=int, default=3000, help="waits held at once")
    parser.add_argument("--per-token", type=int, default=10, help="waits under each token")
    parser.add_argument("--seconds", type=int, default=240, help="how long to run")
    args = parser.parse_args()
    print(f"wait churn: {args.waits} waits held, {args.per_token} per token, {args.seconds} s")
    with simulator(0) as sim:
        port, metrics_port = free_port(), free_port()
        url = f"http://127.0.0.1:{port}"
        env = {
            "ACEDATACLOUD_API_BASE_URL": sim,
            "KLING_MCP_LOG_LEVEL": "WARNING",
            "KLING_MCP_METRICS_PORT": str(metrics_port),
            "KLING_MCP_MAX_CONCURRENT_WAITS": str(args.waits + 100),
        }
        command = [sys.executable, "-m", "app", "serve", "--port", str(port)]
        with process(command, env, f"{url}/readyz"):
            # The server on core 0; this process and the simulator on core 1.
            with (
                pinned(server_pid(port), {0}),
                pinned(os.getpid(), {1}),
                pinned(server_pid_of_simulator(sim), {1}),
            ):
                await churn(args, sim, url, f"http://127.0.0.1:{metrics_port}/metrics")


if __name__ == "__main__":
    anyio.run(main)
