"""Task-query tools: read where a submitted generation stands. Free upstream, read-only here."""

from __future__ import annotations

import time
from typing import Annotated, Any

from mcp.server.mcpserver import Context
from mcp.types import ToolAnnotations
from pydantic import Field

from app.errors import (
    Cancelled,
    InvalidTaskId,
    InvalidTaskIds,
    TimeoutTooLong,
    TooManyRawRecords,
    TooManyTaskIds,
)
from app.kling.batch import TASKS_PATH, BatchResult, build_result, dedupe, fetch_all
from app.kling.status import TaskView, next_step, normalize_record
from app.kling.wait import Report, Until, WaitPlan, WaitResult, wait_for_tasks
from app.mcp.tools.runtime import caller_token, opening_release, runtime_of
from app.metrics import Metrics
from app.settings import Settings
from app.upstream.client import CallKind, UpstreamClient

MAX_TASK_ID_LENGTH = 128

# Only what differs from the spec's defaults (see video.GENERATES); destructiveHint means nothing
# for a read-only tool, and openWorldHint (true: it reads the Kling API) is the default.
READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True)

TaskId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_TASK_ID_LENGTH,
        description="As a generation tool returned it.",
    ),
]


class TaskResult(TaskView):
    next_step: str
    raw: dict[str, Any] | None = Field(default=None, description="Upstream's record ({} when not found).")


GET_TASK_DESCRIPTION = """\
\
One Kling task's status now, by task_id, with upstream's raw record; never waits.

For a one-off check. To wait for results -> kling_wait_for_tasks (one call does the waiting); \
several tasks -> kling_get_tasks_batch. Read-only and free; another token's tasks read as not_found.\
"""


def clean_task_id(task_id: str) -> str:
    cleaned = task_id.strip()
    if not cleaned:
        raise InvalidTaskId()
    return cleaned


async def kling_get_task(task_id: TaskId, ctx: Context[Any]) -> TaskResult:
    runtime = runtime_of(ctx)
    return await read_task(runtime.upstream, clean_task_id(task_id), token=caller_token(ctx))


async def read_task(upstream: UpstreamClient, task_id: str, *, token: str) -> TaskResult:
    """One task's status and upstream record, as kling_get_task and the tasks extension answer it."""
    record = await upstream.post(
        TASKS_PATH, {"action": "retrieve", "id": task_id}, token=token, kind=CallKind.READ
    )
    view = normalize_record(task_id, record, poll_after_seconds=upstream.settings.poll_after_seconds)
    return TaskResult(**view.model_dump(), next_step=next_step(view), raw=record)


TaskIds = Annotated[
    list[Annotated[str, Field(max_length=MAX_TASK_ID_LENGTH)]],
    Field(min_length=1, description="As generation tools returned them."),
]
IncludeRaw = Annotated[bool, Field(description="Add upstream records (about 2 KB each).")]

GET_TASKS_BATCH_DESCRIPTION = """\
\
Many Kling tasks' statuses now, in one call; never waits.

To check several tasks at once. To wait for them -> kling_wait_for_tasks; one raw record -> \
kling_get_task. Read-only and free; all ids in about one upstream round trip, duplicates answered \
once. A chunk that keeps failing marks only its ids error; a refused token fails the call. \
include_raw: up to {batch_raw_max_ids} ids.\
"""


def batch_limits(settings: Settings) -> dict[str, dict[str, Any]]:
    return {"task_ids": {"maxItems": settings.batch_max_ids}}


def wait_limits(settings: Settings) -> dict[str, dict[str, Any]]:
    return {
        **batch_limits(settings),
        "timeout_seconds": {
            "maximum": settings.wait_max_timeout_seconds,
            "default": settings.wait_default_timeout_seconds,
        },
    }


def clean_task_ids(task_ids: list[str], *, max_ids: int) -> list[str]:
    cleaned = [task_id.strip() for task_id in task_ids]
    blank = [i for i, task_id in enumerate(cleaned) if not task_id]
    if blank:
        raise InvalidTaskIds(blank)
    distinct = dedupe(cleaned)
    if len(distinct) > max_ids:
        raise TooManyTaskIds(len(distinct), max_ids)
    return distinct


async def kling_get_tasks_batch(
    task_ids: TaskIds, ctx: Context[Any], include_raw: IncludeRaw = False
) -> BatchResult:
    runtime = runtime_of(ctx)
    settings = runtime.settings
    ids = clean_task_ids(task_ids, max_ids=settings.batch_max_ids)
    if include_raw and len(ids) > settings.batch_raw_max_ids:
        raise TooManyRawRecords(len(ids), settings.batch_raw_max_ids)
    fetched = await fetch_all(
        runtime.upstream,
        ids,
        token=caller_token(ctx),
        chunk_size=settings.batch_chunk_size,
        max_concurrency=settings.batch_max_concurrency,
    )
    return build_result(ids, fetched, poll_after_seconds=settings.poll_after_seconds, include_raw=include_raw)


WaitUntil = Annotated[Until, Field(description="all: every task final. any: the first one.")]
# The schema's default and maximum are this deployment's settings (`wait_limits`); 3600 bounds junk.
Timeout = Annotated[int | None, Field(ge=1, le=3600, description="Seconds.")]

WAIT_FOR_TASKS_DESCRIPTION = """\
\
Wait on the server until Kling tasks finish, then return their results: the way to get a \
generation's video.

Call right after submitting; statuses now, without waiting -> kling_get_tasks_batch. Read-only and \
free; sends progress at least every {wait_heartbeat_seconds:.0f} s. until=any returns at the first \
finished task. The default timeout_seconds fits 60 s client limits; longer needs a client that \
resets its timeout on progress. On timeout, call again with open_task_ids. Cancelling stops it.\
"""


class WaitReports:
    """A wait's progress reports, and what the server learns from them. The first frees the wait's
    opening slot (admission). When the caller asked for progress, each ends a silence, counted
    against the heartbeat promise as the server keeps it (metrics)."""

    def __init__(self, ctx: Context[Any], metrics: Metrics) -> None:
        self.report: Report = ctx.report_progress
        self.opened = opening_release(ctx)
        meta = ctx.request_context.meta or {}
        self.metrics = metrics if "progress_token" in meta else None
        self.last = time.monotonic()

    async def __call__(self, progress: float, total: float, message: str) -> None:
        await self.report(progress, total, message)
        self.opened()
        if self.metrics is not None:
            now = time.monotonic()
            self.metrics.observe_wait_silence(now - self.last)
            self.last = now


async def kling_wait_for_tasks(
    task_ids: TaskIds, ctx: Context[Any], timeout_seconds: Timeout = None, until: WaitUntil = "all"
) -> WaitResult:
    runtime = runtime_of(ctx)
    settings = runtime.settings
    ids = clean_task_ids(task_ids, max_ids=settings.batch_max_ids)
    timeout = timeout_seconds or settings.wait_default_timeout_seconds
    if timeout > settings.wait_max_timeout_seconds:
        raise TimeoutTooLong(timeout, settings.wait_max_timeout_seconds)
    plan = WaitPlan(
        timeout_seconds=timeout,
        until=until,
        first_poll_seconds=settings.wait_first_poll_seconds,
        max_poll_seconds=settings.wait_max_poll_seconds,
        heartbeat_seconds=settings.wait_heartbeat_seconds,
        poll_after_seconds=settings.poll_after_seconds,
    )
    token = caller_token(ctx)
    report = WaitReports(ctx, runtime.metrics)
    # The raw JSON-RPC id (ctx.request_id is its str): a cancel frame names it with its JSON type.
    with runtime.cancellations.track(token, ctx.request_context.request_id):
        return await wait_for_tasks(runtime.poll_hub(), ids, token=token, plan=plan, report=report)
    raise Cancelled()  # reached only when the caller's cancel frame cancelled the tracked scope
