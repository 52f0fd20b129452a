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
NOT_READ = object()  # the body was not looked at: too large, or of unknown length
MESSAGE_KEY = "kling-mcp.message"  # in scope["extensions"]: the body parsed by the first to look
MAX_PEEKED_BODY = 64 * 1024  # a 1,000-id call is about 40 KiB; larger bodies are passed on unread


async def peek_message(scope: Scope, receive: Receive) -> tuple[Receive, Any]:
    """The request's JSON-RPC message (or NOT_JSON, or NOT_READ for a large or unsized body), and the
    receive to pass on. The first middleware that asks reads and parses the body and keeps the result
    in the scope; the others get it from there, so a call's body is read and parsed once, not once
    per middleware that looks at it."""
    extensions = scope.setdefault("extensions", {})
    if MESSAGE_KEY in extensions:
        return receive, extensions[MESSAGE_KEY]
    if small_body_length(scope, MAX_PEEKED_BODY) is None:
        extensions[MESSAGE_KEY] = NOT_READ
        return receive, NOT_READ
    messages, body = await read_body(receive)
    extensions[MESSAGE_KEY] = message = parse_json(body)
    return replay(messages, receive), message


def parse_json(body: bytes) -> Any:
    """The body as JSON, or `NOT_JSON`: malformed, or nested too deep for the parser (a stranger's body
    can be either; both must reach the SDK, which answers a JSON-RPC parse error, never a crash)."""
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return NOT_JSON


def called_tool(body: bytes) -> tuple[Any, str | None]:
    """The JSON-RPC id and the tool a `tools/call` body names (None for anything else)."""
    return tool_of(parse_json(body))


def tool_of(message: Any) -> tuple[Any, str | None]:
    """The JSON-RPC id and the tool a parsed `tools/call` message names (None for anything else)."""
    if not isinstance(message, dict):
        return None, None
    request_id = message.get("id")
    params = message.get("params")
    if message.get("method") != "tools/call" or not isinstance(params, dict):
        return request_id, None
    name = params.get("name")
    return request_id, name if isinstance(name, str) else None
