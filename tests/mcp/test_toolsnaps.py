"""Snapshots of what agents read: each tool's tools/list entry, kept in tests/toolsnaps/<tool>.json.

Any change to a name, description, schema or annotation shows up as a diff in review. Accept a
deliberate change with `UPDATE_TOOLSNAPS=1 make pytest`; a missing snapshot fails.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from app.mcp.server import build_mcp_server
from app.mcp.tools.inventory import all_tools
from app.settings import Settings
from app.upstream.client import UpstreamClient

SNAPS = Path(__file__).resolve().parent / "toolsnaps"


def listed_tools() -> dict[str, dict[str, Any]]:
    async def fetch() -> dict[str, dict[str, Any]]:
        settings = Settings()
        server = build_mcp_server(settings, UpstreamClient(settings), stdio_token="t")
        async with Client(server, mode="legacy") as client:
            tools = (await client.list_tools()).tools
        return {t.name: t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools}

    return anyio.run(fetch)


TOOLS = listed_tools()


@pytest.mark.parametrize("name", [spec.name for spec in all_tools()])
def test_tool_definition_matches_its_snapshot(name: str) -> None:
    path = SNAPS / f"{name}.json"
    current = json.dumps(TOOLS[name], indent=2, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_TOOLSNAPS"):
        path.write_text(current, encoding="utf-8")
    assert path.exists(), f"no snapshot for {name}: run UPDATE_TOOLSNAPS=1 make pytest"
    assert path.read_text(encoding="utf-8") == current, f"{name} changed: review, then UPDATE_TOOLSNAPS=1"


def test_no_stale_snapshots() -> None:
    assert {p.stem for p in SNAPS.glob("*.json")} == set(TOOLS)
