"""Sending a generation upstream: always asynchronous, at most once per idempotency key, never lost.

Every accepted submission is logged at INFO (`app.submissions`: task_id, tool, token fingerprint,
idempotency key), and the upstream exchange is shielded from the caller's cancellation, so a paid
task's id is always recorded; with an idempotency key it is also given back to a retry.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

import anyio
from mcp.server.mcpserver import Context
from pydantic import WithJsonSchema

from app.errors import IdempotencyConflict, IdempotencyInProgress
from app.idempotency.store import Conflict, InProgress, Replay, Unavailable, request_hash, scoped_key
from app.kling.catalog import TYPICAL_SECONDS
from app.kling.status import Absent, CompactModel
from app.mcp.tools.runtime import ToolRuntime, caller_token, runtime_of
from app.metrics import current_request
from app.tokens import fingerprint
from app.upstream.client import CallKind
from app.upstream.errors import UpstreamProtocolError

submission_log = logging.getLogger("app.submissions")

Job = Literal["video", "talking_photo", "lip_sync", "motion", "commerce"]


WAIT_TOOL = "kling_wait_for_tasks"


class NextCall(CompactModel):
    tool: str
    arguments: dict[str, Any]


# The published schema shows `next` as an object with a description: its two keys read plainly in
# every result, and spelling them out in all 11 generation tools' schemas cost 1.3 KB of tools/list.
NextCallSchema = Annotated[NextCall, WithJsonSchema({"type": "object", "description": "Make this call now."})]


class Submission(CompactModel):
    task_id: str
    expected_seconds: int
    # Always set on a submission. Optional in the schema because a tasks-extension task's final result
    # (app/mcp/tasks_extension.py) is this tool's result too: the finished video, with no next call.
    next: NextCallSchema | Absent = None


def request_body(fields: dict[str, Any]) -> dict[str, Any]:
    """Unset fields are left out (never sent as null); `async` is set unless a callback makes it so."""
    body = {key: value for key, value in fields.items() if value is not None}
    if "callback_url" not in body:
        body["async"] = True
    return body


async def submit(
    ctx: Context[Any], path: str, fields: dict[str, Any], *, job: Job, key: str | None
) -> Submission:
    """Send one generation upstream, at most once per idempotency key, and never lose its task_id."""
    runtime = runtime_of(ctx)
    body = request_body(fields)
    token = caller_token(ctx)
    if key is None:
        return await _send(runtime, path, body, token, job, None)
    record = scoped_key(fingerprint(token), key)
    digest = request_hash(path, body)
    settings = runtime.settings
    waited = settings.submit_timeout_seconds + settings.connect_timeout_seconds
    outcome = await runtime.idempotency.claim(record, digest, wait_seconds=waited)
    match outcome:
        case Replay(result=result):
            runtime.metrics.idempotency.labels("replayed").inc()
            return Submission.model_validate(result)
        case Conflict():
            runtime.metrics.idempotency.labels("conflict").inc()
            raise IdempotencyConflict()
        case InProgress():
            runtime.metrics.idempotency.labels("in_progress").inc()
            raise IdempotencyInProgress()
        case Unavailable():  # the store logged and counted it; submitting matters more
            runtime.metrics.idempotency.labels("unavailable").inc()
            return await _send(runtime, path, body, token, job, key)
    runtime.metrics.idempotency.labels("claimed").inc()
    # Shielded: once sent, the answer is awaited and recorded even if the caller goes away meanwhile.
    with anyio.CancelScope(shield=True):
        try:
            submission = await _send(runtime, path, body, token, job, key)
        except BaseException:
            await runtime.idempotency.release(record, digest)  # nothing to replay: a retry may submit
            raise
        await runtime.idempotency.complete(record, digest, submission.model_dump(mode="json"))
    return submission


async def _send(
    runtime: ToolRuntime,
    path: str,
    body: dict[str, Any],
    token: str,
    job: Job,
    key: str | None,
) -> Submission:
    # Shielded: upstream bills the moment it accepts, so its answer must be read and logged whatever
    # the caller does (a 2026-era client that closes its stream cancels this handler).
    with anyio.CancelScope(shield=True):
        response = await runtime.upstream.post(path, body, token=token, kind=CallKind.SUBMIT)
        task_id = response.get("task_id")
        if not isinstance(task_id, str) or not task_id:
            raise UpstreamProtocolError(f"{path} accepted the request but returned no task_id.", path=path)
        _log_accepted(task_id, path, token, key)
    return Submission(
        task_id=task_id,
        expected_seconds=TYPICAL_SECONDS[job],
        next=NextCall(tool=WAIT_TOOL, arguments={"task_ids": [task_id]}),
    )


def _log_accepted(task_id: str, path: str, token: str, idempotency_key: str | None) -> None:
    """One INFO line per paid task, so an operator can always give a caller their task ids back."""
    record = current_request.get()
    facts = {
        "task_id": task_id,
        "tool": record.tool if record else None,
        "path": path,
        "token": fingerprint(token),
        "idempotency_key": idempotency_key,
    }
    submission_log.info(
        "submission accepted: task_id=%s tool=%s token=%s idempotency_key=%r",
        task_id,
        facts["tool"],
        facts["token"],
        idempotency_key,
        extra={"submission": facts},
    )
