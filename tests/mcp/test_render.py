"""app/mcp/render.py: the text block each result gives the model that reads it."""

from __future__ import annotations

from pydantic import BaseModel

from app.kling.batch import Fetched, Found, build_result
from app.kling.status import TaskStatus, TaskSummary, TaskView, summary_facts
from app.kling.wait import WaitResult
from app.mcp.render import text_for
from app.mcp.tools.submit import NextCall, Submission
from app.upstream.errors import UpstreamServerError

DONE = {
    "success": True,
    "state": "succeed",
    "video_url": "https://cdn/a.mp4",
    "video_id": "9",
    "duration": "5",
}


def found(task_id: str, response: dict[str, object] | None = None) -> Found:
    record = {"id": task_id, "created_at": 1.0, "request": {}}
    if response is not None:
        record["response"] = response
    return Found(record, TaskSummary.model_validate(summary_facts(task_id, record)))


def test_a_submission_is_two_lines_ending_in_the_exact_call() -> None:
    result = Submission(
        task_id="t-1",
        expected_seconds=300,
        next=NextCall(tool="kling_wait_for_tasks", arguments={"task_ids": ["t-1"]}),
    )
    assert text_for(result) == (
        'Submitted: task_id t-1 (usually about 5 min).\nNext: kling_wait_for_tasks {"task_ids":["t-1"]}'
    )


def test_a_task_set_is_a_summary_line_then_one_line_per_task_by_status() -> None:
    fetched: Fetched = {
        "a": found("a", DONE),
        "b": found("b"),
        "c": found("c", {"success": False, "state": "failed", "error": {"code": "blocked", "message": "no"}}),
        "d": UpstreamServerError("boom", path="/kling/tasks", http_status=500, code="api_error"),
    }
    text = text_for(
        build_result(["a", "b", "c", "d", "e"], fetched, poll_after_seconds=15, include_raw=False)
    )
    lines = text.split("\n")
    assert lines[0] == "5 tasks: 1 pending, 1 succeeded, 1 failed, 1 not_found, 1 error."
    assert lines[1:7] == [
        "pending: b",
        "succeeded:",
        "a https://cdn/a.mp4",
        "failed:",
        "c blocked: no",
        "not_found: e",
    ]
    assert lines[7] == "error:" and lines[8].startswith("d api_error: ")
    assert lines[-1].startswith("Next: 1 pending, 1 unreadable: call kling_wait_for_tasks")


def test_a_wait_says_how_long_it_waited_and_whether_it_timed_out() -> None:
    batch = build_result(["b"], {"b": found("b")}, poll_after_seconds=15, include_raw=False)
    result = WaitResult.model_construct(
        tasks=batch.tasks,
        summary=batch.summary,
        all_terminal=False,
        next_step="call kling_wait_for_tasks again with open_task_ids.",
        timed_out=True,
        elapsed_seconds=50.2,
        open_task_ids=["b"],
    )
    assert text_for(result).split("\n")[0] == "1 tasks: 1 pending. Waited 50 s (timed out)."


def test_one_task_says_its_status_its_video_and_what_next() -> None:
    view = TaskView(
        task_id="a", status=TaskStatus.SUCCEEDED, terminal=True, video_url="https://cdn/a.mp4", video_id="9"
    )
    assert text_for(view) == "Task a: succeeded https://cdn/a.mp4 video_id 9"


def test_tables_stay_compact_json() -> None:
    class Table(BaseModel):
        rows: list[int]
        note: str | None = None

    assert text_for(Table(rows=[1, 2])) == '{"rows":[1,2]}'
