"""The head of every request must arrive within the read deadline, counted from its first byte (or
from the connection's opening for the first request), and the body's deadline counts from the same
byte. Raw sockets against a real uvicorn, since only a socket can drip bytes."""

from __future__ import annotations

import json

import anyio
import pytest

from tests.helpers import Simulator, connect_raw, post_head, server_for, status_line

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

TOKEN = "tok-head-0001"
PING = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}).encode()  # a short answer
FAST = {"request_read_timeout_seconds": 1.0}


async def drip(stream: anyio.abc.SocketStream, data: bytes, seconds: float) -> None:
    """Send `data` in ten pieces spread over `seconds`; stop quietly if the server closes the connection."""
    step = max(1, len(data) // 10)
    for start in range(0, len(data), step):
        try:
            await stream.send(data[start : start + step])
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            return
        await anyio.sleep(seconds / 10)


async def test_a_connection_that_sends_nothing_is_closed(simulator: Simulator) -> None:
    async with server_for(simulator, **FAST) as url:
        stream = await connect_raw(url)
        assert await status_line(stream) == b"HTTP/1.1 408 Request Timeout"
        await stream.aclose()


async def test_a_dripped_head_is_cut_at_the_deadline(simulator: Simulator) -> None:
    async with server_for(simulator, **FAST) as url:
        stream = await connect_raw(url)
        head = post_head(url, TOKEN, len(PING))
        await drip(stream, head[:-4], 0.9)  # all but the blank line, slowly: a slowloris
        assert await status_line(stream) == b"HTTP/1.1 408 Request Timeout"
        await stream.aclose()


async def test_the_body_deadline_counts_from_the_first_byte_of_the_head(simulator: Simulator) -> None:
    async with server_for(simulator, **FAST) as url:
        stream = await connect_raw(url)
        await drip(stream, post_head(url, TOKEN, len(PING)), 0.7)
        # The body would be in 0.6 s after the head: inside a deadline counted from the body's start,
        # outside one counted from the first byte.
        with anyio.move_on_after(1.0):
            await drip(stream, PING, 0.6)
        assert await status_line(stream) == b"HTTP/1.1 408 Request Timeout"
        await stream.aclose()


async def test_each_keep_alive_request_gets_its_own_deadline(simulator: Simulator) -> None:
    async with server_for(simulator, **FAST) as url:
        stream = await connect_raw(url)
        answers = []
        for _ in range(3):  # 3 x 0.6 s on one connection: more than one deadline in all
            await drip(stream, post_head(url, TOKEN, len(PING)) + PING, 0.6)
            answers.append(await status_line(stream))
        await stream.aclose()
    assert answers == [b"HTTP/1.1 200 OK"] * 3
