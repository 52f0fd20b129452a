"""A request's head (request line and headers) must arrive within the read deadline.

uvicorn bounds the idle time between keep-alive requests, but not a connection that never sends a
byte, nor one that sends its headers a byte at a time: either holds a socket and a protocol object
for as long as the sender likes. This protocol closes such a connection with 408 once
`KLING_MCP_REQUEST_READ_TIMEOUT_SECONDS` have passed since it opened (first request) or since the
first byte of the next request (keep-alive), and records when the request began in the scope, so
the body deadline (`body_deadline.py`) counts from the same first byte.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from starlette.types import Scope
from uvicorn.protocols.http.h11_impl import H11Protocol

STARTED_KEY = "kling-mcp.request_started"  # in scope["extensions"]: time.monotonic() of the first byte

_TIMEOUT_RESPONSE = b"HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n"


def request_started(scope: Scope) -> float | None:
    """When the request's first byte arrived, if the serving protocol recorded it."""
    started = scope.get("extensions", {}).get(STARTED_KEY)
    return started if isinstance(started, float) else None


class HeadDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on each request head. Subclassed per deadline (below)."""

    head_timeout_seconds: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_started: float | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(time.monotonic())  # a connection that never sends a byte is closed too

    def data_received(self, data: bytes) -> None:
        between_requests = self.cycle is None or self.cycle.response_complete
        if between_requests and self._head_timer is None:
            self._arm(time.monotonic())  # the first byte of a keep-alive request
        cycle = self.cycle
        super().data_received(data)
        if self.cycle is not cycle:  # the head is complete and the request's task created
            self._disarm()
            scope: dict[str, Any] = self.cycle.scope  # type: ignore[assignment]
            scope.setdefault("extensions", {})[STARTED_KEY] = self._head_started
            self._head_started = None

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self, started: float) -> None:
        self._disarm()
        if self._head_started is None:
            self._head_started = started
        self._head_timer = self.loop.call_later(self.head_timeout_seconds, self._head_timed_out)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.write(_TIMEOUT_RESPONSE)
            self.transport.close()


def head_deadline_protocol(seconds: float) -> type[HeadDeadlineProtocol]:
    """The protocol class for uvicorn's `http=` option, with this deadline."""
    return type("HeadDeadlineProtocol", (HeadDeadlineProtocol,), {"head_timeout_seconds": seconds})
