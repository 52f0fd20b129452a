"""Catalogue facts as sentences (app/kling/phrases.py): derived from the table, joined as people write."""

from __future__ import annotations

from app.kling import catalog
from app.kling.catalog import MODELS
from app.kling.phrases import PHRASES, join, short, span


def test_join_and_short_and_span() -> None:
    assert [join([]), join(["a"]), join(["a", "b"]), join(["a", "b", "c"], "or")] == [
        "",
        "a",
        "a and b",
        "a, b or c",
    ]
    assert short(["kling-v3", "kling-v3-omni"]) == "kling-v3/v3-omni"
    assert [span((5,)), span((5, 10)), span(tuple(range(3, 16)))] == ["5", "5 or 10", "3-15"]


def test_phrases_follow_the_table() -> None:
    assert PHRASES.models_4k == join([m.id for m in MODELS if "4k" in m.modes])
    assert PHRASES.extend_models == join([m.id for m in MODELS if m.extend])
    assert PHRASES.omni_models_or == join(sorted(m.id for m in MODELS if m.omni_references), "or")
    assert PHRASES.shots_max == catalog.SHOTS_MAX
