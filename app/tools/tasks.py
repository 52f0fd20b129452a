"""Task-query tools: read where a submitted generation stands. Free upstream, read-only here."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context
from mcp.types import ToolAnnotations
from pydantic import Field

from app.task_status import TaskView, next_step, normalize_record
from app.tools.results import ToolFailure
from app.tools.runtime import caller_token, runtime_of
from app.upstream.client import CallKind

TASKS_PATH = "/kling/tasks"
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

Use it after a kling_* generation tool returned a task_id, to learn whether the video is ready.

Read-only and free: it spends no credits and answers at once; it never waits for the task to \
finish. Uses the caller's AceDataCloud API token; tasks created with another token read as \
not_found. Transient upstream errors (429, 5xx, network) are retried twice before failing.

Returns status, one of: pending (still running: call again after poll_after_seconds, 15 by \
default; videos take 1-5 minutes, talking photos 4-6), succeeded (video_url, video_id and \
duration_seconds are set), failed (error.code and error.message say why; submit a new task), \
not_found (no such task for this token). terminal is true when the status is final; next_step \
says what to do; raw is the upstream record.\
"""


def clean_task_id(task_id: str) -> str:
    cleaned = task_id.strip()
    if not cleaned:
        raise ToolFailure(
            "invalid_task_id",
            "task_id is blank.",
            next_step="Pass the task_id string that the generation tool returned.",
        )
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
