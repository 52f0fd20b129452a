"""One server-side wait for many tasks: poll through the shared poller, report progress, stop in time.

The pause between polls starts short and grows 1.5x to a cap; ids that reach a terminal status are
not asked again. Polls go through `polling.PollHub`, which reads the due waits of one token together
(a wait may be read up to half a pause early, with others). Progress goes out after every poll and,
while nothing changes, at least every heartbeat interval, because some clients reset their timeout
only on progress. Cancellation (the client cancels or disconnects) interrupts the pause or the poll
in flight, so polling stops at once.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from app.kling.batch import Fetched, Found, TaskSet, build_result
from app.kling.polling import PollHub
from app.kling.status import TaskStatus
from app.upstream.errors import UpstreamError

Until = Literal["all", "any"]
Report = Callable[[float, float, str], Awaitable[None]]
GROWTH = 1.5
JOIN_EARLY = 0.5  # of a pause: how early a wait may be read along with other waits of its token
# A heartbeat is due at this share of the promised interval: a busy event loop or a read in flight can
# delay it by a second or more (measured with 1,000 waits on one core), and the promise must still hold.
HEARTBEAT_EARLY = 0.8


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

    def quiet_left(self, heartbeat: float) -> float:
        """Seconds until a heartbeat is owed."""
        return max(0.0, heartbeat - (time.monotonic() - self.last_sent))


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
    polls: PollHub, ids: list[str], *, token: str, plan: WaitPlan, report: Report
) -> WaitResult:
    progress = _Progress(report, len(ids), plan.timeout_seconds)
    deadline = time.monotonic() + plan.timeout_seconds
    fetched: Fetched = {}
    statuses: dict[str, TaskStatus] = {}
    open_ids = list(ids)
    pause = 0.0  # the first read at once
    while True:
        due = min(time.monotonic() + pause, deadline)
        got = await _poll(
            polls, token, open_ids, due, pause * JOIN_EARLY, plan.heartbeat_seconds, progress, statuses
        )
        for task_id in open_ids:
            found = got.get(task_id)
            if isinstance(found, UpstreamError) and isinstance(fetched.get(task_id), Found):
                continue  # unreadable this time: keep the last status we read
            if found is None:
                fetched.pop(task_id, None)
            elif isinstance(found, Found):
                fetched[task_id] = Found(None, found.summary)  # the raw record is never shown here
            else:
                fetched[task_id] = found
            statuses[task_id] = _status(found)
        open_ids = [i for i in open_ids if not statuses[i].terminal]
        await progress.send(statuses)
        met = not open_ids if plan.until == "all" else len(open_ids) < len(ids)
        if met or time.monotonic() >= deadline:
            break
        pause = plan.first_poll_seconds if pause == 0 else min(pause * GROWTH, plan.max_poll_seconds)
    return _result(ids, fetched, statuses, plan, timed_out=not met, elapsed=progress.elapsed())


async def _poll(
    polls: PollHub,
    token: str,
    ids: list[str],
    due: float,
    slack: float,
    heartbeat: float,
    progress: _Progress,
    statuses: dict[str, TaskStatus],
) -> Fetched:
    """The statuses of `ids` once read (at `due`, or earlier along with other waits of the token),
    sending a heartbeat whenever `heartbeat` seconds pass without a notification."""
    ask = polls.ask(token, ids, due=due, slack=slack)
    try:
        while (got := await ask.result(within=progress.quiet_left(heartbeat * HEARTBEAT_EARLY))) is None:
            await progress.send(statuses)
        return got
    finally:
        ask.withdraw()


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
