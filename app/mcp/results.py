"""How every tool result reaches the agent, success or failure. Applied once, at registration.

Success: `structuredContent` is the tool's pydantic model without null fields, and the text block
says the same for the model that reads it (`render.py`). Agents pay for every byte they read.

Failure: any `KlingMcpError` (the one error tree, `app/errors.py`) becomes `isError: true` with one
readable paragraph ending in "Next step: ...", and the machine-readable facts (kind, upstream HTTP
status, code, message, trace_id, rule) under `_meta["kling-mcp/error"]`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec

from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel

from app.errors import KlingMcpError
from app.mcp.render import text_for

logger = logging.getLogger(__name__)

ERROR_META_KEY = "kling-mcp/error"

P = ParamSpec("P")


def error_result(text: str, details: dict[str, Any]) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        is_error=True,
        _meta={ERROR_META_KEY: details},
    )


def success_result(model: BaseModel) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text_for(model))],
        structured_content=model.model_dump(mode="json", exclude_none=True),
    )


def presenting_results(fn: Callable[P, Awaitable[BaseModel]]) -> Callable[P, Awaitable[CallToolResult]]:
    """Wrap a tool so both outcomes take the shapes above; the signature (and so the schemas) is kept."""

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> CallToolResult:
        try:
            return success_result(await fn(*args, **kwargs))
        except KlingMcpError as exc:
            logger.info("tool %s failed: %s", fn.__name__, exc.log_summary())
            return error_result(exc.describe(), exc.details())

    return wrapper
