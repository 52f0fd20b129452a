"""What agents see: the tool, prompt and resource sets through the real entry point, and inventory-wide
rules every tool must meet (annotations, schemas, descriptions)."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx2
import pytest
from mcp import Client

from app.mcp.server import MODELS_RESOURCE, build_mcp_server
from app.mcp.task_board import BOARD_URI
from app.mcp.tools.inventory import all_tools
from app.settings import Settings
from app.upstream.client import UpstreamClient
from tests.helpers import MODES, Mode, clean_env, mcp_client, running_server

EXPECTED_PROMPTS = {"kling_video_generation_guide", "kling_workflow_examples", "kling_prompt_suggestions"}
GENERATION_DOMAINS = {"video", "media", "commerce"}
LIST_HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
MODERN_META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": {"name": "budget", "version": "0"},
    "io.modelcontextprotocol/clientCapabilities": {},
}
LIST_REQUESTS: dict[str, dict[str, Any]] = {
    "2025-11-25": {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
    "2026-07-28": {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": MODERN_META}},
}


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
    assert sorted(str(r.uri) for r in resources) == sorted([MODELS_RESOURCE, BOARD_URI])
    assert all(t.description and t.output_schema for t in tools)
    assert "kling_wait_for_tasks" in guide.messages[0].content.text  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def listed() -> list[Any]:
    import anyio

    async def fetch() -> list[Any]:
        settings = Settings()
        server = build_mcp_server(settings, UpstreamClient(settings), stdio_token="t")
        async with Client(server, mode="legacy") as client:
            return list((await client.list_tools()).tools)

    return anyio.run(fetch)


def effective_hints(a: Any) -> tuple[bool, bool, bool, bool]:
    """The hints a client applies: what the tool sent, else the spec's defaults."""
    return (
        bool(a.read_only_hint),
        True if a.destructive_hint is None else a.destructive_hint,
        bool(a.idempotent_hint),
        True if a.open_world_hint is None else a.open_world_hint,
    )


SPEC_DEFAULTS = {
    "readOnlyHint": False,
    "destructiveHint": True,
    "idempotentHint": False,
    "openWorldHint": True,
}


def test_annotations_match_the_domain_and_send_only_what_differs_from_the_defaults(listed: list[Any]) -> None:
    local = {"kling_list_models", "kling_list_actions"}
    for tool in listed:
        hints = effective_hints(tool.annotations)
        domain = next(s.domain for s in all_tools() if s.name == tool.name)
        if domain in GENERATION_DOMAINS:
            assert hints == (False, False, False, True), tool.name
        else:
            assert hints[0] and hints[2] and hints[3] == (tool.name not in local), tool.name
        sent = tool.annotations.model_dump(by_alias=True, exclude_none=True)
        redundant = {k for k, v in sent.items() if SPEC_DEFAULTS.get(k) == v}
        assert not redundant, f"{tool.name} repeats defaults: {redundant}"


def test_schemas_have_no_top_level_combinators_and_outputs_are_typed(listed: list[Any]) -> None:
    for tool in listed:
        assert tool.input_schema["type"] == "object"
        assert not {"anyOf", "oneOf", "allOf"} & tool.input_schema.keys(), tool.name
        assert tool.output_schema and tool.output_schema["type"] == "object", tool.name


def test_descriptions_are_front_loaded_and_point_to_the_one_call_way(listed: list[Any]) -> None:
    by_name = {spec.name: spec for spec in all_tools()}
    for tool in listed:
        text: str = tool.description
        assert not re.search(r"\{\w+\}", text), f"{tool.name}: unformatted placeholder"
        assert len(text) <= 800, f"{tool.name}: {len(text)} characters; keep it concise"
        purpose, _, rest = text.partition("\n\n")
        assert purpose.endswith(".") and len(purpose) <= 200, f"{tool.name}: one purpose sentence first"
        assert re.search(r"-> kling_\w+", rest), f"{tool.name}: name the tool to use instead"
        if by_name[tool.name].spends_credits:
            assert "credits" in text and re.search(r"returns (a|its|a new) task_id at once", purpose), (
                tool.name
            )
            assert re.search(r"\d+(-\d+)? min|minutes", purpose), f"{tool.name}: say how long it takes"
            assert text.endswith("Next: kling_wait_for_tasks with the task_id."), tool.name
        else:
            assert "Read-only" in text and "free" in text, tool.name


def test_every_parameter_says_more_than_its_type(listed: list[Any]) -> None:
    telling = {"description", "enum", "pattern", "format", "default", "properties", "items", "maxLength"}
    telling |= {"minimum", "maximum", "const"}
    for tool in listed:
        for name, prop in tool.input_schema["properties"].items():
            assert telling & prop.keys(), f"{tool.name}.{name} is a bare {prop.get('type')}"


def test_schemas_carry_no_generated_titles_or_null_wrappers(listed: list[Any]) -> None:
    for tool in listed:
        for schema in (tool.input_schema, tool.output_schema):
            text = json.dumps(schema)
            assert '"title"' not in text and '{"type": "null"}' not in text, tool.name
            assert '"default": null' not in text, tool.name


BUDGET = 36_000  # characters of compact tools/list JSON, paid in every conversation


@pytest.mark.anyio
@pytest.mark.e2e
async def test_tools_list_fits_the_token_budget_in_both_eras(capsys: pytest.CaptureFixture[str]) -> None:
    sizes: dict[str, int] = {}
    per_tool: dict[str, int] = {}
    async with running_server(env=clean_env()) as (base, _):
        async with httpx2.AsyncClient(base_url=base) as http:
            for era, body in LIST_REQUESTS.items():
                headers = {**LIST_HEADERS, "mcp-protocol-version": era, "authorization": "Bearer tok-budget"}
                headers["mcp-method"] = "tools/list"
                answer = await http.post("/mcp", json=body, headers=headers)
                result = answer.json()["result"]
                sizes[era] = len(json.dumps(result, separators=(",", ":")))
                per_tool = {t["name"]: len(json.dumps(t, separators=(",", ":"))) for t in result["tools"]}
    with capsys.disabled():  # the figures show in review, so growth is seen
        print(f"\ntools/list compact JSON: {sizes} (budget {BUDGET})")
        for name, size in sorted(per_tool.items(), key=lambda item: -item[1]):
            print(f"  {name:34} {size:6}")
    assert all(size <= BUDGET for size in sizes.values()), sizes


POLL_LOOP = re.compile(
    r"(poll|call|ask)\w*[^.]{0,40}kling_get_tasks?(_batch)?\b[^.]{0,40}(again|repeatedly|until|loop|every)"
    r"|(again|repeatedly|until|loop)[^.]{0,30}kling_get_tasks?(_batch)?\b",
    re.IGNORECASE,
)


def agent_texts() -> dict[str, str]:
    """Everything an agent reads that could send it into a status loop."""
    from app.kling.batch import StatusSummary
    from app.kling.batch import _next_step as batch_next_step
    from app.kling.status import TaskStatus, TaskView, next_step
    from app.mcp.prompts import all_prompts
    from app.mcp.server import INSTRUCTIONS
    from app.mcp.tools.inventory import WORKFLOW

    settings = Settings()
    texts = {"instructions": INSTRUCTIONS, "workflow": WORKFLOW}
    texts |= {f"tool {s.name}": s.describe(settings) for s in all_tools()}
    texts |= {f"prompt {p.name}": p.render() for p in all_prompts()}
    for status in TaskStatus:
        view = TaskView(task_id="t", status=status, terminal=status.terminal, poll_after_seconds=30)
        texts[f"next step {status.value}"] = next_step(view)
    open_summary = StatusSummary(total=3, pending=2, error=1)
    texts["batch next step"] = batch_next_step(open_summary)
    return texts


def test_nothing_sends_an_agent_into_a_status_polling_loop() -> None:
    texts = agent_texts()
    offending = {name: m.group(0) for name, text in texts.items() if (m := POLL_LOOP.search(text))}
    assert not offending, offending
    assert POLL_LOOP.search("Still running: call kling_get_task again in 30 s.")  # the check has teeth
    assert POLL_LOOP.search("poll kling_get_tasks_batch until terminal is true")
    waits = [name for name, text in texts.items() if "kling_wait_for_tasks" in text]
    generation = [f"tool {s.name}" for s in all_tools() if s.spends_credits]
    assert {"instructions", "workflow", *generation, "next step pending", "batch next step"} <= set(waits)
