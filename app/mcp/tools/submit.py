"""Sending a generation upstream: always asynchronous, one result shape, a poll hint sized to the job."""

from __future__ import annotations

from typing import Any, Literal

from mcp.server.mcpserver import Context
from pydantic import Field

from app.kling.catalog import TYPICAL_SECONDS
from app.kling.status import Absent, CompactModel
from app.mcp.tools.runtime import caller_token, runtime_of
from app.upstream.client import CallKind
from app.upstream.errors import UpstreamProtocolError

Job = Literal["video", "talking_photo", "lip_sync", "motion", "commerce"]


class Submission(CompactModel):
    task_id: str = Field(description="The new task's id: pass it to kling_get_task or kling_get_tasks_batch.")
    status: Literal["submitted"] = Field(default="submitted", description="Accepted upstream; now running.")
    poll_tool: str = Field(default="kling_get_task", description="The tool that reports this task's status.")
    batch_poll_tool: str = Field(default="kling_get_tasks_batch", description="For several tasks at once.")
    poll_after_seconds: int = Field(description="Wait this long before the first status check.")
    expected_seconds: int = Field(description="Roughly how long this kind of job takes.")
    callback_url: str | Absent = Field(
        default=None, description="Where upstream will POST the result, if set."
    )
    next_step: str = Field(description="What to do now.")


def request_body(fields: dict[str, Any]) -> dict[str, Any]:
    """Unset fields are left out (never sent as null); `async` is set unless a callback makes it so."""
    body = {key: value for key, value in fields.items() if value is not None}
    if "callback_url" not in body:
        body["async"] = True
    return body


async def submit(ctx: Context[Any], path: str, fields: dict[str, Any], *, job: Job) -> Submission:
    runtime = runtime_of(ctx)
    body = request_body(fields)
    response = await runtime.upstream.post(path, body, token=caller_token(ctx), kind=CallKind.SUBMIT)
    task_id = response.get("task_id")
    if not isinstance(task_id, str) or not task_id:
        raise UpstreamProtocolError(f"{path} accepted the request but returned no task_id.", path=path)
    expected = TYPICAL_SECONDS[job]
    first_poll = max(runtime.settings.poll_after_seconds, expected // 4)
    return Submission(
        task_id=task_id,
        poll_after_seconds=first_poll,
        expected_seconds=expected,
        callback_url=body.get("callback_url"),
        next_step=f"Wait about {first_poll} s, then call kling_get_task with this task_id (or "
        f"kling_get_tasks_batch for several) until terminal is true; this job usually takes about "
        f"{expected // 60} minutes.",
    )
