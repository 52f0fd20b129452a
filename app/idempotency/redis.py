"""Idempotency records in Redis, so a retry that lands on another replica finds the first answer.

One string per record, `kling-mcp:idem:<fingerprint>:<key hash>`, holding JSON: the request hash,
and the result once there is one. A claim is `SET NX` with a short expiry (a replica that dies
mid-submit cannot hold the key for long); the answer is written with the full TTL. Redis being
down never fails a call: the store answers `Unavailable` and the submission goes ahead without
idempotency, with a warning and a metric.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import anyio
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from app.idempotency.store import Claimed, Conflict, InProgress, Outcome, Replay, Unavailable

logger = logging.getLogger(__name__)

PREFIX = "kling-mcp:idem:"
USED_PREFIX = "kling-mcp:used:"  # single-use marks of the OAuth door
POLL_SECONDS = 0.1


class RedisStore:
    def __init__(
        self,
        client: aioredis.Redis,
        *,
        ttl_seconds: float,
        claim_seconds: float,
        on_error: Callable[[str], None] = lambda op: None,
    ) -> None:
        self.client = client
        self.ttl_ms = int(ttl_seconds * 1000)
        self.claim_ms = int(claim_seconds * 1000)
        self.on_error = on_error

    @classmethod
    def from_url(cls, url: str, *, timeout_seconds: float, **kwargs: Any) -> RedisStore:
        client = aioredis.Redis.from_url(
            url, socket_timeout=timeout_seconds, socket_connect_timeout=timeout_seconds
        )
        return cls(client, **kwargs)

    async def aclose(self) -> None:
        await self.client.aclose()

    async def claim(self, key: str, request_hash: str, *, wait_seconds: float) -> Outcome:
        name = PREFIX + key
        pending = json.dumps({"hash": request_hash})
        deadline = time.monotonic() + wait_seconds
        try:
            while True:
                if await self.client.set(name, pending, nx=True, px=self.claim_ms):
                    return Claimed()
                raw = await self.client.get(name)
                if raw is None:
                    continue  # released or expired between the two calls: claim again
                record = json.loads(raw)
                if record.get("hash") != request_hash:
                    return Conflict()
                if "result" in record:
                    return Replay(record["result"])
                if time.monotonic() >= deadline:
                    return InProgress()
                await anyio.sleep(POLL_SECONDS)
        except (RedisError, OSError, ValueError) as exc:
            return self._unavailable("claim", exc)

    async def complete(self, key: str, request_hash: str, result: dict[str, Any]) -> None:
        try:
            await self.client.set(
                PREFIX + key, json.dumps({"hash": request_hash, "result": result}), px=self.ttl_ms
            )
        except (RedisError, OSError) as exc:
            self._unavailable("complete", exc)

    async def release(self, key: str, request_hash: str) -> None:
        name = PREFIX + key
        try:
            raw = await self.client.get(name)
            if raw is not None:
                record = json.loads(raw)
                if record.get("hash") == request_hash and "result" not in record:
                    await self.client.delete(name)
        except (RedisError, OSError, ValueError) as exc:
            self._unavailable("release", exc)

    async def use_once(self, name: str, ttl_seconds: float) -> bool | None:
        try:
            first = await self.client.set(
                USED_PREFIX + name, b"1", nx=True, px=max(1, int(ttl_seconds * 1000))
            )
        except (RedisError, OSError) as exc:
            self._unavailable("use_once", exc)
            return None
        return bool(first)

    async def was_used(self, name: str) -> bool | None:
        try:
            return bool(await self.client.exists(USED_PREFIX + name))
        except (RedisError, OSError) as exc:
            self._unavailable("was_used", exc)
            return None

    def _unavailable(self, operation: str, exc: Exception) -> Unavailable:
        logger.warning("idempotency store unavailable (%s): %s", operation, type(exc).__name__)
        self.on_error(operation)
        return Unavailable(type(exc).__name__)
