"""kling_get_tasks_batch end to end: correctness, chunking and concurrency seen at the simulator,
partial failure, retries, and limits."""

from __future__ import annotations

import random
from typing import Any

import anyio
import pytest
from mcp.types import CallToolResult

from tests.helpers import MODES, McpClientFactory, Mode, Simulator, error_of, mcp_client, server_for, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

TOKEN = "tok-batch-0001"
TOOL = "kling_get_tasks_batch"


async def batch(
    connect: McpClientFactory, ids: list[Any], mode: Mode = "legacy", **extra: Any
) -> CallToolResult:
    async with connect(TOKEN, mode) as client:
        return await client.call_tool(TOOL, {"task_ids": ids, **extra})


def batch_requests(journal: list[dict[str, Any]]) -> list[list[str]]:
    return [e["body"]["ids"] for e in journal if e["path"] == "/kling/tasks"]


@pytest.mark.parametrize("mode", MODES)
async def test_mixed_states_duplicates_unknown_ids_in_request_order(
    connect: McpClientFactory, simulator: Simulator, mode: Mode
) -> None:
    done = await simulator.bulk(TOKEN, 3, run_seconds=0)
    failed = await simulator.bulk(TOKEN, 2, run_seconds=0, outcome="failed")
    running = await simulator.bulk(TOKEN, 4, run_seconds=600)
    foreign = await simulator.bulk("tok-someone-else", 1, run_seconds=0)
    await simulator.seed(TOKEN, "null-response", {"id": "null-response", "created_at": 1.0, "response": None})
    ids = [*done, *failed, *running, *foreign, "ghost-1", "null-response"]
    random.Random(7).shuffle(ids)
    asked = [*ids, ids[0], ids[3], ids[0]]  # duplicates

    result = await batch(connect, asked, mode)
    assert not result.is_error
    out = result.structured_content
    assert out is not None
    assert [t["task_id"] for t in out["tasks"]] == ids  # distinct, first-seen order
    status = {t["task_id"]: t["status"] for t in out["tasks"]}
    expected = {
        **dict.fromkeys(done, "succeeded"),
        **dict.fromkeys(failed, "failed"),
        **dict.fromkeys(running, "pending"),
        **dict.fromkeys([*foreign, "ghost-1"], "not_found"),
        "null-response": "pending",
    }
    assert status == expected
    assert out["summary"] == {
        "total": 12,
        "pending": 5,
        "succeeded": 3,
        "failed": 2,
        "not_found": 2,
        "error": 0,
    }
    assert out["poll_after_seconds"] == 15 and out["all_terminal"] is False
    by_id = {t["task_id"]: t for t in out["tasks"]}
    assert all(by_id[i]["video_url"].endswith(f"{i}.mp4") for i in done)
    assert all(by_id[i]["error"]["code"] == "generation_failed" for i in failed)
    fields = {"task_id", "status", "video_url", "video_id", "duration_seconds", "error"}
    assert all(set(t) <= fields for t in out["tasks"])  # compact: no nulls, no timestamps, no per-task hints
    assert "raw_records" not in out
    # The text: one summary line, then the tasks grouped by status, video URLs in full.
    lines = text_of(result).split("\n")
    assert lines[0] == "12 tasks: 5 pending, 3 succeeded, 2 failed, 2 not_found."
    succeeded = lines[lines.index("succeeded:") + 1 : lines.index("succeeded:") + 4]
    assert sorted(succeeded) == sorted(f"{i} {by_id[i]['video_url']}" for i in done)
    assert f"pending: {' '.join(i for i in ids if status[i] == 'pending')}" in lines
    assert lines[-1].startswith("Next: 5 pending, 0 unreadable: call kling_wait_for_tasks")


async def test_all_terminal_batch_has_no_poll_hint(connect: McpClientFactory, simulator: Simulator) -> None:
    ids = await simulator.bulk(TOKEN, 3, run_seconds=0)
    out = (await batch(connect, ids)).structured_content
    assert out is not None
    assert out["all_terminal"] is True and "poll_after_seconds" not in out


async def test_raw_records_are_opt_in(connect: McpClientFactory, simulator: Simulator) -> None:
    ids = await simulator.bulk(TOKEN, 2, run_seconds=0)
    out = (await batch(connect, [*ids, "ghost"], include_raw=True)).structured_content
    assert out is not None
    assert set(out["raw_records"]) == set(ids)
    assert out["raw_records"][ids[0]]["response"]["state"] == "succeed"


async def test_raw_records_are_limited_before_any_upstream_call(simulator: Simulator) -> None:
    async with server_for(simulator, batch_raw_max_ids=3) as url:
        async with mcp_client(url, TOKEN, "legacy") as client:
            refused = await client.call_tool(TOOL, {"task_ids": ["a", "b", "c", "d"], "include_raw": True})
            allowed = await client.call_tool(TOOL, {"task_ids": ["a", "b", "c", "d"]})
    assert error_of(refused)["kind"] == "too_many_raw_records" and error_of(refused)["limit"] == 3
    assert "limited to 3" in text_of(refused)
    assert not allowed.is_error
    assert len(batch_requests(await simulator.journal())) == 1  # only the allowed call went upstream


async def test_chunks_of_50_all_in_flight_at_once(connect: McpClientFactory, simulator: Simulator) -> None:
    ids = await simulator.bulk(TOKEN, 230, run_seconds=600)
    await simulator.configure(latency_ms=300)
    out = (await batch(connect, ids)).structured_content
    assert out is not None and out["summary"]["pending"] == 230
    chunks = batch_requests(await simulator.journal())
    assert sorted(len(c) for c in chunks) == [30, 50, 50, 50, 50]
    assert sorted(i for c in chunks for i in c) == sorted(ids)  # every id asked exactly once
    # A token upstream has not accepted lately: one chunk first, then the other four at once.
    assert (await simulator.stats())["peak_concurrency"]["/kling/tasks"] == 4
    await batch(connect, ids)  # now accepted: all five chunks at once
    assert (await simulator.stats())["peak_concurrency"]["/kling/tasks"] == 5


async def test_concurrency_and_chunk_size_are_settings(simulator: Simulator) -> None:
    ids = await simulator.bulk(TOKEN, 100, run_seconds=600)
    await simulator.configure(latency_ms=150)
    async with server_for(simulator, batch_chunk_size=10, batch_max_concurrency=3) as url:
        async with mcp_client(url, TOKEN, "2026-07-28") as client:
            result = await client.call_tool(TOOL, {"task_ids": ids})
    assert not result.is_error
    assert [len(c) for c in batch_requests(await simulator.journal())] == [10] * 10
    assert (await simulator.stats())["peak_concurrency"]["/kling/tasks"] == 3


async def test_a_failing_chunk_marks_only_its_own_ids(
    connect: McpClientFactory, simulator: Simulator
) -> None:
    ids = await simulator.bulk(TOKEN, 120, run_seconds=0)
    doomed = ids[60]  # in the second chunk
    await simulator.fault(
        kind="status", status=500, code="api_error", message="fetch failed", count=3, match_id=doomed
    )
    out = (await batch(connect, ids)).structured_content
    assert out is not None
    errored = [t["task_id"] for t in out["tasks"] if t["status"] == "error"]
    assert errored == ids[50:100]
    assert out["summary"] == {
        "total": 120,
        "pending": 0,
        "succeeded": 70,
        "failed": 0,
        "not_found": 0,
        "error": 50,
    }
    error = out["tasks"][60]["error"]
    assert error["code"] == "api_error" and "fetch failed" in error["message"]
    assert out["all_terminal"] is False and out["poll_after_seconds"] == 15
    requests = batch_requests(await simulator.journal())
    assert sum(doomed in c for c in requests) == 3  # one try and two retries


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 429, "retry_after": "0"},
        {"kind": "status", "status": 503},
        {"kind": "malformed"},
        {"kind": "slow", "delay_ms": 2000},
    ],
    ids=["429", "503", "malformed", "timeout"],
)
async def test_transient_chunk_failures_are_retried(simulator: Simulator, fault: dict[str, Any]) -> None:
    ids = await simulator.bulk(TOKEN, 75, run_seconds=0)
    await simulator.fault(match_id=ids[70], **fault)
    async with server_for(simulator, read_timeout_seconds=0.5) as url:
        async with mcp_client(url, TOKEN, "legacy") as client:
            out = (await client.call_tool(TOOL, {"task_ids": ids})).structured_content
    assert out is not None and out["summary"]["succeeded"] == 75
    assert sum(ids[70] in c for c in batch_requests(await simulator.journal())) == 2


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (401, "invalid_token", "auth_failed"),
        (403, "used_up", "balance_used_up"),
        (403, "forbidden", "content_blocked"),
    ],
)
async def test_auth_and_balance_errors_fail_the_whole_call_without_retry(
    connect: McpClientFactory, simulator: Simulator, status: int, code: str, kind: str
) -> None:
    ids = await simulator.bulk(TOKEN, 150, run_seconds=0)
    await simulator.fault(kind="status", status=status, code=code, count=10)
    result = await batch(connect, ids)
    assert error_of(result)["kind"] == kind and error_of(result)["http_status"] == status
    requests = batch_requests(await simulator.journal())
    assert len(requests) <= 3
    assert len({tuple(c) for c in requests}) == len(requests)  # no chunk was asked twice


async def test_empty_list_is_refused_by_schema(connect: McpClientFactory, simulator: Simulator) -> None:
    result = await batch(connect, [])
    assert result.is_error and "task_ids" in text_of(result)
    assert await simulator.journal() == []


async def test_blank_ids_are_refused_with_positions(connect: McpClientFactory, simulator: Simulator) -> None:
    result = await batch(connect, ["a", " ", "b", ""])
    assert error_of(result)["kind"] == "invalid_task_ids"
    assert "2 of the task_ids are blank (positions 1, 3)" in text_of(result)
    assert await simulator.journal() == []


async def test_more_than_the_limit_states_the_limit(connect: McpClientFactory, simulator: Simulator) -> None:
    result = await batch(connect, [f"id-{i}" for i in range(1001)])
    details = error_of(result)
    assert details["kind"] == "too_many_task_ids" and details["limit"] == 1000
    assert "limit is 1000" in text_of(result)
    assert await simulator.journal() == []


async def test_duplicates_do_not_count_toward_the_limit(simulator: Simulator) -> None:
    async with server_for(simulator, batch_max_ids=2) as url:
        async with mcp_client(url, TOKEN, "legacy") as client:
            ok = await client.call_tool(TOOL, {"task_ids": ["a", "b", "a", "b"]})
            too_many = await client.call_tool(TOOL, {"task_ids": ["a", "b", "c"]})
    assert not ok.is_error and error_of(too_many)["limit"] == 2


@pytest.mark.parametrize("mode", MODES)
async def test_non_string_ids_are_rejected_by_the_schema(
    connect: McpClientFactory, simulator: Simulator, mode: Mode
) -> None:
    result = await batch(connect, [1, 2], mode)
    assert result.is_error and "validation error" in text_of(result)
    assert await simulator.journal() == []


async def test_description_states_this_deployments_limits(simulator: Simulator) -> None:
    async with server_for(simulator, batch_max_ids=300, batch_raw_max_ids=40) as url:
        async with mcp_client(url, TOKEN, "legacy") as client:
            tool = next(t for t in (await client.list_tools()).tools if t.name == TOOL)
    assert tool.description is not None
    assert "include_raw: up to 40 ids" in tool.description
    assert tool.input_schema["properties"]["task_ids"]["maxItems"] == 300  # the limit, in the schema
    assert tool.annotations is not None and tool.annotations.read_only_hint is True


async def test_concurrent_batches_keep_tokens_apart(connect: McpClientFactory, simulator: Simulator) -> None:
    owned = {f"tok-{n}": await simulator.bulk(f"tok-{n}", 60, run_seconds=600) for n in range(6)}
    await simulator.configure(latency_ms=50)
    results: dict[str, dict[str, Any]] = {}

    async def run(token: str) -> None:
        async with connect(token, "2026-07-28") as client:
            out = (await client.call_tool(TOOL, {"task_ids": owned[token]})).structured_content
            assert out is not None
            results[token] = out["summary"]

    async with anyio.create_task_group() as group:
        for token in owned:
            group.start_soon(run, token)
    assert all(summary["pending"] == 60 for summary in results.values())
    owner = {i: token for token, ids in owned.items() for i in ids}
    for entry in await simulator.journal():
        if entry["path"] == "/kling/tasks":
            assert {f"Bearer {owner[i]}" for i in entry["body"]["ids"]} == {entry["authorization"]}
