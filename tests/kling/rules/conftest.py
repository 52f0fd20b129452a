"""One in-process server per rule test module: the SDK's in-memory client and the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from mcp import Client

from tests.helpers import Simulator, in_process_tools
from tests.kling.rules.cases import TOKEN


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def tools() -> AsyncIterator[tuple[Client, Simulator]]:
    async with in_process_tools(TOKEN) as running:
        yield running
