"""Build the MCP server: one `MCPServer`, every tool from the inventory, one shared runtime."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from mcp.server.mcpserver import MCPServer

from app import __version__
from app.settings import Settings
from app.tools.inventory import all_tools
from app.tools.results import presenting_results
from app.tools.runtime import ToolRuntime
from app.upstream.client import UpstreamClient

SERVER_NAME = "kling-mcp"

INSTRUCTIONS = """\
Make videos with Kling through the AceDataCloud API, using the caller's own API token.
Generation tools return a task_id at once; poll it with kling_get_task until terminal is true.
Task queries are free; generations spend the caller's credits.\
"""


def build_mcp_server(
    settings: Settings, upstream: UpstreamClient, *, stdio_token: str | None = None
) -> MCPServer[Any]:
    """The MCP server with every inventory tool registered; its lifespan opens the upstream pool."""

    @contextlib.asynccontextmanager
    async def lifespan(_: MCPServer[Any]) -> AsyncIterator[ToolRuntime]:
        async with upstream.running():
            yield ToolRuntime(settings=settings, upstream=upstream, stdio_token=stdio_token)

    server: MCPServer[Any] = MCPServer(
        SERVER_NAME,
        title="Kling video generation",
        instructions=INSTRUCTIONS,
        version=__version__,
        lifespan=lifespan,
        log_level=settings.log_level,
    )
    for spec in all_tools():
        server.add_tool(
            presenting_results(spec.handler),
            name=spec.name,
            title=spec.title,
            description=spec.describe(settings),
            annotations=spec.annotations,
            structured_output=True,
        )
    return server
