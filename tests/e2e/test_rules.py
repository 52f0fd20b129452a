"""The rules' wiring over real HTTP in both eras: for each generation tool, its first accepted and first
rejected case from the shared table (tests/kling/rules/cases.py, where every case runs in process)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.helpers import MODES, Mode, Stack, running_stack
from tests.kling.rules.cases import CASES, TOKEN, Case, check

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]


def wiring_cases() -> list[Case]:
    picked: dict[tuple[str, bool], Case] = {}
    for case in CASES:
        picked.setdefault((case.tool, case.rule is None), case)
    return list(picked.values())


@pytest.fixture(scope="module", params=MODES)
async def stack(request: pytest.FixtureRequest) -> AsyncIterator[Stack]:
    mode: Mode = request.param
    async with running_stack(TOKEN, mode, task_seconds=600) as running:
        yield running


@pytest.mark.parametrize("case", wiring_cases(), ids=[c.id for c in wiring_cases()])
async def test_rule_over_http(stack: Stack, case: Case) -> None:
    await check(stack.client, stack.sim, case)
