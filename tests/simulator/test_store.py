"""Simulated tasks (app/simulator/store.py): who may see a task, when it finishes, and how it ends."""

from __future__ import annotations

from typing import Any

from app.simulator.store import CDN, Outcome, SimTask, TaskStore

REQUEST = {"action": "text2video", "prompt": "a fox"}


def create(store: TaskStore, outcome: Outcome = "succeed", kind: str = "videos", **request: Any) -> SimTask:
    return store.create(
        owner="tok-a", type=kind, request={**REQUEST, **request}, run_seconds=60, outcome=outcome
    )


def test_a_task_is_visible_only_to_its_owner() -> None:
    store = TaskStore()
    task = create(store)
    assert store.get("tok-a", task.id) is task
    assert store.get("tok-b", task.id) is None
    assert store.get("tok-a", "no-such-id") is None
    assert len(store) == 1
    store.clear()
    assert len(store) == 0 and store.get("tok-a", task.id) is None


def test_a_task_runs_until_its_finish_time_then_succeeds() -> None:
    task = create(TaskStore())
    assert task.finish_at - task.created_at == 60
    running = task.record(task.finish_at - 0.001, pending_response="absent")
    assert running["id"] == task.id and running["request"] == REQUEST
    assert "response" not in running and "finished_at" not in running
    assert task.record(task.created_at, pending_response="null")["response"] is None
    done = task.record(task.finish_at, pending_response="absent")
    assert (done["finished_at"], done["elapsed"]) == (task.finish_at, 60)
    assert done["response"]["state"] == "succeed" and done["response"]["success"] is True
    assert done["response"]["video_url"] == f"{CDN}/{task.id}.mp4"
    assert done["response"]["video_id"] == task.video_id and isinstance(done["response"]["duration"], str)


def test_a_failed_task_carries_its_error() -> None:
    task = create(TaskStore(), outcome="failed")
    response = task.record(task.finish_at + 1, pending_response="absent")["response"]
    assert response == {
        "success": False,
        "task_id": task.id,
        "state": "failed",
        "error": {"code": "generation_failed", "message": "The video could not be generated."},
    }


def test_commerce_and_talking_photo_results_have_their_own_shape() -> None:
    store = TaskStore()
    goods = create(store, kind="goods-studio", watermark=True).response_body()
    assert [link["video_url"] for link in goods["data"]] == [
        f"{CDN}/{goods['task_id']}.mp4",
        f"{CDN}/{goods['task_id']}-watermarked.mp4",
    ]
    photo = create(store, kind="talking-photo").response_body()
    assert photo["source_video_url"].endswith("-source.mp4") and isinstance(photo["duration"], float)


def test_a_seeded_record_is_returned_as_is_to_its_owner_only() -> None:
    store = TaskStore()
    record = {"id": "seeded", "odd": [1, 2]}
    store.seed("tok-a", "seeded", record)
    task = store.get("tok-a", "seeded")
    assert task is not None and task.record(0, pending_response="null") == record
    assert store.get("tok-b", "seeded") is None
