"""Shared polling (app/kling/polling.py): the waits of one token read together, never across tokens."""

from __future__ import annotations

import time
from typing import Any

import anyio
import pytest

from app.kling.batch import Found
from app.kling.polling import PollHub
from app.kling.status import TaskStatus
from app.kling.wait import WaitPlan, wait_for_tasks
from app.upstream.errors import UpstreamAuthError
from tests.helpers import InProcess, in_process_upstream

pytestmark = pytest.mark.anyio

PLAN = WaitPlan(
    timeout_seconds=1.5,
    until="all",
    first_poll_seconds=0.05,
    max_poll_seconds=0.2,
    heartbeat_seconds=0.5,
    poll_after_seconds=15,
)


async def silent(progress: float, total: float, message: str) -> None:
    pass


async def task_reads(running: InProcess) -> list[dict[str, Any]]:
    return [entry for entry in await running.sim.journal() if entry["path"] == "/kling/tasks"]


async def wait_on(hub: PollHub, token: str, ids: list[str]) -> None:
    await wait_for_tasks(hub, ids, token=token, plan=PLAN, report=silent)


async def hold_waits(running: InProcess, hubs: list[PollHub], waits: list[tuple[str, str]]) -> None:
    """One wait per (token, task id), all at once, each through `hubs[i % len(hubs)]`."""
    async with anyio.create_task_group() as group:
        for n, (token, task_id) in enumerate(waits):
            hub = hubs[n % len(hubs)]
            group.start_soon(wait_on, hub, token, [task_id])


def hub_for(running: InProcess) -> PollHub:
    return PollHub(running.upstream, chunk_size=50, max_concurrency=4)


async def test_waits_of_one_token_read_together() -> None:
    async with in_process_upstream(task_seconds=600) as running:
        ids = await running.sim.bulk("tok-shared", 20)
        waits = [("tok-shared", task_id) for task_id in ids]
        shared = hub_for(running)
        await hold_waits(running, [shared], waits)
        together = len(await task_reads(running))
        await running.sim.http.delete("/_sim/requests")
        # The same waits, each on a poller of its own: how the server read before sharing.
        await hold_waits(running, [hub_for(running) for _ in waits], waits)
        alone = len(await task_reads(running))
    assert together == shared.reads
    assert together * 5 <= alone, (together, alone)  # 20 waits on their own read 20 times as often


async def test_a_read_never_mixes_tokens_and_asks_each_id_once() -> None:
    async with in_process_upstream(task_seconds=600) as running:
        owned = {token: await running.sim.bulk(token, 3) for token in ("tok-a", "tok-b")}
        hub = hub_for(running)
        async with anyio.create_task_group() as group:
            for token, ids in owned.items():
                for _ in range(2):  # two waits of each token on the same ids
                    group.start_soon(wait_on, hub, token, ids)
        reads = await task_reads(running)
    assert reads and not hub.lines  # every line is gone with its last wait
    for read in reads:
        token = read["authorization"].removeprefix("Bearer ")
        asked = read["body"]["ids"]
        assert set(asked) <= set(owned[token]), "a token's read named another token's task"
        assert len(asked) == len(set(asked))


async def test_a_cancelled_reader_hands_the_others_back() -> None:
    async with in_process_upstream(task_seconds=600) as running:
        first, second = await running.sim.bulk("tok-hand", 2)
        await running.sim.configure(latency_ms=300)
        hub = hub_for(running)
        now = time.monotonic()
        reader = hub.ask("tok-hand", [first], due=now, slack=0)
        joiner = hub.ask("tok-hand", [second], due=now + 0.1, slack=1)  # due soon: read along
        async with anyio.create_task_group() as group:
            group.start_soon(reader.result, 5)
            await anyio.sleep(0.1)
            assert joiner.taken
            group.cancel_scope.cancel()  # the reader's caller went away mid-read
        reader.withdraw()
        got = await joiner.result(within=5)
        joiner.withdraw()
    assert got is not None and isinstance(found := got[second], Found)
    assert found.summary.status is TaskStatus.PENDING
    assert hub.reads == 2 and not hub.lines


async def test_a_refusal_of_the_token_reaches_every_wait_of_it() -> None:
    async with in_process_upstream(task_seconds=600) as running:
        ids = await running.sim.bulk("tok-revoked", 2)
        await running.sim.configure(valid_tokens=["someone-else"])
        hub = hub_for(running)
        now = time.monotonic()
        asks = [hub.ask("tok-revoked", [task_id], due=now, slack=1) for task_id in ids]
        for ask in asks:
            with pytest.raises(UpstreamAuthError):
                await ask.result(within=5)
            ask.withdraw()
    assert hub.reads == 1
