"""Fixtures for every test module; the plumbing they use is in tests/helpers.py."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from mcp import Client

from tests.helpers import McpClientFactory, Mode, Simulator, mcp_client, running_simulator, server_for


@pytest.fixture
def anyio_backend() -> str:
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
