"""What operators count: the Prometheus registry, and the record of one MCP request's upstream calls.

`Metrics` owns its own registry (one per app, so tests can build fresh apps). The upstream client
adds each call to the record of the request being handled (a context variable), so the request's
log line (`app/mcp/observer.py`) can name them. Nothing here knows MCP, so the upstream client can
use it without importing the SDK. With several worker processes, set PROMETHEUS_MULTIPROC_DIR and
`/metrics` merges them.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600)
GC_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
# Around the default heartbeat promise (10 s), so that gaps past it have buckets of their own.
SILENCE_BUCKETS = (1, 2, 4, 6, 8, 9, 10, 11, 12, 15, 20, 30, 60)


class Longest:
    """A gauge of the largest value offered since start (one process's; `max` across workers)."""

    def __init__(self, name: str, documentation: str, registry: CollectorRegistry) -> None:
        self.value = 0.0
        self.gauge = Gauge(name, documentation, registry=registry, multiprocess_mode="max")

    def offer(self, value: float) -> None:
        if value > self.value:
            self.value = value
            self.gauge.set(value)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "kling_mcp_requests_total", "MCP requests by method, tool and outcome.",
            ["method", "tool", "outcome"], registry=r,
        )  # fmt: skip
        self.request_seconds = Histogram(
            "kling_mcp_request_duration_seconds", "MCP request latency.", ["method", "tool"],
            buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.in_flight = Gauge(
            "kling_mcp_requests_in_flight",
            "MCP requests being handled.",
            registry=r,
            multiprocess_mode="livesum",
        )
        self.refused = Counter(
            "kling_mcp_requests_refused_total", "Requests refused at admission.", ["reason"], registry=r
        )
        self.upstream = Counter(
            "kling_mcp_upstream_requests_total", "Upstream calls by endpoint and HTTP status.",
            ["endpoint", "status"], registry=r,
        )  # fmt: skip
        self.upstream_seconds = Histogram(
            "kling_mcp_upstream_request_duration_seconds", "Upstream call latency.", ["endpoint"],
            buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.retries = Counter(
            "kling_mcp_upstream_retries_total", "Upstream retries by endpoint and reason.",
            ["endpoint", "reason"], registry=r,
        )  # fmt: skip
        self.idempotency = Counter(
            "kling_mcp_idempotency_total",
            "Idempotency outcomes (claimed, replayed, conflict, in_progress, unavailable) and store errors.",
            ["outcome"],
            registry=r,
        )
        self.batch_chunks = Counter(
            "kling_mcp_batch_chunks_total", "Batch chunks by outcome.", ["outcome"], registry=r
        )
        # What the autoscaler scales on besides CPU (deploy/base/hpa.yaml): held waits cost memory only.
        self.waits_open = Gauge(
            "kling_mcp_waits_open", "kling_wait_for_tasks calls being held.", registry=r,
            multiprocess_mode="livesum",
        )  # fmt: skip
        self.waits_capacity = Gauge(
            "kling_mcp_waits_capacity", "Waits this process may hold at once (its wait budget).", registry=r,
            multiprocess_mode="livesum",
        )  # fmt: skip
        # Whether waits keep their heartbeat promise, seen from the sending side (a slow client cannot
        # make these late): each silence ends when a notification has been handed to the stream.
        self.wait_silence = Histogram(
            "kling_mcp_wait_silence_seconds",
            "Silences of held waits: from the start to the first progress notification, and between two.",
            buckets=SILENCE_BUCKETS, registry=r,
        )  # fmt: skip
        self.wait_longest_silence = Longest(
            "kling_mcp_wait_longest_silence_seconds", "The longest silence of any wait since start.", r
        )
        self.gc_pause = Histogram(
            "kling_mcp_gc_pause_seconds", "Garbage collection pauses of the event loop, by generation.",
            ["generation"], buckets=GC_BUCKETS, registry=r,
        )  # fmt: skip
        self.gc_longest_pause = Longest(
            "kling_mcp_gc_longest_pause_seconds", "The longest garbage collection pause since start.", r
        )

    def observe_wait_silence(self, seconds: float) -> None:
        self.wait_silence.observe(seconds)
        self.wait_longest_silence.offer(seconds)

    def watch_gc_pauses(self) -> Callable[[], None]:
        """Time every garbage collection of this process (a pause of the event loop); returns the undo.
        Process-wide, so only the serving command turns it on, never an app built in a test."""
        started = [0.0]

        def on_gc(phase: str, info: dict[str, int]) -> None:
            if phase == "start":
                started[0] = time.perf_counter()
                return
            pause = time.perf_counter() - started[0]
            self.gc_pause.labels(str(info["generation"])).observe(pause)
            self.gc_longest_pause.offer(pause)

        gc.callbacks.append(on_gc)
        return lambda: gc.callbacks.remove(on_gc)

    def render(self) -> bytes:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            merged = CollectorRegistry()
            MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
            return generate_latest(merged)
        return generate_latest(self.registry)


@dataclass
class UpstreamCall:
    path: str
    status: int | str
    trace_id: str | None


@dataclass
class RequestRecord:
    tool: str = ""  # the tool a tools/call names, for log lines written while it runs
    upstream: list[UpstreamCall] = field(default_factory=list)


# The record of the MCP request being handled, so the upstream client can add to its log line.
current_request: ContextVar[RequestRecord | None] = ContextVar("kling_mcp_request", default=None)


def record_upstream(
    metrics: Metrics | None, path: str, status: int | str, seconds: float, trace_id: str | None
) -> None:
    if metrics is not None:
        metrics.upstream.labels(path, str(status)).inc()
        metrics.upstream_seconds.labels(path).observe(seconds)
    record = current_request.get()
    if record is not None:
        record.upstream.append(UpstreamCall(path, status, trace_id))
