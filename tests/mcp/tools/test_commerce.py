"""Commerce inputs (app/mcp/tools/commerce.py): what the schemas of both commerce tools accept.
The content rules are in tests/kling/rules/test_commerce.py; tool calls in test_payloads.py."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from app.kling.catalog import (
    COMMERCE_TEXT_MAX,
    DEFAULTS,
    GOODS_STUDIO_CONTENT,
    SPEECH_RATES,
    VIDEO_COMMERCE_CONTENT,
    ContentType,
    literal_values,
)
from app.mcp.tools.commerce import (
    CommerceContent,
    CommerceRequest,
    CommerceSettings,
    GoodsContent,
    GoodsRequest,
    GoodsSettings,
)

IMG = "https://cdn.example.com/a.png"
CONTENTS: list[dict[str, Any]] = [
    {"type": "avatar_id", "text": "preset-anna"},
    {"type": "speech_script", "text": "Meet the mug."},
]


@pytest.mark.parametrize("rate", SPEECH_RATES)
def test_speech_rate_takes_the_listed_values(rate: float) -> None:
    assert CommerceSettings.model_validate({"speech_rate": rate}).speech_rate == rate


@pytest.mark.parametrize("rate", [0.9, 1.5, 0])
def test_other_speech_rates_are_refused_naming_the_allowed_ones(rate: float) -> None:
    with pytest.raises(ValidationError) as caught:
        CommerceSettings.model_validate({"speech_rate": rate})
    assert f"speech_rate must be one of {', '.join(map(str, SPEECH_RATES))}" in str(caught.value)


def test_speech_rate_schema_is_an_enum_of_the_rates() -> None:
    schema = CommerceSettings.model_json_schema()["properties"]["speech_rate"]
    assert {"type": "number", "enum": list(SPEECH_RATES)} in schema["anyOf"]


def test_goods_settings_need_aspect_ratio_and_duration() -> None:
    with pytest.raises(ValidationError) as caught:
        GoodsSettings.model_validate({})
    assert {e["loc"] for e in caught.value.errors()} == {("aspect_ratio",), ("duration",)}
    settings = GoodsSettings.model_validate({"aspect_ratio": "1:1", "duration": 30})
    assert settings.resolution == DEFAULTS.commerce_resolution
    with pytest.raises(ValidationError):
        GoodsSettings.model_validate({"aspect_ratio": "1:1", "duration": 20})
    with pytest.raises(ValidationError):
        GoodsRequest.model_validate({"contents": [{"type": "ref_image", "url": IMG}] * 2})  # no settings


def test_commerce_settings_default_when_left_out() -> None:
    request = CommerceRequest.model_validate({"contents": CONTENTS})
    assert request.settings == CommerceSettings()
    assert (request.settings.resolution, request.settings.aspect_ratio) == (
        DEFAULTS.commerce_resolution,
        DEFAULTS.commerce_aspect_ratio,
    )
    assert request.model_dump(exclude_none=True)["settings"] == {
        "resolution": DEFAULTS.commerce_resolution,
        "aspect_ratio": DEFAULTS.commerce_aspect_ratio,
    }
    with pytest.raises(ValidationError):
        CommerceRequest.model_validate({"contents": CONTENTS[:1]})  # at least two items


def test_each_tool_publishes_only_the_content_types_it_accepts() -> None:
    goods = GoodsContent.model_json_schema()["properties"]["type"]["enum"]
    commerce = CommerceContent.model_json_schema()["properties"]["type"]["enum"]
    assert goods == sorted(GOODS_STUDIO_CONTENT) and commerce == sorted(VIDEO_COMMERCE_CONTENT)
    assert set(goods) | set(commerce) < set(literal_values(ContentType))
    # Validation takes any known type, so another tool's type gets the rule's message (rule tests).
    assert GoodsContent.model_validate({"type": "speech_script", "text": "hi"}).type == "speech_script"
    with pytest.raises(ValidationError):
        GoodsContent.model_validate({"type": "goods_colour", "text": "red"})
    with pytest.raises(ValidationError):
        CommerceContent.model_validate({"type": "goods_description", "text": "x" * (COMMERCE_TEXT_MAX + 1)})
