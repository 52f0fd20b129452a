"""Small ASGI helpers shared by the middlewares that look at a request body before passing it on."""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import Headers
from starlette.types import Message, Receive, Scope


def small_body_length(scope: Scope, limit: int) -> int | None:
    """The declared body length when it is at most `limit` bytes, else None (unknown or too big)."""
    length = Headers(scope=scope).get("content-length")
    if length is None or not length.isdigit() or int(length) > limit:
        return None
    return int(length)


async def read_body(receive: Receive) -> tuple[list[Message], bytes]:
    """Read the whole request body, keeping the messages so they can be replayed."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return messages, b"".join(chunks)


def replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive callable that returns `messages` first, then defers to the real one.

    It takes the list over and empties it as it goes, so a large body is not kept alive here for the
    whole call once the next layer has taken it."""
    pending = messages
    pending.reverse()  # pop from the end: O(1) per message

    async def receive_again() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return receive_again


NOT_JSON = object()


def parse_json(body: bytes) -> Any:
    """The body as JSON, or `NOT_JSON`: malformed, or nested too deep for the parser (a stranger's body
    can be either; both must reach the SDK, which answers a JSON-RPC parse error, never a crash)."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return NOT_JSON


def called_tool(body: bytes) -> tuple[Any, str | None]:
    """The JSON-RPC id and the tool a `tools/call` body names (None for anything else)."""
    message = parse_json(body)
    if message is NOT_JSON or not isinstance(message, dict):
        return None, None
    request_id = message.get("id")
    params = message.get("params")
    if message.get("method") != "tools/call" or not isinstance(params, dict):
        return request_id, None
    name = params.get("name")
    return request_id, name if isinstance(name, str) else None
