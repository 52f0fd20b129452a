"""How every tool failure reaches the agent: `isError: true`, one readable paragraph, and the facts.

Tools raise `ToolFailure` for problems they detect and let `UpstreamError` propagate; the
`reporting_failures` wrapper (applied once, at registration) turns both into the same result
shape. The readable text carries the upstream HTTP status, code and trace id; `_meta` carries
them again as a JSON object for clients that read it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar

from mcp.types import CallToolResult, TextContent

from app.upstream.errors import UpstreamError

logger = logging.getLogger(__name__)

ERROR_META_KEY = "kling-mcp/error"

P = ParamSpec("P")
R = TypeVar("R")


class ToolFailure(Exception):
    """A failure the tool detected itself, before or instead of an upstream call."""

    def __init__(self, kind: str, message: str, *, next_step: str, **facts: Any) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.next_step = next_step
        self.facts = facts

    def details(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "next_step": self.next_step, **self.facts}

    def describe(self) -> str:
        return f"{self.message} Next step: {self.next_step}"


def error_result(text: str, details: dict[str, Any]) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        is_error=True,
        _meta={ERROR_META_KEY: details},
    )


def reporting_failures(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R | CallToolResult]]:
    """Wrap a tool so anticipated failures become error results; the signature (and schema) is kept."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | CallToolResult:
        try:
            return await fn(*args, **kwargs)
        except ToolFailure as exc:
            logger.info("tool %s refused: %s", fn.__name__, exc.kind)
            return error_result(exc.describe(), exc.details())
        except UpstreamError as exc:
            logger.info(
                "tool %s upstream failure: %s status=%s code=%s trace_id=%s",
                fn.__name__,
                exc.kind,
                exc.http_status,
                exc.code,
                exc.trace_id,
            )
            return error_result(exc.describe(), exc.details())

    return wrapper
