"""kling_list_models and the models resource (app/mcp/tools/catalogue.py) come from the table."""

from __future__ import annotations

import pytest
from mcp import Client

from app.kling.catalog import DEFAULTS, MODELS
from app.mcp.server import MODELS_RESOURCE, build_mcp_server
from app.mcp.tools.catalogue import models_result
from app.settings import Settings
from app.upstream.client import UpstreamClient

pytestmark = pytest.mark.anyio


async def test_list_models_and_resource_come_from_the_table() -> None:
    settings = Settings()
    server = build_mcp_server(settings, UpstreamClient(settings), stdio_token="t")
    async with Client(server, mode="legacy") as client:
        listed = (await client.call_tool("kling_list_models", {})).structured_content
        four_k = (await client.call_tool("kling_list_models", {"capability": "4k"})).structured_content
        voices = (await client.call_tool("kling_list_models", {"capability": "voices"})).structured_content
        resource = await client.read_resource(MODELS_RESOURCE)
    assert listed is not None and four_k is not None and voices is not None
    assert [m["id"] for m in listed["models"]] == [m.id for m in MODELS]
    assert listed["defaults"]["default_model"] == DEFAULTS.model
    assert [m["id"] for m in four_k["models"]] == ["kling-v3", "kling-v3-omni"]
    assert [m["id"] for m in voices["models"]] == ["kling-v2-6"]
    assert resource.contents[0].text == models_result().model_dump_json(exclude_none=True)  # type: ignore[union-attr]
