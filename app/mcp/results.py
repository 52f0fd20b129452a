"""How every tool result reaches the agent, success or failure. Applied once, at registration.

Success: `structuredContent` is the tool's pydantic model without null fields, and the text block
carries the same object as compact JSON (for clients that read only text). Agents pay for every
byte they read, so neither is pretty-printed.

Failure: `isError: true`, one readable paragraph ending in "Next step: ...", and the machine-readable
facts (kind, upstream HTTP status, code, message, trace_id) under `_meta["kling-mcp/error"]`. Tools
raise `ToolFailure` for problems they detect and let `UpstreamError` propagate.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec

from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel

from app.kling.rules.video import RuleViolation
from app.upstream.errors import UpstreamError

logger = logging.getLogger(__name__)

ERROR_META_KEY = "kling-mcp/error"

P = ParamSpec("P")


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


def rule_failure(exc: RuleViolation) -> ToolFailure:
    options = "; ".join(exc.alternatives)
    return ToolFailure(
        "invalid_request",
        f"Rejected before sending (no credits spent), rule {exc.rule}: {exc.message}",
        next_step=f"Change the request and call again. Valid alternatives: {options}."
        if options
        else "Change the request and call again.",
        rule=exc.rule,
        alternatives=exc.alternatives,
    )


def error_result(text: str, details: dict[str, Any]) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        is_error=True,
        _meta={ERROR_META_KEY: details},
    )


def success_result(model: BaseModel) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=model.model_dump_json(exclude_none=True))],
        structured_content=model.model_dump(mode="json", exclude_none=True),
    )


def presenting_results(fn: Callable[P, Awaitable[BaseModel]]) -> Callable[P, Awaitable[CallToolResult]]:
    """Wrap a tool so both outcomes take the shapes above; the signature (and so the schemas) is kept."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> CallToolResult:
        try:
            return success_result(await fn(*args, **kwargs))
        except ToolFailure as exc:
            logger.info("tool %s refused: %s", fn.__name__, exc.kind)
            return error_result(exc.describe(), exc.details())
        except RuleViolation as exc:
            logger.info("tool %s refused: rule %s", fn.__name__, exc.rule)
            failure = rule_failure(exc)
            return error_result(failure.describe(), failure.details())
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
