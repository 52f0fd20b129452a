"""Wait benchmark: many concurrent `kling_wait_for_tasks` calls held open against one server process.

Each wait is a raw 2026-07-28 `tools/call` with a progress token, answered over SSE, on one simulator
task that stays running, so no wait ends by itself: it lives until this process closes its stream
(which cancels it on the server). While the waits are held it samples the server's RSS and CPU and
its /metrics every 5 s, times ordinary `kling_get_task` calls sent beside them (10 per second), counts
the upstream polls once the waits have reached their longest poll interval, and measures the longest
silence each wait saw between progress notifications. The server's own figures sit beside them: its
longest silence and its get_task and upstream latencies (/metrics), so that this process's lateness
is not taken for the server's. Bounded: scenarios of a fixed length, each against a fresh server
(and simulator) with its default settings (waits are admitted by their own budget, derived from the
memory limit: 512 MiB when the process runs under none; pass --env to change settings).

    distinct  --waits N, each with its own token and its own task
    grouped   --grouped-waits N, --per-token K of them under each token, each on its own task
    shared    --shared-waits N under one token, each on its own task

    .venv/bin/python -m bench.wait_bench [--scenario distinct|grouped|shared|all] [--waits 1000]
        [--grouped-waits 5000] [--per-token 10] [--shared-waits 100] [--hold 90] [--settle 45]
        [--open-concurrency 200] [--cold] [--env NAME=VALUE ...]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import gc
import itertools
import json
import os
import re
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx2

from app.settings import Settings
from bench.batch_bench import free_port, pct, process, simulator
from bench.load_bench import (
    add_env_option,
    cpu_seconds,
    pinned,
    request,
    rss_mib,
    server_pid,
    server_pid_of_simulator,
)

ERA = "2026-07-28"
WAIT_TOOL = "kling_wait_for_tasks"
RUN_SECONDS = 100_000  # the simulator's tasks outlive the benchmark: no wait ends by itself
# Every wait's timeout_seconds, and the server's maximum here: no wait may end before the hold does,
# however long opening all of them takes.
WAIT_TIMEOUT = 3600
SAMPLE_SECONDS = 5.0
PROBES_PER_SECOND = 10
WARM_AT_ONCE = 32  # under the per-IP cap on calls with unconfirmed tokens (64 by default)
REFUSED = {429, 503}  # admission's answers: too many in flight for the token / the process
TASKS_PATH = "/kling/tasks"
WAITS_OPEN = "kling_mcp_waits_open"
WAITS_CAPACITY = "kling_mcp_waits_capacity"
GC_LONGEST = "kling_mcp_gc_longest_pause_seconds"
GC_PAUSES = "kling_mcp_gc_pause_seconds"
SILENCE = "kling_mcp_wait_silence_seconds"
SILENCE_LONGEST = "kling_mcp_wait_longest_silence_seconds"
REQUEST_SECONDS = "kling_mcp_request_duration_seconds"
UPSTREAM_SECONDS = "kling_mcp_upstream_request_duration_seconds"
PROBE_TOOL = "kling_get_task"


# Each scenario's waiters, as the token of each.
SCENARIOS: dict[str, Callable[[argparse.Namespace], list[str]]] = {
    "distinct": lambda args: [f"bench-wait-{i}" for i in range(args.waits)],
    "grouped": lambda args: [f"bench-wait-g{i // args.per_token}" for i in range(args.grouped_waits)],
    "shared": lambda args: ["bench-wait-shared"] * args.shared_waits,
}


@dataclass
class Waiter:
    token: str
    task_id: str
    started: float = 0.0
    opened: float | None = None  # 200 and its headers arrived
    notes: list[float] = field(default_factory=list)  # arrival of each progress notification
    refused: bool = False
    error: str | None = None


@dataclass
class Probe:
    sent: float
    seconds: float
    error: str | None


@dataclass
class Row:
    scenario: str
    asked: int
    held: int
    errors: int
    refusals: int
    open_seconds: float
    cpu_ms_per_open: float
    rss_before: float
    rss_peak: float
    rss_after: float
    cpu_percent: float
    upstream_per_minute: float
    gap_max: float
    gap_p99: float
    first_max: float
    probe_p50_ms: float
    probe_p99_ms: float
    probe_p99_steady_ms: float  # sent in the steady window: the waits' early polls are over
    probe_errors: int
    probes: int
    gc_longest: float | None
    server_silence_max: float | None  # the server's own count (kling_mcp_wait_*silence*)
    server_silences_over: float | None  # silences longer than the promise
    server_probe_p99: float  # the bucket bound that holds the server's 99th percentile of get_task
    upstream_p99: float  # the same for the server's task queries upstream (the simulator's share)
    problems: list[str]

    @property
    def kib_per_wait(self) -> float:
        return (self.rss_peak - self.rss_before) * 1024 / max(1, self.held)


def rpc_problem(message: Any) -> str | None:
    """What went wrong in a JSON-RPC answer: a protocol error, or a tool result flagged isError."""
    if not isinstance(message, dict):
        return f"not a JSON-RPC message: {str(message)[:200]}"
    if isinstance(error := message.get("error"), dict):
        return str(error.get("message", error))
    result = message.get("result")
    if isinstance(result, dict) and result.get("isError"):
        return " ".join(str(part.get("text", "")) for part in result.get("content", []))[:200]
    return None


def problem_of(text: str) -> str:
    with contextlib.suppress(ValueError):
        return rpc_problem(json.loads(text)) or text[:200]
    return text[:200]


def wait_request(waiter: Waiter, n: int, seconds: int) -> tuple[dict[str, str], dict[str, Any]]:
    """load_bench's 2026-07-28 call (its era `_meta` keys and headers), turned into a wait."""
    headers, body = request(ERA, waiter.task_id, n)
    params = body["params"]
    params["name"] = WAIT_TOOL
    params["arguments"] = {"task_ids": [waiter.task_id], "timeout_seconds": seconds}
    params["_meta"]["progressToken"] = f"w{n}"
    headers |= {"authorization": f"Bearer {waiter.token}", "mcp-name": WAIT_TOOL}
    return headers, body


class Opening:
    """Bounds how many waits are being opened at once, and tells when every one has an answer."""

    def __init__(self, total: int, at_once: int) -> None:
        self.slots = anyio.Semaphore(at_once)
        self.left = total
        self.all_answered = anyio.Event()
        if not total:
            self.all_answered.set()

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[Callable[[], None]]:
        await self.slots.acquire()
        done = False

        def answered() -> None:
            nonlocal done
            if not done:
                done = True
                self.slots.release()
                self.left -= 1
                if not self.left:
                    self.all_answered.set()

        try:
            yield answered
        finally:
            answered()  # failed or cancelled before its headers: it still had its answer


PROGRESS = b'"notifications/progress"'
ANSWER = (b'"result"', b'"error"')  # a JSON-RPC answer: the wait returned


def raw_request(url: str, headers: dict[str, str], body: dict[str, Any]) -> bytes:
    """One HTTP/1.1 POST /mcp, written by hand: see `hold_wait`."""
    payload = json.dumps(body).encode()
    host = url.removeprefix("http://")
    lines = ["POST /mcp HTTP/1.1", f"host: {host}", "content-type: application/json"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    lines.append(f"content-length: {len(payload)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def read_head(stream: anyio.abc.ByteStream) -> tuple[int, bytes]:
    """The status code, and whatever of the body came with the head."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += await stream.receive(65536)
    head, _, rest = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), rest


async def hold_wait(url: str, waiter: Waiter, n: int, seconds: int, opening: Opening) -> None:
    """Open one wait and note each progress notification until cancelled; anything else that ends it
    is an error. Raw HTTP on a socket of its own, not httpx2: with thousands of streams httpx2's
    per-chunk work saturated this process's core, and its lateness showed up as the server's (late
    heartbeats, slow probes). Each SSE event is one body chunk, so a chunk boundary never splits a
    marker; a read boundary can, hence the carried tail."""
    headers, body = wait_request(waiter, n, seconds)
    host, port = url.removeprefix("http://").rsplit(":", 1)
    async with opening.slot() as answered:
        waiter.started = time.monotonic()
        try:
            async with await anyio.connect_tcp(host, int(port)) as stream:
                await stream.send(raw_request(url, headers, body))
                status, data = await read_head(stream)
                answered()
                if status != 200:
                    waiter.refused = status in REFUSED
                    with contextlib.suppress(anyio.EndOfStream, anyio.BrokenResourceError):
                        with anyio.move_on_after(5):
                            while len(data) < 4096:
                                data += await stream.receive(65536)
                    text = data.decode(errors="replace")
                    waiter.error = f"HTTP {status}: {problem_of(text[text.find('{') :])}"
                    return
                waiter.opened = time.monotonic()
                carry = b""
                while True:
                    seen = carry + data
                    now = time.monotonic()
                    waiter.notes.extend(now for _ in range(seen.count(PROGRESS) - carry.count(PROGRESS)))
                    if any(marker in seen for marker in ANSWER):
                        text = seen.decode(errors="replace")
                        waiter.error = problem_of(text[text.find("{") :]) or "the wait returned"
                        return
                    carry = seen[-64:]
                    data = await stream.receive(65536)
        except anyio.EndOfStream:
            waiter.error = "the stream closed before the hold ended"
        except (OSError, anyio.BrokenResourceError, ValueError, IndexError) as exc:
            waiter.error = f"{type(exc).__name__}: {exc}"


async def ordinary_call(http: httpx2.AsyncClient, url: str, token: str, task_id: str, n: int) -> Probe:
    headers, body = request(ERA, task_id, n)
    headers["authorization"] = f"Bearer {token}"
    sent = time.monotonic()
    started = time.perf_counter()
    try:
        response = await http.post(f"{url}/mcp", json=body, headers=headers)
    except httpx2.HTTPError as exc:
        return Probe(sent, time.perf_counter() - started, f"{type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - started
    if response.status_code != 200 or '"isError":false' not in response.text:
        return Probe(sent, seconds, f"HTTP {response.status_code}: {problem_of(response.text)}")
    return Probe(sent, seconds, None)


async def warm(url: str, waiters: list[Waiter]) -> list[str]:
    """One ordinary call per token before the waits, as a client's submission would have made: the
    server trusts a token only once upstream has accepted it, and until then may count its calls
    against the client IP's small cap on unconfirmed tokens (64), an IP every waiter here shares.
    Returns the failures."""
    first = {w.token: w.task_id for w in waiters}
    slots = anyio.Semaphore(WARM_AT_ONCE)
    failures: list[str] = []

    async def one(http: httpx2.AsyncClient, n: int, token: str, task_id: str) -> None:
        async with slots:
            probe = await ordinary_call(http, url, token, task_id, n)
        if probe.error:
            failures.append(probe.error)

    limits = httpx2.Limits(max_connections=WARM_AT_ONCE, max_keepalive_connections=WARM_AT_ONCE)
    async with httpx2.AsyncClient(limits=limits, timeout=30) as http:
        async with anyio.create_task_group() as group:
            for n, (token, task_id) in enumerate(first.items()):
                group.start_soon(one, http, n, token, task_id)
    return failures


async def probe_loop(url: str, token: str, task_id: str, until: float, probes: list[Probe]) -> None:
    """Ordinary calls at a fixed rate (open loop: a slow answer does not delay the next call)."""

    async def one(http: httpx2.AsyncClient, n: int) -> None:
        probes.append(await ordinary_call(http, url, token, task_id, n))

    async with httpx2.AsyncClient(timeout=30) as http:
        async with anyio.create_task_group() as group:
            for n in itertools.count(1_000_000):
                at = time.monotonic()
                if at >= until:
                    break
                group.start_soon(one, http, n)
                await anyio.sleep(max(0.0, at + 1 / PROBES_PER_SECOND - time.monotonic()))


async def scrape(http: httpx2.AsyncClient, metrics_url: str) -> dict[str, list[float]]:
    """Prometheus text as name -> one value per label set; {} when /metrics does not answer."""
    try:
        response = await http.get(metrics_url)
    except httpx2.HTTPError:
        return {}
    found: dict[str, list[float]] = {}
    for line in response.text.splitlines():
        if not line or line.startswith("#"):
            continue
        series, _, value = line.rpartition(" ")
        with contextlib.suppress(ValueError):
            found.setdefault(series.split("{", 1)[0], []).append(float(value))
            if "{" in series:
                found[series] = [float(value)]
    return found


def buckets(metrics: dict[str, list[float]], name: str, **labels: str) -> list[tuple[float, float]]:
    """A histogram's cumulative buckets, (upper bound, count), for the series with these labels."""
    found = []
    for key, values in metrics.items():
        wanted = key.startswith(f"{name}_bucket{{") and all(f'{k}="{v}"' in key for k, v in labels.items())
        if wanted and (bound := re.search(r'le="([^"]+)"', key)):
            found.append((float(bound.group(1)), values[0]))
    return sorted(found)


def bucket_quantile(first: list[tuple[float, float]], last: list[tuple[float, float]], q: float) -> float:
    """The upper bound of the bucket that holds quantile `q` of what was observed between two scrapes."""
    before = dict(first)
    counts = [(bound, count - before.get(bound, 0.0)) for bound, count in last]
    total = counts[-1][1] if counts else 0.0
    return next((bound for bound, count in counts if total and count >= q * total), float("nan"))


def describe(metrics: dict[str, list[float]]) -> str:
    """The wait and GC figures that this server's /metrics has (they are new: any may be missing)."""
    parts = []
    if WAITS_OPEN in metrics:
        capacity = f" of {sum(metrics[WAITS_CAPACITY]):.0f}" if WAITS_CAPACITY in metrics else ""
        parts.append(f"waits open {sum(metrics[WAITS_OPEN]):.0f}{capacity}")
    if f"{GC_PAUSES}_count" in metrics:
        count, total = sum(metrics[f"{GC_PAUSES}_count"]), sum(metrics.get(f"{GC_PAUSES}_sum", [0.0]))
        parts.append(f"GC pauses {count:.0f} ({total * 1000:.0f} ms)")
    if GC_LONGEST in metrics:
        parts.append(f"longest GC pause {max(metrics[GC_LONGEST]) * 1000:.1f} ms")
    return ", ".join(parts) or f"no {WAITS_OPEN} / GC metrics"


def upstream_slow(metrics: dict[str, list[float]]) -> str:
    """How many of the server's task queries upstream took over 250 ms."""
    found = dict(buckets(metrics, UPSTREAM_SECONDS, endpoint=TASKS_PATH))
    return (
        f"task queries over 250 ms: {max(found.values()) - found[0.25]:.0f} of {max(found.values()):.0f}"
        if found
        else ""
    )


def long_collections(metrics: dict[str, list[float]]) -> str:
    """Per generation: collections over 100 ms, of all (from the pause histogram's buckets)."""
    parts = []
    for generation in "012":
        found = dict(buckets(metrics, GC_PAUSES, generation=generation))
        if found:
            parts.append(f"{generation}: {max(found.values()) - found[0.1]:.0f} of {max(found.values()):.0f}")
    return ", ".join(parts) or "n/a"


async def sample_loop(
    http: httpx2.AsyncClient,
    sim: str,
    pid: int,
    metrics_url: str,
    since: float,
    until: float,
    rss: list[float],
) -> list[dict[str, list[float]]]:
    scrapes = []
    while (now := time.monotonic()) < until:
        # The simulator journals every request for the tests; here that journal would only grow, and
        # the simulator's collections of it would show up as upstream latency.
        await http.delete(f"{sim}/_sim/requests")
        rss.append(rss_mib(pid))
        scrapes.append(metrics := await scrape(http, metrics_url))
        cpu = cpu_seconds(pid)
        print(f"  +{now - since:5.1f} s: RSS {rss[-1]:6.1f} MiB, CPU {cpu:6.1f} s, {describe(metrics)}")
        await anyio.sleep(min(SAMPLE_SECONDS, max(0.0, until - time.monotonic())))
    return scrapes


async def mark(http: httpx2.AsyncClient, sim: str, pid: int) -> tuple[float, float, int]:
    """(when, server CPU seconds, upstream task queries so far)."""
    stats = (await http.get(f"{sim}/_sim/stats")).json()
    return time.monotonic(), cpu_seconds(pid), int(stats["count"].get(TASKS_PATH, 0))


async def create_tasks(sim: str, tokens: list[str]) -> list[str]:
    """One running task per waiter, created under the waiter's token (only its owner can see it)."""
    ids: dict[str, list[str]] = {}
    async with httpx2.AsyncClient(base_url=sim, timeout=30) as http:
        for token, count in collections.Counter(tokens).items():
            body = {"token": token, "count": count, "run_seconds": RUN_SECONDS}
            response = await http.post("/_sim/tasks/bulk", json=body)
            response.raise_for_status()
            ids[token] = response.json()["ids"]
    return [ids[token].pop() for token in tokens]


@contextlib.contextmanager
def reaped(port: int) -> Iterator[None]:
    """Kill the server if `process` could not stop it: it waits 20 s after SIGTERM, and a server that
    still holds calls may drain for its whole grace period (75 s) first."""
    try:
        yield
    finally:
        with contextlib.suppress(RuntimeError, ProcessLookupError):
            os.kill(server_pid(port), signal.SIGKILL)


@contextlib.contextmanager
def wait_server(sim: str, metrics_port: int, extra: dict[str, str]) -> Iterator[tuple[str, int]]:
    """A fresh server per scenario, pinned to core 0, so each starts from the same memory."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        "ACEDATACLOUD_API_BASE_URL": sim,
        "KLING_MCP_LOG_LEVEL": "WARNING",
        "KLING_MCP_METRICS_PORT": str(metrics_port),
        "KLING_MCP_WAIT_MAX_TIMEOUT_SECONDS": str(WAIT_TIMEOUT),
        **extra,
    }
    command = [sys.executable, "-m", "app", "serve", "--port", str(port)]
    with reaped(port), process(command, env, f"{url}/readyz"):
        pid = server_pid(port)
        with pinned(pid, {0}):
            yield url, pid


def silences(held: list[Waiter], closed_at: float) -> tuple[list[float], list[float]]:
    """Each held wait's longest silence, from its start through its notifications to the close (the
    last stretch counts too: the promise holds until the wait ends), and its wait for the first one."""
    longest = [max(b - a for a, b in itertools.pairwise([w.started, *w.notes, closed_at])) for w in held]
    first = [(w.notes[0] if w.notes else closed_at) - w.started for w in held]
    return longest or [float("nan")], first or [float("nan")]


def first_of(kind: str, messages: list[str]) -> list[str]:
    return [f"{kind}: {len(messages)}, first: {messages[0]}"] if messages else []


async def scenario(args: argparse.Namespace, sim: str, name: str, tokens: list[str]) -> Row:
    count = len(tokens)
    print(f"-- {name}: {count} waits, {len(set(tokens))} token(s)")
    ids = await create_tasks(sim, tokens)
    waiters = [Waiter(token, task_id) for token, task_id in zip(tokens, ids, strict=True)]
    metrics_port = free_port()
    metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
    wait_seconds = WAIT_TIMEOUT
    probes: list[Probe] = []
    rss: list[float] = []
    with wait_server(sim, metrics_port, dict(args.env or [])) as (url, pid):
        warm_failures = [] if args.cold else await warm(url, waiters)
        async with httpx2.AsyncClient(timeout=60) as side:  # /metrics and the simulator's counts
            rss_before, cpu_before = rss_mib(pid), cpu_seconds(pid)
            print(f"  before: RSS {rss_before:.1f} MiB, {describe(await scrape(side, metrics_url))}")
            opening = Opening(count, args.open_concurrency)
            async with anyio.create_task_group() as held_open:
                open_started = time.monotonic()
                for n, waiter in enumerate(waiters):
                    held_open.start_soon(hold_wait, url, waiter, n, wait_seconds, opening)
                await opening.all_answered.wait()
                opened_at = time.monotonic()
                opened = sum(w.opened is not None for w in waiters)
                # This process holds thousands of streams too: its own collections would pause the
                # probes and the reading of notifications, and show up as the server's lateness.
                gc.collect()
                gc.freeze()
                cpu_open = cpu_seconds(pid) - cpu_before
                print(f"  {opened} of {count} opened in {opened_at - open_started:.1f} s")
                steady_from, hold_until = opened_at + args.settle, opened_at + args.hold
                async with anyio.create_task_group() as beside:
                    probed = waiters[0]  # a token that owns the task it asks for
                    beside.start_soon(probe_loop, url, probed.token, probed.task_id, hold_until, probes)
                    scrapes: list[dict[str, list[float]]] = []

                    async def sampling() -> None:
                        scrapes.extend(
                            await sample_loop(side, sim, pid, metrics_url, opened_at, hold_until, rss)
                        )

                    beside.start_soon(sampling)
                    # Past the settle time every wait polls at its longest interval: the steady window.
                    await anyio.sleep(max(0.0, steady_from - time.monotonic()))
                    start = await mark(side, sim, pid)
                    await anyio.sleep(max(0.0, hold_until - time.monotonic()))
                    end = await mark(side, sim, pid)
                closed_at = time.monotonic()
                held = [w for w in waiters if w.opened is not None and w.error is None]
                held_open.cancel_scope.cancel()  # closing each stream cancels its wait on the server
            await anyio.sleep(5)  # let the server finish tearing the waits down
            rss_after, after = rss_mib(pid), await scrape(side, metrics_url)
            print(f"  5 s after closing: RSS {rss_after:.1f} MiB, {describe(after)}")
            print(f"  GC pauses over 100 ms, by generation: {long_collections(after)}")
            retries = sum(after.get("kling_mcp_upstream_retries_total", [0.0]))
            print(f"  upstream retries: {retries:.0f}; {upstream_slow(after)}")

    longest, first = silences(held, closed_at)
    steady_minutes = (end[0] - start[0]) / 60
    # The probes reach upstream too (one task query each): only the waits' polls are counted.
    probe_queries = sum(1 for p in probes if start[0] <= p.sent < end[0] and p.error is None)
    upstream_per_minute = (end[2] - start[2] - probe_queries) / steady_minutes
    ok_probes = [p.seconds for p in probes if p.error is None] or [float("nan")]
    steady_probes = [p.seconds for p in probes if p.error is None and p.sent >= start[0]] or [float("nan")]
    gc_seen = [max(s[GC_LONGEST]) for s in scrapes if GC_LONGEST in s]
    silence = buckets(after, SILENCE)
    promise = setting(dict(args.env or []), "wait_heartbeat_seconds")
    probes_from, probes_to = (buckets(s, REQUEST_SECONDS, tool=PROBE_TOOL) for s in (scrapes[0], scrapes[-1]))
    reads_from, reads_to = (
        buckets(s, UPSTREAM_SECONDS, endpoint=TASKS_PATH) for s in (scrapes[0], scrapes[-1])
    )
    failed = [w for w in waiters if w.error is not None]
    problems = [
        *first_of("warm-up failures", warm_failures),
        *first_of("wait refusals", [w.error or "" for w in failed if w.refused]),
        *first_of("wait errors", [w.error or "" for w in failed if not w.refused]),
        *first_of("get_task errors", [p.error for p in probes if p.error]),
    ]
    return Row(
        scenario=name,
        asked=count,
        held=len(held),
        errors=sum(not w.refused for w in failed),
        refusals=sum(w.refused for w in failed),
        open_seconds=opened_at - open_started,
        cpu_ms_per_open=cpu_open * 1000 / max(1, opened),
        rss_before=rss_before,
        rss_peak=max([rss_before, *rss]),
        rss_after=rss_after,
        cpu_percent=(end[1] - start[1]) / (end[0] - start[0]) * 100,
        upstream_per_minute=upstream_per_minute,
        gap_max=max(longest),
        gap_p99=pct(longest, 0.99),
        first_max=max(first),
        probe_p50_ms=pct(ok_probes, 0.5) * 1000,
        probe_p99_ms=pct(ok_probes, 0.99) * 1000,
        probe_p99_steady_ms=pct(steady_probes, 0.99) * 1000,
        probe_errors=sum(p.error is not None for p in probes),
        probes=len(probes),
        gc_longest=max(gc_seen) if gc_seen else None,
        server_silence_max=after[SILENCE_LONGEST][0] if SILENCE_LONGEST in after else None,
        server_silences_over=silence[-1][1] - dict(silence)[promise] if promise in dict(silence) else None,
        server_probe_p99=bucket_quantile(probes_from, probes_to, 0.99),
        upstream_p99=bucket_quantile(reads_from, reads_to, 0.99),
        problems=problems,
    )


def report(rows: list[Row], heartbeat: float, max_poll: float) -> None:
    print()
    print(
        "| scenario | waits held | errors / refusals | open s | CPU ms / wait opened"
        " | RSS MiB before / peak / after close | KiB / wait | server CPU % steady"
        f" | upstream req/min steady | req / task / min | heartbeat gap max / p99 s (promise {heartbeat:g})"
        " | first progress max s | get_task p50 / p99 / p99 steady ms (errors) | GC longest pause ms"
        " | server: longest silence s (over promise) | server: get_task p99 ms | server: upstream p99 ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        gc_text = "n/a" if r.gc_longest is None else f"{r.gc_longest * 1000:.1f}"
        silence_text = (
            "n/a"
            if r.server_silence_max is None
            else f"{r.server_silence_max:.2f} ({r.server_silences_over or 0:.0f})"
        )
        print(
            f"| {r.scenario} | {r.held} of {r.asked} | {r.errors} / {r.refusals} | {r.open_seconds:.1f}"
            f" | {r.cpu_ms_per_open:.2f} | {r.rss_before:.1f} / {r.rss_peak:.1f} / {r.rss_after:.1f}"
            f" | {r.kib_per_wait:.1f} | {r.cpu_percent:.1f} | {r.upstream_per_minute:.0f}"
            f" | {r.upstream_per_minute / max(1, r.held):.2f} | {r.gap_max:.2f} / {r.gap_p99:.2f}"
            f" | {r.first_max:.2f} | {r.probe_p50_ms:.1f} / {r.probe_p99_ms:.1f}"
            f" / {r.probe_p99_steady_ms:.1f}"
            f" ({r.probe_errors} of {r.probes})"
            f" | {gc_text} | {silence_text} | <= {r.server_probe_p99 * 1000:g}"
            f" | <= {r.upstream_p99 * 1000:g} |"
        )
    print()
    print(
        f"Promised: a progress notification at least every {heartbeat:g} s"
        f" (KLING_MCP_WAIT_HEARTBEAT_SECONDS); steady polling every {max_poll:g} s"
        f" = {60 / max_poll:.1f} upstream requests per task per minute (KLING_MCP_WAIT_MAX_POLL_SECONDS)."
    )
    for r in rows:
        for problem in r.problems:
            print(f"{r.scenario}: {problem}")


def setting(env: dict[str, str], name: str) -> float:
    """The server's value of a setting: a `--env` override, else the default in app/settings.py."""
    default = Settings.model_fields[name].default
    return float(env.get(f"KLING_MCP_{name.upper()}", default))


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scenario", choices=[*SCENARIOS, "all"], default="all")
    parser.add_argument("--waits", type=int, default=1000, help="distinct: waits, one token each")
    parser.add_argument("--grouped-waits", type=int, default=5000, help="grouped: waits in all")
    parser.add_argument("--per-token", type=int, default=10, help="grouped: waits under each token")
    parser.add_argument("--shared-waits", type=int, default=100, help="shared: waits under one token")
    parser.add_argument("--hold", type=int, default=90, help="seconds the waits are held once all are open")
    parser.add_argument(
        "--settle", type=int, default=45, help="seconds of early (short) polls before the steady window"
    )
    parser.add_argument("--open-concurrency", type=int, default=200, help="waits being opened at once")
    parser.add_argument("--cold", action="store_true", help="no warm-up call per token before the waits")
    add_env_option(parser)
    args = parser.parse_args()
    if not 0 <= args.settle < args.hold:
        parser.error("--settle must be shorter than --hold")
    env = dict(args.env or [])
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    print(
        f"kling_wait_for_tasks benchmark: hold {args.hold} s (steady after {args.settle} s),"
        f" {os.cpu_count()} CPUs, server env {env or 'defaults'}"
    )
    rows = []
    for name in names:
        # A fresh simulator per scenario too, so none answers with another's tasks in memory. It and
        # this process share core 1: what is measured, the server, has core 0.
        with simulator(0) as sim, pinned(os.getpid(), {1}), pinned(server_pid_of_simulator(sim), {1}):
            rows.append(await scenario(args, sim, name, SCENARIOS[name](args)))
    report(rows, setting(env, "wait_heartbeat_seconds"), setting(env, "wait_max_poll_seconds"))


if __name__ == "__main__":
    anyio.run(main)
