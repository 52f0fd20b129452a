"""The model table is the one source: schema enums, defaults, kling_list_models and the resource agree."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from app.kling import catalog
from app.kling.catalog import DEFAULTS, MODELS, MODELS_BY_ID, literal_values
from app.mcp.server import MODELS_RESOURCE, build_mcp_server
from app.mcp.tools.catalogue import models_result
from app.settings import Settings
from app.upstream.client import UpstreamClient

pytestmark = pytest.mark.anyio


def ids_where(**flags: Any) -> set[str]:
    return {m.id for m in MODELS if all(getattr(m, k) == v for k, v in flags.items())}


def test_schema_enums_match_the_table() -> None:
    assert set(literal_values(catalog.VideoModel)) == {m.id for m in MODELS} - {catalog.TURBO_MODEL}
    assert set(literal_values(catalog.ExtendModel)) == ids_where(extend=True)
    assert set(literal_values(catalog.OmniModel)) == ids_where(omni_references=True)
    assert set(literal_values(catalog.StoryboardModel)) == ids_where(multi_shot=True)
    assert set(literal_values(catalog.TalkingPhotoModel)) == ids_where(talking_photo=True)
    assert set(literal_values(catalog.MotionModel)) == ids_where(motion=True)
    assert set(literal_values(catalog.AssetModel)) == ids_where(elements=True) | ids_where(voices=True)


def test_defaults_are_valid_for_their_models() -> None:
    default = MODELS_BY_ID[DEFAULTS.model]
    assert DEFAULTS.mode in default.modes and DEFAULTS.duration in default.durations
    assert DEFAULTS.duration in MODELS_BY_ID[DEFAULTS.storyboard_model].durations
    assert MODELS_BY_ID[DEFAULTS.talking_photo_model].talking_photo
    assert MODELS_BY_ID[DEFAULTS.extend_model].extend
    assert DEFAULTS.turbo_duration in MODELS_BY_ID[catalog.TURBO_MODEL].durations


def test_documented_matrix_facts() -> None:
    assert {m.id for m in MODELS if "4k" in m.modes} == {"kling-v3", "kling-v3-omni"}
    assert {m.id for m in MODELS if any(c.camera for c in m.modes.values())} == {"kling-v1", "kling-v3"}
    assert not MODELS_BY_ID["kling-v3"].modes["4k"].camera
    assert MODELS_BY_ID["kling-o1"].durations == (5,)
    assert ids_where(voices=True) == {"kling-v2-6"}


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
