"""Task-query tools: read where a submitted generation stands. Free upstream, read-only here."""

from __future__ import annotations

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
from app.kling.wait import Until, WaitPlan, WaitResult, wait_for_tasks
from app.mcp.tools.runtime import caller_token, runtime_of
from app.upstream.client import CallKind

MAX_TASK_ID_LENGTH = 128

READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True
)

TaskId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_TASK_ID_LENGTH,
        description="The task_id that a kling_* generation tool returned (a UUID).",
    ),
]


class TaskResult(TaskView):
    next_step: str = Field(description="What to do now, given this status.")
    raw: dict[str, Any] | None = Field(
        default=None, description="The upstream task record, unchanged ({} when not found)."
    )


GET_TASK_DESCRIPTION = """\
Get the current status of one Kling generation task by its task_id.

Use it after a kling_* generation tool returned a task_id, to learn whether the video is ready. \
For two or more tasks, call kling_get_tasks_batch once instead of this tool repeatedly.

Read-only and free: it spends no credits and answers at once; it never waits for the task to \
finish. Uses the caller's AceDataCloud API token; tasks created with another token read as \
not_found. Transient upstream errors (429, 5xx, network) are retried up to {read_retries} times.

Returns status, one of: pending (still running: call again after poll_after_seconds, \
{poll_after_seconds} s; videos take 1-5 minutes, talking photos 4-6), succeeded (video_url, video_id and \
duration_seconds are set), failed (error.code and error.message say why; submit a new task), \
not_found (no such task for this token). terminal is true when the status is final; next_step \
says what to do; raw is the upstream record.\
"""


def clean_task_id(task_id: str) -> str:
    cleaned = task_id.strip()
    if not cleaned:
        raise InvalidTaskId()
    return cleaned


async def kling_get_task(task_id: TaskId, ctx: Context[Any]) -> TaskResult:
    runtime = runtime_of(ctx)
    task_id = clean_task_id(task_id)
    record = await runtime.upstream.post(
        TASKS_PATH,
        {"action": "retrieve", "id": task_id},
        token=caller_token(ctx),
        kind=CallKind.READ,
    )
    view = normalize_record(task_id, record, poll_after_seconds=runtime.settings.poll_after_seconds)
    return TaskResult(**view.model_dump(), next_step=next_step(view), raw=record)


TaskIds = Annotated[
    list[Annotated[str, Field(max_length=MAX_TASK_ID_LENGTH)]],
    Field(
        min_length=1,
        description="task_ids returned by kling_* generation tools. Duplicates are answered once; "
        "at most 1,000 distinct ids by default (setting KLING_MCP_BATCH_MAX_IDS).",
    ),
]
IncludeRaw = Annotated[
    bool,
    Field(
        description="Also return each upstream task record under raw_records. Large (about 2 KB per "
        "task), so allowed for at most 100 distinct ids by default (KLING_MCP_BATCH_RAW_MAX_IDS)."
    ),
]

GET_TASKS_BATCH_DESCRIPTION = """\
Get the status of many Kling generation tasks in one call, one entry per task_id.

Use it whenever you track two or more tasks (e.g. after launching several generations); use \
kling_get_task for a single task or to see one raw upstream record.

Read-only and free: it spends no credits and never waits for tasks to finish. Uses the caller's \
AceDataCloud API token. Long lists are split into chunks of {batch_chunk_size} ids automatically \
and up to {batch_max_concurrency} chunks are queried at once, so a full list takes about one \
upstream round trip. Duplicates are answered once. Limit: {batch_max_ids} distinct ids per \
call. A chunk that keeps failing (after retries of 429, 5xx and network errors) marks only its \
own ids as error; a rejected token or used-up balance fails the whole call.

Returns tasks in the order given, each with status: pending (poll again), succeeded (video_url, \
video_id, duration_seconds), failed (error says why; resubmit), not_found (no such task for this \
token) or error (unreadable this time; ask again). summary counts each status; all_terminal says \
whether anything is left to poll; poll_after_seconds ({poll_after_seconds}) says when to ask \
again, with only the ids that are not terminal.\
"""


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


WaitUntil = Annotated[
    Until, Field(description="all: return when every task is final. any: return as soon as one is final.")
]
Timeout = Annotated[
    int | None,
    Field(
        ge=1, le=3600, description="Longest wait in seconds; default 50, maximum 600 (settings may differ)."
    ),
]

WAIT_FOR_TASKS_DESCRIPTION = """\
Wait on the server until Kling tasks finish, then return their statuses in one result, sending \
progress notifications while it waits.

Use it after submitting generations instead of calling kling_get_task or kling_get_tasks_batch \
in a loop: one call replaces many polls and keeps your context small. Use kling_get_tasks_batch \
for an immediate answer without waiting.

Read-only and free: it spends no credits and only reads task status, polling upstream with short \
pauses that grow to {wait_max_poll_seconds:.0f} s and skipping tasks already final. It sends an \
MCP progress notification after every poll and at least every {wait_heartbeat_seconds:.0f} s \
(progress counts finished tasks, with a message like "7/12 done, 1 failed"). If you cancel or \
disconnect, polling stops at once.

task_ids follow kling_get_tasks_batch rules (duplicates answered once, at most {batch_max_ids}). \
timeout_seconds defaults to {wait_default_timeout_seconds} s, at most \
{wait_max_timeout_seconds} s; until is all (default) or any. Returns the batch result (tasks, \
summary, all_terminal) plus timed_out, elapsed_seconds and open_task_ids: if anything is still \
open, call this tool again with open_task_ids.\
"""


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
        chunk_size=settings.batch_chunk_size,
        max_concurrency=settings.batch_max_concurrency,
        poll_after_seconds=settings.poll_after_seconds,
    )
    token = caller_token(ctx)
    # The raw JSON-RPC id (ctx.request_id is its str): a cancel frame names it with its JSON type.
    with runtime.cancellations.track(token, ctx.request_context.request_id):
        return await wait_for_tasks(runtime.upstream, ids, token=token, plan=plan, report=ctx.report_progress)
    raise Cancelled()  # reached only when the caller's cancel frame cancelled the tracked scope
