"""Fuzzing with hypothesis: hostile bodies, headers and tool arguments sent to /mcp.

The whole HTTP stack runs in-process, with the simulator app as upstream. Whatever arrives, the
answer is a 4xx or a JSON-RPC error or a tool error, never a 5xx or a crash, and the server is
healthy afterwards (checked through its own metrics: no request ended as a crash).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import anyio.from_thread
import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette

from app.http.app import create_app
from app.mcp.tools.inventory import all_tools
from app.settings import Settings
from app.simulator.app import create_simulator_app

TOOLS = [spec.name for spec in all_tools()]
METHODS = [
    "initialize",
    "tools/call",
    "tools/list",
    "prompts/get",
    "resources/read",
    "ping",
    "notifications/cancelled",
]
BASE_HEADERS = {"authorization": "Bearer tok-fuzz", "accept": "application/json, text/event-stream"}
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))

json_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=50),
    st.sampled_from(["", " ", "\u0000", "\ud7ff", "🎬" * 30, "x" * 5000, "<<<image_9>>>", "http://", "ftp://x"]),
)  # fmt: skip
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=30,
)


class Stack:
    """The app running in a background event loop, driven from hypothesis's synchronous examples."""

    def __init__(self, portal: anyio.from_thread.BlockingPortal, app: Starlette) -> None:
        self.portal = portal
        self.app = app

    async def _post(self, content: bytes, headers: dict[str, str]) -> httpx2.Response:
        async with httpx2.AsyncClient(
            transport=httpx2.ASGITransport(self.app), base_url="http://localhost:8000"
        ) as http:
            return await http.post("/mcp", content=content, headers=headers)

    def post(self, content: bytes, headers: dict[str, str]) -> httpx2.Response:
        return self.portal.call(self._post, content, headers)

    def get(self, path: str) -> httpx2.Response:
        async def get() -> httpx2.Response:
            async with httpx2.AsyncClient(
                transport=httpx2.ASGITransport(self.app), base_url="http://localhost:8000"
            ) as h:
                return await h.get(path)

        return self.portal.call(get)


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    upstream = httpx2.ASGITransport(create_simulator_app())
    app = create_app(Settings(read_retries=0, wait_default_timeout_seconds=1), upstream_transport=upstream)
    with anyio.from_thread.start_blocking_portal() as portal:
        lifespan = portal.wrap_async_context_manager(app.router.lifespan_context(app))
        with lifespan:
            yield Stack(portal, app)


def check_answer(response: httpx2.Response) -> None:
    assert response.status_code < 500, response.text[:300]
    if response.status_code == 200:
        text = response.text
        if response.headers["content-type"].startswith("text/event-stream"):
            payloads = [json.loads(m) for m in re.findall(r"^data: (.+)$", text, re.MULTILINE)]
        else:
            payloads = [json.loads(text)]
        for payload in payloads:
            assert payload.get("jsonrpc") == "2.0" and (
                "result" in payload or "error" in payload or "method" in payload
            )


@FUZZ
@given(body=st.one_of(st.binary(max_size=300), json_value.map(lambda v: json.dumps(v).encode())))
def test_malformed_bodies_never_break_the_server(stack: Stack, body: bytes) -> None:
    headers = {**BASE_HEADERS, "content-type": "application/json"}
    check_answer(stack.post(body, headers))


@FUZZ
@given(
    method=st.one_of(st.sampled_from(METHODS), st.text(max_size=20)),
    params=json_value,
    request_id=st.one_of(st.integers(), st.text(max_size=10), st.none(), st.floats(allow_nan=False)),
    version=st.one_of(st.none(), st.sampled_from(["2025-11-25", "2026-07-28", "2024-11-05", "9999-99-99"]),
                      st.text(alphabet="0123456789-", max_size=12)),
)  # fmt: skip
def test_json_rpc_shaped_garbage_gets_json_rpc_answers(
    stack: Stack, method: str, params: Any, request_id: Any, version: str | None
) -> None:
    body: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
    if request_id is not None:
        body["id"] = request_id
    headers = {**BASE_HEADERS, "content-type": "application/json"}
    if version is not None:
        headers["mcp-protocol-version"] = version
        headers["mcp-method"] = method if method.isprintable() and method.isascii() else "x"
    check_answer(stack.post(json.dumps(body).encode(), headers))


@FUZZ
@given(
    tool=st.sampled_from(TOOLS),
    arguments=st.one_of(
        st.dictionaries(st.text(max_size=12), json_value, max_size=6),
        st.fixed_dictionaries({"task_ids": json_value}),
        st.fixed_dictionaries({"prompt": json_value, "model": json_value}),
        st.fixed_dictionaries({"request": json_value}),
    ),
)
def test_odd_tool_arguments_get_tool_errors(stack: Stack, tool: str, arguments: dict[str, Any]) -> None:
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": tool, "arguments": arguments},
    }
    headers = {**BASE_HEADERS, "content-type": "application/json", "mcp-protocol-version": "2025-11-25"}
    response = stack.post(json.dumps(body).encode(), headers)
    check_answer(response)


@FUZZ
@given(
    content_type=st.one_of(
        st.none(), st.sampled_from(["text/plain", "application/json; charset=latin-1", ""])
    ),
    authorization=st.one_of(st.text(max_size=40), st.sampled_from(["Bearer", "Bearer \u00e9", "bearer x y"])),
    origin=st.one_of(st.none(), st.text(max_size=30)),
)
def test_odd_headers_are_refused_cleanly(
    stack: Stack, content_type: str | None, authorization: str, origin: str | None
) -> None:
    headers = {"accept": "application/json, text/event-stream", "authorization": authorization}
    if content_type is not None:
        headers["content-type"] = content_type
    if origin is not None:
        headers["origin"] = origin
    try:
        response = stack.post(b'{"jsonrpc":"2.0","id":1,"method":"ping"}', headers)
    except (UnicodeEncodeError, httpx2.LocalProtocolError):
        return  # not sendable as HTTP at all
    assert response.status_code < 500


def test_server_is_healthy_and_never_crashed_after_fuzzing(stack: Stack) -> None:
    assert stack.get("/healthz").status_code == 200
    assert stack.get("/readyz").status_code == 200
    metrics = stack.app.state.metrics.render().decode()
    assert not re.search(r'outcome="crash"\} [1-9]', metrics), "a request crashed the handler"
    headers = {**BASE_HEADERS, "content-type": "application/json", "mcp-protocol-version": "2025-11-25"}
    body = {
        "jsonrpc": "2.0",
        "id": 9,
        "method": "tools/call",
        "params": {"name": "kling_list_models", "arguments": {}},
    }
    response = stack.post(json.dumps(body).encode(), headers)
    assert response.status_code == 200 and '"isError":false' in response.text
