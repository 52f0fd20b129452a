"""The commands (app/commands.py) run for real, in subprocesses: serve --simulate, and stdio."""

from __future__ import annotations

import gc
import re
import sys
from typing import Any

import httpx2
import pytest
from mcp import Client, StdioServerParameters

from app.gc_tuning import tune_garbage_collector
from tests.helpers import MODES, Mode, Simulator, clean_env, kling_mcp_process, mcp_client, running_server

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


@pytest.mark.parametrize("mode", MODES)
async def test_serve_simulate_answers_the_sdk_client(mode: Mode) -> None:
    async with running_server(env=clean_env()) as (base, sim_url):
        async with httpx2.AsyncClient(base_url=sim_url) as sim:
            submitted = await sim.post(
                "/kling/videos",
                json={"action": "text2video", "prompt": "a lighthouse", "async": True},
                headers={"authorization": "Bearer tok-newcomer"},
            )
        task_id = submitted.json()["task_id"]
        async with mcp_client(base, "tok-newcomer", mode) as client:
            names = [t.name for t in (await client.list_tools()).tools]
            result = await client.call_tool("kling_get_task", {"task_id": task_id})
    assert "kling_get_task" in names
    assert result.structured_content is not None and result.structured_content["status"] == "pending"


async def test_hosted_mode_never_uses_the_server_token() -> None:
    env = clean_env(ACEDATACLOUD_API_TOKEN="server-owned-token")
    async with running_server(env=env) as (base, sim_url):
        async with mcp_client(base, "tok-caller", "legacy") as client:
            await client.call_tool("kling_get_task", {"task_id": "x"})
        with pytest.raises(BaseException):  # noqa: B017,PT011 - the SDK raises an ExceptionGroup on HTTP 401
            async with mcp_client(base, None, "legacy") as anonymous:
                await anonymous.list_tools()
        async with httpx2.AsyncClient(base_url=sim_url) as sim:
            journal: list[dict[str, Any]] = (await sim.get("/_sim/requests")).json()
    assert [e["authorization"] for e in journal] == ["Bearer tok-caller"]


async def test_stdio_mode_uses_the_environment_token(simulator: Simulator) -> None:
    await simulator.configure(task_seconds=600)
    task_id = await simulator.submit("tok-local-user")
    env = clean_env(ACEDATACLOUD_API_TOKEN="tok-local-user", ACEDATACLOUD_API_BASE_URL=simulator.url)
    params = StdioServerParameters(command=sys.executable, args=["-m", "app", "stdio"], env=env)
    async with Client(params, mode="legacy") as client:
        result = await client.call_tool("kling_get_task", {"task_id": task_id})
    assert result.structured_content is not None and result.structured_content["status"] == "pending"
    [entry] = [e for e in await simulator.journal() if e["path"] == "/kling/tasks"]
    assert entry["authorization"] == "Bearer tok-local-user"


async def test_serve_puts_metrics_on_their_own_port(simulator: Simulator) -> None:
    async with kling_mcp_process({"ACEDATACLOUD_API_BASE_URL": simulator.url}) as server:
        found = re.search(r"metrics on (http://[\d.:]+)/metrics", server.log)
        assert found, server.log
        async with httpx2.AsyncClient() as http:
            scraped = await http.get(f"{found.group(1)}/metrics")
            on_mcp_port = await http.get(f"{server.url}/metrics")
    assert scraped.status_code == 200 and "kling_mcp_requests_total" in scraped.text
    assert on_mcp_port.status_code == 404


def test_the_collector_runs_less_often_and_skips_the_start_up_heap() -> None:
    before = gc.get_threshold()
    try:
        tune_garbage_collector(12_345)
        assert gc.get_threshold() == (12_345, *before[1:])
        assert gc.get_freeze_count() > 0  # everything alive at start-up is left out of collections
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


@pytest.mark.anyio
@pytest.mark.e2e
@pytest.mark.parametrize("access_log", [False, True], ids=["default", "access-log-on"])
async def test_one_log_line_per_call_at_info_unless_the_access_log_is_asked_for(
    simulator: Simulator, access_log: bool
) -> None:
    env = {"ACEDATACLOUD_API_BASE_URL": simulator.url, "KLING_MCP_LOG_LEVEL": "INFO"}
    if access_log:
        env["KLING_MCP_ACCESS_LOG"] = "true"
    async with kling_mcp_process(env) as server:
        started = len(await server.read_log(0.2))
        async with mcp_client(server.url, "tok-log-lines", "2026-07-28") as client:
            await client.call_tool("kling_get_task", {"task_id": "no-such-task"})
        lines = (await server.read_log(0.5))[started:].splitlines()
    calls = [line for line in lines if "app.requests" in line and "tools/call" in line]
    access = [line for line in lines if "uvicorn.access" in line]
    assert len(calls) == 1
    assert (len(access) > 0) is access_log
