"""The upstream pool's network layer (app/upstream/network.py): the swapped-in backend is used, keeps
connections alive, and tells an idle connection the server closed from one still open."""

from __future__ import annotations

import socket

import httpx2
import pytest

from app.upstream.network import QuickCheckBackend, readable, upstream_transport
from tests.helpers import Simulator

pytestmark = pytest.mark.anyio


def test_a_socket_reads_as_closed_once_its_peer_closes() -> None:
    ours, theirs = socket.socketpair()
    try:
        assert not readable(ours)
        theirs.close()
        assert readable(ours)
    finally:
        ours.close()
    assert readable(ours)  # closed here too: as good as gone
    assert readable(None)


async def test_the_pool_opens_its_connections_through_the_quick_backend(simulator: Simulator) -> None:
    transport = upstream_transport(httpx2.Limits(max_connections=4, max_keepalive_connections=4))
    backend = transport._pool._network_backend
    assert isinstance(backend, QuickCheckBackend)
    async with httpx2.AsyncClient(transport=transport, base_url=simulator.url) as http:
        for _ in range(3):
            assert (await http.get("/_sim/stats")).status_code == 200
    assert backend.opened == 1  # one connection, kept alive and checked between requests
