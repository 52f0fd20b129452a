"""Helpers for the OAuth door's tests: a server with the door on, a stand-in internet for client
metadata documents, the steps a person's browser takes, and the SDK's own OAuth client."""

from __future__ import annotations

import contextlib
import json
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
from cryptography.fernet import Fernet
from mcp import Client
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import (
    AuthorizationCodeResult,
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthToken,
)

from app.http.app import create_app
from tests.helpers import Mode, Simulator, loopback_socket, serve, settings_for, url_of

KEYS = [Fernet.generate_key().decode() for _ in range(3)]
USER_TOKEN = "tok-oauth-user-0001"
CALLBACK = "http://127.0.0.1:3000/callback"
CLIENT_DOC_URL = "https://connector.example/oauth/client.json"
PUBLIC_ADDRESS = "93.184.216.34"  # what the stand-in DNS answers for a public host


def client_document(client_id: str = CLIENT_DOC_URL, **changes: Any) -> dict[str, Any]:
    return {
        "client_id": client_id,
        "client_name": "Example Connector",
        "redirect_uris": [CALLBACK],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        **changes,
    }


@dataclass
class Internet:
    """Public hosts, as the server's fetcher of client metadata documents sees them."""

    documents: dict[str, bytes] = field(default_factory=dict)  # path -> body
    addresses: dict[str, list[str]] = field(default_factory=dict)  # host -> resolved addresses
    fetches: list[httpx2.Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.documents.setdefault(urlsplit(CLIENT_DOC_URL).path, json.dumps(client_document()).encode())

    async def resolve(self, host: str, port: int) -> list[str]:
        if host not in self.addresses and not host.endswith(".example"):
            raise socket.gaierror("no such host")
        return self.addresses.get(host, [PUBLIC_ADDRESS])

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        self.fetches.append(request)
        body = self.documents.get(request.url.path)
        if body is None:
            return httpx2.Response(404)
        return httpx2.Response(200, content=body, headers={"content-type": "application/json"})

    def transport(self) -> httpx2.MockTransport:
        return httpx2.MockTransport(self.handle)


@contextlib.asynccontextmanager
async def door_server(
    sim: Simulator,
    *,
    keys: list[str] | None = None,
    internet: Internet | None = None,
    sock: socket.socket | None = None,
    **overrides: Any,
) -> AsyncIterator[str]:
    """A kling-mcp server with the OAuth door on, its public URL being where it listens."""
    sock = sock or loopback_socket()
    internet = internet or Internet()
    overrides.setdefault("public_base_url", url_of(sock))
    settings = settings_for(sim.url, oauth_keys=",".join(keys or KEYS[:1]), **overrides)
    app = create_app(settings, client_document_transport=internet.transport(), resolve=internet.resolve)
    async with serve(app, sock=sock) as url:
        yield url


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html))


class Browser:
    """What a person's browser does between /authorize and the client's callback."""

    def __init__(self, token: str = USER_TOKEN) -> None:
        self.token = token
        self.http = httpx2.AsyncClient(timeout=10, follow_redirects=False)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def open_sign_in(self, authorize_url: str) -> httpx2.Response:
        sent = await self.http.get(authorize_url)
        assert sent.status_code == 302, sent.text
        return await self.http.get(sent.headers["location"])

    async def submit(
        self, page: httpx2.Response, token: str | None = None, **changes: str
    ) -> httpx2.Response:
        fields = {**hidden_fields(page.text), "token": self.token if token is None else token, **changes}
        origin = f"{page.url.scheme}://{page.url.netloc.decode()}"
        return await self.http.post(
            str(page.url.copy_with(query=None)), data=fields, headers={"origin": origin}
        )

    async def sign_in(self, authorize_url: str) -> AuthorizationCodeResult:
        answer = await self.submit(await self.open_sign_in(authorize_url))
        assert answer.status_code == 303, answer.text
        query = {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}
        return AuthorizationCodeResult(code=query["code"], state=query.get("state"), iss=query.get("iss"))


class MemoryTokens:
    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


def sdk_oauth(
    server_url: str, browser: Browser, storage: MemoryTokens, *, url_client: bool = False
) -> OAuthClientProvider:
    """The SDK's OAuth client, signing in through `browser` (as a desktop app opens a web page)."""
    results: list[AuthorizationCodeResult] = []

    async def redirect(url: str) -> None:
        results.append(await browser.sign_in(url))

    async def callback() -> AuthorizationCodeResult:
        return results.pop()

    return OAuthClientProvider(
        server_url=f"{server_url}/mcp",
        client_metadata=OAuthClientMetadata(
            client_name="Example Connector",
            redirect_uris=[CALLBACK],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
        ),
        storage=storage,
        redirect_handler=redirect,
        callback_handler=callback,
        client_metadata_url=CLIENT_DOC_URL if url_client else None,
    )


@contextlib.asynccontextmanager
async def oauth_client(server_url: str, mode: Mode, oauth: OAuthClientProvider) -> AsyncIterator[Client]:
    async with httpx2.AsyncClient(auth=oauth, timeout=httpx2.Timeout(30)) as http:
        async with Client(streamable_http_client(f"{server_url}/mcp", http_client=http), mode=mode) as client:
            yield client
