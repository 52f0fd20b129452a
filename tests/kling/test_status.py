"""Status normalisation over every upstream record shape in the contract reference (§4, §14)."""

from __future__ import annotations

from typing import Any

import pytest

from app.kling.status import TaskStatus, next_step, normalize_record

BASE = {"id": "t1", "type": "videos", "created_at": 1740969535.333, "trace_id": "tr", "request": {}}
DONE = {
    "success": True,
    "video_id": "030bb06d",
    "video_url": "https://platform2.cdn.acedata.cloud/kling/x.mp4",
    "duration": "5.1",
    "state": "succeed",
    "task_id": "t1",
}


def view(record: dict[str, Any] | None) -> Any:
    return normalize_record("t1", record, poll_after_seconds=15)


@pytest.mark.parametrize("record", [{}, None])
def test_unknown_id_is_not_found_and_terminal(record: dict[str, Any] | None) -> None:
    v = view(record)
    assert (v.status, v.terminal, v.poll_after_seconds) == (TaskStatus.NOT_FOUND, True, None)
    assert "No such task" in next_step(v)


@pytest.mark.parametrize(
    "record",
    [
        BASE,
        {**BASE, "response": None},
        {**BASE, "response": "weird"},
        {**BASE, "response": {"task_id": "t1"}},
    ],
    ids=["no-response", "response-null", "response-not-object", "response-without-state"],
)
def test_running_shapes_are_pending_with_poll_hint(record: dict[str, Any]) -> None:
    v = view(record)
    assert (v.status, v.terminal, v.poll_after_seconds) == (TaskStatus.PENDING, False, 15)
    assert v.created_at == pytest.approx(1740969535.333)


def test_documented_success_record() -> None:
    v = view({**BASE, "finished_at": 1740969852.463, "elapsed": 317.07, "response": DONE})
    assert v.status is TaskStatus.SUCCEEDED and v.terminal
    assert v.video_url == DONE["video_url"] and v.video_id == "030bb06d"
    assert v.duration_seconds == pytest.approx(5.1)
    assert v.result_urls is None  # nothing beyond video_url
    assert v.poll_after_seconds is None and v.finished_at == pytest.approx(1740969852.463)


@pytest.mark.parametrize(
    "word", ["succeed", "succeeded", "success", "completed", "complete", "finished", "SUCCEED"]
)
def test_every_done_word_with_artifact_succeeds(word: str) -> None:
    assert view({**BASE, "response": {**DONE, "state": word, "success": None}}).status is TaskStatus.SUCCEEDED


def test_numeric_duration_of_talking_photo() -> None:
    v = view({**BASE, "response": {**DONE, "duration": 5.04, "source_video_url": "https://cdn/x-src.mp4"}})
    assert v.duration_seconds == pytest.approx(5.04)
    assert v.result_urls is None  # the intermediate source video is not a result


def test_solution_result_urls_come_from_data() -> None:
    response = {
        "success": True,
        "state": "succeed",
        "data": [{"video_url": "https://cdn/a.mp4"}, {"url": "https://cdn/b.mp4"}],
    }
    v = view({**BASE, "response": response})
    assert v.status is TaskStatus.SUCCEEDED and v.result_urls == ["https://cdn/a.mp4", "https://cdn/b.mp4"]
    assert v.video_url is None


@pytest.mark.parametrize("word", ["failed", "failure", "error", "cancelled", "canceled", "rejected"])
def test_every_failed_word_fails(word: str) -> None:
    v = view({**BASE, "response": {"state": word}})
    assert v.status is TaskStatus.FAILED and v.terminal and v.error is not None


def test_failure_keeps_upstream_error_code_and_message() -> None:
    response = {
        "success": False,
        "state": "failed",
        "error": {"code": "api_error", "message": "fetch failed"},
    }
    v = view({**BASE, "response": response})
    assert v.status is TaskStatus.FAILED
    assert v.error is not None and (v.error.code, v.error.message) == ("api_error", "fetch failed")


def test_success_false_alone_is_failed() -> None:
    assert view({**BASE, "response": {"success": False}}).status is TaskStatus.FAILED


def test_structured_error_code_without_success_flag_is_failed() -> None:
    assert view({**BASE, "response": {"error": {"code": "x", "message": "m"}}}).status is TaskStatus.FAILED


def test_done_without_artifact_is_failed_not_succeeded() -> None:
    v = view({**BASE, "response": {"success": True, "state": "succeed"}})
    assert v.status is TaskStatus.FAILED
    assert v.error is not None and "no result URL" in v.error.message


def test_terminal_is_derived_from_status() -> None:
    assert {s for s in TaskStatus if s.terminal} == {
        TaskStatus.SUCCEEDED,
        TaskStatus.FAILED,
        TaskStatus.NOT_FOUND,
    }
