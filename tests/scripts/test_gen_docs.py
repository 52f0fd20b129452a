"""The generated documentation matches the code, the README stays short with a generated table of
contents, every relative link resolves, and the quick start matches the Makefile and CI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.mcp.tools.inventory import all_tools
from app.settings import Settings, env_name
from scripts.gen_docs import FILES, GENERATORS, README, SETTINGS_DOC, anchors, headings, render

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted((ROOT / "docs").glob("*.md"))
README_MAX_BYTES = 15_000

_FENCED = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1", re.DOTALL | re.MULTILINE)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def links(text: str) -> list[str]:
    """The targets of the inline Markdown links in `text`, outside code."""
    return _LINK.findall(_CODE_SPAN.sub("", _FENCED.sub("", text)))


def heading_anchors(path: Path) -> set[str]:
    return set(anchors([title for _, title in headings(path.read_text(encoding="utf-8"))]))


@pytest.mark.parametrize("path", list(FILES), ids=lambda path: path.name)
def test_generated_blocks_are_current(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert render(text, FILES[path]) == text, f"{path.name} is stale: run `python -m scripts.gen_docs`"


def test_every_generator_is_used() -> None:
    assert {name for blocks in FILES.values() for name in blocks} == set(GENERATORS)


def test_every_setting_and_tool_is_documented() -> None:
    settings = SETTINGS_DOC.read_text(encoding="utf-8")
    for field in Settings.model_fields:
        assert f"`{env_name(field)}`" in settings
    text = README.read_text(encoding="utf-8")
    for spec in all_tools():
        assert f"`{spec.name}`" in text


def test_readme_is_short() -> None:
    size = len(README.read_bytes())
    assert size < README_MAX_BYTES, f"README.md is {size} bytes: move narrative to docs/"


def test_anchors_follow_github() -> None:
    titles = ["Quick start", "The `make test` target", "Docker & Kubernetes", "Quick start", "kling_get_task"]
    assert anchors(titles) == [
        "quick-start",
        "the-make-test-target",
        "docker--kubernetes",
        "quick-start-1",
        "kling_get_task",
    ]


def test_readme_contents_is_generated_and_lists_every_section() -> None:
    text = README.read_text(encoding="utf-8")
    after_contents = text.split("\n## Contents\n", 1)[1]
    assert after_contents.lstrip().startswith("<!-- BEGIN GENERATED: toc -->")
    contents = after_contents.split("<!-- END GENERATED: toc -->", 1)[0]
    sections = [title for level, title in headings(after_contents) if level == 2]
    assert sections, "no sections below Contents"
    for title in sections:
        assert f"- [{title}](#" in contents, f"{title!r} is missing from the contents"


def test_readme_links_every_docs_page() -> None:
    targets = {target.split("#", 1)[0] for target in links(README.read_text(encoding="utf-8"))}
    for page in DOCS:
        assert f"docs/{page.name}" in targets, f"README.md does not link docs/{page.name}"


@pytest.mark.parametrize("path", [README, *DOCS], ids=lambda path: path.name)
def test_relative_links_resolve(path: Path) -> None:
    for target in links(path.read_text(encoding="utf-8")):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):
            continue  # https:, mailto: and the like
        file_part, _, fragment = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        assert linked.exists(), f"{path.name} links {target}, which does not exist"
        if fragment and linked.suffix == ".md":
            assert fragment in heading_anchors(linked), f"{path.name} links {target}: no such heading"


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
