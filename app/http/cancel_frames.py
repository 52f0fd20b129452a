"""Honouring `notifications/cancelled` from 2025-era clients on a stateless server.

In the 2025 protocol a client cancels a request by POSTing a `notifications/cancelled` frame and
keeps the response stream open. On a stateless server that frame arrives as its own HTTP request
and the SDK has no session to match it to the call in flight, so the call would run on. Long tools
therefore register their cancel scope here, keyed by the caller's token fingerprint and the
JSON-RPC request id (`app/mcp/cancellation.py`), and this middleware cancels the scope when the
frame arrives on this replica.
(2026-07-28 clients cancel by closing the response stream, which the SDK handles by itself.)
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.http.body import peek_message
from app.mcp.cancellation import CancelRegistry
from app.tokens import fingerprint, parse_bearer

logger = logging.getLogger(__name__)


def cancelled_request_ids(message: Any) -> list[Any]:
    """The request ids named by `notifications/cancelled` frames in a parsed JSON-RPC message (or batch)."""
    frames = message if isinstance(message, list) else [message]
    return [
        frame["params"]["requestId"]
        for frame in frames
        if isinstance(frame, dict)
        and frame.get("method") == "notifications/cancelled"
        and isinstance(frame.get("params"), dict)
        and "requestId" in frame["params"]
    ]


class LegacyCancelMiddleware:
    """Read small POSTs to `/mcp`; apply any cancel frame to this caller's tracked calls; pass on."""

    def __init__(self, app: ASGIApp, registry: CancelRegistry, path: str = "/mcp") -> None:
        self.app = app
        self.registry = registry
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        receive, message = await peek_message(scope, receive)
        token = parse_bearer(Headers(scope=scope).get("authorization"))
        if token is not None:
            for request_id in cancelled_request_ids(message):
                if self.registry.cancel(token, request_id):
                    logger.info("cancelled request %r for token %s", request_id, fingerprint(token))
        await self.app(scope, receive, send)
