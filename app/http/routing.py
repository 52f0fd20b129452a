"""Which of the SDK's two streamable-HTTP transports answers a request.

Both serve the same MCP server at `/mcp`, in both protocol eras. The SSE transport carries progress
notifications and keep-alive pings and cancels a call when its client goes away; it is the default.
For a request that asked for no progress and is not a long-running tool, SSE buys nothing, and the
JSON transport answers it with much less work. Measured on the load benchmark (one core): 375
against 257 calls per second in the 2025 era. In the 2026-07-28 era the SSE handler answers plain
JSON by itself when nothing is streamed, but still runs a task group and a disconnect watcher for
every call: 5.2 against 4.2 ms of CPU per call (docs/performance.md).
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import URL
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketClose

from app.http.auth import MCP_PATH
from app.http.body import MESSAGE_KEY, NOT_JSON, NOT_READ, peek_message


def needs_stream(message: Any, streaming_tools: frozenset[str]) -> bool:
    """Whether a parsed JSON-RPC message should be answered over SSE: it asks for progress, or calls
    one of `streaming_tools` (long calls, marked in the tool inventory)."""
    if message is NOT_READ:
        return True  # large or unsized: the full-featured path, unread
    if message is NOT_JSON:
        return False  # either transport answers a parse error the same way
    if not isinstance(message, dict):
        return True  # batches and oddities: keep the full-featured path
    params = message.get("params")
    if not isinstance(params, dict):
        return False
    meta = params.get("_meta")
    if isinstance(meta, dict) and "progressToken" in meta:
        return True
    return message.get("method") == "tools/call" and params.get("name") in streaming_tools


NOT_FOUND = PlainTextResponse("Not Found", status_code=404)
NO_STREAM = JSONResponse(
    {"error": "method_not_allowed", "error_description": "This server offers no GET stream; POST to /mcp."},
    status_code=405,
    headers={"allow": "POST, DELETE"},
)


class TransportRouter:
    def __init__(self, streaming: ASGIApp, plain: ASGIApp, *, streaming_tools: frozenset[str]) -> None:
        self.streaming = streaming
        self.plain = plain
        self.streaming_tools = streaming_tools

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await WebSocketClose()(scope, receive, send)
            return
        if scope["path"] == MCP_PATH + "/":  # as Starlette's router does: same method and body, to /mcp
            to = URL(scope=scope).replace(path=MCP_PATH)
            await RedirectResponse(to, status_code=307)(scope, receive, send)
            return
        if scope["path"] != MCP_PATH:
            await NOT_FOUND(scope, receive, send)  # the transports answer any path given them
            return
        if scope["method"] == "GET":
            # A stateless server never has a message for a standalone stream: no GET stream is offered
            # (the spec's 405), instead of one that costs memory and carries only pings.
            await NO_STREAM(scope, receive, send)
            return
        if scope["method"] != "POST":
            await self.streaming(scope, receive, send)
            return
        receive, message = await peek_message(scope, receive)
        scope["extensions"].pop(MESSAGE_KEY)  # the last to look: the SDK parses the body itself
        target = self.streaming if needs_stream(message, self.streaming_tools) else self.plain
        await target(scope, receive, send)
