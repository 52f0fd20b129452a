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

Key = tuple[str, str, str]


def _key(token: str, request_id: Any) -> Key:
    # The id's JSON type is part of it: 1 and "1" are different requests.
    return fingerprint(token), type(request_id).__name__, str(request_id)


class CancelRegistry:
    def __init__(self) -> None:
        self._scopes: dict[Key, list[anyio.CancelScope]] = {}

    def __len__(self) -> int:
        return sum(len(scopes) for scopes in self._scopes.values())

    @contextlib.contextmanager
    def track(self, token: str, request_id: Any) -> Iterator[anyio.CancelScope]:
        key = _key(token, request_id)
        with anyio.CancelScope() as scope:
            # A client may reuse an id on another connection: keep every call under it cancellable.
            self._scopes.setdefault(key, []).append(scope)
            try:
                yield scope
            finally:
                scopes = self._scopes[key]
                scopes.remove(scope)
                if not scopes:
                    del self._scopes[key]

    def cancel(self, token: str, request_id: Any) -> bool:
        scopes = self._scopes.get(_key(token, request_id), [])
        for scope in scopes:
            scope.cancel()
        return bool(scopes)
