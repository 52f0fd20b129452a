"""What a tool takes from the running server (app/mcp/tools/runtime.py), above all whose token it spends."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from mcp import Client

from app.errors import AuthMissing
from app.mcp.server import build_mcp_server
from app.mcp.tools.runtime import ToolRuntime, caller_token, runtime_of
from app.settings import Settings
from app.upstream.client import UpstreamClient
from tests.helpers import error_of, in_process_tools

pytestmark = pytest.mark.anyio

STDIO_TOKEN = "tok-stdio-0001"


def context(headers: dict[str, str] | None, stdio_token: str | None) -> Any:
    """Just the parts of an SDK Context that runtime.py reads."""
    runtime = ToolRuntime(settings=Settings(), upstream=UpstreamClient(Settings()), stdio_token=stdio_token)
    return SimpleNamespace(headers=headers, request_context=SimpleNamespace(lifespan_context=runtime))


def test_over_http_only_the_requests_own_header_counts() -> None:
    ctx = context({"authorization": "Bearer tok-http"}, STDIO_TOKEN)
    assert caller_token(ctx) == "tok-http"
    with pytest.raises(AuthMissing):
        caller_token(context({}, STDIO_TOKEN))  # HTTP without a token never falls back to the stdio one
    with pytest.raises(AuthMissing):
        caller_token(context({"authorization": "Basic dXNlcjpwdw=="}, STDIO_TOKEN))


def test_without_headers_the_stdio_token_is_used() -> None:
    ctx = context(None, STDIO_TOKEN)
    assert caller_token(ctx) == STDIO_TOKEN
    assert runtime_of(ctx).stdio_token == STDIO_TOKEN
    with pytest.raises(AuthMissing):
        caller_token(context(None, None))


async def test_stdio_without_a_token_is_auth_missing_before_any_upstream_call() -> None:
    settings = Settings()
    # The upstream client is never opened: a call that reached it would fail with another error.
    server = build_mcp_server(settings, UpstreamClient(settings), stdio_token=None)
    async with Client(server, mode="legacy") as client:
        result = await client.call_tool("kling_get_task", {"task_id": "task-1"})
    assert error_of(result)["kind"] == "auth_missing"


async def test_stdio_token_reaches_upstream() -> None:
    async with in_process_tools(STDIO_TOKEN) as (client, sim):
        result = await client.call_tool("kling_get_task", {"task_id": "task-1"})
        journal = await sim.journal()
    assert not result.is_error and result.structured_content is not None
    assert result.structured_content["status"] == "not_found"
    assert [(e["path"], e["authorization"]) for e in journal] == [("/kling/tasks", f"Bearer {STDIO_TOKEN}")]
