"""The tasks extension over real HTTP: a generation declared with the extension returns a task handle
at once, `tasks/get` follows the Kling task to its video, and nothing is stored on the server."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, Literal

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.extension import ClaimContext, ClientExtension, ResultClaim
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult
from mcp_types import Request, RequestParams, Result
from pydantic import Field

from app.oauth.sealing import Kind, Sealer
from app.tokens import fingerprint
from tests.helpers import Simulator, free_port, kling_mcp_process, mcp_client, server_for
from tests.oauth.flow import KEYS

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

TOKEN = "tok-tasks-0001"
TASKS = "io.modelcontextprotocol/tasks"
ARGS = {"prompt": "a kite over the dunes", "model": "kling-v2-6", "mode": "std"}
_ids = itertools.count(1)


def meta(declare: bool) -> dict[str, Any]:
    return {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "tasks-test", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {"extensions": {TASKS: {}}} if declare else {},
    }


async def rpc(
    http: httpx2.AsyncClient,
    method: str,
    params: dict[str, Any],
    *,
    token: str = TOKEN,
    declare: bool = True,
    name: str | None = None,
) -> httpx2.Response:
    headers = {
        "accept": "application/json, text/event-stream",
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": method,
        "authorization": f"Bearer {token}",
    }
    if name is not None:
        headers["mcp-name"] = name
    body = {
        "jsonrpc": "2.0",
        "id": next(_ids),
        "method": method,
        "params": {**params, "_meta": meta(declare)},
    }
    return await http.post("/mcp", json=body, headers=headers)


async def generate(http: httpx2.AsyncClient, *, declare: bool = True, token: str = TOKEN) -> dict[str, Any]:
    answer = await rpc(
        http,
        "tools/call",
        {"name": "kling_generate_video", "arguments": ARGS},
        declare=declare,
        token=token,
        name="kling_generate_video",
    )
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()["result"]
    return result


async def get(http: httpx2.AsyncClient, task_id: str, **options: Any) -> httpx2.Response:
    return await rpc(http, "tasks/get", {"taskId": task_id}, name=options.pop("name", task_id), **options)


async def until_final(http: httpx2.AsyncClient, task_id: str) -> tuple[dict[str, Any], int]:
    for polls in range(1, 200):
        answer = await get(http, task_id)
        assert answer.status_code == 200, answer.text
        task: dict[str, Any] = answer.json()["result"]
        if task["status"] != "working":
            return task, polls
        await anyio.sleep(0.1)
    raise AssertionError("the task never finished")


async def test_a_declared_generation_returns_a_handle_and_tasks_get_brings_the_video(
    simulator: Simulator,
) -> None:
    async with server_for(simulator) as url, httpx2.AsyncClient(base_url=url) as http:
        created = await generate(http)
        assert created["resultType"] == "task" and created["status"] == "working"
        assert created["taskId"].startswith("kmcp-task.") and isinstance(created["pollIntervalMs"], int)
        assert created["createdAt"].endswith("Z") and created["ttlMs"] is None
        assert "result" not in created and "error" not in created
        task, polls = await until_final(http, created["taskId"])
    assert task["status"] == "completed" and task["resultType"] == "complete"
    result = task["result"]
    assert result["isError"] is False
    assert result["structuredContent"]["status"] == "succeeded"
    assert result["structuredContent"]["video_url"].endswith(".mp4")
    assert polls >= 1


async def test_requests_without_the_extension_get_todays_result(simulator: Simulator) -> None:
    async with server_for(simulator) as url, httpx2.AsyncClient(base_url=url) as http:
        plain = await generate(http, declare=False)
        refused = await get(http, "kmcp-task.anything", declare=False)
    assert plain.get("resultType", "complete") == "complete" and plain["structuredContent"]["task_id"]
    assert refused.status_code == 400 and refused.json()["error"]["code"] == -32021


async def test_another_token_or_a_forged_handle_reads_as_an_unknown_task(simulator: Simulator) -> None:
    async with server_for(simulator, oauth_keys=KEYS[0], public_base_url="http://127.0.0.1:1") as url:
        async with httpx2.AsyncClient(base_url=url) as http:
            created = await generate(http)
            stranger = await get(http, created["taskId"], token="tok-someone-else")
            tampered_id = (
                created["taskId"][:-6]
                + ("A" if created["taskId"][-6] != "A" else "B")
                + created["taskId"][-5:]
            )
            tampered = await get(http, tampered_id)
            foreign = Sealer([KEYS[1]]).seal(
                Kind.TASK,
                {"t": "x", "n": "kling_generate_video", "f": fingerprint(TOKEN), "c": 0, "e": 60},
                lifetime_seconds=None,
            )
            other_key = await get(http, foreign)
            mismatch = await get(http, created["taskId"], name="kmcp-task.other")
    for answer in (stranger, tampered, other_key):
        assert answer.status_code == 400 and answer.json()["error"]["code"] == -32602
        assert answer.json()["error"]["message"] == "Unknown task: no such taskId for this caller."
    assert mismatch.status_code == 400 and mismatch.json()["error"]["code"] == -32020


async def test_cancel_is_acknowledged_and_the_task_says_it_runs_on(simulator: Simulator) -> None:
    async with running_slow(simulator) as http:
        created = await generate(http)
        cancelled = await rpc(http, "tasks/cancel", {"taskId": created["taskId"]}, name=created["taskId"])
        after = (await get(http, created["taskId"])).json()["result"]
    assert cancelled.status_code == 200 and cancelled.json()["result"]["resultType"] == "complete"
    assert set(cancelled.json()["result"]) == {"resultType", "_meta"}  # an empty acknowledgement
    assert after["status"] == "working" and "cannot stop a task" in after["statusMessage"]


def running_slow(simulator: Simulator) -> Any:
    import contextlib

    @contextlib.asynccontextmanager
    async def slow() -> Any:
        await simulator.configure(task_seconds=30)
        async with server_for(simulator) as url, httpx2.AsyncClient(base_url=url) as http:
            yield http

    return slow()


async def test_two_processes_answer_each_others_task_handles(simulator: Simulator) -> None:
    env = {
        "ACEDATACLOUD_API_BASE_URL": simulator.url,
        "KLING_MCP_OAUTH_KEYS": ",".join(KEYS[:2]),
        "KLING_MCP_PUBLIC_BASE_URL": f"http://127.0.0.1:{free_port()}",
    }
    async with kling_mcp_process(env) as a, kling_mcp_process(env) as b:
        async with httpx2.AsyncClient(base_url=a.url) as on_a, httpx2.AsyncClient(base_url=b.url) as on_b:
            created = await generate(on_a)
            task, _ = await until_final(on_b, created["taskId"])
    assert task["status"] == "completed" and task["result"]["structuredContent"]["status"] == "succeeded"


async def test_the_2025_era_knows_no_tasks_methods(simulator: Simulator) -> None:
    async with server_for(simulator) as url, mcp_client(url, TOKEN, "legacy") as client:
        result = await client.call_tool("kling_generate_video", ARGS)
    assert result.structured_content is not None and "task_id" in result.structured_content


async def test_discovery_lists_the_extension(simulator: Simulator) -> None:
    async with server_for(simulator) as url, httpx2.AsyncClient(base_url=url) as http:
        answer = await rpc(http, "server/discover", {}, declare=False)
    capabilities = answer.json()["result"]["capabilities"]
    assert TASKS in capabilities["extensions"] and "tasks" not in capabilities


# --- through the MCP SDK's own client, with its client-extension hooks --------------------------


class CreatedTask(Result):
    result_type: Literal["task"] = Field(alias="resultType")
    task_id: str = Field(alias="taskId")
    status: str
    poll_interval_ms: int | None = Field(default=None, alias="pollIntervalMs")


class TaskIdParams(RequestParams):
    task_id: str = Field(alias="taskId")


class GetTask(Request[TaskIdParams, Literal["tasks/get"]]):
    method: Literal["tasks/get"] = "tasks/get"
    name_param = "taskId"  # the SDK mirrors it into Mcp-Name, as the extension requires


class TaskState(Result):
    status: str
    result: dict[str, Any] | None = None


class TasksRequester(ClientExtension):
    """The requester side of the extension: declares it on each request and, given a task handle,
    polls tasks/get until the task is final, then hands back the tool's ordinary result."""

    identifier = TASKS

    def __init__(self) -> None:
        self.handles: list[CreatedTask] = []
        self.polls = 0

    def claims(self) -> Sequence[ResultClaim[Any]]:
        return [ResultClaim(result_type="task", model=CreatedTask, resolve=self.resolve)]

    async def resolve(self, created: CreatedTask, ctx: ClaimContext) -> CallToolResult:
        self.handles.append(created)
        while True:
            self.polls += 1
            state = await ctx.session.send_request(
                GetTask(params=TaskIdParams(taskId=created.task_id)), TaskState
            )
            if state.status == "completed" and state.result is not None:
                return CallToolResult.model_validate(state.result)
            # The server suggests seconds between polls; the simulator finishes in half a second.
            await anyio.sleep(min(0.2, (created.poll_interval_ms or 200) / 1000))


async def test_an_sdk_client_that_declares_the_extension_makes_a_video_with_one_call(
    simulator: Simulator,
) -> None:
    requester = TasksRequester()
    async with (
        server_for(simulator) as url,
        httpx2.AsyncClient(headers={"authorization": f"Bearer {TOKEN}"}, timeout=30) as http,
    ):
        async with Client(
            streamable_http_client(f"{url}/mcp", http_client=http), mode="2026-07-28", extensions=[requester]
        ) as client:
            result = await client.call_tool("kling_generate_video", ARGS)
    assert [handle.status for handle in requester.handles] == ["working"]
    assert not result.is_error and result.structured_content is not None
    assert result.structured_content["status"] == "succeeded" and result.structured_content["video_url"]
    assert 1 <= requester.polls <= 20
