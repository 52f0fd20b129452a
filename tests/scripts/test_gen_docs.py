"""The README's generated tables match the code, and its quick start matches the Makefile and CI."""

from __future__ import annotations

import re
from pathlib import Path

from app.mcp.tools.inventory import all_tools
from app.settings import Settings, env_name
from scripts.gen_docs import README, render

ROOT = Path(__file__).resolve().parents[2]


def test_generated_readme_blocks_are_current() -> None:
    text = README.read_text(encoding="utf-8")
    assert render(text) == text, "README tables are stale: run `python -m scripts.gen_docs`"


def test_every_setting_and_tool_is_documented() -> None:
    text = README.read_text(encoding="utf-8")
    for field in Settings.model_fields:
        assert f"`{env_name(field)}`" in text
    for spec in all_tools():
        assert f"`{spec.name}`" in text


def test_quick_start_commands_exist_and_ci_runs_the_test_command() -> None:
    text = README.read_text(encoding="utf-8")
    quick_start = text.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^(make \w+)", quick_start, re.MULTILINE)
    assert commands == ["make run", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for command in commands:
        assert re.search(rf"^{command.split()[1]}:", makefile, re.MULTILINE)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci and "make deploy-check" in ci and "make interop" in ci
