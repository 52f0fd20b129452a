"""The one pooled HTTP client per process that talks to the Kling API.

The caller's token is passed into every call and set on that request only: the shared
`httpx2.AsyncClient` never holds a credential, so concurrent callers cannot see each other's.
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from enum import Enum
from typing import Any

import anyio
import httpx2
import pydantic_core

from app import __version__
from app.metrics import Metrics, record_upstream
from app.settings import Settings
from app.tokens import fingerprint
from app.upstream.errors import (
    UpstreamAuthError,
    UpstreamConnectionError,
    UpstreamError,
    UpstreamProtocolError,
    UpstreamRateLimited,
    UpstreamTimeout,
    UpstreamTransportError,
    error_from_response,
)
from app.upstream.network import upstream_transport

logger = logging.getLogger(__name__)


class CallKind(Enum):
    """Reads are free and idempotent, so they are retried; submissions spend credits, so they are not."""

    READ = "read"
    SUBMIT = "submit"


@contextlib.contextmanager
def map_transport_errors(path: str) -> Iterator[None]:
    """Translate httpx2's exceptions into ours at this one boundary."""
    try:
        yield
    except httpx2.TimeoutException as exc:
        raise UpstreamTimeout(f"no answer from {path} ({type(exc).__name__}).", path=path) from exc
    except httpx2.ConnectError as exc:
        raise UpstreamConnectionError(f"could not connect for {path}.", path=path, never_sent=True) from exc
    except httpx2.TransportError as exc:
        raise UpstreamConnectionError(
            f"the connection failed during {path} ({type(exc).__name__}).", path=path
        ) from exc


class UpstreamClient:
    """POST JSON to the Kling API with the caller's token; returns the decoded JSON object."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self._settings = settings
        self.metrics = metrics
        self._transport = transport
        self._http: httpx2.AsyncClient | None = None
        self._all = anyio.CapacityLimiter(settings.upstream_max_concurrency)
        self._per_token: dict[str, tuple[anyio.CapacityLimiter, int]] = {}
        # Upstream's latest verdict on a token, by fingerprint: (accepted, until when). Bounded.
        self._verdicts: OrderedDict[str, tuple[bool, float]] = OrderedDict()

    @contextlib.asynccontextmanager
    async def _slot(self, token: str) -> AsyncIterator[None]:
        """Hold one of this caller's upstream slots and one of the process's.

        The per-caller cap keeps one caller's 1,000-id batch from taking every connection while
        other callers wait; the process cap keeps the pool and upstream from being flooded.
        """
        key = fingerprint(token)
        limiter, users = self._per_token.get(key) or (
            anyio.CapacityLimiter(self._settings.upstream_max_concurrency_per_token),
            0,
        )
        self._per_token[key] = (limiter, users + 1)
        try:
            async with limiter, self._all:
                yield
        finally:
            limiter, users = self._per_token[key]
            if users == 1:
                del self._per_token[key]  # no state kept for callers that are gone
            else:
                self._per_token[key] = (limiter, users - 1)

    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def is_open(self) -> bool:
        return self._http is not None and not self._http.is_closed

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[UpstreamClient]:
        """Open the pool for the lifetime of the block (the app lifespan)."""
        s = self._settings
        limits = httpx2.Limits(
            max_connections=s.max_connections, max_keepalive_connections=s.max_keepalive_connections
        )
        self._http = httpx2.AsyncClient(
            base_url=s.api_base_url,
            transport=self._transport or upstream_transport(limits),
            timeout=httpx2.Timeout(s.read_timeout_seconds, connect=s.connect_timeout_seconds),
            headers={"accept": "application/json", "user-agent": f"kling-mcp/{__version__}"},
            follow_redirects=False,
            trust_env=False,
        )
        try:
            yield self
        finally:
            await self._http.aclose()
            self._http = None

    def accepted_recently(self, token: str) -> bool:
        """Whether upstream accepted this token within the verdict window."""
        return self._verdict(token) is True

    def _verdict(self, token: str) -> bool | None:
        found = self._verdicts.get(fingerprint(token))
        if found is None or found[1] <= time.monotonic():
            return None
        return found[0]

    def _remember(self, token: str, accepted: bool) -> None:
        if self._settings.token_verdict_seconds <= 0:
            return
        key = fingerprint(token)
        self._verdicts.pop(key, None)
        self._verdicts[key] = (accepted, time.monotonic() + self._settings.token_verdict_seconds)
        while len(self._verdicts) > self._settings.token_verdicts_max:
            self._verdicts.popitem(last=False)

    async def post(self, path: str, body: dict[str, Any], *, token: str, kind: CallKind) -> dict[str, Any]:
        if self._verdict(token) is False:
            # Upstream refused this token moments ago: a junk token costs upstream one call, not many.
            raise UpstreamAuthError(
                f"upstream refused this API token less than {self._settings.token_verdict_seconds:g} s ago; "
                "it was not asked again.",
                path=path,
                http_status=401,
                code="recently_refused",
            )
        attempt = 1
        while True:
            try:
                return await self._post_once(path, body, token=token, kind=kind)
            except UpstreamError as exc:
                if not self._may_retry(exc, kind, attempt):
                    raise
                delay = self.retry_delay(attempt, exc)
                if self.metrics is not None:
                    self.metrics.retries.labels(path, exc.kind).inc()
                logger.info("upstream %s failed (%s); retry %d in %.2f s", path, exc.kind, attempt, delay)
                await anyio.sleep(delay)
                attempt += 1

    def _may_retry(self, exc: UpstreamError, kind: CallKind, attempt: int) -> bool:
        if kind is CallKind.READ:
            return exc.retryable and attempt <= self._settings.read_retries
        # A submission spends credits: resend it only when the connection never opened.
        return isinstance(exc, UpstreamConnectionError) and exc.never_sent and attempt == 1

    def retry_delay(self, attempt: int, exc: UpstreamError) -> float:
        """Exponential backoff with full jitter; an upstream Retry-After wins, within the cap."""
        cap = self._settings.retry_backoff_max_seconds
        if isinstance(exc, UpstreamRateLimited) and exc.retry_after is not None:
            return min(exc.retry_after, cap)
        base = self._settings.retry_backoff_seconds * (2 ** (attempt - 1))
        return min(cap, random.uniform(base / 2, base))

    async def _post_once(
        self, path: str, body: dict[str, Any], *, token: str, kind: CallKind
    ) -> dict[str, Any]:
        timeout = (
            self._settings.read_timeout_seconds
            if kind is CallKind.READ
            else self._settings.submit_timeout_seconds
        )
        connect = self._settings.connect_timeout_seconds
        started = time.perf_counter()
        try:
            response = await self._exchange(path, body, token, timeout, connect)
        except UpstreamError as exc:
            record_upstream(self.metrics, path, exc.kind, time.perf_counter() - started, exc.trace_id)
            raise
        elapsed = time.perf_counter() - started
        if response.status_code >= 400:
            error = error_from_response(
                response.status_code,
                response.content,
                path=path,
                retry_after=response.headers.get("retry-after"),
            )
            record_upstream(self.metrics, path, response.status_code, elapsed, error.trace_id)
            if isinstance(error, UpstreamAuthError):
                self._remember(token, accepted=False)
            raise error
        self._remember(token, accepted=True)
        record_upstream(self.metrics, path, response.status_code, elapsed, None)
        logger.debug(
            "upstream POST %s -> %d in %.0f ms (token %s)",
            path,
            response.status_code,
            elapsed * 1000,
            fingerprint(token),
        )
        return _json_object(response, path)

    async def _exchange(
        self, path: str, body: dict[str, Any], token: str, budget: float, connect: float
    ) -> httpx2.Response:
        # httpx's read timeout is per read, so a body that drips in byte by byte never trips it;
        # this deadline bounds the whole exchange.
        http = self._http
        if http is None:
            raise UpstreamTransportError("the upstream client is not open.", path=path)
        with anyio.move_on_after(budget + connect) as deadline, map_transport_errors(path):
            async with self._slot(token):
                response = await http.post(
                    path,
                    json=body,
                    headers={"authorization": f"Bearer {token}"},
                    timeout=httpx2.Timeout(budget, connect=connect),
                )
        if deadline.cancelled_caught:
            raise UpstreamTimeout(
                f"no complete answer from {path} within {budget + connect:.0f} s.", path=path
            )
        return response


def _json_object(response: httpx2.Response, path: str) -> dict[str, Any]:
    try:
        # pydantic-core's parser: about 1.5x json.loads on a 50-record batch, and it also raises
        # ValueError for malformed or too deeply nested bodies.
        data = pydantic_core.from_json(response.content)
    except ValueError as exc:
        raise UpstreamProtocolError(
            f"HTTP {response.status_code} from {path} was not JSON.",
            path=path,
            http_status=response.status_code,
        ) from exc
    if not isinstance(data, dict):
        raise UpstreamProtocolError(
            f"HTTP {response.status_code} from {path} was JSON but not an object.",
            path=path,
            http_status=response.status_code,
        )
    return data
