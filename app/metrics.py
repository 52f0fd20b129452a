"""What operators count: the Prometheus registry, and the record of one MCP request's upstream calls.

`Metrics` owns its own registry (one per app, so tests can build fresh apps). The upstream client
adds each call to the record of the request being handled (a context variable), so the request's
log line (`app/mcp/observer.py`) can name them. Nothing here knows MCP, so the upstream client can
use it without importing the SDK. With several worker processes, set PROMETHEUS_MULTIPROC_DIR and
`/metrics` merges them.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600)


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
