"""What operators see: Prometheus metrics and one structured log line per MCP request.

`Metrics` owns its own registry (one per app, so tests can build fresh apps). `RequestObserver` is an
MCP SDK middleware: it times every request, counts it by method, tool and outcome, and writes the
request log line, including the upstream calls made for it (recorded through a context variable
by the upstream client). Neither ever sees a request body, so prompts and base64 payloads stay out.
With several worker processes, set PROMETHEUS_MULTIPROC_DIR and `/metrics` merges them.
"""

from __future__ import annotations

import logging
import os
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from mcp import MCPError
from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from pydantic import ValidationError

from app.tokens import fingerprint, parse_bearer

request_log = logging.getLogger("app.requests")

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


def _outcome(result: HandlerResult) -> str:
    is_error = getattr(result, "is_error", None)
    if is_error is None and isinstance(result, dict):
        is_error = result.get("isError")
    return "tool_error" if is_error else "ok"


class RequestObserver(ServerMiddleware[Any]):
    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.request_id is None:  # a notification: nothing to time or answer
            return await call_next(ctx)
        name = ctx.params.get("name") if ctx.params and ctx.method == "tools/call" else None
        tool = name if isinstance(name, str) else ""
        record = RequestRecord()
        reset = current_request.set(record)
        self.metrics.in_flight.inc()
        started = time.perf_counter()
        outcome = "crash"
        try:
            result = await call_next(ctx)
            outcome = _outcome(result)
            return result
        except MCPError:
            outcome = "protocol_error"
            raise
        except ValidationError:
            outcome = "invalid_params"
            raise
        except BaseException as exc:
            outcome = "cancelled" if "Cancel" in type(exc).__name__ else "crash"
            raise
        finally:
            seconds = time.perf_counter() - started
            current_request.reset(reset)
            self.metrics.in_flight.dec()
            self.metrics.requests.labels(ctx.method, tool, outcome).inc()
            self.metrics.request_seconds.labels(ctx.method, tool).observe(seconds)
            self._log(ctx, tool, outcome, seconds, record)

    def _log(
        self,
        ctx: ServerRequestContext[Any, Any],
        tool: str,
        outcome: str,
        seconds: float,
        record: RequestRecord,
    ) -> None:
        headers = getattr(ctx.request, "headers", None)
        token = parse_bearer(headers.get("authorization")) if headers is not None else None
        request_log.info(
            "%s %s %s in %.1f ms",
            ctx.method,
            tool,
            outcome,
            seconds * 1000,
            extra={
                "mcp": {
                    "request_id": str(ctx.request_id),
                    "era": ctx.protocol_version,
                    "method": ctx.method,
                    "tool": tool or None,
                    "outcome": outcome,
                    "duration_ms": round(seconds * 1000, 1),
                    "upstream_status": [call.status for call in record.upstream],
                    "upstream_trace_ids": [call.trace_id for call in record.upstream if call.trace_id],
                    "token": fingerprint(token) if token else None,
                }
            },
        )
