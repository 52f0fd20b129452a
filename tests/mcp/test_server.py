"""What agents see: the tool, prompt and resource sets through the real entry point, and inventory-wide
rules every tool must meet (annotations, schemas, descriptions)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from mcp import Client

from app.mcp.server import MODELS_RESOURCE, build_mcp_server
from app.mcp.tools.inventory import all_tools
from app.settings import Settings
from app.upstream.client import UpstreamClient
from tests.helpers import MODES, Mode, clean_env, mcp_client, running_server

EXPECTED_PROMPTS = {"kling_video_generation_guide", "kling_workflow_examples", "kling_prompt_suggestions"}
GENERATION_DOMAINS = {"video", "media", "commerce"}


@pytest.mark.anyio
@pytest.mark.e2e
@pytest.mark.parametrize("mode", MODES)
async def test_real_entry_point_registers_exactly_the_expected_set(mode: Mode) -> None:
    async with running_server(env=clean_env()) as (base, _):
        async with mcp_client(base, "tok-registration", mode) as client:
            tools = (await client.list_tools()).tools
            prompts = (await client.list_prompts()).prompts
            resources = (await client.list_resources()).resources
            guide = await client.get_prompt("kling_video_generation_guide")
    assert {t.name for t in tools} == {spec.name for spec in all_tools()}
    assert {p.name for p in prompts} == EXPECTED_PROMPTS
    assert [str(r.uri) for r in resources] == [MODELS_RESOURCE]
    assert all(t.description and t.output_schema for t in tools)
    assert "kling_get_tasks_batch" in guide.messages[0].content.text  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def listed() -> list[Any]:
    import anyio

    async def fetch() -> list[Any]:
        settings = Settings()
        server = build_mcp_server(settings, UpstreamClient(settings), stdio_token="t")
        async with Client(server, mode="legacy") as client:
            return list((await client.list_tools()).tools)

    return anyio.run(fetch)


def test_annotations_are_explicit_and_match_the_domain(listed: list[Any]) -> None:
    for tool in listed:
        a = tool.annotations
        assert None not in (a.read_only_hint, a.destructive_hint, a.idempotent_hint, a.open_world_hint), (
            tool.name
        )
        domain = next(s.domain for s in all_tools() if s.name == tool.name)
        if domain in GENERATION_DOMAINS:
            assert (a.read_only_hint, a.destructive_hint, a.idempotent_hint, a.open_world_hint) == (
                False,
                False,
                False,
                True,
            ), tool.name
        else:
            assert a.read_only_hint and a.idempotent_hint and not a.destructive_hint, tool.name


def test_schemas_have_no_top_level_combinators_and_outputs_are_typed(listed: list[Any]) -> None:
    for tool in listed:
        assert tool.input_schema["type"] == "object"
        assert not {"anyOf", "oneOf", "allOf"} & tool.input_schema.keys(), tool.name
        assert tool.output_schema and tool.output_schema["type"] == "object", tool.name


def test_descriptions_cover_the_rubric(listed: list[Any]) -> None:
    by_name = {spec.name: spec for spec in all_tools()}
    for tool in listed:
        text: str = tool.description
        assert not re.search(r"\{\w+\}", text), f"{tool.name}: unformatted placeholder"
        assert len(text) <= 1300, f"{tool.name}: {len(text)} characters; keep it concise"
        assert text.split("\n", 1)[0].endswith("."), tool.name  # one purpose sentence first
        assert "Use it" in text, f"{tool.name}: say when to use it"
        assert re.search(r"kling_\w+", text.split("Use it", 1)[1]), f"{tool.name}: name an alternative"
        if by_name[tool.name].spends_credits:
            assert "credits" in text and "minutes" in text and "not idempotent" in text, tool.name
            assert "Returns task_id" in text and "kling_get_task" in text, tool.name
        else:
            assert "Read-only" in text and ("free" in text or "no credits" in text), tool.name


def test_every_parameter_is_described(listed: list[Any]) -> None:
    for tool in listed:
        for name, prop in tool.input_schema["properties"].items():
            described = (
                "description" in prop or "$ref" in prop or any("$ref" in p for p in prop.get("anyOf", []))
            )
            assert described, f"{tool.name}.{name} has no description"
