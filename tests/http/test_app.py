"""The assembled app in-process (ASGI, no socket): routes, health, Host/Origin. (Body limits and deadlines
need a socket: tests/http/test_body_limits.py.)"""

from __future__ import annotations

import httpx2
import pytest

from tests.helpers import INIT, MCP_HEADERS, client_for, make_app

pytestmark = pytest.mark.anyio


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


async def test_index_names_the_endpoint() -> None:
    async with client_for(make_app()) as http:
        body = (await http.get("/")).json()
    assert body["mcp_endpoint"] == "/mcp" and body["name"] == "kling-mcp"
