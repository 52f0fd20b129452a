"""Motion and talking-photo inputs (app/mcp/tools/media.py): what their schemas accept, in process.
Lip-sync's rules are in tests/kling/rules/test_lip_sync.py; exact bodies in test_payloads.py."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from mcp import Client

from tests.helpers import Simulator, in_process_tools
from tests.kling.rules.cases import TOKEN, Case, cases_for, check

pytestmark = pytest.mark.anyio

CASES = cases_for("kling_generate_motion", "kling_talking_photo")


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def tools() -> AsyncIterator[tuple[Client, Simulator]]:
    async with in_process_tools(TOKEN) as running:
        yield running


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_input(tools: tuple[Client, Simulator], case: Case) -> None:
    await check(*tools, case)
