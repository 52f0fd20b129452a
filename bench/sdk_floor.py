"""The MCP SDK's own floor for the load benchmark: the least an SDK server can do for the same call.

One tool, `kling_get_task(task_id)`, on the SDK's `MCPServer` behind its stateless streamable-HTTP
transport (JSON answers), forwarding the task query upstream with one pooled httpx2 client and
returning the upstream record as the tool's result. No validation of our own, no middleware, no
logging, no metrics. Between the bare forwarder (`bench/ceiling.py`) and kling-mcp, it shows how
much of the server's cost per call is the SDK's and how much is ours.

    python -m bench.sdk_floor --port 8300 --upstream http://127.0.0.1:8100
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx2
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from bench.ceiling import serve_against_upstream


def create_floor_app(upstream: str) -> Starlette:
    clients: list[httpx2.AsyncClient] = []
    server: MCPServer[Any] = MCPServer("sdk-floor")

    @server.tool()
    async def kling_get_task(task_id: str, ctx: Context[Any]) -> dict[str, Any]:
        headers = ctx.headers or {}
        response = await clients[0].post(
            "/kling/tasks",
            json={"action": "retrieve", "id": task_id},
            headers={"authorization": headers.get("authorization", "")},
        )
        record: dict[str, Any] = response.json()
        return record

    mcp_app = server.streamable_http_app(
        stateless_http=True,
        json_response=True,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        limits = httpx2.Limits(max_connections=200)
        client = httpx2.AsyncClient(base_url=upstream, limits=limits)
        async with client, server.session_manager.run():
            clients.append(client)
            yield

    async def readyz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route("/readyz", readyz), Mount("/", app=mcp_app)], lifespan=lifespan)


if __name__ == "__main__":
    serve_against_upstream(create_floor_app, __doc__)
