"""The layering that app/__init__.py describes, checked on every module's imports.

http wraps mcp, mcp uses kling, kling uses upstream; the shared leaves (errors, metrics, settings,
tokens) import none of the layers; the simulator shares no code with the server it stands in for.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"
LEAVES = ("errors", "metrics", "settings", "tokens", "logging")

# For each part of the package: the app.* packages and third-party roots it must not import.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "kling": ("app.http", "app.mcp", "app.simulator", "mcp", "starlette"),
    "upstream": ("app.http", "app.mcp", "app.kling", "app.simulator", "mcp", "starlette"),
    "mcp": ("app.http", "app.simulator"),
    "idempotency": ("app.http", "app.mcp", "app.kling", "app.upstream", "app.simulator", "mcp"),
    "simulator": ("app.http", "app.mcp", "app.kling", "app.upstream", "app.errors"),
    **{leaf: ("app.http", "app.mcp", "app.kling", "app.upstream", "app.simulator", "mcp") for leaf in LEAVES},
}


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def part_of(path: Path) -> str:
    relative = path.relative_to(APP)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def broken(part: str, path: Path) -> list[str]:
    forbidden = FORBIDDEN.get(part, ())
    return sorted(
        name for name in imports(path) for root in forbidden if name == root or name.startswith(root + ".")
    )


@pytest.mark.parametrize("path", sorted(APP.rglob("*.py")), ids=lambda p: str(p.relative_to(APP)))
def test_module_imports_follow_the_layers(path: Path) -> None:
    assert broken(part_of(path), path) == []


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from app.mcp.server import build_mcp_server\nimport mcp.types\n", encoding="utf-8")
    assert broken("upstream", module) == ["app.mcp.server", "mcp.types"]
    assert broken("mcp", module) == []
