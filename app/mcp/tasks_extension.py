"""The MCP tasks extension (`io.modelcontextprotocol/tasks`, 2026-07-28 era), backed by Kling's tasks.

A `tools/call` to a generation tool whose request declares the extension gets a task handle as
soon as upstream accepts the submission; `tasks/get` reads the Kling task behind it. Nothing is
stored: the handle is a sealed envelope (`app/oauth/sealing.py`) holding the Kling task id, the
tool, the caller's token fingerprint and the expected time, so any replica answers it, and a caller
with another token gets the same answer as for an unknown task. Requests that do not declare the
extension get today's result; `kling_wait_for_tasks` stays for them.

Kling cannot stop a task once it runs, so `tasks/cancel` acknowledges (as the extension requires),
records that cancelling was asked, and later `tasks/get` answers say that the task runs on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet
from mcp.server.context import ServerRequestContext
from mcp.server.extension import Extension, MethodBinding
from mcp.server.mcpserver.server import require_client_extension
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult
from mcp_types import HEADER_MISMATCH, INTERNAL_ERROR, INVALID_PARAMS, RequestParams
from pydantic import Field

from app.errors import KlingMcpError
from app.idempotency.store import IdempotencyStore
from app.kling.status import TaskStatus
from app.mcp.results import error_result, success_result
from app.mcp.tools.tasks import read_task
from app.oauth.sealing import Kind, Sealer, SealError
from app.settings import Settings
from app.tokens import fingerprint, parse_bearer
from app.upstream.client import UpstreamClient

if TYPE_CHECKING:
    from app.mcp.conformance_fixtures import FixtureTasks

logger = logging.getLogger(__name__)

TASKS_EXTENSION = "io.modelcontextprotocol/tasks"
ERA = frozenset({"2026-07-28"})
UNKNOWN_TASK = "Unknown task: no such taskId for this caller."
# The conformance suite's task-supporting fixtures (app/mcp/conformance_fixtures.py, test runs only).
TASK_FIXTURES = frozenset({"slow_compute", "failing_job", "protocol_error_job"})
TASK_ONLY_FIXTURES = frozenset({"failing_job", "protocol_error_job"})
# A task upstream has just accepted may not be readable for a moment: not_found then means "not yet".
NOT_FOUND_GRACE_SECONDS = 60
MIN_POLL_MS, MAX_POLL_MS = 2_000, 30_000

CallNext = Callable[[ServerRequestContext[Any, Any]], Awaitable[Any]]


class TaskIdParams(RequestParams):
    task_id: str = Field(alias="taskId", min_length=1, max_length=4096)


class TaskUpdateParams(TaskIdParams):
    input_responses: dict[str, Any] = Field(default_factory=dict, alias="inputResponses")


def task_sealer(settings: Settings) -> Sealer:
    """The OAuth door's keys when set, so that every replica opens every handle; without them, a key
    of this process's own, and handles open only where they were made."""
    if not settings.oauth_key_list:
        logger.info("task handles are sealed with a key of this process (set KLING_MCP_OAUTH_KEYS to share)")
    return Sealer(settings.oauth_key_list or [Fernet.generate_key().decode()])


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def poll_interval_ms(expected_seconds: float) -> int:
    """About a tenth of the job's expected time: a handful of polls per video, never hammering."""
    return int(min(MAX_POLL_MS, max(MIN_POLL_MS, expected_seconds * 100)))


def declared(ctx: ServerRequestContext[Any, Any]) -> bool:
    capabilities = ctx.session.client_capabilities
    extensions = capabilities.extensions if capabilities else None
    return bool(extensions) and TASKS_EXTENSION in extensions  # type: ignore[operator]


class KlingTasks(Extension):
    identifier = TASKS_EXTENSION

    def __init__(
        self,
        upstream: UpstreamClient,
        sealer: Sealer,
        marks: IdempotencyStore,
        *,
        task_tools: frozenset[str],
        stdio_token: str | None = None,
        fixtures: FixtureTasks | None = None,
    ) -> None:
        self.upstream = upstream
        self.sealer = sealer
        self.marks = marks
        self.task_tools = task_tools
        self.stdio_token = stdio_token
        self.fixtures = fixtures  # the conformance suite's fixture tools, in test runs only

    def methods(self) -> Sequence[MethodBinding]:
        return [
            MethodBinding("tasks/get", TaskIdParams, self._get, ERA),
            MethodBinding("tasks/update", TaskUpdateParams, self._update, ERA),
            MethodBinding("tasks/cancel", TaskIdParams, self._cancel, ERA),
        ]

    # --- creation -----------------------------------------------------------------------------------
    async def intercept_tool_call(
        self, params: Any, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> Any:
        if self.fixtures is not None and params.name in TASK_FIXTURES:
            return await self._fixture_call(self.fixtures, params, ctx, call_next)
        if params.name not in self.task_tools or ctx.protocol_version not in ERA or not declared(ctx):
            return await call_next(ctx)
        result = await call_next(ctx)
        accepted = _submission(result)
        if accepted is None:
            return result  # refused before upstream accepted it: nothing runs, so no task
        kling_id, expected = accepted
        now = time.time()
        handle = self.sealer.seal(
            Kind.TASK,
            {"t": kling_id, "n": params.name, "f": fingerprint(self._token(ctx)), "c": now, "e": expected},
            lifetime_seconds=None,
        )
        logger.info("task handle for Kling task %s (tool %s)", kling_id, params.name)
        return {
            "resultType": "task",
            **self._task(handle, "working", now, now, expected),
            "statusMessage": f"Kling accepted it as task {kling_id}; a video takes about {expected} s.",
        }

    async def _fixture_call(
        self, fixtures: FixtureTasks, params: Any, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> Any:
        arguments = params.arguments or {}
        as_task = ctx.protocol_version in ERA and declared(ctx)
        if params.name in TASK_ONLY_FIXTURES and not as_task:
            require_client_extension(ctx, TASKS_EXTENSION)  # -32021: it cannot run without a task
        if not as_task or (params.name == "slow_compute" and float(arguments.get("seconds", 1)) < 1):
            return await call_next(ctx)
        return {"resultType": "task", **fixtures.start(params.name, arguments)}

    # --- methods ------------------------------------------------------------------------------------
    async def _get(self, ctx: ServerRequestContext[Any, Any], params: TaskIdParams) -> dict[str, Any]:
        if (fixture := self._fixture(ctx, params.task_id)) is not None:
            return {"resultType": "complete", **fixture}
        sealed = self._open(ctx, params.task_id)
        created, expected = float(sealed["c"]), int(sealed["e"])
        cancel_asked = await self.marks.was_used(_cancel_mark(params.task_id))
        try:
            found = await read_task(self.upstream, sealed["t"], token=self._token(ctx))
        except KlingMcpError as exc:
            # The task's state could not be read this time; the task itself is unaffected.
            raise MCPError(code=INTERNAL_ERROR, message=exc.describe()) from None
        now = time.time()
        task = self._task(params.task_id, "working", created, now, expected)
        if found.status in (TaskStatus.PENDING, TaskStatus.ERROR) or (
            found.status is TaskStatus.NOT_FOUND and now - created < NOT_FOUND_GRACE_SECONDS
        ):
            task["statusMessage"] = f"Still running upstream (Kling task {sealed['t']})." + (
                " Cancelling was asked, but Kling cannot stop a task once it runs." if cancel_asked else ""
            )
            return {"resultType": "complete", **task}
        task["status"] = "completed"
        task["lastUpdatedAt"] = iso(found.finished_at or now)
        if found.status is TaskStatus.SUCCEEDED:
            # kling_get_task's result for the finished video, plus the one field the generation
            # tool's output schema requires beyond it: clients check this result against that schema.
            outcome = success_result(found)
            assert outcome.structured_content is not None
            outcome.structured_content["expected_seconds"] = expected
        else:
            reason = found.error.message if found.error else "Kling knows no such task for this token."
            outcome = error_result(
                f"The generation did not produce a video: {reason} Next step: {found.next_step}",
                {"kind": "task_" + found.status.value, "task_id": sealed["t"]},
            )
        task["result"] = outcome.model_dump(by_alias=True, mode="json", exclude_none=True)
        return {"resultType": "complete", **task}

    async def _update(self, ctx: ServerRequestContext[Any, Any], params: TaskUpdateParams) -> dict[str, Any]:
        if self._fixture(ctx, params.task_id) is None:
            self._open(ctx, params.task_id)  # Kling tasks never ask for input: responses are ignored
        return {"resultType": "complete"}

    async def _cancel(self, ctx: ServerRequestContext[Any, Any], params: TaskIdParams) -> dict[str, Any]:
        if self._fixture(ctx, params.task_id) is not None and self.fixtures is not None:
            self.fixtures.cancel(params.task_id)
            return {"resultType": "complete"}
        self._open(ctx, params.task_id)
        await self.marks.use_once(_cancel_mark(params.task_id), 7 * 86_400)
        logger.info("tasks/cancel asked for a Kling task: acknowledged, but upstream cannot stop it")
        return {"resultType": "complete"}

    # --- helpers ------------------------------------------------------------------------------------
    @staticmethod
    def _admit(ctx: ServerRequestContext[Any, Any], task_id: str) -> None:
        """What every tasks/* request must satisfy: the extension declared, and an Mcp-Name that agrees."""
        require_client_extension(ctx, TASKS_EXTENSION)
        named = _header(ctx, "mcp-name")
        if named is not None and named != task_id:
            raise MCPError(code=HEADER_MISMATCH, message="Mcp-Name does not match params.taskId")

    def _fixture(self, ctx: ServerRequestContext[Any, Any], task_id: str) -> dict[str, Any] | None:
        """A conformance fixture's task (test runs only), or None when the id is not one."""
        if self.fixtures is None or not self.fixtures.owns(task_id):
            return None
        self._admit(ctx, task_id)
        shown = self.fixtures.view(task_id)
        if shown is None:
            raise MCPError(code=INVALID_PARAMS, message=UNKNOWN_TASK)
        return shown

    def _open(self, ctx: ServerRequestContext[Any, Any], task_id: str) -> dict[str, Any]:
        """The sealed facts of a task this caller may read; anything else reads as an unknown task."""
        self._admit(ctx, task_id)
        try:
            sealed = self.sealer.open(Kind.TASK, task_id)
        except SealError:
            sealed = None
        if sealed is None or sealed.get("f") != fingerprint(self._token(ctx)):
            raise MCPError(code=INVALID_PARAMS, message=UNKNOWN_TASK)
        return sealed

    def _token(self, ctx: ServerRequestContext[Any, Any]) -> str:
        token = parse_bearer(_header(ctx, "authorization")) or self.stdio_token
        if token is None:
            raise MCPError(code=INVALID_PARAMS, message="No API token on this request.")
        return token

    @staticmethod
    def _task(handle: str, status: str, created: float, updated: float, expected: int) -> dict[str, Any]:
        return {
            "taskId": handle,
            "status": status,
            "createdAt": iso(created),
            "lastUpdatedAt": iso(updated),
            "ttlMs": None,  # the Kling task, not this server, holds the state; the handle never expires
            "pollIntervalMs": poll_interval_ms(expected),
        }


def _cancel_mark(task_id: str) -> str:
    return "task-cancel:" + fingerprint(task_id)


def _header(ctx: ServerRequestContext[Any, Any], name: str) -> str | None:
    request = ctx.request
    headers = getattr(request, "headers", None)
    value = headers.get(name) if headers is not None else None
    return value if isinstance(value, str) else None


def _submission(result: Any) -> tuple[str, int] | None:
    """The Kling task id and expected seconds of an accepted submission, or None for anything else."""
    if not isinstance(result, CallToolResult) or result.is_error or not result.structured_content:
        return None
    task_id = result.structured_content.get("task_id")
    expected = result.structured_content.get("expected_seconds")
    if not isinstance(task_id, str) or not isinstance(expected, int):
        return None
    return task_id, expected
