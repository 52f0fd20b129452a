"""Generation tools refuse unknown top-level arguments (app/mcp/strict_arguments.py); reads stay lenient."""

from __future__ import annotations

import pytest
from mcp import Client

from tests.helpers import MODES, McpClientFactory, Mode, Simulator, error_of, text_of

pytestmark = pytest.mark.anyio


async def test_a_misspelt_argument_is_refused_and_named_with_its_nearest_valid_one(
    tools: tuple[Client, Simulator],
) -> None:
    client, sim = tools
    before = len(await sim.journal())
    result = await client.call_tool("kling_generate_video", {"prompt": "a fox", "durration": 10})
    details = error_of(result)
    assert details["kind"] == "unknown_argument" and details["unknown"] == ["durration"]
    assert details["suggestions"] == {"durration": "duration"}
    assert "'durration' (did you mean 'duration'?)" in text_of(result) and "nothing spent" in text_of(result)
    assert len(await sim.journal()) == before  # nothing reached upstream


async def test_every_unknown_name_is_listed(tools: tuple[Client, Simulator]) -> None:
    client, _ = tools
    result = await client.call_tool(
        "kling_generate_turbo_video", {"request": {"prompt": "drums"}, "negative_promt": "x", "zzz": 1}
    )
    assert error_of(result)["unknown"] == ["negative_promt", "zzz"]
    assert error_of(result)["suggestions"] == {}  # turbo has no negative prompt to point at


async def test_valid_arguments_still_submit(tools: tuple[Client, Simulator]) -> None:
    client, _ = tools
    result = await client.call_tool("kling_generate_video", {"prompt": "a fox", "duration": 10})
    assert not result.is_error, text_of(result)


async def test_read_only_tools_stay_lenient(tools: tuple[Client, Simulator]) -> None:
    client, _ = tools
    result = await client.call_tool("kling_list_models", {"capabilty": "audio"})
    assert not result.is_error


@pytest.mark.e2e
@pytest.mark.parametrize("mode", MODES)
async def test_refused_over_http_in_both_eras(
    connect: McpClientFactory, simulator: Simulator, mode: Mode
) -> None:
    async with connect("tok-strict-http", mode) as client:
        result = await client.call_tool("kling_generate_video", {"prompt": "a fox", "negative_promt": "blur"})
    assert error_of(result)["suggestions"] == {"negative_promt": "negative_prompt"}
    assert await simulator.journal() == []
