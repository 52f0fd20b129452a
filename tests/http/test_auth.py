"""The bearer gate and the RFC 9728 document (app/http/auth.py), in-process."""

from __future__ import annotations

import pytest

from tests.helpers import INIT, MCP_HEADERS, client_for, make_app

pytestmark = pytest.mark.anyio


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
