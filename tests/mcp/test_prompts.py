"""The MCP prompts (app/mcp/prompts.py): three of them, their facts read from the catalogue and inventory."""

from __future__ import annotations

import re

import pytest

from app.kling.catalog import DEFAULTS, MODELS, NEGATIVE_PROMPT_MAX, PICKS
from app.kling.phrases import PHRASES
from app.mcp.prompts import PromptSpec, all_prompts, generation_guide, prompt_suggestions, workflow_examples
from app.mcp.tools.inventory import all_tools

PROMPTS = all_prompts()


def section(text: str, heading: str) -> list[str]:
    """The lines under a `## heading`, up to the next blank line."""
    lines = text.split(f"## {heading}\n", 1)[1].split("\n\n", 1)[0]
    return lines.splitlines()


def test_three_prompts_with_unique_names_and_words() -> None:
    assert len(PROMPTS) == 3
    assert len({p.name for p in PROMPTS}) == 3
    assert all(p.name.startswith("kling_") and p.title and p.description for p in PROMPTS)


@pytest.mark.parametrize("prompt", PROMPTS, ids=[p.name for p in PROMPTS])
def test_every_prompt_is_filled_in(prompt: PromptSpec) -> None:
    text = prompt.render()
    assert text.strip() and not re.search(r"\{[A-Za-z_][A-Za-z0-9_.]*\}", text), text
    assert "{{" not in text and "}}" not in text


def test_guide_lists_every_tool_and_model_in_catalogue_order() -> None:
    guide = generation_guide()
    tools = [line.split(":", 1)[0].removeprefix("- ") for line in section(guide, "Tools")]
    assert tools == [spec.name for spec in all_tools()]
    models = [line.removeprefix("- ").split(" ", 1)[0] for line in section(guide, "Models")]
    assert models == [m.id for m in MODELS]
    assert "- kling-o1 (std/pro; " in guide


def test_guide_states_the_defaults_and_capability_phrases() -> None:
    guide = generation_guide()
    assert f"model {DEFAULTS.model}, mode {DEFAULTS.mode}, {DEFAULTS.duration} s" in guide
    assert f"aspect ratio {DEFAULTS.aspect_ratio}" in guide
    assert f"4k exists only on {PHRASES.models_4k}." in guide
    assert PHRASES.turbo_model in guide and PHRASES.camera_models in guide


def test_examples_and_tips_use_the_catalogue_picks() -> None:
    examples, tips = workflow_examples(), prompt_suggestions()
    assert f'"model": "{DEFAULTS.storyboard_model}"' in examples
    assert f'model="{PICKS.references[0]}"' in examples and PHRASES.extend_models_or in examples
    assert f"The default {DEFAULTS.model} is the oldest" in examples
    assert f"at most {NEGATIVE_PROMPT_MAX} characters" in tips
    assert f"{PICKS.quality} for quality" in tips and f"{PICKS.fast} (kling_generate_turbo_video)" in tips


def test_every_tool_a_prompt_names_exists() -> None:
    names = {spec.name for spec in all_tools()}
    for prompt in PROMPTS:
        mentioned = set(re.findall(r"\bkling_[a-z_]+", prompt.render()))
        assert mentioned and mentioned <= names, (prompt.name, mentioned - names)
