"""kling_wait_for_tasks end to end: results, live progress in both eras, heartbeats, deadline, cancelling."""

from __future__ import annotations

import itertools
import time
from typing import Any

import anyio
import httpx2
import pytest

from app.settings import Settings
from tests.helpers import (
    MODES,
    Mode,
    Simulator,
    error_of,
    mcp_client,
    server_for,
    server_with_metrics,
)

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

TOKEN = "tok-wait-0001"
TOOL = "kling_wait_for_tasks"
QUICK = {"wait_first_poll_seconds": 0.2, "wait_max_poll_seconds": 0.4, "wait_heartbeat_seconds": 0.3}


class Progress:
    def __init__(self) -> None:
        self.events: list[tuple[float, float | None, str | None, float]] = []

    async def __call__(self, progress: float, total: float | None, message: str | None) -> None:
        self.events.append((progress, total, message, time.monotonic()))


async def scrape(metrics_url: str) -> dict[str, float]:
    """The metrics endpoint's samples, by series (name and labels)."""
    async with httpx2.AsyncClient(base_url=metrics_url) as http:
        text = (await http.get("/metrics")).text
    series = (line.rpartition(" ") for line in text.splitlines() if line and not line.startswith("#"))
    return {name: float(value) for name, _, value in series}


def polls(journal: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in journal if e["path"] == "/kling/tasks"]


@pytest.mark.parametrize("mode", MODES)
async def test_waits_for_tasks_finishing_at_different_times(simulator: Simulator, mode: Mode) -> None:
    created = time.monotonic()
    ids = [
        *await simulator.bulk(TOKEN, 1, run_seconds=0.3),
        *await simulator.bulk(TOKEN, 2, run_seconds=1.0),
        *await simulator.bulk(TOKEN, 1, run_seconds=1.6, outcome="failed"),
    ]
    progress = Progress()
    async with server_for(simulator, **QUICK) as url, mcp_client(url, TOKEN, mode) as client:
        result = await client.call_tool(
            TOOL, {"task_ids": ids, "timeout_seconds": 20}, progress_callback=progress
        )
    out = result.structured_content
    assert out is not None and not result.is_error
    assert out["timed_out"] is False and out["all_terminal"] is True and out["open_task_ids"] == []
    assert [t["status"] for t in out["tasks"]] == ["succeeded", "succeeded", "succeeded", "failed"]
    assert out["summary"] == {
        "total": 4,
        "pending": 0,
        "succeeded": 3,
        "failed": 1,
        "not_found": 0,
        "error": 0,
    }
    # The last task ends 1.6 s after it was created, which is before the server and client started.
    assert time.monotonic() - created >= 1.6
    assert 0 < out["elapsed_seconds"] < 10

    values = [e[0] for e in progress.events]
    assert len(values) >= 4, progress.events
    assert all(b > a for a, b in itertools.pairwise(values)), "progress must increase"
    assert {e[1] for e in progress.events} == {4.0} and values[-1] == 4.0
    assert progress.events[-1][2] == "4/4 done, 1 failed"
    assert any("1/4 done" in (e[2] or "") for e in progress.events)

    # Finished tasks are not asked for again: the last polls name only the failing task.
    asked = [e["body"]["ids"] for e in polls(await simulator.journal())]
    assert asked[0] == ids and asked[-1] == [ids[3]]


@pytest.mark.parametrize("mode", MODES)
async def test_heartbeats_arrive_while_nothing_changes(simulator: Simulator, mode: Mode) -> None:
    ids = await simulator.bulk(TOKEN, 2, run_seconds=30)
    progress = Progress()
    settings = {"wait_first_poll_seconds": 5.0, "wait_max_poll_seconds": 5.0, "wait_heartbeat_seconds": 0.25}
    async with server_with_metrics(simulator, **settings) as (url, metrics_url):
        async with mcp_client(url, TOKEN, mode) as client:
            result = await client.call_tool(
                TOOL, {"task_ids": ids, "timeout_seconds": 2}, progress_callback=progress
            )
        metrics = await scrape(metrics_url)
    out = result.structured_content
    assert out is not None and out["timed_out"] is True
    assert len(polls(await simulator.journal())) == 2  # the first, and a last one at the deadline
    assert len(progress.events) >= 6  # a heartbeat every 0.25 s over 2 s, with only one poll
    gaps = [b[3] - a[3] for a, b in itertools.pairwise(progress.events)]
    assert max(gaps) < 1.0
    assert all(b[0] > a[0] for a, b in itertools.pairwise(progress.events))
    assert all(e[2] and "0/2 done" in e[2] for e in progress.events)
    # The server counts the same silences as it sends them: one per notification, none near 1 s.
    assert metrics["kling_mcp_wait_silence_seconds_count"] == len(progress.events)
    assert metrics['kling_mcp_wait_silence_seconds_bucket{le="1.0"}'] == len(progress.events)
    assert 0 < metrics["kling_mcp_wait_longest_silence_seconds"] < 1.0


async def test_a_wait_without_a_progress_token_counts_no_silences(simulator: Simulator) -> None:
    ids = await simulator.bulk(TOKEN, 1, run_seconds=30)
    settings = {"wait_first_poll_seconds": 5.0, "wait_max_poll_seconds": 5.0, "wait_heartbeat_seconds": 0.25}
    async with server_with_metrics(simulator, **settings) as (url, metrics_url):
        async with mcp_client(url, TOKEN, "2026-07-28") as client:
            result = await client.call_tool(TOOL, {"task_ids": ids, "timeout_seconds": 1})
        metrics = await scrape(metrics_url)
    assert result.structured_content is not None and result.structured_content["timed_out"] is True
    assert metrics["kling_mcp_wait_silence_seconds_count"] == 0  # nobody was promised anything


async def test_deadline_returns_open_tasks_to_wait_on_again(simulator: Simulator) -> None:
    ids = await simulator.bulk(TOKEN, 3, run_seconds=600)
    async with server_for(simulator, **QUICK) as url, mcp_client(url, TOKEN, "legacy") as client:
        started = time.monotonic()
        out = (
            await client.call_tool(TOOL, {"task_ids": [*ids, ids[0]], "timeout_seconds": 1})
        ).structured_content
        took = time.monotonic() - started
    assert out is not None
    assert out["timed_out"] is True and out["open_task_ids"] == ids and 1 <= out["elapsed_seconds"] < 2
    assert took < 3
    assert all(t["status"] == "pending" for t in out["tasks"]) and "poll_after_seconds" not in out
    assert "call kling_wait_for_tasks again with open_task_ids" in out["next_step"]


async def test_until_any_returns_at_the_first_final_task(simulator: Simulator) -> None:
    quick = await simulator.bulk(TOKEN, 1, run_seconds=0.3)
    slow = await simulator.bulk(TOKEN, 2, run_seconds=600)
    async with server_for(simulator, **QUICK) as url, mcp_client(url, TOKEN, "2026-07-28") as client:
        out = (await client.call_tool(TOOL, {"task_ids": [*slow, *quick], "until": "any"})).structured_content
    assert out is not None
    assert out["timed_out"] is False and out["elapsed_seconds"] < 5
    assert out["open_task_ids"] == slow and out["tasks"][2]["status"] == "succeeded"


async def test_limits_are_checked_before_any_poll(simulator: Simulator) -> None:
    async with (
        server_for(simulator, wait_max_timeout_seconds=30) as url,
        mcp_client(url, TOKEN, "legacy") as c,
    ):
        too_long = await c.call_tool(TOOL, {"task_ids": ["a"], "timeout_seconds": 31})
        blank = await c.call_tool(TOOL, {"task_ids": [" "]})
        tool = next(t for t in (await c.list_tools()).tools if t.name == TOOL)
    assert error_of(too_long)["kind"] == "timeout_too_long" and error_of(too_long)["limit"] == 30
    assert error_of(blank)["kind"] == "invalid_task_ids"
    assert polls(await simulator.journal()) == []
    timeout = tool.input_schema["properties"]["timeout_seconds"]
    assert (timeout["maximum"], timeout["default"]) == (30, Settings().wait_default_timeout_seconds)
    assert tool.annotations is not None and tool.annotations.read_only_hint is True


@pytest.mark.parametrize("mode", MODES)
async def test_cancelling_the_call_stops_upstream_polling(simulator: Simulator, mode: Mode) -> None:
    ids = await simulator.bulk(TOKEN, 2, run_seconds=600)
    fast = {"wait_first_poll_seconds": 0.1, "wait_max_poll_seconds": 0.1, "wait_heartbeat_seconds": 0.3}
    async with server_for(simulator, **fast) as url, mcp_client(url, TOKEN, mode) as client:
        with anyio.move_on_after(1.0) as scope:
            await client.call_tool(TOOL, {"task_ids": ids, "timeout_seconds": 60})
        assert scope.cancelled_caught
        await anyio.sleep(0.5)  # let the server notice
        after_cancel = len(polls(await simulator.journal()))
        await anyio.sleep(1.0)  # ten poll intervals: any surviving loop would poll again
        assert len(polls(await simulator.journal())) == after_cancel
        assert after_cancel >= 5  # it was polling every 0.1 s before the cancel
