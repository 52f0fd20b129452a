"""A call's body must arrive whole, in time, within its tool's size limit and the process's byte
budget, before it takes any slot.

- Deadline: the body must be in within `KLING_MCP_REQUEST_READ_TIMEOUT_SECONDS` of the request's
  first byte (recorded by `head_deadline.py`), else 408. Without it, a few connections that send a
  few bytes of a large body held every slot for as long as they liked.
- Size: most calls fit in `KLING_MCP_MAX_REQUEST_BODY_BYTES`; only tools that take base64 media
  (marked in the tool inventory) may send up to `KLING_MCP_MAX_MEDIA_REQUEST_BODY_BYTES`. 413 as
  soon as the size is known, so an oversized body is never buffered whole.
- Budget: the bytes of all bodies being read or served at once stay within
  `KLING_MCP_MAX_REQUEST_BYTES_IN_FLIGHT` for ordinary bodies and `KLING_MCP_MAX_MEDIA_BYTES_IN_FLIGHT`
  for larger ones (503 past either). A call holds its bytes until it answers,
  because the parsed, validated and forwarded copies of a body live as long as the call; this is
  what bounds the memory strangers can make the process hold (docs/operations.md has the figures).

Later layers get the body replayed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import anyio
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.body import called_tool, replay
from app.http.head_deadline import request_started

INVALID_REQUEST = -32600
SERVER_BUSY = -32000


class ByteBudget:
    """Bytes of request bodies held at once by this process, in one pool."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.used = 0


class Reservation:
    """One request's bytes, held in the ordinary pool while its body fits the ordinary limit and in
    the media pool once it is larger; `release` gives all of it back, however the request ended.
    Two pools, so that large media bodies can never crowd out ordinary calls, nor the reverse."""

    def __init__(self, ordinary: ByteBudget, media: ByteBudget, ordinary_limit: int) -> None:
        self.ordinary = ordinary
        self.media = media
        self.ordinary_limit = ordinary_limit
        self.pool: ByteBudget | None = None
        self.size = 0

    def grow_to(self, size: int) -> bool:
        """Hold `size` bytes in all (never less than now); False when its pool has no room."""
        if size <= self.size:
            return True
        pool = self.media if size > self.ordinary_limit else self.ordinary
        held_there = self.size if pool is self.pool else 0
        if pool.used - held_there + size > pool.capacity:
            return False
        self.release()
        pool.used += size
        self.pool, self.size = pool, size
        return True

    def release(self) -> None:
        if self.pool is not None:
            self.pool.used -= self.size
        self.pool, self.size = None, 0


async def _answer(
    send: Send, status: int, code: int, message: str, request_id: Any = None, retry_after: int | None = None
) -> None:
    body = json.dumps(
        {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}
    ).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MiB" if n >= 1024 * 1024 else f"{n / 1024:g} KiB"


class BodyLimitsMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        path: str,
        max_bytes: int,
        max_media_bytes: int,
        media_tools: frozenset[str],
        bytes_in_flight: int,
        media_bytes_in_flight: int,
        seconds: float,
        on_refuse: Callable[[str], None] | None = None,
    ) -> None:
        self.app = app
        self.path = path
        self.max_bytes = max_bytes
        self.max_media_bytes = max_media_bytes
        self.media_tools = media_tools
        self.ordinary_pool = ByteBudget(bytes_in_flight)
        self.media_pool = ByteBudget(media_bytes_in_flight)
        self.seconds = seconds
        self.on_refuse = on_refuse or (lambda reason: None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        reservation = Reservation(self.ordinary_pool, self.media_pool, self.max_bytes)
        try:
            messages = await self._read(scope, receive, send, reservation)
            if messages is not None:
                await self.app(scope, replay(messages, receive), send)
        finally:
            reservation.release()

    async def _read(
        self, scope: Scope, receive: Receive, send: Send, reservation: Reservation
    ) -> list[Message] | None:
        """The body's messages, their bytes held in `reservation`; None once answered with an error."""
        declared = Headers(scope=scope).get("content-length")
        expected = int(declared) if declared is not None and declared.isdigit() else 0
        if expected > self.max_media_bytes:
            await self._too_large(send, expected)
            return None
        started = request_started(scope) or time.monotonic()
        if not reservation.grow_to(expected):
            await self._refuse_for_room(receive, send, started, expected, more=True)
            return None
        messages: list[Message] = []
        size = 0
        no_room = False
        with anyio.move_on_after(self._left(started)) as deadline:
            while True:
                message = await receive()
                messages.append(message)
                if message["type"] != "http.request":
                    break
                size += len(message.get("body", b""))
                if size > self.max_media_bytes:
                    await self._too_large(send, size)
                    return None
                if not reservation.grow_to(size):  # undeclared (chunked) bodies take bytes as they come
                    no_room = True
                    break
                if not message.get("more_body", False):
                    break
        if deadline.cancelled_caught:
            await self._late(send)
            return None
        if no_room:
            messages.clear()
            more = bool(message.get("more_body", False))
            await self._refuse_for_room(receive, send, started, size, more=more)
            return None
        if size > self.max_bytes and not await self._media_may_be_large(messages, size, send):
            return None
        return messages

    async def _refuse_for_room(
        self, receive: Receive, send: Send, started: float, size: int, *, more: bool
    ) -> None:
        """503 for a body its pool has no room for, once the rest of it is read and dropped (answering
        before then would close the connection on unread data, and the client would see a reset
        instead of an answer that says to retry); 408 if the rest does not arrive in time."""
        if more and not await self._discard_rest(receive, started):
            await self._late(send)
            return
        self.on_refuse("bytes_busy")
        what = "base64 media calls" if size > self.max_bytes else "request bytes"
        message = f"Server busy: too many {what} in flight on this instance. Retry in 1 s."
        await _answer(send, 503, SERVER_BUSY, message, retry_after=1)

    async def _late(self, send: Send) -> None:
        self.on_refuse("slow_body")
        late = f"The request did not arrive whole within {self.seconds:g} s of its first byte."
        await _answer(send, 408, INVALID_REQUEST, late)

    def _left(self, started: float) -> float:
        return self.seconds - (time.monotonic() - started)

    async def _discard_rest(self, receive: Receive, started: float) -> bool:
        """Read and drop the rest of a body; False if it did not end within the deadline."""
        with anyio.move_on_after(self._left(started)):
            while True:
                message = await receive()
                if message["type"] != "http.request" or not message.get("more_body", False):
                    return True
        return False

    async def _media_may_be_large(self, messages: list[Message], size: int, send: Send) -> bool:
        """A body over the ordinary limit passes only when it calls a tool that takes base64 media."""
        request_id, tool = called_tool(b"".join(m.get("body", b"") for m in messages))
        if tool in self.media_tools:
            return True
        self.on_refuse("too_large")
        media = ", ".join(sorted(self.media_tools))
        message = (
            f"Request body is {size} bytes; this call may send at most {_size(self.max_bytes)}. "
            f"Only {media} (base64 media) may send up to {_size(self.max_media_bytes)}. "
            "Pass media by URL, or send fewer ids per call."
        )
        await _answer(send, 413, INVALID_REQUEST, message, request_id)
        return False

    async def _too_large(self, send: Send, size: int) -> None:
        self.on_refuse("too_large")
        message = (
            f"Request body of {size} bytes is over this server's {_size(self.max_media_bytes)} limit. "
            "Pass media by URL instead of base64."
        )
        await _answer(send, 413, INVALID_REQUEST, message)
