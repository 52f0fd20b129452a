"""The batch engine's pure parts: dedupe, chunking, and merging fetched records into statuses."""

from __future__ import annotations

from typing import Any

from app.kling.batch import Fetched, Found, build_result, chunked, dedupe
from app.kling.status import TaskStatus, TaskSummary, summary_facts
from app.upstream.errors import UpstreamServerError

DONE = {
    "success": True,
    "state": "succeed",
    "video_url": "https://cdn/v.mp4",
    "video_id": "9",
    "duration": "5",
}


def record(task_id: str, response: dict[str, Any] | None = None) -> dict[str, Any]:
    base: dict[str, Any] = {"id": task_id, "created_at": 1.0, "request": {}}
    return base if response is None else {**base, "response": response}


def found(task_id: str, response: dict[str, Any] | None = None) -> Found:
    """A fetched entry, as fetch_chunk makes it when the chunk arrives."""
    raw = record(task_id, response)
    return Found(raw, TaskSummary.model_validate(summary_facts(task_id, raw)))


def test_dedupe_keeps_first_seen_order() -> None:
    assert dedupe(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]


def test_chunks_are_at_most_the_size() -> None:
    ids = [str(i) for i in range(101)]
    chunks = chunked(ids, 50)
    assert [len(c) for c in chunks] == [50, 50, 1]
    assert [i for c in chunks for i in c] == ids
    assert chunked([], 50) == []


def test_merge_maps_by_id_and_counts() -> None:
    fetched: Fetched = {
        "run": found("run"),
        "ok": found("ok", DONE),
        "bad": found("bad", {"success": False, "state": "failed", "error": {"code": "x", "message": "no"}}),
        "lost": UpstreamServerError("fetch failed", path="/kling/tasks", http_status=500, code="api_error"),
    }
    result = build_result(
        ["ok", "ghost", "run", "bad", "lost"], fetched, poll_after_seconds=15, include_raw=False
    )
    assert [t.task_id for t in result.tasks] == ["ok", "ghost", "run", "bad", "lost"]
    assert [t.status for t in result.tasks] == [
        TaskStatus.SUCCEEDED,
        TaskStatus.NOT_FOUND,
        TaskStatus.PENDING,
        TaskStatus.FAILED,
        TaskStatus.ERROR,
    ]
    assert result.summary.model_dump() == {
        "total": 5,
        "pending": 1,
        "succeeded": 1,
        "failed": 1,
        "not_found": 1,
        "error": 1,
    }
    assert result.poll_after_seconds == 15 and not result.all_terminal
    lost = result.tasks[4]
    assert lost.error is not None and lost.error.code == "api_error" and "fetch failed" in lost.error.message
    assert not lost.status.terminal
    assert result.raw_records is None


def test_all_terminal_has_no_poll_hint_and_raw_is_opt_in() -> None:
    fetched: Fetched = {"ok": found("ok", DONE)}
    result = build_result(["ok", "ghost"], fetched, poll_after_seconds=15, include_raw=True)
    assert result.all_terminal and result.poll_after_seconds is None
    assert result.raw_records == {"ok": record("ok", DONE)}
    assert "All tasks are final" in result.next_step
