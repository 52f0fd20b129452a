"""One structured log line and the request metrics for every MCP request, as an MCP SDK middleware.

`RequestObserver` times every request, counts it by method, tool and outcome, and writes the
request log line, including the upstream calls made for it (recorded by the upstream client
through `app.metrics.current_request`). It never sees a request body, so prompts and base64
payloads stay out of logs.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import anyio
from mcp import MCPError
from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext
from pydantic import ValidationError

from app.metrics import Metrics, RequestRecord, current_request
from app.tokens import fingerprint, parse_bearer

request_log = logging.getLogger("app.requests")


def _outcome(result: HandlerResult) -> str:
    is_error = getattr(result, "is_error", None)
    if is_error is None and isinstance(result, dict):
        is_error = result.get("isError")
    return "tool_error" if is_error else "ok"


# The methods this server answers; any other name a client sends is counted as "unknown".
METHODS = frozenset(
    {
        "initialize",
        "ping",
        "tools/list",
        "tools/call",
        "prompts/list",
        "prompts/get",
        "resources/list",
        "resources/read",
        "resources/templates/list",
        "server/discover",
    }
)
UNKNOWN = "unknown"
MAX_LOGGED_ID = 64  # JSON-RPC ids are the client's text


class RequestObserver(ServerMiddleware[Any]):
    """Label values come only from `METHODS` and the tool inventory: a client's text never becomes a
    metrics label (a stranger could otherwise grow `/metrics` without bound)."""

    def __init__(self, metrics: Metrics, tools: frozenset[str]) -> None:
        self.metrics = metrics
        self.tools = tools

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.request_id is None:  # a notification: nothing to time or answer
            return await call_next(ctx)
        method = ctx.method if ctx.method in METHODS else UNKNOWN
        name = ctx.params.get("name") if ctx.params and ctx.method == "tools/call" else None
        tool = (name if name in self.tools else UNKNOWN) if name is not None else ""
        record = RequestRecord(tool=tool)
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
        except anyio.get_cancelled_exc_class():
            outcome = "cancelled"
            raise
        finally:
            seconds = time.perf_counter() - started
            current_request.reset(reset)
            self.metrics.in_flight.dec()
            self.metrics.requests.labels(method, tool, outcome).inc()
            self.metrics.request_seconds.labels(method, tool).observe(seconds)
            self._log(ctx, method, tool, outcome, seconds, record)

    def _log(
        self,
        ctx: ServerRequestContext[Any, Any],
        method: str,
        tool: str,
        outcome: str,
        seconds: float,
        record: RequestRecord,
    ) -> None:
        headers = getattr(ctx.request, "headers", None)
        token = parse_bearer(headers.get("authorization")) if headers is not None else None
        request_log.info(
            "%s %s %s in %.1f ms",
            method,
            tool,
            outcome,
            seconds * 1000,
            extra={
                "mcp": {
                    "request_id": str(ctx.request_id)[:MAX_LOGGED_ID],
                    "era": ctx.protocol_version,
                    "method": method,
                    "tool": tool or None,
                    "outcome": outcome,
                    "duration_ms": round(seconds * 1000, 1),
                    "upstream_status": [call.status for call in record.upstream],
                    "upstream_trace_ids": [call.trace_id for call in record.upstream if call.trace_id],
                    "token": fingerprint(token) if token else None,
                }
            },
        )
