"""Bearer-token gate for `/mcp`, and the RFC 9728 document the 401 challenge points to.

A raw token is an AceDataCloud API token that only upstream can judge: the gate demands that one
is present and well-formed, and a token upstream rejects comes back as an `auth_failed` tool error.
With the OAuth door on, a token it issued (recognised by its prefix) is opened here and the API
token inside it is what the rest of the server sees; one that does not open is refused with 401
and never forwarded.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.oauth.client_documents import SCOPE
from app.oauth.door import AccessTokenRefused, OAuthDoor, is_access_token
from app.settings import Settings
from app.tokens import fingerprint, parse_bearer, token_problem

logger = logging.getLogger(__name__)

MCP_PATH = "/mcp"
METADATA_PATH = "/.well-known/oauth-protected-resource" + MCP_PATH


def public_base_url(settings: Settings, scope: Scope) -> str:
    """The server's public origin: configured, or as this request reached us."""
    if settings.public_base_url:
        return settings.public_base_url
    headers = Headers(scope=scope)
    host = headers.get("host") or "localhost"
    return f"{scope.get('scheme', 'http')}://{host}"


def protected_resource_metadata(settings: Settings, base_url: str) -> dict[str, Any]:
    """The RFC 9728 document for the `/mcp` resource."""
    document: dict[str, Any] = {
        "resource": base_url + MCP_PATH,
        "bearer_methods_supported": ["header"],
        "resource_name": "kling-mcp: Kling video generation over MCP",
        "resource_documentation": base_url + "/",
    }
    servers = ([settings.public_base_url] if settings.oauth_keys is not None else []) + list(
        settings.authorization_servers
    )
    if servers:
        document["authorization_servers"] = servers
    if settings.oauth_keys is not None:
        document["scopes_supported"] = [SCOPE]
    return document


async def metadata_endpoint(request: Request) -> JSONResponse:
    settings: Settings = request.app.state.settings
    document = protected_resource_metadata(settings, public_base_url(settings, request.scope))
    return JSONResponse(
        document, headers={"access-control-allow-origin": "*", "cache-control": "max-age=3600"}
    )


class BearerAuthMiddleware:
    """Require `Authorization: Bearer <token>` on `/mcp`; everything else passes untouched."""

    def __init__(self, app: ASGIApp, settings: Settings, door: OAuthDoor | None = None) -> None:
        self.app = app
        self.settings = settings
        self.door = door

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_mcp_path(scope["path"]) or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        token = parse_bearer(Headers(scope=scope).get("authorization"))
        if token is None:
            await self._challenge(
                scope, receive, send, "missing", "Send 'Authorization: Bearer <AceDataCloud API token>'."
            )
            return
        if is_access_token(token):
            try:
                if self.door is None:
                    raise AccessTokenRefused("OAuth sign-in is not enabled on this server.")
                token = self.door.open_access_token(token)
            except AccessTokenRefused as exc:
                logger.info("refused OAuth access token %s: %s", fingerprint(token), exc)
                await self._challenge(scope, receive, send, "invalid_token", str(exc))
                return
            scope = _with_bearer(scope, token)
        problem = token_problem(token, max_length=self.settings.max_token_length)
        if problem is not None:
            logger.info("rejected malformed bearer token %s: %s", fingerprint(token), problem)
            await self._challenge(scope, receive, send, "invalid_token", problem.capitalize() + ".")
            return
        await self.app(scope, receive, send)

    async def _challenge(
        self, scope: Scope, receive: Receive, send: Send, error: str, description: str
    ) -> None:
        metadata_url = public_base_url(self.settings, scope) + METADATA_PATH
        challenge = f'Bearer resource_metadata="{metadata_url}"'
        if error != "missing":  # RFC 6750 §3.1: no error code when no credentials were sent
            challenge = (
                f'Bearer error="{error}", error_description={json.dumps(description)}, ' + challenge[7:]
            )
        body = {
            "error": "invalid_token" if error != "missing" else "unauthorized",
            "error_description": description,
        }
        response = JSONResponse(body, status_code=401, headers={"www-authenticate": challenge})
        await response(scope, receive, send)


def _with_bearer(scope: Scope, token: str) -> Scope:
    """The request as if the caller had sent the API token itself: everything downstream (admission,
    the tools, the logs' fingerprints) keys on the token that upstream sees."""
    headers = [(name, value) for name, value in scope["headers"] if name != b"authorization"]
    headers.append((b"authorization", f"Bearer {token}".encode("latin-1")))
    return {**scope, "headers": headers}


def _is_mcp_path(path: str) -> bool:
    return path == MCP_PATH or path.startswith(MCP_PATH + "/")
