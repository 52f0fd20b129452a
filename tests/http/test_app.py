"""The whole HTTP stack in-process (ASGI, no socket): routes, bearer gate, RFC 9728, Host/Origin, limits."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx2
import pytest
from starlette.applications import Starlette

from app.http.app import create_app
from app.settings import Settings

pytestmark = pytest.mark.anyio

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}
MCP_HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


def unreachable_upstream(request: httpx2.Request) -> httpx2.Response:
    raise AssertionError(f"no upstream call expected, got {request.url}")


@contextlib.asynccontextmanager
async def client_for(app: Starlette, host: str = "localhost:8000") -> AsyncIterator[httpx2.AsyncClient]:
    async with app.router.lifespan_context(app), httpx2.ASGITransport(app) as transport:
        async with httpx2.AsyncClient(transport=transport, base_url=f"http://{host}") as http:
            yield http


def make_app(**overrides: Any) -> Starlette:
    return create_app(Settings(**overrides), upstream_transport=httpx2.MockTransport(unreachable_upstream))


async def test_health_and_readiness() -> None:
    app = make_app()
    async with client_for(app) as http:
        assert (await http.get("/healthz")).json() == {"status": "ok"}
        ready = await http.get("/readyz")
        assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    # After shutdown the pool is closed, so the same app reports not ready.
    async with (
        httpx2.ASGITransport(app) as transport,
        httpx2.AsyncClient(transport=transport, base_url="http://x") as h,
    ):
        assert (await h.get("/readyz")).status_code == 503


async def test_health_ignores_host_allowlist() -> None:
    async with client_for(make_app(), host="10.1.2.3:8080") as http:
        assert (await http.get("/healthz")).status_code == 200


async def test_missing_token_gets_401_with_resource_metadata_challenge() -> None:
    async with client_for(make_app()) as http:
        response = await http.post("/mcp", json=INIT, headers=MCP_HEADERS)
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert (
        challenge
        == 'Bearer resource_metadata="http://localhost:8000/.well-known/oauth-protected-resource/mcp"'
    )
    assert "Authorization: Bearer" in response.json()["error_description"]


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "token-without-scheme"])
async def test_non_bearer_credentials_get_401(header: str) -> None:
    async with client_for(make_app()) as http:
        response = await http.post("/mcp", json=INIT, headers={**MCP_HEADERS, "authorization": header})
    assert response.status_code == 401


async def test_malformed_token_gets_invalid_token_error() -> None:
    async with client_for(make_app(max_token_length=32)) as http:
        long = await http.post(
            "/mcp", json=INIT, headers={**MCP_HEADERS, "authorization": "Bearer " + "a" * 33}
        )
        odd = await http.post("/mcp", json=INIT, headers={**MCP_HEADERS, "authorization": 'Bearer a"b'})
    for response in (long, odd):
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
        assert 'resource_metadata="http://localhost:8000/' in response.headers["www-authenticate"]
    assert "longer than 32" in long.json()["error_description"]


async def test_public_base_url_setting_is_used_in_challenge_and_document() -> None:
    app = make_app(
        public_base_url="https://mcp.example.com/", authorization_servers="https://auth.example.com"
    )
    async with client_for(app) as http:
        challenge = (await http.post("/mcp", json=INIT, headers=MCP_HEADERS)).headers["www-authenticate"]
        document = (await http.get("/.well-known/oauth-protected-resource/mcp")).json()
    assert 'resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"' in challenge
    assert document["resource"] == "https://mcp.example.com/mcp"
    assert document["authorization_servers"] == ["https://auth.example.com"]


async def test_rfc9728_document_without_authorization_servers() -> None:
    async with client_for(make_app()) as http:
        response = await http.get("/.well-known/oauth-protected-resource/mcp")
    document = response.json()
    assert response.status_code == 200
    assert document["resource"] == "http://localhost:8000/mcp"
    assert document["bearer_methods_supported"] == ["header"]
    assert "authorization_servers" not in document  # we do not claim an AS that never issued these tokens


async def test_initialize_with_token_succeeds() -> None:
    async with client_for(make_app()) as http:
        response = await http.post(
            "/mcp", json=INIT, headers={**MCP_HEADERS, "authorization": "Bearer tok-1"}
        )
    assert response.status_code == 200
    assert "mcp-session-id" not in response.headers  # stateless: any replica can answer
    assert '"serverInfo"' in response.text and '"kling-mcp"' in response.text


@pytest.mark.parametrize(
    ("host", "origin", "status"),
    [
        ("localhost:8000", None, 200),
        ("127.0.0.1:9999", None, 200),
        ("localhost", None, 200),
        ("evil.example", None, 421),
        ("localhost:8000", "http://localhost:3000", 200),
        ("localhost:8000", "http://evil.example", 403),
    ],
)
async def test_default_host_and_origin_allowlist(host: str, origin: str | None, status: int) -> None:
    headers = {**MCP_HEADERS, "authorization": "Bearer tok-1", "host": host}
    if origin:
        headers["origin"] = origin
    async with client_for(make_app()) as http:
        assert (await http.post("/mcp", json=INIT, headers=headers)).status_code == status


async def test_configured_hosts_for_ingress() -> None:
    app = make_app(
        allowed_hosts="mcp.example.com,mcp.example.com:*", allowed_origins="https://app.example.com"
    )
    headers = {**MCP_HEADERS, "authorization": "Bearer tok-1"}
    async with client_for(app) as http:
        ok = await http.post("/mcp", json=INIT, headers={**headers, "host": "mcp.example.com"})
        local = await http.post("/mcp", json=INIT, headers={**headers, "host": "localhost:8000"})
        origin = await http.post(
            "/mcp",
            json=INIT,
            headers={**headers, "host": "mcp.example.com", "origin": "https://app.example.com"},
        )
    assert (ok.status_code, local.status_code, origin.status_code) == (200, 421, 200)


async def test_protection_can_be_disabled_behind_an_enforcing_ingress() -> None:
    async with client_for(make_app(dns_rebinding_protection=False)) as http:
        headers = {**MCP_HEADERS, "authorization": "Bearer tok-1", "host": "anything.internal"}
        assert (await http.post("/mcp", json=INIT, headers=headers)).status_code == 200


async def test_oversized_body_gets_413() -> None:
    async with client_for(make_app(max_request_body_bytes=2048)) as http:
        big = {**INIT, "params": {**INIT["params"], "padding": "x" * 4096}}  # type: ignore[dict-item]
        response = await http.post("/mcp", json=big, headers={**MCP_HEADERS, "authorization": "Bearer tok-1"})
    assert response.status_code == 413


async def test_index_names_the_endpoint() -> None:
    async with client_for(make_app()) as http:
        body = (await http.get("/")).json()
    assert body["mcp_endpoint"] == "/mcp" and body["name"] == "kling-mcp"


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
