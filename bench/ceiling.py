"""The machine's ceiling for the load benchmark: a bare Starlette endpoint that forwards the same
task query upstream with one pooled httpx2 client, and nothing else (no MCP, no validation).

    python -m bench.ceiling --port 8200 --upstream http://127.0.0.1:8100
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import AsyncIterator, Callable

import httpx2
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def create_ceiling_app(upstream: str) -> Starlette:
    clients: list[httpx2.AsyncClient] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with httpx2.AsyncClient(base_url=upstream, limits=httpx2.Limits(max_connections=200)) as client:
            clients.append(client)
            yield

    async def forward(request: Request) -> JSONResponse:
        body = await request.json()
        task_id = body["params"]["arguments"]["task_id"]
        response = await clients[0].post(
            "/kling/tasks",
            json={"action": "retrieve", "id": task_id},
            headers={"authorization": request.headers["authorization"]},
        )
        return JSONResponse(
            {"jsonrpc": "2.0", "id": body["id"], "result": {"isError": False, "record": response.json()}}
        )

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[Route("/mcp", forward, methods=["POST"]), Route("/readyz", healthz)], lifespan=lifespan
    )


def serve_against_upstream(create: Callable[[str], Starlette], description: str | None) -> None:
    """`--port P --upstream URL`: serve the app `create(URL)` makes on loopback port P."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True)
    args = parser.parse_args()
    # asyncio's own loop and h11, as kling-mcp serve runs: the comparison is of the code, not the stack.
    uvicorn.run(
        create(args.upstream),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        loop="asyncio",
        http="h11",
    )


if __name__ == "__main__":
    serve_against_upstream(create_ceiling_app, __doc__)
