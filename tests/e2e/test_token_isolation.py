"""Many callers at once, each with its own token: every upstream request carries exactly its caller's."""

from __future__ import annotations

import anyio
import pytest

from tests.helpers import McpClientFactory, Mode, Simulator

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

CALLERS = 60


async def test_concurrent_callers_never_see_each_others_tokens(
    connect: McpClientFactory, simulator: Simulator
) -> None:
    await simulator.configure(task_seconds=600)
    tokens = [f"tok-{i:03d}-{'x' * (i % 7)}" for i in range(CALLERS)]
    own_task = {token: await simulator.submit(token) for token in tokens}
    await simulator.configure(latency_ms=40)  # long enough for every call to be in flight at once
    (await simulator.http.delete("/_sim/requests")).raise_for_status()
    statuses: dict[str, str] = {}

    async def call(token: str, mode: Mode) -> None:
        async with connect(token, mode) as client:
            result = await client.call_tool("kling_get_task", {"task_id": own_task[token]})
        assert result.structured_content is not None
        statuses[token] = result.structured_content["status"]

    async with anyio.create_task_group() as group:
        for i, token in enumerate(tokens):
            group.start_soon(call, token, "legacy" if i % 2 else "2026-07-28")

    # A mixed-up token would make upstream answer not_found: tasks are visible only to their owner.
    assert statuses == {token: "pending" for token in tokens}
    journal = [e for e in await simulator.journal() if e["path"] == "/kling/tasks"]
    assert len(journal) == CALLERS
    owner_of = {task: token for token, task in own_task.items()}
    for entry in journal:
        assert entry["authorization"] == f"Bearer {owner_of[entry['body']['id']]}"
    assert (await simulator.stats())["peak_concurrency"]["/kling/tasks"] > 1
