"""Every rule case through the real tools, in process: the SDK's in-memory client, our MCP server, and
the simulator reached through an ASGI transport. Milliseconds a case; the wiring over real HTTP is
proven by the thinner tests/e2e/test_rules.py."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from mcp import Client

from app.kling.rules import rule_names
from app.mcp.server import build_mcp_server
from tests.helpers import Simulator, in_process_upstream
from tests.kling.rules.cases import CASES, TOKEN, Case, check

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def in_process() -> AsyncIterator[tuple[Client, Simulator]]:
    async with in_process_upstream(task_seconds=600) as running:
        server = build_mcp_server(running.settings, running.upstream, stdio_token=TOKEN)
        async with Client(server, mode="legacy") as client:
            yield client, running.sim


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_rule(in_process: tuple[Client, Simulator], case: Case) -> None:
    await check(*in_process, case)


def test_every_named_rule_has_a_rejected_case() -> None:
    assert rule_names() - {c.rule for c in CASES} == set()


def test_case_ids_are_unique() -> None:
    assert len({c.id for c in CASES}) == len(CASES)
