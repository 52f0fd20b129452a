"""Documentation generated from the code: settings from `Settings`, tools from the inventory, models
from the catalogue, prompts, and the README's table of contents from its headings.

`python -m scripts.gen_docs` (`make docs`) rewrites the blocks between
`<!-- BEGIN GENERATED: name -->` and `<!-- END GENERATED: name -->` markers in every file of
`FILES`; `tests/scripts/test_gen_docs.py` fails when any of them is stale.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic_core import PydanticUndefined

import app.kling.rules
import app.upstream.errors  # noqa: F401 - defines the UpstreamError branch of the error tree
from app.errors import error_classes
from app.kling.catalog import DEFAULTS, MODELS, ModelSpec
from app.kling.status import TaskStatus
from app.mcp.prompts import all_prompts
from app.mcp.tools.inventory import all_tools
from app.settings import Settings, env_name

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MODELS_DOC = ROOT / "docs" / "models.md"
SETTINGS_DOC = ROOT / "docs" / "settings.md"


def _default(field: Any) -> str:
    if field.default_factory is not None:
        value = field.default_factory()
    elif field.default is PydanticUndefined:
        return "(required)"
    else:
        value = field.default
    if value is None:
        return "unset"
    if isinstance(value, list):
        return "`" + ",".join(value) + "`" if value else "empty"
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    return f"`{value}`"


def settings_table() -> str:
    rows = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        rows.append(f"| `{env_name(name)}` | {_default(field)} | {field.description or ''} |")
    return "\n".join(rows)


def tools_table() -> str:
    rows = ["| Tool | Domain | Spends credits | What it does |", "|---|---|---|---|"]
    for spec in all_tools():
        spends = f"yes: {spec.cost}" if spec.cost else "yes" if spec.spends_credits else "no"
        rows.append(f"| `{spec.name}` | {spec.domain} | {spends} | {spec.title} |")
    return "\n".join(rows)


def _yes(flag: bool) -> str:
    return "yes" if flag else ""


def _modes_with(m: ModelSpec, feature: str) -> str:
    """The modes in which a model has a feature, e.g. "std/pro (5 s)"."""
    names = [name for name, caps in m.modes.items() if getattr(caps, feature)]
    if not names:
        return ""
    return "/".join(names) + (" (5 s)" if feature in m.five_second_only else "")


def models_table() -> str:
    rows = [
        "| Model | Modes | Seconds | End frame | Audio | Camera | Omni refs | Subjects | Multi-shot "
        "| Extend |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for m in MODELS:
        audio = "always" if m.audio_always_on else _modes_with(m, "audio")
        rows.append(
            f"| `{m.id}` | {'/'.join(m.modes)} | {m.duration_text} | {_modes_with(m, 'end_frame')} | {audio} "
            f"| {_modes_with(m, 'camera')} | {_yes(m.omni_references)} | {_yes(m.elements)} "
            f"| {_yes(m.multi_shot)} | {_yes(m.extend)} |"
        )
    defaults = ", ".join(f"{name} `{value}`" for name, value in vars(DEFAULTS).items())
    return "\n".join(rows) + f"\n\nDefaults: {defaults}."


def errors_table() -> str:
    """One row per error kind the server reports, from the error tree's docstrings."""
    rows = ["| kind | when | retried |", "|---|---|---|"]
    for cls in error_classes():
        when = inspect.getdoc(cls) or ""
        retried = "reads only" if cls.retryable else "no"
        rows.append(f"| `{cls.kind}` | {' '.join(when.split())} | {retried} |")
    return "\n".join(rows)


def statuses_table() -> str:
    rows = ["| status | meaning | final |", "|---|---|---|"]
    rows += [f"| `{s.value}` | {s.meaning} | {'yes' if s.terminal else 'no'} |" for s in TaskStatus]
    return "\n".join(rows)


def prompts_table() -> str:
    rows = ["| Prompt | What it gives |", "|---|---|"]
    rows += [f"| `{p.name}` | {p.description} |" for p in all_prompts()]
    return "\n".join(rows)


_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_HEADING = re.compile(r"^(#{1,6}) +(.+?)(?: +#+)? *$")
_INLINE_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def headings(text: str) -> list[tuple[int, str]]:
    """The Markdown headings of `text` in order, as (level, title), skipping fenced code."""
    found: list[tuple[int, str]] = []
    fenced = False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and (match := _HEADING.match(line)):
            found.append((len(match.group(1)), match.group(2)))
    return found


def anchors(titles: list[str]) -> list[str]:
    """GitHub's anchors for headings in document order: lowercase, punctuation dropped, spaces
    to '-', and a repeated anchor suffixed -1, -2, ..."""
    seen: dict[str, int] = {}
    result = []
    for title in titles:
        plain = _INLINE_LINK.sub(r"\1", title).lower()
        slug = re.sub(r"[^\w\- ]", "", plain).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        result.append(f"{slug}-{count}" if count else slug)
    return result


def toc(text: str) -> str:
    """A bullet list linking the `## ` and `### ` headings that follow the toc block."""
    before, marker, _ = text.partition("<!-- END GENERATED: toc -->")
    if not marker:
        raise ValueError("no generated block named 'toc'")
    found = headings(text)
    slugs = anchors([title for _, title in found])
    lines = []
    for (level, title), slug in list(zip(found, slugs, strict=True))[len(headings(before)) :]:
        if level in (2, 3):
            lines.append("  " * (level - 2) + f"- [{title}](#{slug})")
    return "\n".join(lines)


Generator = Callable[[str], str]
"""Builds a block's contents; it is given the current text of the file the block sits in."""


def _table(make: Callable[[], str]) -> Generator:
    return lambda _text: make()


GENERATORS: dict[str, Generator] = {
    "toc": toc,
    "settings": _table(settings_table),
    "tools": _table(tools_table),
    "models": _table(models_table),
    "prompts": _table(prompts_table),
    "errors": _table(errors_table),
    "statuses": _table(statuses_table),
}

FILES: dict[Path, tuple[str, ...]] = {
    README: ("toc", "tools", "errors", "statuses", "prompts"),
    MODELS_DOC: ("models",),
    SETTINGS_DOC: ("settings",),
}
"""Every file with generated blocks, and the names of the blocks regenerated in it."""


def _replacement(block: str) -> Callable[[re.Match[str]], str]:
    return lambda match: match.group(1) + block + "\n" + match.group(2)


def render(text: str, blocks: tuple[str, ...]) -> str:
    """`text` with each named block regenerated; every named block must be present."""
    for name in blocks:
        pattern = re.compile(
            rf"(<!-- BEGIN GENERATED: {name} -->\n).*?(<!-- END GENERATED: {name} -->)", re.DOTALL
        )
        if not pattern.search(text):
            raise ValueError(f"no generated block named {name!r}")
        text = pattern.sub(_replacement(GENERATORS[name](text)), text)
    return text


def main() -> int:
    for path, blocks in FILES.items():
        current = path.read_text(encoding="utf-8")
        updated = render(current, blocks)
        if updated != current:
            path.write_text(updated, encoding="utf-8")
            print(f"{path.relative_to(ROOT)} updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
