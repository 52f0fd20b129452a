"""What a Kling task record means: one closed status vocabulary and a pure normaliser.

Upstream keeps a task's outcome inside `response` (`state`: `succeed`/`failed`, `success`, an
artifact URL), has no word for "running" (the `response` is simply missing or null), and answers
`{}` for an id it does not know. Everything here is a pure function of the record, so every odd
shape is tested without HTTP (`tests/kling/test_status.py`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

DONE_WORDS = frozenset({"succeed", "succeeded", "success", "completed", "complete", "finished"})
FAILED_WORDS = frozenset({"failed", "failure", "error", "cancelled", "canceled", "rejected"})
_MAX_URLS = 20


class TaskStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    NOT_FOUND = "not_found"
    ERROR = "error"  # this server could not learn the status (batch chunk failure)

    @property
    def meaning(self) -> str:
        return STATUS_MEANINGS[self]

    @property
    def terminal(self) -> bool:
        """Whether polling again can change the answer."""
        return self in (TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.NOT_FOUND)


# What each status tells an agent; the schema's description and the README say it in these words.
STATUS_MEANINGS = {
    TaskStatus.PENDING: "running",
    TaskStatus.SUCCEEDED: "video_url ready",
    TaskStatus.FAILED: "see error",
    TaskStatus.NOT_FOUND: "unknown to this token",
    TaskStatus.ERROR: "unreadable this time",
}

Absent = SkipJsonSchema[None]  # an optional field: left out of results when unset, so not nullable


class CompactModel(BaseModel):
    """Results leave unset fields out (`Absent`), so their schema says "optional", not "string or null";
    app/mcp/schema.py strips what pydantic still adds when the schema is published."""


class TaskError(CompactModel):
    code: str | Absent = None
    message: str


# One task's status, normalised: what a batch result holds per task (the batch says when to ask
# again; `status` says whether a task is final). Comments, not docstrings: a docstring would become
# the schema's description, which every agent pays for.
class TaskSummary(CompactModel):
    task_id: str
    status: TaskStatus = Field(
        description=" ".join(f"{status.value}: {meaning}." for status, meaning in STATUS_MEANINGS.items())
    )
    video_url: str | Absent = None
    video_id: str | Absent = Field(default=None, description="For kling_extend_video and kling_lip_sync.")
    duration_seconds: float | Absent = None
    result_urls: list[str] | Absent = Field(
        default=None, description="All artifacts, when more than video_url (commerce)."
    )
    error: TaskError | Absent = None


# One task in full: the summary plus whether it is final, when to ask again, and timing.
class TaskView(TaskSummary):
    terminal: bool = Field(description="Final: asking again will not change it.")
    poll_after_seconds: int | Absent = None
    created_at: float | Absent = None  # epoch seconds
    finished_at: float | Absent = None


def _word(value: Any) -> str | None:
    return value.strip().lower() if isinstance(value, str) else None


def _number(value: Any) -> float | None:
    """Durations arrive as strings for videos ("5.041") and as numbers for talking photos."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def _urls(value: Any, found: list[str]) -> None:
    """Collect http(s) URLs from a result, depth-first; solutions put theirs inside `data`."""
    if len(found) >= _MAX_URLS:
        return
    if isinstance(value, str):
        if value.startswith(("http://", "https://")) and value not in found:
            found.append(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in ("source_video_url", "callback_url"):
                _urls(item, found)
    elif isinstance(value, list):
        for item in value:
            _urls(item, found)


def _artifacts(response: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for key in ("video_url", "data", "image_url"):
        if (value := response.get(key)) is not None:
            _urls(value, found)
    return found


def _error(response: dict[str, Any], fallback: str) -> TaskError:
    raw = response.get("error")
    code = message = None
    if isinstance(raw, dict):
        code, message = raw.get("code"), raw.get("message")
    elif isinstance(raw, str):
        message = raw
    message = message or response.get("message") or response.get("detail") or fallback
    return TaskError(code=str(code) if code else None, message=str(message))


def classify_response(
    response: dict[str, Any], artifacts: list[str] | None = None
) -> tuple[TaskStatus, TaskError | None]:
    """`artifacts`: the response's URLs when the caller has them already (a batch reads 1,000 records)."""
    state = _word(response.get("state")) or _word(response.get("status"))
    success = response.get("success")
    error = response.get("error")
    structured_error = isinstance(error, dict) and bool(error.get("code"))
    if state in FAILED_WORDS or success is False or (structured_error and success is not True):
        return TaskStatus.FAILED, _error(response, f"upstream reported the task as {state or 'failed'}")
    if state in DONE_WORDS or success is True:
        if isinstance(response.get("video_url"), str) or (
            artifacts if artifacts is not None else _artifacts(response)
        ):
            return TaskStatus.SUCCEEDED, None
        return TaskStatus.FAILED, _error(response, "upstream reported success but returned no result URL")
    return TaskStatus.PENDING, None


def _outcome(task_id: str, record: dict[str, Any] | None) -> dict[str, Any]:
    """The TaskSummary fields of one upstream record (`{}` / None: an unknown id); unset ones left out.
    A batch runs this for every id as its chunk arrives, so each lookup is done once."""
    if not record:
        return {"task_id": task_id, "status": TaskStatus.NOT_FOUND}
    response = record.get("response")
    if not isinstance(response, dict):  # missing, null, or not an object: still running
        return {"task_id": task_id, "status": TaskStatus.PENDING}
    urls = _artifacts(response)
    status, error = classify_response(response, urls)
    facts: dict[str, Any] = {"task_id": task_id, "status": status}
    if error is not None:
        facts["error"] = error
    if status is not TaskStatus.SUCCEEDED:
        return facts
    video_url = response.get("video_url")
    if isinstance(video_url, str):
        facts["video_url"] = video_url
    if video_id := response.get("video_id"):
        facts["video_id"] = str(video_id)
    if (duration := _number(response.get("duration"))) is not None:
        facts["duration_seconds"] = duration
    if len(urls) != 1 or urls[0] != video_url:
        facts["result_urls"] = urls
    return facts


def record_facts(task_id: str, record: dict[str, Any] | None, *, poll_after_seconds: int) -> dict[str, Any]:
    """TaskView fields for one upstream record: the outcome, whether it is final, and timing."""
    facts = _outcome(task_id, record)
    status: TaskStatus = facts["status"]
    facts["terminal"] = status.terminal
    if not status.terminal:
        facts["poll_after_seconds"] = poll_after_seconds
    for key in ("created_at", "finished_at"):
        if record and (value := _number(record.get(key))) is not None:
            facts[key] = value
    return facts


def normalize_record(task_id: str, record: dict[str, Any] | None, *, poll_after_seconds: int) -> TaskView:
    return TaskView.model_validate(record_facts(task_id, record, poll_after_seconds=poll_after_seconds))


def summary_facts(task_id: str, record: dict[str, Any] | None) -> dict[str, Any]:
    """The TaskSummary fields of one record: a batch entry, as plain data (no timing, no hints)."""
    return _outcome(task_id, record)


def next_step(view: TaskView) -> str:
    """What an agent should do after reading this status, in one sentence."""
    match view.status:
        case TaskStatus.PENDING:
            return "Still running: call kling_wait_for_tasks with this task_id to wait for it in one call."
        case TaskStatus.SUCCEEDED:
            return "Done: video_url is the video; pass video_id to kling_extend_video or kling_lip_sync."
        case TaskStatus.FAILED:
            return "Failed for good: read error, change the request and submit a new task."
        case TaskStatus.NOT_FOUND:
            return (
                "No such task for this API token: check the id (tasks made with another token are not "
                "visible). A task submitted seconds ago may need a moment to appear."
            )
        case _:
            return "The status could not be read this time: call kling_wait_for_tasks with this task_id."
