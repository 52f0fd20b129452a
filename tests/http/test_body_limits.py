"""Body limits over real HTTP: each tool's size limit (413, with the id and what to do), the byte
budget of bodies held at once (503), and that a refused body never costs a slot."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx2
import pytest

from app.http.body_limits import ByteBudget, Reservation
from tests.helpers import VID, Simulator, connect_raw, post_head, server_for, status_line

pytestmark = pytest.mark.anyio

TOKEN = "tok-body-0001"
HEADERS = {
    "authorization": f"Bearer {TOKEN}",
    "accept": "application/json, text/event-stream",
    "mcp-protocol-version": "2025-11-25",
}
SMALL = {"max_request_body_bytes": 16 * 1024, "max_media_request_body_bytes": 48 * 1024}


def call(name: str, arguments: dict[str, Any], request_id: int = 7) -> dict[str, Any]:
    params = {"name": name, "arguments": arguments}
    return {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": params}


def lip_sync(audio_bytes: int) -> dict[str, Any]:
    audio = base64.b64encode(b"\x00" * audio_bytes).decode()
    arguments = {"mode": "audio2video", "video_url": VID, "audio_type": "file", "audio_file": audio}
    return call("kling_lip_sync", arguments)


def test_reservations_grow_within_their_pool_and_give_everything_back() -> None:
    ordinary, media = ByteBudget(100), ByteBudget(1000)
    first, second = Reservation(ordinary, media, 50), Reservation(ordinary, media, 50)
    assert first.grow_to(40) and first.grow_to(30)  # never shrinks below what it holds
    assert (ordinary.used, media.used) == (40, 0)
    assert first.grow_to(600)  # past the ordinary limit: moves to the media pool
    assert (ordinary.used, media.used) == (0, 600)
    assert second.grow_to(50) and not second.grow_to(401) and second.grow_to(400)
    assert (ordinary.used, media.used) == (0, 1000)
    assert not Reservation(ordinary, media, 50).grow_to(51)  # the media pool is full
    assert Reservation(ordinary, media, 50).grow_to(50)  # and ordinary calls still fit
    first.release()
    second.release()
    assert (ordinary.used, media.used) == (50, 0)


@pytest.mark.e2e
async def test_an_ordinary_call_over_its_limit_gets_413_naming_the_way_out(simulator: Simulator) -> None:
    prompt = "a fox " * 4000  # 24 KB: over the ordinary 16 KiB, under the media limit
    async with server_for(simulator, **SMALL) as url, httpx2.AsyncClient(base_url=url) as http:
        big = call("kling_generate_video", {"prompt": prompt})
        answer = await http.post("/mcp", json=big, headers=HEADERS)
        served = await http.post("/mcp", json=call("kling_get_task", {"task_id": "x"}), headers=HEADERS)
    assert answer.status_code == 413
    body = answer.json()
    assert body["id"] == 7  # the client can match the refusal to its call
    message = body["error"]["message"]
    assert "at most 16 KiB" in message and "kling_lip_sync (base64 media) may send up to 48 KiB" in message
    assert served.status_code == 200
    assert not any(entry["path"] == "/kling/videos" for entry in await simulator.journal())


@pytest.mark.e2e
async def test_a_base64_media_call_may_be_larger(simulator: Simulator) -> None:
    async with server_for(simulator, **SMALL) as url, httpx2.AsyncClient(base_url=url) as http:
        answer = await http.post("/mcp", json=lip_sync(24 * 1024), headers=HEADERS)
        over = await http.post("/mcp", json=lip_sync(40 * 1024), headers=HEADERS)
    assert answer.status_code == 200 and '"isError"' in answer.text  # reached the tool, which judged it
    assert over.status_code == 413
    assert "over this server's 48 KiB limit" in over.json()["error"]["message"]


@pytest.mark.e2e
async def test_an_oversized_declared_body_is_refused_before_it_is_read(simulator: Simulator) -> None:
    async with server_for(simulator, **SMALL) as url:
        stream = await connect_raw(url)
        await stream.send(post_head(url, TOKEN, 10 * 1024 * 1024))  # and not one byte of the body
        assert await status_line(stream) == b"HTTP/1.1 413 Request Entity Too Large"
        await stream.aclose()


@pytest.mark.e2e
async def test_media_bodies_held_at_once_stay_within_their_pool(simulator: Simulator) -> None:
    limits = {**SMALL, "max_media_bytes_in_flight": 100 * 1024}
    declared = 40 * 1024
    async with server_for(simulator, **limits) as url, httpx2.AsyncClient(base_url=url) as http:
        held = []
        for _ in range(2):  # two large bodies begun and left hanging: 80 of the pool's 100 KiB
            stream = await connect_raw(url)
            await stream.send(post_head(url, TOKEN, declared) + b'{"jsonrpc":')
            held.append(stream)
        await anyio.sleep(0.1)
        refused = await http.post("/mcp", json=lip_sync(28 * 1024), headers=HEADERS)  # ~38 KiB
        small = await http.post("/mcp", json=call("kling_get_task", {"task_id": "x"}), headers=HEADERS)

        async def pieces() -> AsyncIterator[bytes]:  # a chunked body takes its bytes as they come
            for _ in range(4):
                yield b"x" * 8 * 1024

        chunked = await http.post("/mcp", content=pieces(), headers=HEADERS)
        for stream in held:
            await stream.aclose()
        await anyio.sleep(0.2)  # the server notices the closed connections and gives their bytes back
        after = await http.post("/mcp", json=lip_sync(28 * 1024), headers=HEADERS)
    assert refused.status_code == 503
    assert "too many base64 media calls in flight" in refused.json()["error"]["message"]
    assert refused.headers["retry-after"] == "1"
    assert small.status_code == 200  # the media pool is full, and ordinary calls still get in
    assert chunked.status_code == 503
    assert after.status_code == 200


@pytest.mark.e2e
async def test_a_refused_body_that_stops_arriving_gets_408(simulator: Simulator) -> None:
    limits = {**SMALL, "max_media_bytes_in_flight": 48 * 1024, "request_read_timeout_seconds": 1.0}
    async with server_for(simulator, **limits) as url:
        first, second = await connect_raw(url), await connect_raw(url)
        await first.send(post_head(url, TOKEN, 40 * 1024) + b"{")
        await anyio.sleep(0.1)
        await second.send(post_head(url, TOKEN, 40 * 1024) + b"{")  # no room, and then nothing more
        answers = [await status_line(second), await status_line(first)]
        await first.aclose()
        await second.aclose()
    assert answers == [b"HTTP/1.1 408 Request Timeout"] * 2


@pytest.mark.e2e
async def test_ordinary_bodies_held_at_once_stay_within_their_pool(simulator: Simulator) -> None:
    limits = {**SMALL, "max_request_bytes_in_flight": 32 * 1024}
    async with server_for(simulator, **limits) as url, httpx2.AsyncClient(base_url=url) as http:
        held = []
        for _ in range(2):
            stream = await connect_raw(url)
            await stream.send(post_head(url, TOKEN, 16 * 1024) + b"{")  # the pool, full
            held.append(stream)
        await anyio.sleep(0.1)
        busy = await http.post("/mcp", json=call("kling_get_task", {"task_id": "x"}), headers=HEADERS)
        media = await http.post("/mcp", json=lip_sync(20 * 1024), headers=HEADERS)
        for stream in held:
            await stream.aclose()
    assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
    assert "too many request bytes in flight" in busy.json()["error"]["message"]
    assert media.status_code == 200  # its own pool
