"""The hosted HTTP app: health routes, the RFC 9728 document, and MCP at `/mcp`, behind the bearer gate.

Request path, outermost first: (uvicorn with the head deadline of `head_deadline.py`: 408) ->
BearerAuthMiddleware (401 without a token) -> BodyLimitsMiddleware (the body whole within the
deadline, its tool's size limit and the byte budget: 408/413/503) -> LegacyCancelMiddleware
(2025-era cancel frames, applied even when saturated) -> AdmissionMiddleware (503 when saturated,
429 over a caller's cap or rate) -> Starlette routing -> the SDK's streamable-HTTP app (Host/Origin
check, both protocol eras).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx2
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp, StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from app import __version__
from app.capacity import wait_budget
from app.http.admission import AdmissionMiddleware, Occupancy, WaitBudget
from app.http.auth import MCP_PATH, METADATA_PATH, BearerAuthMiddleware, metadata_endpoint
from app.http.body_limits import BodyLimitsMiddleware
from app.http.cancel_frames import LegacyCancelMiddleware
from app.http.routing import TransportRouter
from app.idempotency.memory import MemoryStore
from app.idempotency.redis import RedisStore
from app.mcp.cancellation import CancelRegistry
from app.mcp.server import SERVER_NAME, build_mcp_server
from app.mcp.tools.inventory import media_tools, streaming_tools, wait_tools
from app.metrics import Metrics
from app.oauth.client_documents import Resolver, resolve_host
from app.oauth.door import OAuthDoor
from app.settings import Settings
from app.upstream.client import UpstreamClient


def transport_security(settings: Settings) -> TransportSecuritySettings:
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=settings.dns_rebinding_protection,
        allowed_hosts=list(settings.allowed_hosts),
        allowed_origins=list(settings.allowed_origins),
    )


async def healthz(request: Request) -> JSONResponse:
    """Liveness: the process answers. Never calls upstream."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Readiness: started, the upstream pool open, not draining after SIGTERM, and room for one more
    wait (when full, the load balancer sends new waiters to other replicas)."""
    state = request.app.state
    if state.draining:
        return JSONResponse({"status": "draining"}, status_code=503)
    waits: WaitBudget = state.waits
    if waits.full:
        return JSONResponse({"status": "full", "waits_open": waits.held.open}, status_code=503)
    ready = bool(state.started) and state.upstream.is_open
    return JSONResponse({"status": "ready" if ready else "starting"}, status_code=200 if ready else 503)


def create_metrics_app(metrics: Metrics) -> Starlette:
    """Prometheus metrics on a port of their own (`KLING_MCP_METRICS_PORT`): the MCP port, which the
    ingress exposes, never serves them; the NetworkPolicy admits only the scraper to this one."""

    async def metrics_endpoint(request: Request) -> Response:
        return Response(metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")

    return Starlette(routes=[Route("/metrics", metrics_endpoint)])


async def index(request: Request) -> JSONResponse:
    return JSONResponse({"name": SERVER_NAME, "version": __version__, "mcp_endpoint": MCP_PATH})


def idempotency_store(settings: Settings, metrics: Metrics) -> MemoryStore | RedisStore:
    """In process for one replica; in Redis when configured, so every replica sees every key."""
    if settings.redis_url is None:
        return MemoryStore(settings.idempotency_ttl_seconds, settings.idempotency_max_records)
    return RedisStore.from_url(
        settings.redis_url,
        timeout_seconds=settings.redis_timeout_seconds,
        ttl_seconds=settings.idempotency_ttl_seconds,
        # A claim outlives the longest submission, so a replica that dies mid-submit frees its keys.
        claim_seconds=settings.submit_timeout_seconds + settings.connect_timeout_seconds + 10,
        on_error=lambda operation: metrics.idempotency.labels("store_error").inc(),
    )


def create_app(
    settings: Settings,
    *,
    upstream_transport: httpx2.AsyncBaseTransport | None = None,
    client_document_transport: httpx2.AsyncBaseTransport | None = None,
    resolve: Resolver = resolve_host,
) -> Starlette:
    """A fresh app: its own MCP server, its own upstream client, opened and closed by its lifespan.

    `client_document_transport` and `resolve` reach the OAuth door's fetches of client metadata
    documents (tests give them a stand-in internet, since those are https URLs on public hosts)."""
    metrics = Metrics()
    upstream = UpstreamClient(settings, transport=upstream_transport, metrics=metrics)
    cancellations = CancelRegistry()
    idempotency = idempotency_store(settings, metrics)
    waits = WaitBudget(
        capacity=wait_budget(settings),
        per_token=settings.max_concurrent_waits_per_token,
        ids_per_wait=settings.batch_max_ids,
        opening=settings.max_concurrent_wait_openings,
        held=Occupancy(on_change=metrics.waits_open.set),
    )
    metrics.waits_capacity.set(waits.capacity)
    door = (
        OAuthDoor(
            settings, upstream, idempotency, document_transport=client_document_transport, resolve=resolve
        )
        if settings.oauth_keys is not None
        else None
    )
    mcp = build_mcp_server(
        settings, upstream, cancellations=cancellations, metrics=metrics, idempotency=idempotency
    )

    def transport(json_response: bool) -> tuple[StreamableHTTPASGIApp, StreamableHTTPSessionManager]:
        mcp.streamable_http_app(
            streamable_http_path=MCP_PATH,
            stateless_http=True,  # any replica answers any request
            json_response=json_response,
            transport_security=transport_security(settings),
            max_request_body_size=settings.max_media_request_body_bytes,  # per tool: BodyLimitsMiddleware
        )
        # The transport itself, without the Starlette app the SDK wraps it in: that app's error and
        # routing layers repeat ours, and every held wait kept their frames (docs/operations.md "Waits").
        manager = mcp.session_manager  # the manager just built
        return StreamableHTTPASGIApp(manager), manager

    streaming_app, streaming = transport(json_response=False)  # SSE: progress, pings, cancel on close
    plain_app, plain = transport(json_response=True)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            if isinstance(idempotency, RedisStore):
                stack.push_async_callback(idempotency.aclose)
            if door is not None:
                await stack.enter_async_context(door.running())
            async with upstream.running(), streaming.run(), plain.run():
                app.state.started = True
                yield
                app.state.started = False

    app = Starlette(
        routes=[
            Route("/", index),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route(METADATA_PATH, metadata_endpoint),
            Route("/.well-known/oauth-protected-resource", metadata_endpoint),
            *(door.routes() if door is not None else []),
            Mount(
                "/", app=TransportRouter(streaming_app, plain_app, streaming_tools=streaming_tools())
            ),  # last: it matches every path
        ],
        middleware=[
            Middleware(BearerAuthMiddleware, settings=settings, door=door),
            # The body in whole, in time, within its limits, before any slot is taken.
            Middleware(
                BodyLimitsMiddleware,
                path=MCP_PATH,
                max_bytes=settings.max_request_body_bytes,
                max_media_bytes=settings.max_media_request_body_bytes,
                media_tools=media_tools(),
                bytes_in_flight=settings.max_request_bytes_in_flight,
                media_bytes_in_flight=settings.max_media_bytes_in_flight,
                seconds=settings.request_read_timeout_seconds,
                on_refuse=lambda reason: metrics.refused.labels(reason).inc(),
            ),
            # Before admission: a cancel frame must take effect even when the server is saturated.
            Middleware(LegacyCancelMiddleware, registry=cancellations, path=MCP_PATH),
            Middleware(
                AdmissionMiddleware,
                max_in_flight=settings.max_concurrent_requests,
                max_in_flight_per_caller=settings.max_concurrent_requests_per_token,
                rate_per_minute=settings.rate_limit_per_minute,
                rate_burst=settings.rate_limit_burst,
                max_callers=settings.rate_limit_max_callers,
                max_in_flight_per_ip=settings.max_concurrent_unverified_per_ip,
                is_trusted=upstream.accepted_recently,
                refusal_delay=settings.busy_refusal_delay_seconds,
                on_refuse=lambda reason: metrics.refused.labels(reason).inc(),
                path=MCP_PATH,
                waits=waits,
                wait_tools=wait_tools(),
            ),
        ],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.upstream = upstream
    app.state.waits = waits
    app.state.started = False
    app.state.draining = False  # set by the server on SIGTERM, so load balancers stop sending work
    return app
