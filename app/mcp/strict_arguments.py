"""Generation tools refuse top-level arguments they do not have, before anything is validated or sent.

The SDK builds each tool's argument model with unknown keys ignored, so `durration=10` would
silently become a 5 s video, billed. Nested objects already forbid extras (`StrictInput`); this
MCP middleware does the same for the top level of every tool that spends credits, and names the
nearest valid argument. Read-only tools stay lenient.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerMiddleware, ServerRequestContext

from app.errors import UnknownArguments
from app.mcp.results import error_result


class StrictArguments(ServerMiddleware[Any]):
    def __init__(self, arguments_by_tool: Mapping[str, frozenset[str]]) -> None:
        self.arguments_by_tool = arguments_by_tool

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        if ctx.method == "tools/call" and isinstance(ctx.params, dict):
            name, arguments = ctx.params.get("name"), ctx.params.get("arguments")
            allowed = self.arguments_by_tool.get(name) if isinstance(name, str) else None
            if allowed is not None and isinstance(arguments, dict):
                unknown = sorted(str(key) for key in arguments if key not in allowed)
                if unknown:
                    assert isinstance(name, str)
                    error = UnknownArguments(name, unknown, sorted(allowed))
                    return error_result(error.describe(), error.details())
        return await call_next(ctx)
