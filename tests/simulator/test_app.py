"""The simulator keeps the upstream contract that the server's tests rely on."""

from __future__ import annotations

import anyio
import pytest

from tests.helpers import Simulator

pytestmark = pytest.mark.anyio

AUTH = {"authorization": "Bearer tok-sim"}


async def test_task_runs_then_succeeds_and_is_owner_scoped(simulator: Simulator) -> None:
    task_id = await simulator.submit("tok-sim")
    running = (
        await simulator.http.post("/kling/tasks", json={"action": "retrieve", "id": task_id}, headers=AUTH)
    ).json()
    assert running["id"] == task_id and "response" not in running and "finished_at" not in running
    foreign = await simulator.http.post(
        "/kling/tasks", json={"id": task_id}, headers={"authorization": "Bearer other"}
    )
    assert (foreign.status_code, foreign.json()) == (200, {})
    await anyio.sleep(0.6)
    done = (await simulator.http.post("/kling/tasks", json={"id": task_id}, headers=AUTH)).json()
    assert done["response"]["state"] == "succeed" and done["response"]["success"] is True
    assert isinstance(done["response"]["duration"], str) and done["elapsed"] >= 0.5


async def test_batch_leaves_out_unknown_ids(simulator: Simulator) -> None:
    ids = [await simulator.submit("tok-sim") for _ in range(5)]
    body = {"action": "retrieve_batch", "ids": [*ids, "ghost"]}
    result = (await simulator.http.post("/kling/tasks", json=body, headers=AUTH)).json()
    assert result["count"] == 5 and sorted(item["id"] for item in result["items"]) == sorted(ids)


async def test_missing_bearer_is_401_in_the_documented_shape(simulator: Simulator) -> None:
    response = await simulator.http.post("/kling/tasks", json={"id": "x"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token" and response.json()["trace_id"]


async def test_configured_tokens_and_balance(simulator: Simulator) -> None:
    await simulator.configure(valid_tokens=["tok-sim", "tok-poor"], used_up_tokens=["tok-poor"])
    bad = await simulator.http.post(
        "/kling/tasks", json={"id": "x"}, headers={"authorization": "Bearer nope"}
    )
    assert bad.status_code == 401
    poor = await simulator.http.post(
        "/kling/videos",
        json={"action": "text2video", "prompt": "p"},
        headers={"authorization": "Bearer tok-poor"},
    )
    assert (poor.status_code, poor.json()["error"]["code"]) == (403, "used_up")


async def test_moderation_marker_is_403_forbidden(simulator: Simulator) -> None:
    response = await simulator.http.post(
        "/kling/videos", json={"action": "text2video", "prompt": "x [blocked]", "async": True}, headers=AUTH
    )
    assert (response.status_code, response.json()["error"]["code"]) == (403, "forbidden")


async def test_faults_fire_count_times_then_stop(simulator: Simulator) -> None:
    await simulator.fault(kind="status", status=429, retry_after="2", count=2, path="/kling/tasks")
    statuses = []
    for _ in range(3):
        response = await simulator.http.post("/kling/tasks", json={"id": "x"}, headers=AUTH)
        statuses.append((response.status_code, response.headers.get("retry-after")))
    assert statuses == [(429, "2"), (429, "2"), (200, None)]


async def test_flat_and_text_error_shapes(simulator: Simulator) -> None:
    await simulator.fault(kind="status", status=400, code="bad_request", shape="flat", message="id bad")
    await simulator.fault(kind="status", status=502, shape="text")
    flat = await simulator.http.post("/kling/tasks", json={"id": "x"}, headers=AUTH)
    text = await simulator.http.post("/kling/tasks", json={"id": "x"}, headers=AUTH)
    assert flat.json() == {"code": "bad_request", "detail": "id bad"}
    assert text.status_code == 502 and text.headers["content-type"].startswith("text/html")


async def test_synchronous_submit_blocks_until_done(simulator: Simulator) -> None:
    await simulator.configure(task_seconds=0.2)
    body = {"action": "text2video", "prompt": "p"}
    result = (await simulator.http.post("/kling/videos", json=body, headers=AUTH)).json()
    assert result["state"] == "succeed" and result["video_url"].endswith(".mp4")


async def test_unknown_video_action_is_rejected(simulator: Simulator) -> None:
    response = await simulator.http.post("/kling/videos", json={"action": "dance"}, headers=AUTH)
    assert (response.status_code, response.json()["error"]["code"]) == (400, "bad_request")
