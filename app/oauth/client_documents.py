"""Client ID Metadata Documents: a `client_id` that is an https URL serving the client's metadata.

Fetching one is an outbound request whose target a stranger chose, so it is held tightly:
https only, no credentials or fragment in the URL, every address the name resolves to must be a
public one (the request then goes to that vetted address, so a second lookup cannot swap in a
private one), no redirects, a size and a time limit, and answers are cached.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import socket
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from urllib.parse import urlsplit

import anyio
import httpx2
from mcp.shared.auth import OAuthClientInformationFull
from pydantic import ValidationError

from app.http.admission import TokenBuckets
from app.settings import Settings

Resolver = Callable[[str, int], Awaitable[list[str]]]
SCOPE = "kling"  # the one scope this server knows; a URL client may ask for it
MAX_CACHED = 1000


class ClientDocumentError(Exception):
    """Why a URL client_id cannot be used, in words for the sign-in error page and the logs."""


def is_url_client_id(client_id: str) -> bool:
    return client_id.startswith("https://")


async def resolve_host(host: str, port: int) -> list[str]:
    infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class ClientDocuments:
    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        resolve: Resolver = resolve_host,
    ) -> None:
        self._settings = settings
        self._transport = transport
        self._resolve = resolve
        self._http: httpx2.AsyncClient | None = None
        self._cache: OrderedDict[str, tuple[float, OAuthClientInformationFull]] = OrderedDict()
        # Each fetch is an outbound request a stranger asked for: a bounded number per minute in all.
        per_minute = settings.oauth_client_document_fetches_per_minute
        self._fetches = TokenBuckets(per_minute, burst=per_minute, max_callers=1)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        self._http = httpx2.AsyncClient(
            transport=self._transport,
            timeout=self._settings.oauth_client_document_timeout_seconds,
            follow_redirects=False,
            trust_env=False,
            headers={"accept": "application/json"},
        )
        try:
            yield
        finally:
            await self._http.aclose()
            self._http = None

    async def get(self, client_id: str) -> OAuthClientInformationFull:
        cached = self._cache.get(client_id)
        if cached is not None and cached[0] > time.monotonic():
            self._cache.move_to_end(client_id)
            return cached[1]
        if self._fetches.take("all") > 0:
            raise ClientDocumentError("too many client documents fetched this minute; try again shortly")
        with anyio.fail_after(self._settings.oauth_client_document_timeout_seconds):
            try:
                client = await self._fetch(client_id)
            except TimeoutError:
                raise ClientDocumentError("the client's metadata document did not arrive in time") from None
        self._cache[client_id] = (
            time.monotonic() + self._settings.oauth_client_document_cache_seconds,
            client,
        )
        while len(self._cache) > MAX_CACHED:
            self._cache.popitem(last=False)
        return client

    async def _fetch(self, client_id: str) -> OAuthClientInformationFull:
        parts = urlsplit(client_id)
        if parts.scheme != "https" or not parts.hostname or parts.username or parts.password:
            raise ClientDocumentError("a URL client_id must be an https URL without credentials")
        if parts.fragment or parts.path in ("", "/"):
            raise ClientDocumentError("a URL client_id needs a path and no fragment")
        port = parts.port or 443
        try:
            addresses = await self._resolve(parts.hostname, port)
        except OSError:
            raise ClientDocumentError(f"{parts.hostname} does not resolve") from None
        if not addresses or not all(_public(address) for address in addresses):
            raise ClientDocumentError(f"{parts.hostname} resolves to a private or reserved address")
        body = await self._download(parts.hostname, addresses[0], port, parts.path, parts.query)
        return _client_from(client_id, body)

    async def _download(self, host: str, address: str, port: int, path: str, query: str) -> bytes:
        assert self._http is not None, "ClientDocuments.running() is not entered"
        netloc = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
        url = f"https://{netloc}{path}" + (f"?{query}" if query else "")
        limit = self._settings.oauth_client_document_max_bytes
        host_header = host if port == 443 else f"{host}:{port}"
        try:
            async with self._http.stream(
                "GET", url, headers={"host": host_header}, extensions={"sni_hostname": host}
            ) as response:
                if response.status_code != 200:
                    raise ClientDocumentError(
                        f"the client's metadata document answered HTTP {response.status_code}"
                    )
                declared = response.headers.get("content-length")
                if declared is not None and declared.isdigit() and int(declared) > limit:
                    raise ClientDocumentError(f"the client's metadata document is over {limit} bytes")
                body = bytearray()
                async for (
                    chunk
                ) in response.aiter_bytes():  # decoded: the limit holds for compressed bodies too
                    body += chunk
                    if len(body) > limit:
                        raise ClientDocumentError(f"the client's metadata document is over {limit} bytes")
                return bytes(body)
        except httpx2.HTTPError as exc:
            raise ClientDocumentError(
                f"the client's metadata document could not be fetched ({type(exc).__name__})"
            ) from None


def _client_from(client_id: str, body: bytes) -> OAuthClientInformationFull:
    try:
        document = json.loads(body)
    except ValueError:
        raise ClientDocumentError("the client's metadata document is not JSON") from None
    if not isinstance(document, dict):
        raise ClientDocumentError("the client's metadata document is not a JSON object")
    if document.get("client_id") != client_id:  # compared exactly: no normalising
        raise ClientDocumentError("the document's client_id is not the URL it was fetched from")
    if not document.get("client_name") or not document.get("redirect_uris"):
        raise ClientDocumentError("the client's metadata document lacks client_name or redirect_uris")
    fields = {
        key: document[key]
        for key in ("client_name", "client_uri", "logo_uri", "redirect_uris", "grant_types", "response_types")
        if key in document
    }
    try:
        # Such a client holds no secret: it is public, and PKCE is what binds its code.
        return OAuthClientInformationFull(
            client_id=client_id,
            token_endpoint_auth_method="none",  # noqa: S106 - a public client has no secret
            scope=SCOPE,
            **fields,
        )
    except ValidationError as exc:
        fields_wrong = sorted({str(error["loc"][0]) for error in exc.errors() if error["loc"]})
        raise ClientDocumentError(
            f"the client's metadata document has invalid {', '.join(fields_wrong)}"
        ) from None
