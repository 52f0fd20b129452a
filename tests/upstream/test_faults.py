"""Upstream faults end in bounded time with a clear error, and no request hangs: a body that drips in,
a connection reset, a timeout mid-batch, a 429 storm, and one caller's flood next to another caller."""

from __future__ import annotations

import socket
import struct
import time
from collections.abc import AsyncIterator

import anyio
import pytest

from app.upstream.client import CallKind, UpstreamClient
from app.upstream.errors import UpstreamConnectionError, UpstreamTimeout
from tests.helpers import Simulator, error_of, mcp_client, server_for, settings_for

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

TOKEN = "tok-faults-0001"
QUICK = {"read_timeout_seconds": 0.5, "connect_timeout_seconds": 0.5, "retry_backoff_max_seconds": 0.05}


async def test_a_dripping_body_is_cut_at_the_deadline(simulator: Simulator) -> None:
    await simulator.fault(kind="drip", delay_ms=100, count=5, path="/kling/tasks")  # 26 bytes: 2.6 s
    client = UpstreamClient(settings_for(simulator.url, read_retries=0, **QUICK))
    started = time.monotonic()
    async with client.running():
        with pytest.raises(UpstreamTimeout):
            await client.post(
                "/kling/tasks", {"action": "retrieve", "id": "x"}, token=TOKEN, kind=CallKind.READ
            )
    assert time.monotonic() - started < 1.5  # 0.5 s read + 0.5 s connect budget, not 2.6 s


@pytest.fixture
async def resetting_port() -> AsyncIterator[int]:
    """A TCP listener that accepts and resets every connection: what a crashing proxy looks like."""
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)

    async def reset(stream: anyio.abc.SocketStream) -> None:
        raw = stream.extra(anyio.abc.SocketAttribute.raw_socket)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        await stream.aclose()

    async with listener, anyio.create_task_group() as group:
        group.start_soon(listener.serve, reset)
        yield port
        group.cancel_scope.cancel()


async def test_connection_resets_fail_fast_after_retries(resetting_port: int) -> None:
    client = UpstreamClient(settings_for(f"http://127.0.0.1:{resetting_port}", read_retries=2, **QUICK))
    started = time.monotonic()
    async with client.running():
        with pytest.raises(UpstreamConnectionError):
            await client.post(
                "/kling/tasks", {"action": "retrieve", "id": "x"}, token=TOKEN, kind=CallKind.READ
            )
    assert time.monotonic() - started < 2


async def test_timeout_mid_batch_marks_one_chunk_and_returns_in_time(simulator: Simulator) -> None:
    ids = await simulator.bulk(TOKEN, 120, run_seconds=0)
    await simulator.fault(kind="slow", delay_ms=5000, count=3, match_id=ids[60])
    async with server_for(simulator, **QUICK) as url, mcp_client(url, TOKEN, "legacy") as client:
        started = time.monotonic()
        out = (await client.call_tool("kling_get_tasks_batch", {"task_ids": ids})).structured_content
        took = time.monotonic() - started
    assert out is not None
    assert out["summary"]["error"] == 50 and out["summary"]["succeeded"] == 70
    assert out["tasks"][60]["error"]["code"] == "upstream_timeout"
    assert took < 5  # three tries of about 1 s each, never the 5 s the upstream stalls for


async def test_a_429_storm_ends_with_a_rate_limit_error(simulator: Simulator) -> None:
    await simulator.fault(kind="status", status=429, retry_after="30", count=1000, path="/kling/tasks")
    ids = await simulator.bulk(TOKEN, 60, run_seconds=0)
    async with server_for(simulator, **QUICK) as url, mcp_client(url, TOKEN, "2026-07-28") as client:
        started = time.monotonic()
        single = await client.call_tool("kling_get_task", {"task_id": ids[0]})
        batch = (await client.call_tool("kling_get_tasks_batch", {"task_ids": ids})).structured_content
        took = time.monotonic() - started
    assert error_of(single)["kind"] == "rate_limited" and error_of(single)["http_status"] == 429
    assert batch is not None and batch["summary"]["error"] == 60
    assert batch["tasks"][0]["error"]["code"] == "too_many_requests"
    assert took < 3  # Retry-After: 30 is capped by KLING_MCP_RETRY_BACKOFF_MAX_SECONDS


async def test_one_callers_flood_does_not_starve_another(simulator: Simulator) -> None:
    flood = await simulator.bulk("tok-flood", 1000, run_seconds=0)
    mine = await simulator.bulk(TOKEN, 1, run_seconds=0)
    await simulator.configure(latency_ms=300)
    limits = {"upstream_max_concurrency_per_token": 4, "upstream_max_concurrency": 10}
    async with server_for(simulator, **limits) as url:
        timings: dict[str, float] = {}

        async def call(token: str, ids: list[str], label: str) -> None:
            async with mcp_client(url, token, "legacy") as client:
                started = time.monotonic()
                await client.call_tool("kling_get_tasks_batch", {"task_ids": ids})
                timings[label] = time.monotonic() - started

        async with anyio.create_task_group() as group:
            group.start_soon(call, "tok-flood", flood, "flood")
            await anyio.sleep(0.2)
            group.start_soon(call, TOKEN, mine, "mine")
    # The flood needs 20 chunks 4 at a time (5 rounds of 0.3 s); the other caller needs one slot.
    assert timings["mine"] < 1.0 < timings["flood"]
    assert (await simulator.stats())["peak_concurrency"]["/kling/tasks"] <= 5
