"""The wait engine (app/kling/wait.py) in process: polling, progress, the deadline and until=any."""

from __future__ import annotations

import pytest

from app.kling.polling import PollHub
from app.kling.status import TaskStatus
from app.kling.wait import WaitPlan, wait_for_tasks
from app.upstream.client import UpstreamClient
from tests.helpers import in_process_upstream

pytestmark = pytest.mark.anyio

TOKEN = "tok-wait-unit"


def plan(timeout: float, until: str = "all") -> WaitPlan:
    return WaitPlan(
        timeout_seconds=timeout,
        until="any" if until == "any" else "all",
        first_poll_seconds=0.05,
        max_poll_seconds=0.1,
        heartbeat_seconds=0.05,
        poll_after_seconds=15,
    )


def hub(upstream: UpstreamClient) -> PollHub:
    return PollHub(upstream, chunk_size=2, max_concurrency=4)


class Reports:
    def __init__(self) -> None:
        self.values: list[float] = []
        self.messages: list[str] = []

    async def __call__(self, progress: float, total: float, message: str) -> None:
        self.values.append(progress)
        self.messages.append(message)


async def test_waits_until_all_finish_reporting_rising_progress() -> None:
    async with in_process_upstream(task_seconds=600) as running:
        ids = await running.sim.bulk(TOKEN, 2, run_seconds=0.2)
        ids += await running.sim.bulk(TOKEN, 1, run_seconds=0.4, outcome="failed")
        reports = Reports()
        result = await wait_for_tasks(hub(running.upstream), ids, token=TOKEN, plan=plan(10), report=reports)
    assert not result.timed_out and result.all_terminal and result.open_task_ids == []
    assert [t.status for t in result.tasks] == [TaskStatus.SUCCEEDED, TaskStatus.SUCCEEDED, TaskStatus.FAILED]
    assert reports.values == sorted(set(reports.values)) and reports.values[-1] == 3.0
    assert reports.messages[-1] == "3/3 done, 1 failed"


async def test_deadline_returns_open_ids_to_wait_on_again() -> None:
    async with in_process_upstream(task_seconds=600) as running:
        ids = await running.sim.bulk(TOKEN, 2)
        result = await wait_for_tasks(
            hub(running.upstream), ids, token=TOKEN, plan=plan(0.3), report=Reports()
        )
    assert result.timed_out and result.open_task_ids == ids
    assert all(t.status == "pending" for t in result.tasks)
    assert "call kling_wait_for_tasks again with open_task_ids" in result.next_step


async def test_until_any_returns_at_the_first_final_task() -> None:
    async with in_process_upstream(task_seconds=600) as running:
        slow = await running.sim.bulk(TOKEN, 1)
        quick = await running.sim.bulk(TOKEN, 1, run_seconds=0.1)
        result = await wait_for_tasks(
            hub(running.upstream), slow + quick, token=TOKEN, plan=plan(10, "any"), report=Reports()
        )
    assert not result.timed_out and result.open_task_ids == slow
