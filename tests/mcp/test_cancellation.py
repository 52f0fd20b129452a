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
        assert registry.cancel("tok-a", "5")  # ids match whatever their JSON type
        await anyio.sleep(1)  # cancelled: returns at once
    assert scope.cancelled_caught and len(registry) == 0
