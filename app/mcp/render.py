"""The text block of a successful result: written for the model that reads it, not for parsers.

`structuredContent` keeps the full typed result (validated against the tool's output schema). The
text block says the same in as few tokens as a reader needs: a submission in one line with the call
to make next, a task set as one summary line and one short line per task grouped by status, video
URLs in full. Results that are tables by nature (the model catalogue, the tool map) stay compact
JSON: their keys are the content, and a prose rendering would be longer, not shorter.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import singledispatch

from pydantic import BaseModel

from app.kling.batch import TaskSet
from app.kling.status import TaskStatus, TaskSummary, TaskView
from app.kling.wait import WaitResult
from app.mcp.tools.submit import Submission


@singledispatch
def text_for(result: BaseModel) -> str:
    return result.model_dump_json(exclude_none=True)


@text_for.register
def _submission(result: Submission) -> str:
    minutes = max(1, round(result.expected_seconds / 60))
    submitted = f"Submitted: task_id {result.task_id} (usually about {minutes} min)."
    if result.next is None:
        return submitted
    arguments = json.dumps(result.next.arguments, separators=(",", ":"))
    return f"{submitted}\nNext: {result.next.tool} {arguments}"


@text_for.register
def _task(result: TaskView) -> str:
    head = f"Task {result.task_id}: {result.status.value}"
    if result.status is TaskStatus.SUCCEEDED:
        head += f" {_artifact(result)}"
        if result.video_id:
            head += f" video_id {result.video_id}"
    elif result.error is not None:
        head += f" ({_error(result)})"
    next_step = getattr(result, "next_step", None)
    return f"{head}\nNext: {next_step}" if next_step else head


@text_for.register
def _batch(result: TaskSet) -> str:
    counts = result.summary.model_dump(exclude={"total"})
    parts = ", ".join(f"{count} {status}" for status, count in counts.items() if count)
    lines = [f"{result.summary.total} tasks: {parts}."]
    if isinstance(result, WaitResult):
        ended = "timed out" if result.timed_out else "done"
        lines[0] += f" Waited {result.elapsed_seconds:.0f} s ({ended})."
    lines += _grouped(result.tasks)
    if result.summary.succeeded:
        lines.append("(video_id and duration of each task: in the structured result.)")
    lines.append(f"Next: {result.next_step}")
    return "\n".join(lines)


def _grouped(tasks: Iterable[TaskSummary]) -> list[str]:
    """One block per status: succeeded and failed tasks one per line, the others as id lists."""
    by_status: dict[TaskStatus, list[TaskSummary]] = {}
    for task in tasks:
        by_status.setdefault(task.status, []).append(task)
    lines: list[str] = []
    for status in TaskStatus:
        group = by_status.get(status)
        if not group:
            continue
        if status is TaskStatus.SUCCEEDED:
            lines.append("succeeded:")
            lines += [f"{task.task_id} {_artifact(task)}" for task in group]
        elif status in (TaskStatus.FAILED, TaskStatus.ERROR):
            lines.append(f"{status.value}:")
            lines += [f"{task.task_id} {_error(task)}" for task in group]
        else:
            lines.append(f"{status.value}: {' '.join(task.task_id for task in group)}")
    return lines


def _artifact(task: TaskSummary) -> str:
    urls = task.result_urls or ([task.video_url] if task.video_url else [])
    return " ".join(urls)


def _error(task: TaskSummary) -> str:
    if task.error is None:
        return ""
    return f"{task.error.code}: {task.error.message}" if task.error.code else task.error.message
