"""kling_get_task end to end: SDK client (both eras) -> uvicorn -> app -> simulator, all over loopback."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from mcp.types import CallToolResult

from tests.helpers import MODES, McpClientFactory, Mode, Simulator, error_of, text_of

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

TOKEN = "tok-alice-0001"


async def get_task(connect: McpClientFactory, mode: Mode, task_id: str, token: str = TOKEN) -> CallToolResult:
    async with connect(token, mode) as client:
        return await client.call_tool("kling_get_task", {"task_id": task_id})


@pytest.mark.parametrize("mode", MODES)
async def test_tools_list_shows_schema_and_annotations(connect: McpClientFactory, mode: Mode) -> None:
    async with connect(TOKEN, mode) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    tool = tools["kling_get_task"]
    assert tool.input_schema["required"] == ["task_id"]
    assert tool.output_schema is not None and "status" in tool.output_schema["properties"]
    assert tool.annotations is not None
    # Only what differs from the spec's defaults is sent: openWorldHint is true by default.
    assert (
        tool.annotations.read_only_hint,
        tool.annotations.idempotent_hint,
        tool.annotations.open_world_hint,
    ) == (True, True, None)
    assert tool.description and "free" in tool.description


@pytest.mark.parametrize("mode", MODES)
async def test_pending_then_succeeded(connect: McpClientFactory, simulator: Simulator, mode: Mode) -> None:
    task_id = await simulator.submit(TOKEN)
    first = await get_task(connect, mode, task_id)
    assert not first.is_error
    assert first.structured_content is not None
    assert first.structured_content["status"] == "pending"
    assert first.structured_content["terminal"] is False
    assert first.structured_content["poll_after_seconds"] == 15
    assert first.structured_content["raw"]["id"] == task_id
    assert text_of(first) == (
        f"Task {task_id}: pending\n"
        "Next: Still running: call kling_wait_for_tasks with this task_id to wait for it in one call."
    )
    await anyio.sleep(0.6)  # the simulator runs tasks for 0.5 s in tests
    done = (await get_task(connect, mode, task_id)).structured_content
    assert done is not None
    assert (done["status"], done["terminal"]) == ("succeeded", True)
    assert "poll_after_seconds" not in done and "error" not in done  # nulls are left out
    assert done["video_url"].endswith(f"{task_id}.mp4") and done["video_id"]
    assert done["duration_seconds"] == pytest.approx(5.041)


@pytest.mark.parametrize("mode", MODES)
async def test_failed_task_reports_upstream_error(
    connect: McpClientFactory, simulator: Simulator, mode: Mode
) -> None:
    task_id = await simulator.submit(TOKEN, prompt="a glitch [fail]")
    await anyio.sleep(0.6)
    result = (await get_task(connect, mode, task_id)).structured_content
    assert result is not None
    assert (result["status"], result["terminal"]) == ("failed", True)
    assert result["error"]["code"] == "generation_failed"


@pytest.mark.parametrize("mode", MODES)
async def test_unknown_and_foreign_ids_are_not_found(
    connect: McpClientFactory, simulator: Simulator, mode: Mode
) -> None:
    bobs = await simulator.submit("tok-bob-0002")
    for task_id in ("no-such-task", bobs):
        result = (await get_task(connect, mode, task_id)).structured_content
        assert result is not None
        assert (result["status"], result["terminal"], result["raw"]) == ("not_found", True, {})


async def test_response_null_is_pending(connect: McpClientFactory, simulator: Simulator) -> None:
    await simulator.configure(pending_response="null", task_seconds=60)
    task_id = await simulator.submit(TOKEN)
    result = (await get_task(connect, "legacy", task_id)).structured_content
    assert result is not None
    assert result["status"] == "pending" and result["raw"]["response"] is None


async def test_exact_upstream_request(connect: McpClientFactory, simulator: Simulator) -> None:
    await get_task(connect, "2026-07-28", "  abc-123  ")
    [entry] = [e for e in await simulator.journal() if e["path"] == "/kling/tasks"]
    assert entry["body"] == {"action": "retrieve", "id": "abc-123"}
    assert entry["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize("mode", MODES)
async def test_blank_task_id_is_refused_before_upstream(
    connect: McpClientFactory, simulator: Simulator, mode: Mode
) -> None:
    result = await get_task(connect, mode, "   ")
    assert error_of(result)["kind"] == "invalid_task_id"
    assert "task_id is blank" in text_of(result)
    assert await simulator.journal() == []


ERROR_CASES = [
    ({"kind": "status", "status": 401, "code": "invalid_token", "message": "bad token"}, "auth_failed", 401),
    (
        {"kind": "status", "status": 403, "code": "used_up", "message": "balance not sufficient"},
        "balance_used_up",
        403,
    ),
    ({"kind": "status", "status": 403, "code": "forbidden", "message": "blocked"}, "content_blocked", 403),
    (
        {"kind": "status", "status": 400, "code": "bad_request", "shape": "flat", "message": "id bad"},
        "bad_request",
        400,
    ),
    ({"kind": "status", "status": 429, "count": 3, "retry_after": "0"}, "rate_limited", 429),
    (
        {"kind": "status", "status": 500, "count": 3, "code": "api_error", "message": "fetch failed"},
        "upstream_failure",
        500,
    ),
    ({"kind": "status", "status": 502, "count": 3, "shape": "text"}, "upstream_failure", 502),
    ({"kind": "malformed", "count": 3}, "upstream_malformed", 200),
]


@pytest.mark.parametrize(
    ("fault", "kind", "status"), ERROR_CASES, ids=[c[1] + str(c[2]) for c in ERROR_CASES]
)
async def test_upstream_errors_become_distinct_tool_errors(
    connect: McpClientFactory, simulator: Simulator, fault: dict[str, Any], kind: str, status: int
) -> None:
    await simulator.fault(path="/kling/tasks", **fault)
    result = await get_task(connect, "legacy", "t-1")
    details = error_of(result)
    assert details["kind"] == kind and details["http_status"] == status
    text = text_of(result)
    assert "Next step:" in text and f"HTTP {status}" in text
    if fault.get("shape", "nested") == "nested" and fault["kind"] == "status":
        assert details["trace_id"] and details["trace_id"] in text
    if "code" in fault:
        assert details["code"] == fault["code"] and fault["code"] in text


@pytest.mark.parametrize(
    ("fault", "calls"),
    [
        ({"status": 401}, 1),
        ({"status": 403}, 1),
        ({"status": 400}, 1),
        ({"status": 429}, 3),
        ({"status": 503}, 3),
    ],
)
async def test_reads_retry_only_transient_errors(
    connect: McpClientFactory, simulator: Simulator, fault: dict[str, Any], calls: int
) -> None:
    await simulator.fault(kind="status", path="/kling/tasks", count=5, **fault)
    await get_task(connect, "legacy", "t-1")
    assert len([e for e in await simulator.journal() if e["path"] == "/kling/tasks"]) == calls


async def test_one_transient_error_is_absorbed(connect: McpClientFactory, simulator: Simulator) -> None:
    task_id = await simulator.submit(TOKEN)
    await simulator.fault(kind="status", status=429, retry_after="0", path="/kling/tasks")
    result = await get_task(connect, "2026-07-28", task_id)
    assert not result.is_error and result.structured_content is not None
    assert result.structured_content["status"] == "pending"
