"""Fixtures for every test module; the plumbing they use is in tests/helpers.py."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from mcp import Client

from tests.helpers import (
    RULES_TOKEN,
    McpClientFactory,
    Mode,
    Simulator,
    in_process_tools,
    mcp_client,
    running_simulator,
    server_for,
)


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    """Module scope, so modules can share one server between their tests (module-scoped fixtures)."""
    return "asyncio"


@pytest.fixture
async def simulator() -> AsyncIterator[Simulator]:
    async with running_simulator(task_seconds=0.5) as sim:
        yield sim


@pytest.fixture
async def server_url(simulator: Simulator) -> AsyncIterator[str]:
    async with server_for(simulator) as url:
        yield url


@pytest.fixture
def connect(server_url: str) -> McpClientFactory:
    def factory(token: str | None, mode: Mode) -> contextlib.AbstractAsyncContextManager[Client]:
        return mcp_client(server_url, token, mode)

    return factory


@pytest.fixture(scope="module")
async def tools() -> AsyncIterator[tuple[Client, Simulator]]:
    """The SDK's in-memory client on our MCP server, the simulator behind it in process; one per module."""
    async with in_process_tools(RULES_TOKEN) as running:
        yield running
