"""Build the MCP server: every tool from the inventory, the prompts, the model catalogue as a
resource, and one shared runtime. Whoever runs the server opens the upstream pool around it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from mcp.server.mcpserver import MCPServer

from app import __version__
from app.idempotency.memory import MemoryStore
from app.idempotency.store import IdempotencyStore
from app.kling.polling import PollHub
from app.mcp.cancellation import CancelRegistry
from app.mcp.conformance_fixtures import FixtureTasks, add_fixture_tools
from app.mcp.observer import RequestObserver
from app.mcp.prompts import PromptSpec, all_prompts
from app.mcp.results import presenting_results
from app.mcp.schema import compact
from app.mcp.strict_arguments import StrictArguments
from app.mcp.task_board import BOARD_META, task_board
from app.mcp.tasks_extension import KlingTasks, task_sealer
from app.mcp.tools.catalogue import models_result
from app.mcp.tools.inventory import all_tools, strict_arguments
from app.mcp.tools.runtime import ToolRuntime
from app.metrics import Metrics
from app.settings import Settings
from app.upstream.client import UpstreamClient

SERVER_NAME = "kling-mcp"
MODELS_RESOURCE = "kling://models"

INSTRUCTIONS = """\
Make videos with Kling through the AceDataCloud API, with the caller's own API token.
Generation tools spend credits and return a task_id at once: send an idempotency_key (a new UUID)
and reuse it when retrying. Then call kling_wait_for_tasks once with the task_ids: it waits on the
server and returns the video URLs, so no status polling is needed. kling_list_models shows what each
model can do.\
"""


def build_mcp_server(
    settings: Settings,
    upstream: UpstreamClient,
    *,
    stdio_token: str | None = None,
    cancellations: CancelRegistry | None = None,
    metrics: Metrics | None = None,
    idempotency: IdempotencyStore | None = None,
) -> MCPServer[Any]:
    registry = CancelRegistry() if cancellations is None else cancellations
    metrics = metrics or Metrics()
    store = idempotency or MemoryStore(settings.idempotency_ttl_seconds, settings.idempotency_max_records)
    polls = PollHub(
        upstream, chunk_size=settings.batch_chunk_size, max_concurrency=settings.batch_max_concurrency
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: MCPServer[Any]) -> AsyncIterator[ToolRuntime]:
        # Entered once per transport (the HTTP app runs two), so it only hands out the runtime.
        yield ToolRuntime(
            settings=settings,
            upstream=upstream,
            stdio_token=stdio_token,
            cancellations=registry,
            idempotency=store,
            metrics=metrics,
            polls=polls,
        )

    fixtures = FixtureTasks() if settings.conformance_fixtures else None
    server: MCPServer[Any] = MCPServer(
        SERVER_NAME,
        title="Kling video generation",
        instructions=INSTRUCTIONS,
        version=__version__,
        lifespan=lifespan,
        log_level=settings.log_level,
        extensions=[
            task_board(settings),
            KlingTasks(
                upstream,
                task_sealer(settings),
                store,
                task_tools=frozenset(spec.name for spec in all_tools() if spec.spends_credits),
                stdio_token=stdio_token,
                fixtures=fixtures,
            ),
        ],
        middleware=[
            RequestObserver(metrics, frozenset(spec.name for spec in all_tools())),
            StrictArguments(strict_arguments()),
        ],
    )
    for spec in all_tools():
        server.add_tool(
            presenting_results(spec.handler),
            name=spec.name,
            title=spec.title,
            description=spec.describe(settings),
            annotations=spec.annotations,
            structured_output=True,
            meta=BOARD_META if spec.shows_tasks else None,
        )
        _publish_compact_schemas(server, spec.name, spec.limits(settings))
    if fixtures is not None:
        add_fixture_tools(server)
    for prompt in all_prompts():
        _add_prompt(server, prompt)

    @server.resource(
        MODELS_RESOURCE,
        name="kling-models",
        title="Kling models and capabilities",
        description="The model table the generation tools check requests against, with every default.",
        mime_type="application/json",
    )
    def models_resource() -> str:
        return models_result().model_dump_json(exclude_none=True)

    return server


def _publish_compact_schemas(server: MCPServer[Any], name: str, limits: dict[str, dict[str, Any]]) -> None:
    """What `tools/list` shows: the schemas without pydantic's extras, with this deployment's limits."""
    tool = server._tool_manager.get_tool(name)
    assert tool is not None
    tool.parameters = compact(tool.parameters, limits)
    if tool.fn_metadata.output_schema is not None:
        tool.fn_metadata.output_schema = compact(tool.fn_metadata.output_schema, output=True)
        # Every result is the dump of the very model this schema comes from (`results.success_result`),
        # so the SDK's check of it against the model again only costs time: 3-4 ms on a 1,000-id batch,
        # after the last upstream answer. The schema is still published; clients still check against it.
        tool.fn_metadata.output_model = None


def _add_prompt(server: MCPServer[Any], spec: PromptSpec) -> None:
    def render() -> str:
        return spec.render()

    server.prompt(name=spec.name, title=spec.title, description=spec.description)(render)
