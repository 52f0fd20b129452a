"""A stranger on the other end, over real HTTP: junk that once broke or bloated the server now gets a
clear refusal, and the server keeps serving."""

from __future__ import annotations

from typing import Any

import anyio
import httpx2
import pytest

from tests.helpers import (
    MODES,
    Mode,
    Simulator,
    connect_raw,
    error_of,
    mcp_client,
    post_head,
    server_for,
    server_with_metrics,
)

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

TOKEN = "tok-abuse-0001"
HEADERS = {
    "authorization": f"Bearer {TOKEN}",
    "content-type": "application/json",
    "accept": "application/json, text/event-stream",
}
ERA_HEADER = {"legacy": "2025-11-25", "2026-07-28": "2026-07-28"}


def call(name: str, arguments: dict[str, Any], request_id: int = 1) -> dict[str, Any]:
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "tools/call",
        "params": {"name": name, "arguments": arguments},
    }


@pytest.mark.parametrize("mode", MODES)
async def test_json_nested_too_deep_is_a_parse_error_not_a_crash(simulator: Simulator, mode: Mode) -> None:
    deep = b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":' + b"[" * 3000 + b"]" * 3000 + b"}"
    headers = {**HEADERS, "mcp-protocol-version": ERA_HEADER[mode]}
    async with server_for(simulator) as url, httpx2.AsyncClient(base_url=url) as http:
        answer = await http.post("/mcp", content=deep, headers=headers)
        bare = await http.post("/mcp", content=b"[" * 3000 + b"]" * 3000, headers=headers)
        health = await http.get("/healthz")
    assert (answer.status_code, bare.status_code, health.status_code) == (400, 400, 200)
    assert answer.json()["error"]["code"] == -32700


async def test_junk_tool_and_method_names_never_become_metrics_labels(simulator: Simulator) -> None:
    headers = {**HEADERS, "mcp-protocol-version": "2025-11-25"}
    async with server_with_metrics(simulator) as (url, metrics_url), httpx2.AsyncClient(base_url=url) as http:
        for i in range(20):
            await http.post("/mcp", json=call(f"junk-{i}-" + "x" * 10_000, {}), headers=headers)
            junk_method = {"jsonrpc": "2.0", "id": i, "method": f"nope/{i}" + "y" * 10_000}
            await http.post("/mcp", json=junk_method, headers=headers)
        metrics = (await http.get(f"{metrics_url}/metrics")).text
    assert len(metrics) < 50_000 and "xxxx" not in metrics and "yyyy" not in metrics
    assert 'method="tools/call",outcome="tool_error",tool="unknown"' in metrics
    assert 'method="unknown"' in metrics


async def test_batch_and_wait_ids_are_capped_like_single_ids(simulator: Simulator) -> None:
    too_long = "t" * 129
    async with server_for(simulator) as url, mcp_client(url, TOKEN, "2026-07-28") as client:
        batch = await client.call_tool("kling_get_tasks_batch", {"task_ids": ["ok", too_long]})
        wait = await client.call_tool("kling_wait_for_tasks", {"task_ids": [too_long], "timeout_seconds": 1})
    assert batch.is_error and wait.is_error
    assert await simulator.journal() == []


async def test_a_cancel_frame_takes_effect_on_a_saturated_server(simulator: Simulator) -> None:
    ids = await simulator.bulk(TOKEN, 1, run_seconds=600)
    quick = {"wait_first_poll_seconds": 0.1, "wait_max_poll_seconds": 0.1, "max_concurrent_requests": 1}
    async with server_for(simulator, **quick) as url, mcp_client(url, TOKEN, "legacy") as client:
        with anyio.move_on_after(1.0) as scope:  # the wait holds the only slot; the client then cancels
            await client.call_tool("kling_wait_for_tasks", {"task_ids": ids, "timeout_seconds": 60})
        assert scope.cancelled_caught
        await anyio.sleep(0.5)
        after_cancel = len([e for e in await simulator.journal() if e["path"] == "/kling/tasks"])
        await anyio.sleep(1.0)
        assert len([e for e in await simulator.journal() if e["path"] == "/kling/tasks"]) == after_cancel


async def test_unknown_tool_calls_still_answer(simulator: Simulator) -> None:
    async with server_for(simulator) as url, mcp_client(url, TOKEN, "legacy") as client:
        result = await client.call_tool("kling_generate_video", {"prompt": "a fox", "zz\nINFO forged": 1})
    assert error_of(result)["kind"] == "unknown_argument"


@pytest.mark.parametrize("tool", ["kling_get_tasks_batch", "kling_wait_for_tasks"])
async def test_a_junk_token_costs_upstream_one_call_not_one_per_chunk(
    simulator: Simulator, tool: str
) -> None:
    await simulator.configure(valid_tokens=["tok-real"])
    ids = [f"id-{i}" for i in range(1000)]  # 20 chunks of 50
    arguments: dict[str, Any] = {"task_ids": ids}
    if tool == "kling_wait_for_tasks":
        arguments["timeout_seconds"] = 5
    async with server_for(simulator) as url, mcp_client(url, "tok-junk", "2026-07-28") as client:
        first = await client.call_tool(tool, arguments)
        again = await client.call_tool(tool, arguments)
    assert error_of(first)["kind"] == error_of(again)["kind"] == "auth_failed"
    assert error_of(again)["code"] == "recently_refused"
    assert len(await simulator.journal()) == 1  # the first chunk of the first call, and nothing more


async def test_get_streams_are_not_offered(simulator: Simulator) -> None:
    headers = {**HEADERS, "mcp-protocol-version": "2025-11-25"}
    async with server_for(simulator) as url, httpx2.AsyncClient(base_url=url) as http:
        with anyio.fail_after(2):  # answered at once, not held open with pings
            answer = await http.get("/mcp", headers=headers)
    assert answer.status_code == 405


async def test_slow_bodies_never_hold_a_slot(simulator: Simulator) -> None:
    limits = {"max_concurrent_requests": 2, "request_read_timeout_seconds": 1.0}
    async with server_for(simulator, **limits) as url:
        host, port = url.removeprefix("http://").split(":")
        head = (
            f"POST /mcp HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {TOKEN}\r\n"
            "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
            'Content-Length: 5000\r\n\r\n{"jso'
        ).encode()
        slow = [await anyio.connect_tcp(host, int(port)) for _ in range(4)]  # twice the slots
        for stream in slow:
            await stream.send(head)  # 5 bytes of a 5,000-byte body, and then nothing
        async with mcp_client(url, TOKEN, "legacy") as client:
            with anyio.fail_after(3):
                listed = await client.list_tools()  # served while the slow bodies dangle
        answers = []
        for stream in slow:
            with anyio.fail_after(3):
                answers.append((await stream.receive()).split(b"\r\n", 1)[0])
            await stream.aclose()
    assert listed.tools
    assert answers == [b"HTTP/1.1 408 Request Timeout"] * 4


async def test_large_media_bodies_are_admitted_only_up_to_the_byte_budget(simulator: Simulator) -> None:
    # Found: six concurrent 8 MiB kling_lip_sync bodies with junk tokens took RSS from 76 to 383 MiB.
    # With the default pools (16 MiB of media bodies in flight, 8 MiB each) two are held, four refused.
    size = 8 * 1024 * 1024
    async with server_for(simulator) as url, httpx2.AsyncClient(base_url=url, timeout=20) as http:
        held = []
        for n in range(2):
            stream = await connect_raw(url)
            await stream.send(post_head(url, f"junk-{n}", size) + b'{"jsonrpc": "2.0", ')
            held.append(stream)
        await anyio.sleep(0.1)
        refused: list[int] = []

        async def post(n: int) -> None:
            headers = {**HEADERS, "authorization": f"Bearer junk-{n}", "mcp-protocol-version": "2025-11-25"}
            refused.append((await http.post("/mcp", content=b" " * size, headers=headers)).status_code)

        async with anyio.create_task_group() as group:
            for n in range(2, 6):
                group.start_soon(post, n)
        async with mcp_client(url, TOKEN, "legacy") as client:
            with anyio.fail_after(3):
                listed = await client.list_tools()  # small calls are served meanwhile
        for stream in held:
            await stream.aclose()
    assert refused == [503] * 4
    assert listed.tools
