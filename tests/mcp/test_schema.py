"""app/mcp/schema.py: what the published schemas lose (titles, null wrappers, single-use defs) and
what they gain (this deployment's limits), without touching a property that happens to be named
like a keyword."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from app.mcp.schema import compact


class Inner(BaseModel):
    x: int


class Shared(BaseModel):
    y: str


class Example(BaseModel):
    title: str = Field(description="A property named like the keyword stays.")
    note: str | None = None
    inner: Inner | None = Field(default=None, description="Used once: written in place.")
    first: Shared
    second: Shared  # used twice: stays a definition
    ids: list[str] = Field(default_factory=list)


def published(**kwargs: Any) -> dict[str, Any]:
    return compact(Example.model_json_schema(), **kwargs)


def test_titles_and_null_wrappers_go_but_a_property_named_title_stays() -> None:
    schema = published()
    assert "title" not in schema and "title" in schema["properties"]
    assert schema["properties"]["title"] == {
        "description": "A property named like the keyword stays.",
        "type": "string",
    }
    assert schema["properties"]["note"] == {"type": "string"}  # no anyOf, no default: null


def test_a_definition_used_once_is_written_in_place_and_a_shared_one_stays() -> None:
    schema = published()
    inner = schema["properties"]["inner"]
    assert inner["properties"] == {"x": {"type": "integer"}} and inner["description"].startswith("Used once")
    assert schema["properties"]["first"] == {"$ref": "#/$defs/Shared"} == schema["properties"]["second"]
    assert set(schema["$defs"]) == {"Shared"}


def test_limits_set_keywords_on_a_property_or_its_items() -> None:
    schema = published(limits={"ids": {"maxItems": 7, "items.maxLength": 9}})
    assert schema["properties"]["ids"]["maxItems"] == 7
    assert schema["properties"]["ids"]["items"] == {"type": "string", "maxLength": 9}


def test_an_output_schema_loses_its_defaults_and_the_input_keeps_them() -> None:
    class Out(BaseModel):
        count: int = 0

    assert compact(Out.model_json_schema(), output=True)["properties"]["count"] == {"type": "integer"}
    assert compact(Out.model_json_schema())["properties"]["count"] == {"default": 0, "type": "integer"}


def test_the_original_schema_is_left_as_it_was() -> None:
    original = Example.model_json_schema()
    before = repr(original)
    compact(original, limits={"ids": {"maxItems": 1}})
    assert repr(original) == before
