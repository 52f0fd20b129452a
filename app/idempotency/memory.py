"""Idempotency records in this process: enough for one replica, lost on restart."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import anyio

from app.idempotency.store import Claimed, Conflict, InProgress, Outcome, Replay


@dataclass
class _Record:
    request_hash: str
    expires: float
    result: dict[str, Any] | None = None  # None while the first call is still submitting
    done: anyio.Event = field(default_factory=anyio.Event)


class MemoryStore:
    def __init__(self, ttl_seconds: float, max_records: int) -> None:
        self.ttl = ttl_seconds
        self.max_records = max_records
        # Oldest first: answered records move to the end, so expiry only ever looks at the front.
        self._records: OrderedDict[str, _Record] = OrderedDict()
        self._used: OrderedDict[str, float] = OrderedDict()  # single-use marks: name -> expiry

    async def use_once(self, name: str, ttl_seconds: float) -> bool | None:
        if await self.was_used(name):
            return False
        self._used[name] = time.monotonic() + ttl_seconds
        while len(self._used) > self.max_records:
            self._used.popitem(last=False)
        return True

    async def was_used(self, name: str) -> bool | None:
        expires = self._used.get(name)
        if expires is not None and expires <= time.monotonic():
            del self._used[name]
            return False
        return expires is not None

    async def claim(self, key: str, request_hash: str, *, wait_seconds: float) -> Outcome:
        self._expire()
        record = self._records.get(key)
        if record is not None and record.request_hash != request_hash:
            return Conflict()
        if record is not None and record.result is None:
            with anyio.move_on_after(wait_seconds):
                await record.done.wait()
            record = self._records.get(key)
            if record is not None and record.request_hash != request_hash:
                return Conflict()
        if record is not None and record.result is not None:
            return Replay(record.result)
        if record is not None:  # still submitting after the wait: never send a second time
            return InProgress()
        self._records[key] = _Record(request_hash, time.monotonic() + self.ttl)
        return Claimed()

    async def complete(self, key: str, request_hash: str, result: dict[str, Any]) -> None:
        record = self._records.get(key)
        if record is not None and record.request_hash == request_hash:
            record.result = result
            record.expires = time.monotonic() + self.ttl
            self._records.move_to_end(key)
            record.done.set()

    async def release(self, key: str, request_hash: str) -> None:
        record = self._records.get(key)
        if record is not None and record.request_hash == request_hash and record.result is None:
            del self._records[key]
            record.done.set()

    def _expire(self) -> None:
        """Drop answered records that expired, or the oldest when over the bound; O(dropped), not O(n)."""
        now = time.monotonic()
        while self._records:
            oldest = next(iter(self._records.values()))
            if oldest.result is None:  # still submitting: it ends soon and moves to the end
                break
            if oldest.expires > now and len(self._records) <= self.max_records:
                break
            self._records.popitem(last=False)
