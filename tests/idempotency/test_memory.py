"""Idempotency records in process (app/idempotency/memory.py): claim, replay, conflict, waiting, expiry."""

from __future__ import annotations

import anyio
import pytest

from app.idempotency.memory import MemoryStore
from app.idempotency.store import Claimed, Conflict, InProgress, Replay, request_hash, scoped_key

pytestmark = pytest.mark.anyio

RESULT = {"task_id": "t-1"}


async def test_claim_then_replay_then_conflict() -> None:
    store = MemoryStore(ttl_seconds=60, max_records=10)
    assert await store.claim("k", "h1", wait_seconds=1) == Claimed()
    await store.complete("k", "h1", RESULT)
    assert await store.claim("k", "h1", wait_seconds=1) == Replay(RESULT)
    assert await store.claim("k", "h2", wait_seconds=1) == Conflict()


async def test_a_second_call_waits_for_the_first_and_gets_its_answer() -> None:
    store = MemoryStore(ttl_seconds=60, max_records=10)
    assert await store.claim("k", "h", wait_seconds=1) == Claimed()
    answers: list[object] = []

    async def second() -> None:
        answers.append(await store.claim("k", "h", wait_seconds=5))

    async with anyio.create_task_group() as group:
        group.start_soon(second)
        await anyio.sleep(0.05)
        assert answers == []  # still waiting for the first call
        await store.complete("k", "h", RESULT)
    assert answers == [Replay(RESULT)]


async def test_a_failed_first_call_lets_the_waiter_submit() -> None:
    store = MemoryStore(ttl_seconds=60, max_records=10)
    await store.claim("k", "h", wait_seconds=1)
    answers: list[object] = []

    async def second() -> None:
        answers.append(await store.claim("k", "h", wait_seconds=5))

    async with anyio.create_task_group() as group:
        group.start_soon(second)
        await anyio.sleep(0.05)
        await store.release("k", "h")
    assert answers == [Claimed()]


async def test_a_wait_that_runs_out_never_resends() -> None:
    store = MemoryStore(ttl_seconds=60, max_records=10)
    await store.claim("k", "h", wait_seconds=1)
    assert await store.claim("k", "h", wait_seconds=0.05) == InProgress()


async def test_answers_expire() -> None:
    store = MemoryStore(ttl_seconds=0.05, max_records=10)
    await store.claim("a", "h", wait_seconds=1)
    await store.complete("a", "h", RESULT)
    await anyio.sleep(0.1)
    assert await store.claim("a", "h", wait_seconds=1) == Claimed()  # expired: a fresh claim


async def test_when_full_the_oldest_answers_go_first() -> None:
    store = MemoryStore(ttl_seconds=60, max_records=2)
    for key in ("a", "b", "c"):
        await store.claim(key, "h", wait_seconds=1)
        await store.complete(key, "h", RESULT)
    assert await store.claim("d", "h", wait_seconds=1) == Claimed()
    assert await store.claim("c", "h", wait_seconds=1) == Replay(RESULT)
    assert await store.claim("a", "h", wait_seconds=1) == Claimed()  # dropped to stay within the bound


def test_keys_are_scoped_per_caller_and_requests_hash_by_content() -> None:
    assert scoped_key("fp-a", "k") != scoped_key("fp-b", "k")
    assert "k" not in scoped_key("fp-a", "k").split(":", 1)[1]
    assert request_hash("/p", {"a": 1, "b": 2}) == request_hash("/p", {"b": 2, "a": 1})
    assert request_hash("/p", {"a": 1}) != request_hash("/q", {"a": 1})
