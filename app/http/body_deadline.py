"""A call's body must arrive whole, within a deadline and the size limit, before it takes any slot.

Without this, admission counted a call before its body was read and nothing bounded the read: a
handful of connections that send a few bytes of a large body held every slot for as long as they
liked. Here the body of `POST /mcp` is read first (later layers get it replayed): a body still
incomplete after `KLING_MCP_REQUEST_READ_TIMEOUT_SECONDS` gets 408, and one over the size limit 413
as soon as it is known, so neither is ever buffered whole.
"""

from __future__ import annotations

import json

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.body import replay


async def _answer(send: Send, status: int, message: str) -> None:
    body = json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyDeadlineMiddleware:
    def __init__(self, app: ASGIApp, *, path: str, max_bytes: int, seconds: float) -> None:
        self.app = app
        self.path = path
        self.max_bytes = max_bytes
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        size = 0
        with anyio.move_on_after(self.seconds) as deadline:
            while True:
                message = await receive()
                messages.append(message)
                if message["type"] != "http.request":
                    break
                size += len(message.get("body", b""))
                if size > self.max_bytes:
                    await _answer(send, 413, f"Request body over {self.max_bytes} bytes.")
                    return
                if not message.get("more_body", False):
                    break
        if deadline.cancelled_caught:
            await _answer(send, 408, f"The request body did not arrive within {self.seconds:g} s.")
            return
        await self.app(scope, replay(messages, receive), send)
