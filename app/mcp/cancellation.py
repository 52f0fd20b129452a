"""Cancel scopes of long tool calls, keyed by caller and request id, so a cancel frame can find them.

A 2025-era client cancels with a separate `notifications/cancelled` POST, which a stateless server
cannot match to the call in flight by itself. Long tools (the wait) run inside `track(...)`; the
HTTP edge (`app/http/cancel_frames.py`) calls `cancel(...)` when a frame from the same token names
the request. Keys hold the token's fingerprint, never the token.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import anyio

from app.tokens import fingerprint

Key = tuple[str, str]


class CancelRegistry:
    def __init__(self) -> None:
        self._scopes: dict[Key, anyio.CancelScope] = {}

    def __len__(self) -> int:
        return len(self._scopes)

    @contextlib.contextmanager
    def track(self, token: str, request_id: Any) -> Iterator[anyio.CancelScope]:
        key = (fingerprint(token), str(request_id))
        with anyio.CancelScope() as scope:
            self._scopes[key] = scope
            try:
                yield scope
            finally:
                if self._scopes.get(key) is scope:
                    del self._scopes[key]

    def cancel(self, token: str, request_id: Any) -> bool:
        scope = self._scopes.get((fingerprint(token), str(request_id)))
        if scope is None:
            return False
        scope.cancel()
        return True
