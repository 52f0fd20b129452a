"""Which SDK transport answers a request (app/http/routing.py)."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.http.body import parse_json
from app.http.routing import TransportRouter, needs_stream
from tests.helpers import INIT, MCP_HEADERS, client_for, make_app

pytestmark = pytest.mark.anyio


ERA_META: dict[str, dict[str, Any]] = {
    "2025-11-25": {},
    "2026-07-28": {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "routing", "version": "0"},
        "io.modelcontextprotocol/clientCapabilities": {},
    },
}


def tool_call(name: str, progress: bool = False) -> dict[str, Any]:
    params: dict[str, Any] = {
        "name": name,
        "arguments": {"task_ids": ["a"]} if "batch" in name or "wait" in name else {"task_id": "a"},
    }
    if progress:
        params["_meta"] = {"progressToken": "p1"}
    return {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": params}


def in_era(body: dict[str, Any], era: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The body and headers of `body` as a client of `era` sends it."""
    headers = {**MCP_HEADERS, "authorization": "Bearer tok-1", "mcp-protocol-version": era}
    if era == "2025-11-25":
        return body, headers
    params = body.get("params", {})
    meta = {**params.get("_meta", {}), **ERA_META[era]}
    headers |= {"mcp-method": body["method"]} | ({"mcp-name": params["name"]} if "name" in params else {})
    return {**body, "params": {**params, "_meta": meta}}, headers


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
    sent, headers = in_era(body, "2025-11-25")
    async with client_for(make_app(wait_default_timeout_seconds=1)) as http:
        response = await http.post("/mcp", json=sent, headers=headers)
    assert response.status_code == 200, response.text
    expected = "text/event-stream" if stream else "application/json"
    assert response.headers["content-type"].startswith(expected)


@pytest.mark.parametrize("era", list(ERA_META))
@pytest.mark.parametrize(
    ("body", "stream"),
    [
        (tool_call("kling_get_task"), False),
        (tool_call("kling_get_task", progress=True), True),
        (tool_call("kling_wait_for_tasks"), True),
    ],
    ids=["plain-call", "progress-token", "long-tool"],
)
async def test_both_eras_are_routed_alike(body: dict[str, Any], stream: bool, era: str) -> None:
    """The 2026-07-28 SSE handler answers JSON when nothing streams, so the content type cannot tell
    which transport answered: the router is given two transports that say who they are."""

    def transport(name: str) -> ASGIApp:
        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            message = await receive()  # the replayed body reaches the chosen transport whole
            await JSONResponse({"transport": name, "body": json.loads(message["body"])})(scope, receive, send)

        return app

    router = TransportRouter(transport("sse"), transport("json"), streaming_tools=TOOLS)
    sent, headers = in_era(body, era)
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=router), base_url="http://t") as http:
        answer = (await http.post("/mcp", json=sent, headers=headers)).json()
    assert answer == {"transport": "sse" if stream else "json", "body": sent}


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
    assert needs_stream(parse_json(body), TOOLS) is stream


async def test_get_is_405_since_no_stream_is_offered() -> None:
    async with client_for(make_app()) as http:
        answer = await http.get("/mcp", headers={**MCP_HEADERS, "authorization": "Bearer tok-1"})
        anonymous = await http.get("/mcp", headers=MCP_HEADERS)
    assert answer.status_code == 405 and answer.headers["allow"] == "POST, DELETE"
    assert anonymous.status_code == 401  # the bearer gate still comes first


async def test_only_mcp_reaches_the_transports() -> None:
    """The transports answer whatever path they are given, so the router keeps them to /mcp."""
    headers = {**MCP_HEADERS, "authorization": "Bearer tok-1", "mcp-protocol-version": "2025-11-25"}
    async with client_for(make_app()) as http:
        elsewhere = await http.post("/mcp-not", json=INIT, headers=headers)
        slash = await http.post("/mcp/", json=INIT, headers=headers)
        deeper = await http.post("/mcp/x", json=INIT, headers=headers)
    assert elsewhere.status_code == 404 and deeper.status_code == 404
    assert slash.status_code == 307 and slash.headers["location"].endswith("/mcp")
