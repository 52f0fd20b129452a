"""The pooled upstream client against the real simulator: timeouts, retries, and what is never resent."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from app.upstream.client import CallKind, UpstreamClient
from app.upstream.errors import (
    UpstreamConnectionError,
    UpstreamProtocolError,
    UpstreamRateLimited,
    UpstreamServerError,
    UpstreamTimeout,
)
from tests.helpers import Simulator, settings_for

pytestmark = pytest.mark.anyio

TOKEN = "tok-client-1"


async def tasks_calls(simulator: Simulator) -> int:
    return len([e for e in await simulator.journal() if e["path"] == "/kling/tasks"])


async def test_read_timeout_is_enforced_and_retried(simulator: Simulator) -> None:
    await simulator.fault(kind="slow", delay_ms=1500, count=3, path="/kling/tasks")
    client = UpstreamClient(settings_for(simulator.url, read_timeout_seconds=0.2, read_retries=1))
    async with client.running():
        with pytest.raises(UpstreamTimeout):
            await client.post(
                "/kling/tasks", {"action": "retrieve", "id": "x"}, token=TOKEN, kind=CallKind.READ
            )
    assert await tasks_calls(simulator) == 2


async def test_submit_uses_its_own_longer_timeout(simulator: Simulator) -> None:
    await simulator.fault(kind="slow", delay_ms=400, path="/kling/videos")
    client = UpstreamClient(settings_for(simulator.url, read_timeout_seconds=0.1, submit_timeout_seconds=5))
    body: dict[str, Any] = {"action": "text2video", "prompt": "p", "async": True}
    async with client.running():
        result = await client.post("/kling/videos", body, token=TOKEN, kind=CallKind.SUBMIT)
    assert "task_id" in result


async def test_submissions_are_never_retried_after_upstream_saw_them(simulator: Simulator) -> None:
    await simulator.fault(kind="status", status=503, count=3, path="/kling/videos")
    client = UpstreamClient(settings_for(simulator.url, read_retries=3))
    async with client.running():
        with pytest.raises(UpstreamServerError):
            await client.post("/kling/videos", {"action": "text2video"}, token=TOKEN, kind=CallKind.SUBMIT)
    assert len([e for e in await simulator.journal() if e["path"] == "/kling/videos"]) == 1


async def test_retry_after_is_honoured_within_the_cap(simulator: Simulator) -> None:
    client = UpstreamClient(settings_for(simulator.url, retry_backoff_max_seconds=2.5))
    limited = UpstreamRateLimited("slow down", retry_after=60, path="/p")
    assert client.retry_delay(1, limited) == 2.5
    assert client.retry_delay(1, UpstreamRateLimited("slow down", retry_after=0.5, path="/p")) == 0.5


def test_backoff_grows_and_is_capped() -> None:
    client = UpstreamClient(
        settings_for("http://127.0.0.1:9", retry_backoff_seconds=1, retry_backoff_max_seconds=3)
    )
    error = UpstreamServerError("boom", path="/p")
    for attempt, (low, high) in enumerate([(0.5, 1), (1, 2), (2, 3), (3, 3)], start=1):
        delay = client.retry_delay(attempt, error)
        assert low <= delay <= high


async def test_connection_refused_is_an_unavailable_error() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens here now
    client = UpstreamClient(settings_for(f"http://127.0.0.1:{port}", read_retries=1))
    async with client.running():
        with pytest.raises(UpstreamConnectionError) as caught:
            await client.post("/kling/tasks", {}, token=TOKEN, kind=CallKind.READ)
    assert caught.value.never_sent and caught.value.retryable


async def test_malformed_success_body_is_a_protocol_error(simulator: Simulator) -> None:
    await simulator.fault(kind="malformed", count=3, path="/kling/tasks")
    client = UpstreamClient(settings_for(simulator.url, read_retries=0))
    async with client.running():
        with pytest.raises(UpstreamProtocolError):
            await client.post(
                "/kling/tasks", {"action": "retrieve", "id": "x"}, token=TOKEN, kind=CallKind.READ
            )


async def test_pool_is_closed_after_the_block(simulator: Simulator) -> None:
    client = UpstreamClient(settings_for(simulator.url))
    assert not client.is_open
    async with client.running():
        assert client.is_open
    assert not client.is_open
