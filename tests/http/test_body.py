"""Request-body helpers for middlewares (app/http/body.py): the declared length, reading and replaying."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from starlette.types import Message, Scope

from app.http.body import read_body, replay, small_body_length

pytestmark = pytest.mark.anyio


def scope_with(*headers: tuple[bytes, bytes]) -> Scope:
    return {"type": "http", "method": "POST", "path": "/mcp", "headers": list(headers)}


def receiver(messages: list[Message]) -> tuple[Callable[[], Awaitable[Message]], list[Message]]:
    """A receive callable over `messages`, and the list of what it has handed out."""
    queue = list(messages)
    given: list[Message] = []

    async def receive() -> Message:
        message = queue.pop(0)
        given.append(message)
        return message

    return receive, given


def test_declared_length_within_the_limit_is_returned() -> None:
    assert small_body_length(scope_with((b"content-length", b"100")), 100) == 100
    assert small_body_length(scope_with((b"content-length", b"0")), 100) == 0


@pytest.mark.parametrize("value", [b"101", b"-1", b"1e3", b"ten", b""])
def test_declared_length_over_the_limit_or_not_digits_is_none(value: bytes) -> None:
    assert small_body_length(scope_with((b"content-length", value)), 100) is None


def test_missing_length_is_none() -> None:
    assert small_body_length(scope_with((b"content-type", b"application/json")), 100) is None


async def test_read_body_joins_chunks_and_keeps_every_message() -> None:
    chunks: list[Message] = [
        {"type": "http.request", "body": b'{"a":', "more_body": True},
        {"type": "http.request", "body": b"", "more_body": True},
        {"type": "http.request", "body": b" 1}", "more_body": False},
    ]
    receive, given = receiver([*chunks, {"type": "http.disconnect"}])
    messages, body = await read_body(receive)
    assert body == b'{"a": 1}'
    assert messages == chunks and given == chunks  # stops at the last chunk, reads no further


async def test_read_body_stops_at_a_disconnect() -> None:
    receive, _ = receiver(
        [{"type": "http.request", "body": b"ab", "more_body": True}, {"type": "http.disconnect"}]
    )
    messages, body = await read_body(receive)
    assert body == b"ab" and messages[-1] == {"type": "http.disconnect"}


async def test_replay_hands_back_the_messages_then_defers_to_receive() -> None:
    first: Message = {"type": "http.request", "body": b"x", "more_body": True}
    second: Message = {"type": "http.request", "body": b"y", "more_body": False}
    read = [first, second]
    later: Message = {"type": "http.disconnect"}
    receive, given = receiver([later])
    again = replay(read, receive)
    assert await again() == first and await again() == second
    assert given == []  # the real receive is not touched while replaying
    assert await again() == later and given == [later]
    assert read == []  # taken over and emptied: a replayed body is not kept alive by the caller
