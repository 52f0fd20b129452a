"""The model table is the one source: schema enums, defaults, kling_list_models and the resource agree."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from app.kling import catalog
from app.kling.catalog import DEFAULTS, MODELS, MODELS_BY_ID, literal_values

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


APP = Path(__file__).resolve().parents[2] / "app"
# The catalogue itself, and the simulator, which keeps its own table so the tests can catch a disagreement.
MAY_NAME_MODELS = {APP / "kling" / "catalog.py", *(APP / "simulator").glob("*.py")}


def string_literals(source: str) -> list[tuple[int, str]]:
    """Every string constant in a module, docstrings excepted (they may give examples)."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return sorted(
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    )


def model_id_pattern() -> re.Pattern[str]:
    """Any catalogue model id, in full or shortened ('v3-omni', 'v2-5-turbo'), or anything id-shaped."""
    short = sorted(
        {m.id.removeprefix("kling-") for m in MODELS if "-" in m.id.removeprefix("kling-")}, key=len
    )
    return re.compile(r"kling-[vo]\d|(?<![\w-])(" + "|".join(map(re.escape, reversed(short))) + r")(?![\w-])")


def test_no_model_id_is_written_outside_the_catalogue() -> None:
    pattern = model_id_pattern()
    found = [
        f"{path.relative_to(APP.parent)}:{line}: {text!r}"
        for path in sorted(APP.rglob("*.py"))
        if path not in MAY_NAME_MODELS
        for line, text in string_literals(path.read_text(encoding="utf-8"))
        if pattern.search(text)
    ]
    assert found == []


def test_the_id_check_catches_an_id_in_a_string() -> None:
    pattern = model_id_pattern()
    literals = string_literals(
        '"""Docstring: kling-v3."""\nx = f"use kling-v3-omni"\ny = "v2-5-turbo in pro"\n'
    )
    assert [text for _, text in literals if pattern.search(text)] == [
        "use kling-v3-omni",
        "v2-5-turbo in pro",
    ]


def test_commerce_content_tables_fit_the_schema_enum() -> None:
    types = set(literal_values(catalog.ContentType))
    tables = (catalog.URL_CONTENT, catalog.GOODS_STUDIO_CONTENT, catalog.VIDEO_COMMERCE_CONTENT)
    assert all(table <= types for table in tables)
    assert catalog.PRODUCT_CONTENT <= catalog.VIDEO_COMMERCE_CONTENT
