"""The upstream pool's network layer: httpcore2's own, with a cheap check for a closed idle connection.

Before and after every request, httpcore2's pool asks each idle connection whether the server has
closed it (`get_extra_info("is_readable")`). Its anyio streams answer by building anyio's table of
socket attributes each time, which cost about 1 ms of CPU per upstream request with the default 50
idle connections: a third of the CPU of a pod holding 500 waits (docs/operations.md "Waits"). The
streams here keep the socket from when they were opened and poll it directly; everything else is
passed through unchanged.
"""

from __future__ import annotations

import select
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore2
import httpx2

# httpcore2's interface, whose methods take `timeout` arguments (ruff's ASYNC109 is about our own APIs).
# ruff: noqa: ASYNC109
SocketOption = tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]


def readable(sock: socket.socket | None) -> bool:
    """Whether a read would return at once: for an idle HTTP connection, that the server closed it."""
    if sock is None or sock.fileno() < 0:
        return True  # gone: as good as closed
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


class QuickCheckStream(httpcore2.AsyncNetworkStream):
    def __init__(self, stream: httpcore2.AsyncNetworkStream) -> None:
        self._stream = stream
        self._socket: socket.socket | None = stream.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._stream.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._stream.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore2.AsyncNetworkStream:
        return QuickCheckStream(await self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return readable(self._socket)
        return self._stream.get_extra_info(info)


class QuickCheckBackend(httpcore2.AsyncNetworkBackend):
    def __init__(self, backend: httpcore2.AsyncNetworkBackend) -> None:
        self._backend = backend
        self.opened = 0  # connections opened through it, for tests

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore2.AsyncNetworkStream:
        stream = await self._backend.connect_tcp(host, port, timeout, local_address, socket_options)
        self.opened += 1
        return QuickCheckStream(stream)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[SocketOption] | None = None
    ) -> httpcore2.AsyncNetworkStream:
        stream = await self._backend.connect_unix_socket(path, timeout, socket_options)
        self.opened += 1
        return QuickCheckStream(stream)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


def upstream_transport(limits: httpx2.Limits) -> httpx2.AsyncHTTPTransport:
    """httpx2's transport with its pool on `QuickCheckBackend`. httpx2 does not take a network backend,
    so the pool's is swapped in place (tests/upstream/test_network.py fails if that stops working)."""
    transport = httpx2.AsyncHTTPTransport(limits=limits, trust_env=False)
    pool = transport._pool
    pool._network_backend = QuickCheckBackend(pool._network_backend)
    return transport
