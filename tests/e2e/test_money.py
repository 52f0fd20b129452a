"""Paid work is never lost and never billed twice, over real HTTP in both eras.

A client that goes away while its submission is in flight upstream: the submission still completes,
its task_id is logged, and a retry with the same idempotency_key gets that task_id back without a
second upstream submission, also when the retry reaches another replica sharing one real Redis.
"""

from __future__ import annotations

import logging
from typing import Any

import anyio
import httpx2
import pytest

from tests.helpers import (
    MODES,
    Mode,
    Simulator,
    error_of,
    free_port,
    kling_mcp_process,
    mcp_client,
    running_redis,
    server_for,
    server_with_metrics,
    text_of,
)

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

TOKEN = "tok-money-0001"
ARGS = {"prompt": "a lighthouse at dusk", "duration": 10}
SLOW_SUBMIT = {"kind": "slow", "delay_ms": 800, "path": "/kling/videos"}


def submissions(journal: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [entry for entry in journal if entry["path"] == "/kling/videos"]


async def give_up_during_submit(url: str, mode: Mode, arguments: dict[str, Any]) -> None:
    """Call a generation tool and walk away while upstream is still answering."""
    with anyio.move_on_after(0.3) as scope:
        async with mcp_client(url, TOKEN, mode) as client:
            await client.call_tool("kling_generate_video", arguments)
    assert scope.cancelled_caught, "the call should still have been in flight"


@pytest.mark.parametrize("mode", MODES)
async def test_a_retry_with_the_same_key_gets_the_first_task_back(
    simulator: Simulator, mode: Mode, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.submissions")
    arguments = {**ARGS, "idempotency_key": f"key-{mode}"}
    await simulator.fault(**SLOW_SUBMIT)
    async with server_for(simulator) as url:
        await give_up_during_submit(url, mode, arguments)
        async with mcp_client(url, TOKEN, mode) as client:  # the retry, while the first is still upstream
            retry = await client.call_tool("kling_generate_video", arguments)
    assert not retry.is_error, text_of(retry)
    assert retry.structured_content is not None
    task_id = retry.structured_content["task_id"]
    assert len(submissions(await simulator.journal())) == 1  # billed once
    records = [r for r in caplog.records if r.name == "app.submissions"]
    assert len(records) == 1 and f"task_id={task_id}" in records[0].getMessage()
    facts = records[0].submission  # type: ignore[attr-defined]
    assert (facts["tool"], facts["idempotency_key"]) == ("kling_generate_video", f"key-{mode}")


@pytest.mark.parametrize("mode", MODES)
async def test_without_a_key_a_walked_away_submission_is_still_logged(
    simulator: Simulator, mode: Mode, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.submissions")
    await simulator.fault(**SLOW_SUBMIT)
    async with server_for(simulator) as url:
        await give_up_during_submit(url, mode, ARGS)
        await anyio.sleep(1.0)  # upstream answers after 0.8 s
    sent = submissions(await simulator.journal())
    assert len(sent) == 1
    records = [r for r in caplog.records if r.name == "app.submissions"]
    assert len(records) == 1 and records[0].submission["task_id"]  # type: ignore[attr-defined]


async def test_the_same_key_with_other_arguments_is_a_conflict(simulator: Simulator) -> None:
    async with server_for(simulator) as url, mcp_client(url, TOKEN, "2026-07-28") as client:
        first = await client.call_tool("kling_generate_video", {**ARGS, "idempotency_key": "k-conflict"})
        other = await client.call_tool(
            "kling_generate_video", {**ARGS, "duration": 5, "idempotency_key": "k-conflict"}
        )
        again = await client.call_tool("kling_generate_video", {**ARGS, "idempotency_key": "k-conflict"})
    assert not first.is_error and error_of(other)["kind"] == "idempotency_conflict"
    assert again.structured_content == first.structured_content
    assert len(submissions(await simulator.journal())) == 1


async def test_keys_belong_to_their_caller(simulator: Simulator) -> None:
    arguments = {**ARGS, "idempotency_key": "shared-name"}
    async with server_for(simulator) as url:
        async with mcp_client(url, "tok-money-alice", "legacy") as alice:
            mine = await alice.call_tool("kling_generate_video", arguments)
        async with mcp_client(url, "tok-money-bob", "legacy") as bob:
            theirs = await bob.call_tool("kling_generate_video", arguments)
    assert mine.structured_content and theirs.structured_content
    assert mine.structured_content["task_id"] != theirs.structured_content["task_id"]
    assert len(submissions(await simulator.journal())) == 2


@pytest.mark.parametrize("mode", MODES)
async def test_a_retry_on_another_replica_finds_the_first_task_through_redis(
    simulator: Simulator, mode: Mode
) -> None:
    arguments = {**ARGS, "idempotency_key": f"replica-key-{mode}"}
    await simulator.fault(**SLOW_SUBMIT)
    async with running_redis() as redis_url:
        env = {"ACEDATACLOUD_API_BASE_URL": simulator.url, "KLING_MCP_REDIS_URL": redis_url}
        async with kling_mcp_process(env) as first, kling_mcp_process(env) as second:
            await give_up_during_submit(first.url, mode, arguments)
            async with mcp_client(second.url, TOKEN, mode) as client:
                retry = await client.call_tool("kling_generate_video", arguments)
            first_log = await first.read_log()
    assert not retry.is_error, text_of(retry)
    assert retry.structured_content is not None
    task_id = retry.structured_content["task_id"]
    assert len(submissions(await simulator.journal())) == 1
    assert f"submission accepted: task_id={task_id}" in first_log


async def test_redis_down_still_submits_and_counts_the_failure(simulator: Simulator) -> None:
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    limits = {"redis_url": dead_redis, "redis_timeout_seconds": 0.2}
    async with server_with_metrics(simulator, **limits) as (url, metrics_url):
        async with mcp_client(url, TOKEN, "legacy") as client:
            result = await client.call_tool("kling_generate_video", {**ARGS, "idempotency_key": "k-down"})
        async with httpx2.AsyncClient(base_url=metrics_url) as http:
            metrics = (await http.get("/metrics")).text
    assert not result.is_error, text_of(result)
    assert len(submissions(await simulator.journal())) == 1
    assert 'kling_mcp_idempotency_total{outcome="unavailable"} 1.0' in metrics
    assert 'kling_mcp_idempotency_total{outcome="store_error"} 1.0' in metrics  # the failed claim
