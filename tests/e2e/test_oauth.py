"""The OAuth door end to end, as claude.ai would use it: discover, register, sign in on the page,
get a token, call a tool; the upstream sees the token typed on the page. Real uvicorn, the
simulator, the SDK's own OAuth client in both eras; two replicas share only keys and Redis."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2
import pytest

from app.oauth.sealing import Kind, Sealer
from tests.helpers import (
    MODES,
    Mode,
    Simulator,
    connect_raw,
    free_port,
    kling_mcp_process,
    loopback_socket,
    mcp_client,
    running_redis,
    status_line,
    url_of,
)
from tests.oauth.flow import (
    CALLBACK,
    KEYS,
    USER_TOKEN,
    Browser,
    Internet,
    MemoryTokens,
    client_document,
    door_server,
    oauth_client,
    sdk_oauth,
)

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

VERIFIER = "v" * 64
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).decode().rstrip("=")


def upstream_authorizations(journal: list[dict[str, Any]]) -> list[str]:
    return [entry["authorization"] for entry in journal if entry["path"].startswith("/kling/")]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("url_client", [False, True], ids=["registered", "url-client-id"])
async def test_connector_signs_in_and_calls_a_tool_with_the_typed_token(
    simulator: Simulator, mode: Mode, url_client: bool
) -> None:
    await simulator.configure(valid_tokens=[USER_TOKEN])
    task_id = await simulator.submit(USER_TOKEN)
    async with door_server(simulator) as url:
        storage, browser = MemoryTokens(), Browser()
        oauth = sdk_oauth(url, browser, storage, url_client=url_client)
        await simulator.http.delete("/_sim/requests")
        async with oauth_client(url, mode, oauth) as client:
            result = await client.call_tool("kling_get_task", {"task_id": task_id})
        await browser.aclose()
    assert not result.is_error, result.content
    assert result.structured_content is not None and result.structured_content["task_id"] == task_id
    assert storage.tokens is not None and storage.tokens.access_token.startswith("kmcp-at.")
    assert USER_TOKEN not in storage.tokens.access_token  # sealed, not merely wrapped
    assert storage.client is not None
    expected_prefix = "https://connector.example/" if url_client else "kmcp-client."
    assert storage.client.client_id is not None and storage.client.client_id.startswith(expected_prefix)
    # Upstream saw the user's own token on every call after sign-in (one probe, then the tool call).
    seen = upstream_authorizations(await simulator.journal())
    assert seen and set(seen) == {f"Bearer {USER_TOKEN}"}


async def test_discovery_documents_point_at_this_server(simulator: Simulator) -> None:
    async with door_server(simulator) as url, httpx2.AsyncClient(base_url=url) as http:
        challenge = await http.post("/mcp", json={})
        resource = (await http.get("/.well-known/oauth-protected-resource/mcp")).json()
        metadata = (await http.get("/.well-known/oauth-authorization-server")).json()
        openid = (await http.get("/.well-known/openid-configuration")).json()
    assert challenge.status_code == 401
    assert "/.well-known/oauth-protected-resource/mcp" in challenge.headers["www-authenticate"]
    assert resource["resource"] == f"{url}/mcp" and resource["authorization_servers"] == [url]
    assert metadata == openid and metadata["issuer"] == url
    assert metadata["authorization_endpoint"] == f"{url}/authorize"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata["client_id_metadata_document_supported"] is True
    assert metadata["authorization_response_iss_parameter_supported"] is True
    assert "none" in metadata["token_endpoint_auth_methods_supported"]
    assert "revocation_endpoint" not in metadata


async def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_grant(simulator: Simulator) -> None:
    task_id = await simulator.submit(USER_TOKEN)
    async with door_server(simulator) as url:
        storage, browser = MemoryTokens(), Browser()
        oauth = sdk_oauth(url, browser, storage)
        async with oauth_client(url, "legacy", oauth) as client:
            await client.call_tool("kling_get_task", {"task_id": task_id})
            first = storage.tokens
            assert first is not None and first.refresh_token is not None
            oauth.context.token_expiry_time = 1  # the access token is past its time: the SDK refreshes
            refreshed = await client.call_tool("kling_get_task", {"task_id": task_id})
        second = storage.tokens
        assert not refreshed.is_error
        assert second is not None and second.refresh_token is not None
        assert second.access_token != first.access_token and second.refresh_token != first.refresh_token
        assert storage.client is not None and storage.client.client_id and storage.client.client_secret
        credentials = {"client_id": storage.client.client_id, "client_secret": storage.client.client_secret}
        async with httpx2.AsyncClient(base_url=url) as http:

            async def refresh(token: str) -> httpx2.Response:
                form = {"grant_type": "refresh_token", "refresh_token": token, **credentials}
                return await http.post("/token", data=form)

            reused = await refresh(first.refresh_token)
            after_revocation = await refresh(second.refresh_token)
        await browser.aclose()
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    assert "already used" in reused.json()["error_description"]
    assert after_revocation.status_code == 400 and "revoked" in after_revocation.json()["error_description"]


async def register(http: httpx2.AsyncClient, **changes: Any) -> dict[str, Any]:
    body = {
        "client_name": "Raw Client",
        "redirect_uris": [CALLBACK],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        **changes,
    }
    response = await http.post("/register", json=body)
    assert response.status_code == 201, response.text
    registered: dict[str, Any] = response.json()
    return registered


def authorize_url(base: str, client_id: str, **changes: str) -> str:
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": CALLBACK,
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        "state": "st-1",
        "resource": f"{base}/mcp",
        **changes,
    }
    return f"{base}/authorize?{urlencode({k: v for k, v in query.items() if v != ''})}"


async def exchange(
    http: httpx2.AsyncClient, client_id: str, code: str, verifier: str = VERIFIER, resource: str = ""
) -> httpx2.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "client_id": client_id,
        "code_verifier": verifier,
        "resource": resource or f"{str(http.base_url).rstrip('/')}/mcp",
    }
    return await http.post("/token", data=form)


async def test_two_replicas_with_the_same_keys_answer_each_others_steps(simulator: Simulator) -> None:
    """Two `kling-mcp serve` processes behind one public address, sharing only the keys and Redis:
    registration and sign-in on one, the code redeemed on the other; the code's single use holds
    across both; either accepts the other's access token."""
    task_id = await simulator.submit(USER_TOKEN)
    port = free_port()
    public = f"http://127.0.0.1:{port}"  # where the ingress is; replica A happens to listen there
    async with running_redis() as redis_url:
        env = {
            "ACEDATACLOUD_API_BASE_URL": simulator.url,
            "KLING_MCP_OAUTH_KEYS": ",".join(KEYS[:2]),
            "KLING_MCP_PUBLIC_BASE_URL": public,
            "KLING_MCP_REDIS_URL": redis_url,
        }
        async with kling_mcp_process(env, port=port) as a, kling_mcp_process(env) as b:
            browser = Browser()
            async with httpx2.AsyncClient(base_url=a.url) as on_a, httpx2.AsyncClient(base_url=b.url) as on_b:
                client = await register(on_b)
                code = await browser.sign_in(authorize_url(public, client["client_id"]))
                tokens = await exchange(on_b, client["client_id"], code.code, resource=f"{public}/mcp")
                replayed = await exchange(on_a, client["client_id"], code.code, resource=f"{public}/mcp")
            await browser.aclose()
            assert tokens.status_code == 200, tokens.text
            access = tokens.json()["access_token"]
            for replica in (a.url, b.url):
                async with mcp_client(replica, access, "2026-07-28") as mcp:
                    result = await mcp.call_tool("kling_get_task", {"task_id": task_id})
                assert not result.is_error, result.content
    assert replayed.status_code == 400 and replayed.json()["error"] == "invalid_grant"
    assert code.iss == public and a.url == public and b.url != public


async def test_keys_rotate_without_signing_anyone_out(simulator: Simulator) -> None:
    task_id = await simulator.submit(USER_TOKEN)
    old, new = KEYS[0], KEYS[1]
    front = loopback_socket()
    public = url_of(front)
    async with door_server(simulator, keys=[old], sock=front) as before:
        storage, browser = MemoryTokens(), Browser()
        async with oauth_client(before, "legacy", sdk_oauth(before, browser, storage)) as client:
            await client.call_tool("kling_get_task", {"task_id": task_id})
        await browser.aclose()
    assert storage.tokens is not None
    issued_before = storage.tokens.access_token
    async with (
        door_server(simulator, keys=[new, old], public_base_url=public) as rotated,
        door_server(simulator, keys=[new], public_base_url=public) as retired,
    ):
        async with mcp_client(rotated, issued_before, "legacy") as mcp:
            still_valid = await mcp.call_tool("kling_get_task", {"task_id": task_id})
        async with httpx2.AsyncClient() as http:
            refused = await http.post(
                f"{retired}/mcp", headers={"authorization": f"Bearer {issued_before}"}, json={}
            )
    assert not still_valid.is_error
    assert refused.status_code == 401 and 'error="invalid_token"' in refused.headers["www-authenticate"]
    assert "retired" in refused.json()["error_description"]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"code_challenge": "", "code_challenge_method": ""}, "code_challenge"),
        ({"code_challenge_method": "plain"}, "code_challenge_method"),
    ],
    ids=["no-pkce", "plain-pkce"],
)
async def test_authorize_refuses_requests_without_s256_pkce(
    simulator: Simulator, changes: dict[str, str], problem: str
) -> None:
    async with door_server(simulator) as url, httpx2.AsyncClient(base_url=url) as http:
        client = await register(http)
        answer = await http.get(authorize_url(url, client["client_id"], **changes))
    assert answer.status_code in (302, 303)
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["error"] == ["invalid_request"] and problem in query["error_description"][0]
    assert query["iss"] == [url] and "code" not in query


async def test_a_bad_redirect_uri_or_client_gets_a_page_and_no_redirect(simulator: Simulator) -> None:
    async with door_server(simulator) as url, httpx2.AsyncClient(base_url=url) as http:
        client = await register(http)
        wrong_uri = await http.get(
            authorize_url(url, client["client_id"], redirect_uri="https://evil.example/cb")
        )
        unknown = await http.get(authorize_url(url, "kmcp-client.forged"))
    for answer in (wrong_uri, unknown):
        assert answer.status_code == 400 and "location" not in answer.headers
        assert answer.headers["content-type"].startswith("text/html")
        assert "Nothing was sent back to the app" in answer.text


async def test_codes_are_single_use_short_lived_and_bound_to_pkce(simulator: Simulator) -> None:
    async with door_server(simulator) as url, httpx2.AsyncClient(base_url=url) as http:
        client = await register(http)
        browser = Browser()
        code = await browser.sign_in(authorize_url(url, client["client_id"]))
        wrong_verifier = await exchange(http, client["client_id"], code.code, verifier="w" * 64)
        first = await exchange(http, client["client_id"], code.code)
        replay = await exchange(http, client["client_id"], code.code)
        sealer = Sealer(KEYS[:1])
        expired = sealer.seal(Kind.CODE, {"cid": "x"}, lifetime_seconds=-1)
        late = await exchange(http, client["client_id"], expired)
        await browser.aclose()
    assert wrong_verifier.status_code == 400 and wrong_verifier.json()["error"] == "invalid_grant"
    assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
    assert replay.status_code == 400 and "already used" in replay.json()["error_description"]
    assert late.status_code == 400 and late.json()["error"] == "invalid_grant"


async def test_forged_tampered_and_foreign_access_tokens_never_reach_upstream(simulator: Simulator) -> None:
    async with door_server(simulator) as url:
        sealer = Sealer(KEYS[:1])
        payload = {"cid": "x", "scopes": [], "up": "tok-stolen-0001"}
        foreign = sealer.seal(
            Kind.ACCESS, {**payload, "aud": "https://other.example/mcp"}, lifetime_seconds=600
        )
        expired = sealer.seal(Kind.ACCESS, {**payload, "aud": f"{url}/mcp"}, lifetime_seconds=-1)
        good = sealer.seal(Kind.ACCESS, {**payload, "aud": f"{url}/mcp"}, lifetime_seconds=600)
        tampered = good[:-12] + ("A" if good[-12] != "A" else "B") + good[-11:]
        other_key = Sealer([KEYS[2]]).seal(
            Kind.ACCESS, {**payload, "aud": f"{url}/mcp"}, lifetime_seconds=600
        )
        await simulator.http.delete("/_sim/requests")
        answers = {}
        async with httpx2.AsyncClient(base_url=url) as http:
            for name, token in {
                "foreign": foreign,
                "expired": expired,
                "tampered": tampered,
                "other_key": other_key,
            }.items():
                answers[name] = await http.post("/mcp", headers={"authorization": f"Bearer {token}"}, json={})
    for name, answer in answers.items():
        assert answer.status_code == 401, name
        assert 'error="invalid_token"' in answer.headers["www-authenticate"], name
    assert "expired" in answers["expired"].json()["error_description"]
    assert "issued for https://other.example/mcp" in answers["foreign"].json()["error_description"]
    assert upstream_authorizations(await simulator.journal()) == []


async def test_sign_in_page_refuses_a_wrong_token_and_a_missing_csrf_cookie(simulator: Simulator) -> None:
    await simulator.configure(valid_tokens=[USER_TOKEN])
    async with door_server(simulator) as url, httpx2.AsyncClient(base_url=url) as http:
        client = await register(http)
        browser = Browser()
        page = await browser.open_sign_in(authorize_url(url, client["client_id"]))
        wrong = await browser.submit(page, token="tok-not-a-real-one")
        browser.http.cookies.clear()
        no_cookie = await browser.submit(page)
        await browser.aclose()
    assert page.status_code == 200 and "Raw Client" in page.text and "127.0.0.1" in page.text
    assert (
        page.headers["cache-control"] == "no-store"
        and "frame-ancestors 'none'" in page.headers["content-security-policy"]
    )
    assert (
        wrong.status_code == 400
        and "did not accept this token" in wrong.text
        and "location" not in wrong.headers
    )
    assert no_cookie.status_code == 403 and "location" not in no_cookie.headers


async def test_registrations_per_address_are_limited(simulator: Simulator) -> None:
    async with (
        door_server(simulator, oauth_registrations_per_minute=3) as url,
        httpx2.AsyncClient(base_url=url) as http,
    ):
        for _ in range(3):
            await register(http)
        refused = await http.post("/register", json={"client_name": "x", "redirect_uris": [CALLBACK]})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1


async def test_registration_refuses_plain_http_redirects_to_other_hosts(simulator: Simulator) -> None:
    async with door_server(simulator) as url, httpx2.AsyncClient(base_url=url) as http:
        answer = await http.post(
            "/register", json={"client_name": "x", "redirect_uris": ["http://evil.example/cb"]}
        )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_redirect_uri"


async def test_url_clients_on_private_addresses_or_with_oversized_documents_get_an_error_page(
    simulator: Simulator,
) -> None:
    internet = Internet(addresses={"intranet.example": ["10.1.2.3"]})
    internet.documents["/big.json"] = json.dumps(
        client_document("https://connector.example/big.json", client_name="x" * 70_000)
    ).encode()
    async with door_server(simulator, internet=internet) as url, httpx2.AsyncClient(base_url=url) as http:
        private = await http.get(authorize_url(url, "https://intranet.example/client.json"))
        oversized = await http.get(authorize_url(url, "https://connector.example/big.json"))
    assert private.status_code == 400 and "private or reserved address" in private.text
    assert oversized.status_code == 400 and "over 65536 bytes" in oversized.text
    assert "location" not in private.headers and "location" not in oversized.headers
    assert [request.headers["host"] for request in internet.fetches] == ["connector.example"]


@pytest.mark.parametrize("path", ["/oauth/sign-in", "/token", "/register"])
async def test_a_dripping_body_on_the_door_gets_408(simulator: Simulator, path: str) -> None:
    async with door_server(
        simulator, request_read_timeout_seconds=0.5, oauth_client_document_timeout_seconds=0.5
    ) as url:
        stream = await connect_raw(url)
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {url.removeprefix('http://')}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type="
        )
        await stream.send(head.encode())
        status = await status_line(stream, within=5)
        await stream.aclose()
    assert status == b"HTTP/1.1 408 Request Timeout"
