"""The fixture tools the official conformance suite's tasks scenarios call, so that the suite itself
checks this server's transport and tasks extension: `greet`, `slow_compute`, `failing_job`,
`protocol_error_job`.

Served only with `KLING_MCP_CONFORMANCE_FIXTURES=true`, a test-only setting that is off in every
shipped configuration (`deploy/interop/run.sh` turns it on for the suite's own run). They touch no
upstream and spend nothing. Their tasks live in this process's memory, unlike Kling's, which are
sealed handles: the suite talks to one process, and these tasks have no upstream to hold them.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult, TextContent
from mcp_types import INTERNAL_ERROR

from app.mcp.tasks_extension import iso

FIXTURE_PREFIX = "fixture-task-"
MAX_FIXTURE_TASKS = 1000


def add_fixture_tools(server: MCPServer[Any]) -> None:
    @server.tool(description="Conformance fixture: says hello (never a task).")
    def greet(name: str) -> str:
        return f"Hello, {name}!"

    @server.tool(description="Conformance fixture: sleeps `seconds`, then answers (a task when declared).")
    async def slow_compute(seconds: float = 1, label: str = "") -> str:
        return await _slow_compute(seconds, label)

    @server.tool(description="Conformance fixture: a tool error, as a task only.")
    def failing_job() -> str:
        raise MCPError(code=INTERNAL_ERROR, message="failing_job runs only as a task")

    @server.tool(description="Conformance fixture: a protocol error, as a task only.")
    def protocol_error_job() -> str:
        raise MCPError(code=INTERNAL_ERROR, message="protocol_error_job runs only as a task")


@dataclass
class _Task:
    task_id: str
    created: float
    updated: float
    status: str = "working"
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    runner: asyncio.Task[None] | None = field(default=None, repr=False)


class FixtureTasks:
    """The fixtures' tasks, run in the background and kept (boundedly) in memory."""

    def __init__(self) -> None:
        self._tasks: dict[str, _Task] = {}

    def owns(self, task_id: str) -> bool:
        return task_id.startswith(FIXTURE_PREFIX)

    def start(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        now = time.time()
        task = _Task(FIXTURE_PREFIX + secrets.token_urlsafe(16), now, now)
        task.runner = asyncio.get_running_loop().create_task(self._run(task, tool, arguments))
        self._tasks[task.task_id] = task
        while len(self._tasks) > MAX_FIXTURE_TASKS:
            oldest = next(iter(self._tasks))
            self._tasks.pop(oldest)
        return self.view(task.task_id) or {}

    async def _run(self, task: _Task, tool: str, arguments: dict[str, Any]) -> None:
        try:
            if tool == "slow_compute":
                text = await _slow_compute(
                    float(arguments.get("seconds", 1)), str(arguments.get("label") or "")
                )
                self._finish(task, "completed", result=_text_result(text, is_error=False))
            elif tool == "failing_job":
                await asyncio.sleep(1)
                self._finish(
                    task, "completed", result=_text_result("failing_job failed, as it must.", is_error=True)
                )
            else:
                await asyncio.sleep(0.2)
                self._finish(
                    task, "failed", error={"code": INTERNAL_ERROR, "message": "protocol_error_job broke"}
                )
        except asyncio.CancelledError:
            self._finish(task, "cancelled")

    def _finish(self, task: _Task, status: str, **outcome: Any) -> None:
        task.status, task.updated = status, time.time()
        task.result, task.error = outcome.get("result"), outcome.get("error")

    def view(self, task_id: str) -> dict[str, Any] | None:
        task = self._tasks.get(task_id)
        if task is None:
            return None
        shown: dict[str, Any] = {
            "taskId": task.task_id,
            "status": task.status,
            "createdAt": iso(task.created),
            "lastUpdatedAt": iso(task.updated),
            "ttlMs": 3_600_000,
            "pollIntervalMs": 200,
        }
        if task.result is not None:
            shown["result"] = task.result
        if task.error is not None:
            shown["error"] = task.error
        return shown

    def cancel(self, task_id: str) -> bool:
        task = self._tasks.get(task_id)
        if task is None:
            return False
        if task.runner is not None and not task.runner.done():
            task.runner.cancel()
        return True


async def _slow_compute(seconds: float, label: str) -> str:
    await asyncio.sleep(max(0.0, min(seconds, 120)))
    return f"{label or 'slow_compute'}: done after {seconds:g} s"


def _text_result(text: str, *, is_error: bool) -> dict[str, Any]:
    result = CallToolResult(content=[TextContent(type="text", text=text)], is_error=is_error)
    return result.model_dump(by_alias=True, mode="json", exclude_none=True)
