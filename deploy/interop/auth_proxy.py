"""A loopback reverse proxy that adds `Authorization: Bearer <token>` to every request.

The MCP conformance suite has no option for headers, and this server answers 401 without a token,
so CI runs the suite through this proxy. It forwards method, path, headers (Host included, so the
server's own Host/Origin checks are what the suite tests) and body, and streams the answer back.

    python deploy/interop/auth_proxy.py --listen 8301 --target http://127.0.0.1:8300 --token tok-ci
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator

import httpx2
import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length"}


def create_proxy(target: str, token: str) -> Starlette:
    client = httpx2.AsyncClient(base_url=target, timeout=httpx2.Timeout(30, read=300))

    async def forward(request: Request) -> StreamingResponse:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["authorization"] = f"Bearer {token}"
        upstream = client.build_request(
            request.method, request.url.path, params=request.query_params, headers=headers,
            content=await request.body(),
        )  # fmt: skip
        response = await client.send(upstream, stream=True)

        async def body() -> AsyncIterator[bytes]:
            async for chunk in response.aiter_raw():
                yield chunk

        kept = {k: v for k, v in response.headers.items() if k.lower() not in HOP_BY_HOP}
        return StreamingResponse(body(), status_code=response.status_code, headers=kept,
                                 background=BackgroundTask(response.aclose))  # fmt: skip

    methods = ["GET", "POST", "DELETE", "PUT", "OPTIONS"]
    return Starlette(routes=[Route("/{path:path}", forward, methods=methods)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args()
    uvicorn.run(
        create_proxy(args.target, args.token), host="127.0.0.1", port=args.listen, log_level="warning"
    )


if __name__ == "__main__":
    main()
