"""No token ever reaches a log line, at DEBUG, on success and on every failure path."""

from __future__ import annotations

import logging

import pytest

from app.tokens import fingerprint
from tests.helpers import McpClientFactory, Simulator

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

SECRET = "sk-live-DO-NOT-LOG-7f3a9c"


async def test_tokens_stay_out_of_debug_logs(
    connect: McpClientFactory, simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for mode in ("legacy", "2026-07-28"):
        token = f"{SECRET}-{mode}"  # one per era: a refused token is remembered (not asked again) a while
        task_id = await simulator.submit(token)
        async with connect(token, mode) as client:
            assert not (await client.call_tool("kling_get_task", {"task_id": task_id})).is_error
            await simulator.fault(kind="status", status=500, count=3, path="/kling/tasks")
            assert (await client.call_tool("kling_get_task", {"task_id": task_id})).is_error
            await simulator.fault(kind="status", status=401, path="/kling/tasks")
            assert (await client.call_tool("kling_get_task", {"task_id": task_id})).is_error
    with pytest.raises(BaseException):  # noqa: B017,PT011 - the SDK raises an ExceptionGroup on HTTP 401
        async with connect(SECRET + '"bad', "legacy") as client:
            await client.list_tools()

    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) > 20, "expected DEBUG logging from the whole stack"
    leaked = [line for line in lines if SECRET in line or SECRET[:12] in line]
    assert leaked == []
    assert any(fingerprint(f"{SECRET}-legacy") in line for line in lines), "fingerprints correlate calls"
