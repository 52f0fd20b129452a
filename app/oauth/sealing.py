"""Sealed envelopes: what the OAuth door issues, encrypted and authenticated, so no replica keeps state.

A sealed value is `<prefix><Fernet token>`. The prefix says what it is (so `/mcp` recognises its own
access tokens among raw API tokens) and the payload repeats the kind, so a value of one kind never
opens as another. Keys come newest first: the newest seals, every one opens, so a key can be
retired without signing anyone out until what it sealed has expired.
"""

from __future__ import annotations

import json
import time
from enum import StrEnum
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class Kind(StrEnum):
    CLIENT = "client"  # a dynamically registered client: its metadata and secret
    SIGN_IN = "sign_in"  # an /authorize request waiting on the sign-in page
    CODE = "code"
    ACCESS = "access"
    REFRESH = "refresh"
    TASK = "task"  # a tasks-extension handle: a Kling task id and whose it is (app/mcp/tasks_extension.py)


PREFIXES = {
    Kind.CLIENT: "kmcp-client.",
    Kind.SIGN_IN: "kmcp-sign-in.",
    Kind.CODE: "kmcp-code.",
    Kind.ACCESS: "kmcp-at.",
    Kind.REFRESH: "kmcp-rt.",
    Kind.TASK: "kmcp-task.",
}


class SealError(Exception):
    """A value that does not open: `expired`, or `invalid` (forged, damaged, another kind, a retired key)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def looks_sealed(value: str, kind: Kind) -> bool:
    return value.startswith(PREFIXES[kind])


class Sealer:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._fernet = MultiFernet([Fernet(key) for key in keys])

    def seal(self, kind: Kind, payload: dict[str, Any], *, lifetime_seconds: float | None) -> str:
        body: dict[str, Any] = {"k": kind.value, **payload}
        if lifetime_seconds is not None:
            body["exp"] = int(time.time() + lifetime_seconds)
        token = self._fernet.encrypt(json.dumps(body, separators=(",", ":")).encode())
        return PREFIXES[kind] + token.decode()

    def open(self, kind: Kind, value: str) -> dict[str, Any]:
        """The payload of a value sealed as `kind`, or SealError."""
        prefix = PREFIXES[kind]
        if not value.startswith(prefix):
            raise SealError("invalid")
        try:
            payload = json.loads(self._fernet.decrypt(value[len(prefix) :].encode()))
        except (InvalidToken, ValueError, UnicodeError):
            raise SealError("invalid") from None
        if not isinstance(payload, dict) or payload.get("k") != kind.value:
            raise SealError("invalid")
        expires = payload.get("exp")
        if expires is not None and (not isinstance(expires, int) or expires <= time.time()):
            raise SealError("expired")
        return payload
