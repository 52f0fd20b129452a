"""Memory benchmark: what large request bodies make one server process hold.

Strangers can send the largest bodies the limits allow, as fast as they like. This sends waves of
concurrent `kling_lip_sync` calls carrying base64 audio (each wave waits for its answers), samples
the server's resident memory (RSS) every 10 ms, and prints the baseline, the peak, the RSS after the
waves, and how many calls were admitted or refused. `--kind ordinary` sends the largest ordinary
call instead (a batch of 1,000 ids of 128 characters); `--kind both` sends half of each. The
figures give the pod memory limit in deploy/ and the budget in docs/operations.md.

    .venv/bin/python -m bench.memory_bench [--kind media|ordinary|both] [--audio-mb 5] [--concurrency 12]
        [--waves 5] [--env K=V ...]
"""

from __future__ import annotations

import argparse
import base64
import collections
import json
import os
import sys
import time
from typing import Any

import anyio
import httpx2

from bench.batch_bench import free_port, process, simulator
from bench.load_bench import rss_mib, server_pid

HEADERS = {"accept": "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25"}


def lip_sync_body(audio_bytes: int) -> bytes:
    audio = base64.b64encode(os.urandom(audio_bytes)).decode()
    arguments = {
        "mode": "audio2video",
        "video_url": "https://cdn.example.com/clip.mp4",
        "audio_type": "file",
        "audio_file": audio,
    }
    params = {"name": "kling_lip_sync", "arguments": arguments}
    return json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params}).encode()


def batch_body(ids: int) -> bytes:
    """The largest ordinary call: a batch of `ids` ids of 128 characters each."""
    task_ids = [f"{n:0128d}" for n in range(ids)]
    params = {"name": "kling_get_tasks_batch", "arguments": {"task_ids": task_ids}}
    return json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params}).encode()


async def sample(pid: int, peak: list[float], stop: anyio.Event) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], rss_mib(pid))
        await anyio.sleep(0.01)


async def waves(url: str, bodies: list[bytes], concurrency: int, count: int) -> collections.Counter[int]:
    statuses: collections.Counter[int] = collections.Counter()
    limits = httpx2.Limits(max_connections=concurrency)
    async with httpx2.AsyncClient(base_url=url, timeout=120, limits=limits) as http:

        async def post(n: int) -> None:
            headers = {**HEADERS, "authorization": f"Bearer junk-{n}", "content-type": "application/json"}
            try:
                body = bodies[n % len(bodies)]
                statuses[(await http.post("/mcp", content=body, headers=headers)).status_code] += 1
            except httpx2.TransportError:
                statuses[0] += 1  # no HTTP answer (connection reset or closed)

        for wave in range(count):
            async with anyio.create_task_group() as group:
                for n in range(concurrency):
                    group.start_soon(post, wave * concurrency + n)
    return statuses


def server_env(upstream: str, port: int, extra: list[str]) -> dict[str, str]:
    env = {
        "ACEDATACLOUD_API_BASE_URL": upstream,
        "KLING_MCP_LOG_LEVEL": "WARNING",
        "KLING_MCP_METRICS_PORT": "0",
        "KLING_MCP_PORT": str(port),
    }
    for item in extra:
        key, _, value = item.partition("=")
        env[key] = value
    return env


async def main(args: argparse.Namespace) -> None:
    bodies = {
        "media": [lip_sync_body(int(args.audio_mb * 1_000_000))],
        "ordinary": [batch_body(args.ids)],
    }
    bodies["both"] = bodies["media"] + bodies["ordinary"]
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with simulator(latency_ms=args.latency_ms) as sim:
        command = [sys.executable, "-m", "app", "serve", "--port", str(port)]
        with process(command, server_env(sim, port, args.env), f"{url}/healthz"):
            pid = server_pid(port)
            baseline = rss_mib(pid)
            peak = [baseline]
            stop = anyio.Event()
            started = time.perf_counter()
            async with anyio.create_task_group() as group:
                group.start_soon(sample, pid, peak, stop)
                statuses = await waves(url, bodies[args.kind], args.concurrency, args.waves)
                stop.set()
            took = time.perf_counter() - started
            await anyio.sleep(2)
            after = rss_mib(pid)
    sizes = " and ".join(f"{len(body) / 2**20:.2f} MiB" for body in bodies[args.kind])
    print(f"bodies of {sizes} x {args.concurrency} concurrent x {args.waves} waves in {took:.1f} s")
    print(f"answers by HTTP status (0: none): {dict(sorted(statuses.items()))}")
    print(f"RSS: baseline {baseline:.1f} MiB, peak {peak[0]:.1f} MiB, 2 s after {after:.1f} MiB")
    print(f"settings: {' '.join(args.env) or '(defaults)'}")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--kind", choices=("media", "ordinary", "both"), default="media")
    parser.add_argument("--ids", type=int, default=1000, help="ids per batch call (--kind ordinary)")
    parser.add_argument("--audio-mb", type=float, default=5.0, help="decoded audio size per call (MB)")
    parser.add_argument("--concurrency", type=int, default=12)
    parser.add_argument("--waves", type=int, default=5)
    parser.add_argument("--latency-ms", type=float, default=200, help="simulator latency per call")
    parser.add_argument("--env", nargs="*", default=[], metavar="K=V", help="server settings")
    return parser.parse_args(argv)


def run(argv: list[str] | None = None) -> Any:
    anyio.run(main, parse(argv))


if __name__ == "__main__":
    run()
