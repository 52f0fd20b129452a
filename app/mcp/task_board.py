"""The task board: an MCP App (`io.modelcontextprotocol/ui`) that hosts able to render apps show
beside the results of the generation and status tools: a status board, a player for each finished
video, and live updates while tasks run.

The view (`task_board.html`) is one self-contained document: no external scripts, styles or fonts.
Its only outside loads are the result videos, from `KLING_MCP_UI_MEDIA_DOMAINS`, which its CSP
declares. While tasks run it asks `kling_get_tasks_batch` through the host (read-only and free) at
the interval the server suggests, so it can never spend credits. Hosts that do not render apps get
the same results as before: the link is one `_meta` entry on each tool, nothing depends on it, and
it is not gated on the client's declared capabilities (a stateless 2025-era server never sees them).
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from mcp.server.apps import Apps, ResourceCsp

from app.settings import Settings

BOARD_URI = "ui://kling/tasks"
BOARD_META: dict[str, Any] = {"ui": {"resourceUri": BOARD_URI}}


def board_html() -> str:
    return files("app.mcp").joinpath("task_board.html").read_text(encoding="utf-8")


def task_board(settings: Settings) -> Apps:
    """The MCP Apps extension carrying the board's resource, for `MCPServer(extensions=[...])`."""
    apps = Apps()
    apps.add_html_resource(
        BOARD_URI,
        board_html(),
        name="kling-task-board",
        title="Kling videos",
        description="Status board and player for the tasks in a Kling tool result.",
        csp=ResourceCsp(resource_domains=list(settings.ui_media_domains)),
        prefers_border=True,
    )
    return apps
