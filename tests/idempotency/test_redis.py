"""Idempotency records in a real Redis (app/idempotency/redis.py), and what happens when it is down."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import pytest

from app.idempotency.redis import RedisStore
from app.idempotency.store import Claimed, Conflict, InProgress, Replay, Unavailable
from tests.helpers import free_port, running_redis

pytestmark = pytest.mark.anyio

RESULT = {"task_id": "t-1", "poll_after_seconds": 30}


@pytest.fixture(scope="module")
async def redis_url() -> AsyncIterator[str]:
    async with running_redis() as url:
        yield url


def store_for(url: str, errors: list[str] | None = None) -> RedisStore:
    seen = errors if errors is not None else []
    return RedisStore.from_url(url, timeout_seconds=1, ttl_seconds=60, claim_seconds=5, on_error=seen.append)


async def test_claim_replay_and_conflict_across_two_clients(redis_url: str) -> None:
    first, second = store_for(redis_url), store_for(redis_url)  # as two replicas would
    try:
        assert await first.claim("k1", "h", wait_seconds=1) == Claimed()
        await first.complete("k1", "h", RESULT)
        assert await second.claim("k1", "h", wait_seconds=1) == Replay(RESULT)
        assert await second.claim("k1", "other", wait_seconds=1) == Conflict()
    finally:
        await first.aclose()
        await second.aclose()


async def test_a_second_replica_waits_for_the_first(redis_url: str) -> None:
    first, second = store_for(redis_url), store_for(redis_url)
    answers: list[object] = []

    async def wait_on_second() -> None:
        answers.append(await second.claim("k2", "h", wait_seconds=5))

    try:
        assert await first.claim("k2", "h", wait_seconds=1) == Claimed()
        async with anyio.create_task_group() as group:
            group.start_soon(wait_on_second)
            await anyio.sleep(0.3)
            assert answers == []
            await first.complete("k2", "h", RESULT)
        assert answers == [Replay(RESULT)]
        assert await second.claim("k3", "h", wait_seconds=1) == Claimed()
        assert await first.claim("k3", "h", wait_seconds=0.2) == InProgress()
        await second.release("k3", "h")
        assert await first.claim("k3", "h", wait_seconds=0.2) == Claimed()
    finally:
        await first.aclose()
        await second.aclose()


async def test_redis_down_is_unavailable_not_an_error() -> None:
    errors: list[str] = []
    store = store_for(f"redis://127.0.0.1:{free_port()}/0", errors)  # nothing listens there
    try:
        outcome = await store.claim("k", "h", wait_seconds=1)
        await store.complete("k", "h", RESULT)
    finally:
        await store.aclose()
    assert isinstance(outcome, Unavailable) and errors == ["claim", "complete"]
