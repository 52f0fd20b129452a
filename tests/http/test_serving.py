"""Serving (app/http/serving.py): the listening socket, and SIGTERM with calls in flight: no new
connections, every in-flight call answered, exit code 0."""

from __future__ import annotations

import re
import signal
import socket
import sys
from typing import Any

import anyio
import httpx2
import pytest

from app.http.serving import bind_socket
from tests.helpers import MODES, Mode, clean_env, mcp_client

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

TOKEN = "tok-drain-0001"
CALLS = 12  # calls in flight when SIGTERM arrives


async def start_server(**env: str) -> tuple[anyio.abc.Process, str, str]:
    process = await anyio.open_process(
        [sys.executable, "-m", "app", "serve", "--simulate", "--port", "0"], env=clean_env(**env)
    )
    assert process.stderr is not None
    log = ""
    with anyio.fail_after(20):
        while "MCP endpoint" not in log or log.count("startup complete") < 2:
            log += (await process.stderr.receive()).decode()
    base = re.search(r"MCP endpoint (http://[\d.:]+)/mcp", log)
    sim = re.search(r"simulator on (http://[\d.:]+)", log)
    assert base and sim, log
    return process, base.group(1), sim.group(1)


@pytest.mark.parametrize("mode", MODES)
async def test_sigterm_lets_in_flight_calls_finish_then_exits_zero(mode: Mode) -> None:
    process, base, sim_url = await start_server(
        KLING_SIM_TASK_SECONDS="2.5",
        KLING_MCP_WAIT_FIRST_POLL_SECONDS="0.2",
        KLING_MCP_WAIT_MAX_POLL_SECONDS="0.3",
    )
    async with httpx2.AsyncClient(base_url=sim_url, headers={"authorization": f"Bearer {TOKEN}"}) as sim:
        body = {"action": "text2video", "prompt": "p", "async": True}
        task_ids = [(await sim.post("/kling/videos", json=body)).json()["task_id"] for _ in range(3)]
    results: list[Any] = []

    async def slow_call() -> None:
        answered = len(results)
        try:
            async with mcp_client(base, TOKEN, mode) as client:
                await client.list_tools()  # the client checks results against these schemas afterwards
                args = {"task_ids": task_ids, "timeout_seconds": 30}
                results.append(await client.call_tool("kling_wait_for_tasks", args))
        except BaseException:
            # Closing the client after the server has gone may fail; the answer is what counts.
            if len(results) == answered:
                raise

    async with anyio.create_task_group() as group:
        for _ in range(CALLS):
            group.start_soon(slow_call)
        await anyio.sleep(1.5)  # every call is now waiting on the server
        process.send_signal(signal.SIGTERM)
        await anyio.sleep(0.3)
        with pytest.raises(httpx2.ConnectError):  # the listener is closed: no new work is taken
            async with httpx2.AsyncClient() as http:
                await http.get(f"{base}/healthz")
    with anyio.fail_after(15):
        code = await process.wait()
    assert code == 0
    assert len(results) == CALLS
    for result in results:
        assert not result.is_error
        assert result.structured_content["summary"]["succeeded"] == 3
        assert result.structured_content["timed_out"] is False


async def test_idle_server_exits_zero_on_sigterm() -> None:
    process, base, _ = await start_server()
    async with httpx2.AsyncClient() as http:
        assert (await http.get(f"{base}/readyz")).status_code == 200
    process.send_signal(signal.SIGTERM)
    with anyio.fail_after(10):
        assert await process.wait() == 0


def test_listening_socket_is_tcp_so_accepted_connections_get_nodelay() -> None:
    sock = bind_socket("127.0.0.1", 0)
    try:
        # asyncio enables TCP_NODELAY only when proto is IPPROTO_TCP; proto 0 costs ~40 ms per response.
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
