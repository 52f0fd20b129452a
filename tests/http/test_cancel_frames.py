"""2025-era cancel frames on a stateless server: matched by token and request id, never across callers."""

from __future__ import annotations

import json

import httpx2
import pytest
from starlette.types import Receive, Scope, Send

from app.http.body import parse_json
from app.http.cancel_frames import LegacyCancelMiddleware, cancelled_request_ids
from app.mcp.cancellation import CancelRegistry

pytestmark = pytest.mark.anyio


def frame(request_id: object) -> dict[str, object]:
    return {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": request_id}}


def test_frames_are_read_from_single_and_batch_bodies() -> None:
    assert cancelled_request_ids(frame(7)) == [7]
    batch = [frame("a"), {"jsonrpc": "2.0", "id": 1, "method": "ping"}, frame(3)]
    assert cancelled_request_ids(batch) == ["a", 3]
    for odd in (b"not json", b"[]", b'{"method": "notifications/cancelled"}', b'"x"'):
        assert cancelled_request_ids(parse_json(odd)) == []


async def test_middleware_cancels_and_still_passes_the_request_on() -> None:
    registry = CancelRegistry()
    seen: list[bytes] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append((await receive())["body"])
        await send({"type": "http.response.start", "status": 202, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    middleware = LegacyCancelMiddleware(app, registry)
    body = json.dumps(frame(9)).encode()
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(middleware), base_url="http://x") as http:
        with registry.track("tok-a", 9) as scope:
            other = await http.post("/mcp", content=body, headers={"authorization": "Bearer tok-b"})
            assert not scope.cancel_called
            mine = await http.post("/mcp", content=body, headers={"authorization": "Bearer tok-a"})
            assert scope.cancel_called
    assert (other.status_code, mine.status_code) == (202, 202)
    assert seen == [body, body]  # the SDK still gets the frame it was sent
