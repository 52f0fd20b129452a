"""What a tool needs from the running server: settings, the pooled upstream client, the caller's token."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mcp.server.mcpserver import Context

from app.errors import AuthMissing
from app.idempotency.memory import MemoryStore
from app.idempotency.store import IdempotencyStore
from app.kling.polling import PollHub
from app.mcp.cancellation import CancelRegistry
from app.metrics import Metrics
from app.settings import Settings
from app.tokens import parse_bearer
from app.upstream.client import UpstreamClient

# Where admission leaves the release of a wait's opening slot, in the ASGI scope's extensions
# (app/http/admission.py): the wait calls it once it has first reported statuses.
WAIT_OPENING_KEY = "kling-mcp.wait-opening"


@dataclass(frozen=True)
class ToolRuntime:
    settings: Settings
    upstream: UpstreamClient
    # Set only by `kling-mcp stdio`, where one local user owns the process. Over HTTP it is always
    # None, so a caller without a token can never spend somebody else's.
    stdio_token: str | None = None
    cancellations: CancelRegistry = field(default_factory=CancelRegistry)
    idempotency: IdempotencyStore = field(default_factory=lambda: MemoryStore(86_400, 100_000))
    metrics: Metrics = field(default_factory=Metrics)
    # The shared poller of kling_wait_for_tasks: one per server, so waits of one token read together.
    polls: PollHub | None = None

    def poll_hub(self) -> PollHub:
        if self.polls is None:  # pragma: no cover - build_mcp_server always gives one
            raise TypeError("the MCP runtime has no poll hub")
        return self.polls


def runtime_of(ctx: Context[Any]) -> ToolRuntime:
    runtime = ctx.request_context.lifespan_context
    if not isinstance(runtime, ToolRuntime):  # pragma: no cover - a wiring bug, not a caller error
        raise TypeError("the MCP server lifespan must yield a ToolRuntime")
    return runtime


def caller_token(ctx: Context[Any]) -> str:
    """The token of the caller of *this* request: its own Authorization header, never a shared value."""
    headers = ctx.headers
    # Over HTTP only the request's own header counts; the stdio token exists only in stdio mode.
    token = parse_bearer(headers.get("authorization")) if headers is not None else runtime_of(ctx).stdio_token
    if token is None:
        raise AuthMissing()
    return token


def opening_release(ctx: Context[Any]) -> Callable[[], None]:
    """The release of this wait's opening slot; a no-op where admission gave none (stdio, in-process)."""
    scope = getattr(ctx.request_context.request, "scope", None)
    extensions = scope.get("extensions") if isinstance(scope, dict) else None
    release = (extensions or {}).get(WAIT_OPENING_KEY)
    return release if callable(release) else _nothing


def _nothing() -> None:
    return None
