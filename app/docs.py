"""README tables generated from the code: settings from `Settings`, tools from the inventory.

`python -m app.docs` rewrites the blocks between `<!-- BEGIN GENERATED: name -->` and
`<!-- END GENERATED: name -->` markers in README.md; `tests/test_docs.py` fails when they are stale.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic_core import PydanticUndefined

from app.settings import Settings, env_name
from app.tools.inventory import all_tools

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
    rows = ["| Tool | Domain | Read-only | What it does |", "|---|---|---|---|"]
    for spec in all_tools():
        read_only = "yes" if spec.annotations.read_only_hint else "no"
        rows.append(f"| `{spec.name}` | {spec.domain} | {read_only} | {spec.summary} |")
    return "\n".join(rows)


GENERATORS = {"settings": settings_table, "tools": tools_table}


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
