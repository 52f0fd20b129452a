"""README tables generated from the code: settings from `Settings`, tools from the inventory.

`python -m scripts.gen_docs` rewrites the blocks between `<!-- BEGIN GENERATED: name -->` and
`<!-- END GENERATED: name -->` markers in README.md; `tests/scripts/test_gen_docs.py` fails when
they are stale.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic_core import PydanticUndefined

from app.kling.catalog import DEFAULTS, MODELS, ModelSpec
from app.mcp.prompts import all_prompts
from app.mcp.tools.inventory import all_tools
from app.settings import Settings, env_name

README = Path(__file__).resolve().parent.parent / "README.md"


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
        rows.append(f"| `{spec.name}` | {spec.domain} | {spends} | {spec.summary} |")
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


def prompts_table() -> str:
    rows = ["| Prompt | What it gives |", "|---|---|"]
    rows += [f"| `{p.name}` | {p.description} |" for p in all_prompts()]
    return "\n".join(rows)


GENERATORS = {
    "settings": settings_table,
    "tools": tools_table,
    "models": models_table,
    "prompts": prompts_table,
}


def _replacement(block: str) -> Callable[[re.Match[str]], str]:
    return lambda match: match.group(1) + block + "\n" + match.group(2)


def render(text: str) -> str:
    for name, generate in GENERATORS.items():
        pattern = re.compile(
            rf"(<!-- BEGIN GENERATED: {name} -->\n).*?(<!-- END GENERATED: {name} -->)", re.DOTALL
        )
        if not pattern.search(text):
            raise ValueError(f"README.md has no generated block named {name!r}")
        text = pattern.sub(_replacement(generate()), text)
    return text


def main() -> int:
    current = README.read_text(encoding="utf-8")
    updated = render(current)
    if updated != current:
        README.write_text(updated, encoding="utf-8")
        print("README.md updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
