"""Motion and talking-photo inputs (app/mcp/tools/media.py): what their schemas accept, in process.
Lip-sync's rules are in tests/kling/rules/test_lip_sync.py; exact bodies in test_payloads.py."""

from __future__ import annotations

import pytest
from mcp import Client

from tests.helpers import Simulator
from tests.kling.rules.cases import Case, cases_for, check

pytestmark = pytest.mark.anyio

CASES = cases_for("kling_generate_motion", "kling_talking_photo")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_input(tools: tuple[Client, Simulator], case: Case) -> None:
    await check(*tools, case)
