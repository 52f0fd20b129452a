"""The OAuth door assembled: its routes, its lifespan, and what `/mcp` asks of it.

The SDK's handlers serve /authorize, /token and /register. Around them this module adds what the
SDK leaves out: metadata that advertises URL client ids, `iss` on redirects and a public-client
auth method; HTML error pages instead of JSON for a person's browser; a per-address limit on
registrations and sign-ins; and the sign-in page itself.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import anyio
import httpx2
from mcp.server.auth.routes import build_metadata, cors_middleware, create_auth_routes
from mcp.server.auth.settings import ClientRegistrationOptions, RevocationOptions
from pydantic import AnyHttpUrl
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http.admission import TokenBuckets, client_ip
from app.idempotency.store import IdempotencyStore
from app.oauth.client_documents import SCOPE, ClientDocuments, Resolver, resolve_host
from app.oauth.pages import error_page
from app.oauth.provider import SIGN_IN_PATH, SealedProvider, canonical_resource
from app.oauth.sealing import Kind, Sealer, SealError, looks_sealed
from app.oauth.sign_in import SignIn
from app.settings import Settings
from app.upstream.client import UpstreamClient

logger = logging.getLogger(__name__)
METADATA_PATHS = ("/.well-known/oauth-authorization-server", "/.well-known/openid-configuration")


class AccessTokenRefused(Exception):
    """A sealed access token `/mcp` must refuse with 401 invalid_token; the message says why."""


def is_access_token(token: str) -> bool:
    return looks_sealed(token, Kind.ACCESS)


class OAuthDoor:
    def __init__(
        self,
        settings: Settings,
        upstream: UpstreamClient,
        used: IdempotencyStore,
        *,
        document_transport: httpx2.AsyncBaseTransport | None = None,
        resolve: Resolver = resolve_host,
    ) -> None:
        assert settings.public_base_url, "the settings check requires a public base URL with OAuth on"
        self.settings = settings
        self.issuer = settings.public_base_url
        self.sealer = Sealer(settings.oauth_key_list)
        self.documents = ClientDocuments(settings, transport=document_transport, resolve=resolve)
        self.provider = SealedProvider(settings, self.sealer, self.documents, used, issuer=self.issuer)
        per_minute = settings.oauth_registrations_per_minute
        self.limiter = TokenBuckets(per_minute, burst=per_minute, max_callers=10_000)
        self.sign_in = SignIn(
            self.provider, upstream, self.limiter, max_token_length=settings.max_token_length
        )
        if settings.redis_url is None:
            logger.warning(
                "OAuth door on without KLING_MCP_REDIS_URL: codes and refresh tokens are single-use "
                "within this process only; replicas need a shared Redis"
            )

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        async with self.documents.running():
            yield

    def open_access_token(self, token: str) -> str:
        """The upstream token inside a sealed access token, or AccessTokenRefused."""
        try:
            payload = self.sealer.open(Kind.ACCESS, token)
        except SealError as exc:
            if exc.reason == "expired":
                raise AccessTokenRefused("The access token expired: refresh it, or sign in again.") from None
            raise AccessTokenRefused(
                "The access token was not issued by this server, or its key was retired: sign in again."
            ) from None
        if canonical_resource(payload["aud"]) != canonical_resource(self.provider.resource):
            raise AccessTokenRefused(f"The access token was issued for {payload['aud']}, not this server.")
        upstream_token: str = payload["up"]
        return upstream_token

    def metadata(self) -> dict[str, Any]:
        document = build_metadata(
            AnyHttpUrl(self.issuer),
            AnyHttpUrl(self.issuer + "/"),
            self._registration_options(),
            RevocationOptions(enabled=False),
        )
        # What the SDK's builder leaves out: URL client ids (with no secret, hence "none") and `iss`.
        document.client_id_metadata_document_supported = True
        document.authorization_response_iss_parameter_supported = True
        document.token_endpoint_auth_methods_supported = ["none", "client_secret_post", "client_secret_basic"]
        dumped: dict[str, Any] = document.model_dump(mode="json", exclude_none=True)
        # Clients compare the issuer as a string: without the slash a URL type would add to a bare origin.
        dumped["issuer"] = self.issuer
        return dumped

    def _registration_options(self) -> ClientRegistrationOptions:
        return ClientRegistrationOptions(enabled=True, valid_scopes=[SCOPE], default_scopes=[SCOPE])

    def routes(self) -> list[Route]:
        metadata = self.metadata()

        async def metadata_endpoint(request: Request) -> Response:
            return JSONResponse(metadata, headers={"cache-control": "public, max-age=3600"})

        routes = [
            Route(path, cors_middleware(metadata_endpoint, ["GET", "OPTIONS"]), methods=["GET", "OPTIONS"])
            for path in METADATA_PATHS
        ]
        for route in create_auth_routes(
            self.provider,
            AnyHttpUrl(self.issuer),
            AnyHttpUrl(self.issuer + "/"),
            self._registration_options(),
            RevocationOptions(enabled=False),
        ):
            if route.path in METADATA_PATHS:
                continue  # served above, with the fields the SDK leaves out
            app: ASGIApp = route.app
            if route.path == "/authorize":
                app = ForPeople(app, self.issuer, self.provider)
            elif route.path == "/register":
                app = Limited(app, self.limiter)
            # The body must arrive in time, and a URL client's document may be fetched on the way.
            seconds = (
                self.settings.request_read_timeout_seconds
                + self.settings.oauth_client_document_timeout_seconds
            )
            app = Bounded(app, seconds)
            routes.append(Route(route.path, app, methods=sorted(route.methods or [])))
        routes.append(Route(SIGN_IN_PATH, self.sign_in.page, methods=["GET"]))
        routes.append(Route(SIGN_IN_PATH, self.sign_in.submit, methods=["POST"]))
        return routes


class Bounded:
    """A whole exchange within `seconds`: a body that drips in gets 408 instead of holding a task."""

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        with anyio.move_on_after(self.seconds) as deadline:
            await self.app(scope, receive, watched)
        if deadline.cancelled_caught and not started:
            response = JSONResponse(
                {"error": "invalid_request", "error_description": "The request did not arrive in time."},
                status_code=408,
            )
            await response(scope, receive, send)


class Limited:
    """Registrations per client address: each one mints a client, so strangers get a bounded number."""

    def __init__(self, app: ASGIApp, limiter: TokenBuckets) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("method") == "POST":
            wait = self.limiter.take(client_ip(scope))
            if wait > 0:
                response = JSONResponse(
                    {
                        "error": "too_many_requests",
                        "error_description": "Too many registrations from this address; try again later.",
                    },
                    status_code=429,
                    headers={"retry-after": str(max(1, int(wait + 0.999)))},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class ForPeople:
    """/authorize is opened by a person's browser: the SDK's JSON errors become a page (never a
    redirect, since the client or its redirect URI is what was wrong), and error redirects carry
    `iss` as the metadata promises (RFC 9207)."""

    def __init__(self, app: ASGIApp, issuer: str, provider: SealedProvider) -> None:
        self.app = app
        self.issuer = issuer
        self.provider = provider

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        messages: list[Message] = []

        async def keep(message: Message) -> None:
            messages.append(message)

        await self.app(scope, receive, keep)
        start = messages[0]
        body = b"".join(m.get("body", b"") for m in messages[1:])
        if start["status"] == 400:
            response = self._page(scope, body)
            await response(scope, receive, send)
            return
        headers = [
            (name, self._with_iss(value) if name.lower() == b"location" else value)
            for name, value in start.get("headers", [])
        ]
        await send({**start, "headers": headers})
        for message in messages[1:]:
            await send(message)

    def _page(self, scope: Scope, body: bytes) -> Response:
        try:
            description = str(json.loads(body).get("error_description") or "")
        except (ValueError, AttributeError):
            description = ""
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        problem = self.provider.last_client_problem.get(query.get("client_id", ""))
        message = problem or description or "The app sent a request this server cannot accept."
        return error_page(
            "This app's sign-in request is not valid", message[:300].rstrip(".") + ".", status_code=400
        )

    def _with_iss(self, location: bytes) -> bytes:
        parts = urlsplit(location.decode("latin-1"))
        query = parse_qsl(parts.query, keep_blank_values=True)
        if any(name == "error" for name, _ in query) and not any(name == "iss" for name, _ in query):
            query.append(("iss", self.issuer))
            return urlunsplit(parts._replace(query=urlencode(query))).encode("latin-1")
        return location
