"""Storyboard rules (app/kling/rules/storyboard.py), both sides, through the real tools in process."""

from __future__ import annotations

import pytest
from mcp import Client

from tests.helpers import Simulator
from tests.kling.rules.cases import Case, cases_for, check

pytestmark = pytest.mark.anyio

CASES = cases_for("kling_generate_storyboard")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_rule(tools: tuple[Client, Simulator], case: Case) -> None:
    await check(*tools, case)
