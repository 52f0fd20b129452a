"""Cancel scopes of long calls (app/mcp/cancellation.py): found only by the same token and request id."""

from __future__ import annotations

import anyio
import pytest

from app.mcp.cancellation import CancelRegistry

pytestmark = pytest.mark.anyio


async def test_only_the_same_token_and_id_cancel() -> None:
    registry = CancelRegistry()
    with registry.track("tok-a", 5) as scope:
        assert not registry.cancel("tok-b", 5)  # another caller with the same request id
        assert not registry.cancel("tok-a", 6)
        assert not registry.cancel("tok-a", "5")  # 5 and "5" are different requests
        assert registry.cancel("tok-a", 5)
        await anyio.sleep(1)  # cancelled: returns at once
    assert scope.cancelled_caught and len(registry) == 0


async def test_calls_sharing_an_id_are_all_cancellable() -> None:
    registry = CancelRegistry()
    with registry.track("tok-a", 1) as first, registry.track("tok-a", 1) as second:
        assert len(registry) == 2
        assert registry.cancel("tok-a", 1)
        assert first.cancel_called and second.cancel_called
    assert len(registry) == 0
