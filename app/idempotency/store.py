"""What an idempotency store does, whichever keeps the records.

Stripe's semantics, per caller (token fingerprint) and key:
- the first call `claim`s the key with a hash of its request and submits;
- a later call with the same hash gets the recorded answer (`Replay`) without a second submission;
- a later call with another hash is a `Conflict`;
- a call while the first is still submitting waits for it, then replays its answer, or claims the
  key itself if the first gave up (its submission failed, so nothing was recorded).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Claimed:
    """This call owns the key: submit, then `complete` (or `release` when the submission failed)."""


@dataclass(frozen=True)
class Replay:
    result: dict[str, Any]


@dataclass(frozen=True)
class Conflict:
    """The key was used for a different request."""


@dataclass(frozen=True)
class InProgress:
    """The first call with this key is still submitting after the wait."""


@dataclass(frozen=True)
class Unavailable:
    """The store cannot be reached; submit without idempotency rather than fail the call."""

    reason: str


Outcome = Claimed | Replay | Conflict | InProgress | Unavailable


class IdempotencyStore(Protocol):
    async def claim(self, key: str, request_hash: str, *, wait_seconds: float) -> Outcome: ...

    async def complete(self, key: str, request_hash: str, result: dict[str, Any]) -> None: ...

    async def release(self, key: str, request_hash: str) -> None: ...

    # Single-use marks for the OAuth door (codes, refresh-token generations, revoked grants): names
    # and expiries only, never tokens. None: the store cannot be reached, so the caller must refuse.
    async def use_once(self, name: str, ttl_seconds: float) -> bool | None:
        """True the first time `name` is used within its TTL, False after that."""
        ...

    async def was_used(self, name: str) -> bool | None: ...


def request_hash(path: str, body: dict[str, Any]) -> str:
    """The same request, whatever the order of its fields, hashes the same."""
    canonical = json.dumps([path, body], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def scoped_key(fingerprint: str, key: str) -> str:
    """The record's name: the caller's token fingerprint and a hash of the caller's key."""
    return f"{fingerprint}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"
