"""Which SDK transport answers a request (app/http/routing.py)."""

from __future__ import annotations

from typing import Any

import pytest

from app.http.routing import needs_stream
from tests.helpers import INIT, MCP_HEADERS, client_for, make_app

pytestmark = pytest.mark.anyio


def tool_call(name: str, progress: bool = False) -> dict[str, Any]:
    params: dict[str, Any] = {
        "name": name,
        "arguments": {"task_ids": ["a"]} if "batch" in name or "wait" in name else {"task_id": "a"},
    }
    if progress:
        params["_meta"] = {"progressToken": "p1"}
    return {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": params}


@pytest.mark.parametrize(
    ("body", "stream"),
    [
        (INIT, False),
        (tool_call("kling_list_models"), False),
        (tool_call("kling_list_models", progress=True), True),  # progress needs SSE
        (tool_call("kling_wait_for_tasks"), True),  # long call: pings and cancel-on-close
    ],
    ids=["initialize", "plain-call", "progress-token", "long-tool"],
)
async def test_2025_requests_use_sse_only_when_it_helps(body: dict[str, Any], stream: bool) -> None:
    headers = {**MCP_HEADERS, "authorization": "Bearer tok-1", "mcp-protocol-version": "2025-11-25"}
    async with client_for(make_app(wait_default_timeout_seconds=1)) as http:
        response = await http.post("/mcp", json=body, headers=headers)
    assert response.status_code == 200
    expected = "text/event-stream" if stream else "application/json"
    assert response.headers["content-type"].startswith(expected)


TOOLS = frozenset({"kling_wait_for_tasks"})


@pytest.mark.parametrize(
    ("body", "stream"),
    [
        (b"not json", False),
        (b"[]", True),  # batches keep the full-featured path
        (b'{"method": "tools/list"}', False),
        (b'{"method": "tools/call", "params": {"name": "kling_get_task"}}', False),
        (b'{"method": "tools/call", "params": {"name": "kling_wait_for_tasks"}}', True),
        (b'{"method": "tools/call", "params": {"name": "x", "_meta": {"progressToken": 1}}}', True),
    ],
)
def test_needs_stream(body: bytes, stream: bool) -> None:
    assert needs_stream(body, TOOLS) is stream


async def test_get_is_405_since_no_stream_is_offered() -> None:
    async with client_for(make_app()) as http:
        answer = await http.get("/mcp", headers={**MCP_HEADERS, "authorization": "Bearer tok-1"})
        anonymous = await http.get("/mcp", headers=MCP_HEADERS)
    assert answer.status_code == 405 and answer.headers["allow"] == "POST, DELETE"
    assert anonymous.status_code == 401  # the bearer gate still comes first
