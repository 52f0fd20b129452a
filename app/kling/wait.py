"""One server-side wait for many tasks: poll through the batch engine, report progress, stop in time.

The pause between polls starts short and grows 1.5x to a cap; ids that reach a terminal status are
not asked again. Progress goes out after every poll and, while nothing changes, at least every
heartbeat interval, because some clients reset their timeout only on progress. Cancellation (the
client cancels or disconnects) interrupts the sleep or the poll in flight, so polling stops at once.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

import anyio
from pydantic import Field

from app.kling.batch import Fetched, Found, TaskSet, build_result, fetch_all
from app.kling.status import TaskStatus
from app.upstream.client import UpstreamClient
from app.upstream.errors import UpstreamError

Until = Literal["all", "any"]
Report = Callable[[float, float, str], Awaitable[None]]
GROWTH = 1.5


class WaitResult(TaskSet):
    timed_out: bool = Field(description="The deadline came first.")
    elapsed_seconds: float
    open_task_ids: list[str] = Field(description="Not final yet: pass these to the next call.")


@dataclass(frozen=True)
class WaitPlan:
    timeout_seconds: float
    until: Until
    first_poll_seconds: float
    max_poll_seconds: float
    heartbeat_seconds: float
    chunk_size: int
    max_concurrency: int
    poll_after_seconds: int


def _status(found: Found | UpstreamError | None) -> TaskStatus:
    if isinstance(found, UpstreamError):
        return TaskStatus.ERROR
    return TaskStatus.NOT_FOUND if found is None else found.summary.status


class _Progress:
    """Strictly increasing progress: whole finished tasks plus a fraction that grows with time."""

    def __init__(self, report: Report, total: int, timeout: float) -> None:
        self.report, self.total, self.timeout = report, total, timeout
        self.started = time.monotonic()
        self.last = -1.0
        self.last_sent = self.started

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    async def send(self, statuses: dict[str, TaskStatus]) -> None:
        finished = sum(s.terminal for s in statuses.values())
        value = (
            float(self.total) if finished == self.total else finished + self.elapsed() / (self.timeout + 1)
        )
        value = max(value, self.last + 1e-6)
        self.last, self.last_sent = value, time.monotonic()
        await self.report(value, float(self.total), _message(statuses, self.total, self.elapsed()))


def _message(statuses: dict[str, TaskStatus], total: int, elapsed: float) -> str:
    count = {s: sum(1 for v in statuses.values() if v is s) for s in TaskStatus}
    done = sum(n for s, n in count.items() if s.terminal)
    parts = [f"{done}/{total} done"]
    parts += [
        f"{count[s]} {s.value.replace('_', ' ')}"
        for s in (TaskStatus.FAILED, TaskStatus.NOT_FOUND)
        if count[s]
    ]
    waiting = total - done
    return ", ".join(parts) + (f"; {waiting} still running after {elapsed:.0f} s" if waiting else "")


async def wait_for_tasks(
    upstream: UpstreamClient, ids: list[str], *, token: str, plan: WaitPlan, report: Report
) -> WaitResult:
    progress = _Progress(report, len(ids), plan.timeout_seconds)
    deadline = time.monotonic() + plan.timeout_seconds
    fetched: Fetched = {}
    statuses: dict[str, TaskStatus] = {}
    open_ids = list(ids)
    pause = plan.first_poll_seconds
    while True:
        got = await fetch_all(
            upstream, open_ids, token=token, chunk_size=plan.chunk_size, max_concurrency=plan.max_concurrency
        )
        for task_id in open_ids:
            found = got.get(task_id)
            if isinstance(found, UpstreamError) and isinstance(fetched.get(task_id), Found):
                continue  # unreadable this time: keep the last status we read
            if found is None:
                fetched.pop(task_id, None)
            else:
                fetched[task_id] = found
            statuses[task_id] = _status(found)
        open_ids = [i for i in open_ids if not statuses[i].terminal]
        await progress.send(statuses)
        met = not open_ids if plan.until == "all" else len(open_ids) < len(ids)
        if met or time.monotonic() >= deadline:
            break
        await _pause(min(pause, deadline - time.monotonic()), plan.heartbeat_seconds, progress, statuses)
        pause = min(pause * GROWTH, plan.max_poll_seconds)
    return _result(ids, fetched, statuses, plan, timed_out=not met, elapsed=progress.elapsed())


async def _pause(
    seconds: float, heartbeat: float, progress: _Progress, statuses: dict[str, TaskStatus]
) -> None:
    """Sleep, sending a heartbeat whenever `heartbeat` seconds pass without a notification."""
    until = time.monotonic() + max(0.0, seconds)
    while (left := until - time.monotonic()) > 0:
        quiet = time.monotonic() - progress.last_sent
        await anyio.sleep(min(left, max(0.0, heartbeat - quiet)))
        if time.monotonic() - progress.last_sent >= heartbeat:
            await progress.send(statuses)


def _result(
    ids: list[str],
    fetched: Fetched,
    statuses: dict[str, TaskStatus],
    plan: WaitPlan,
    *,
    timed_out: bool,
    elapsed: float,
) -> WaitResult:
    batch = build_result(ids, fetched, poll_after_seconds=plan.poll_after_seconds, include_raw=False)
    open_ids = [i for i in ids if not statuses[i].terminal]
    if open_ids:
        next_step = (
            f"{len(open_ids)} task(s) not finished after {elapsed:.0f} s: call kling_wait_for_tasks again "
            "with open_task_ids."
        )
    else:
        next_step = batch.next_step
    return WaitResult.model_construct(  # its parts are validated already (see build_result)
        tasks=batch.tasks,
        summary=batch.summary,
        all_terminal=batch.all_terminal,
        next_step=next_step,
        timed_out=timed_out,
        elapsed_seconds=round(elapsed, 3),
        open_task_ids=open_ids,
    )
