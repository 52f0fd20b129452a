"""`kling-mcp serve | simulate | stdio`: build settings, then the app, then run it. Nothing else."""

from __future__ import annotations

import argparse
import logging
import socket
import sys
from collections.abc import Sequence
from typing import Any

import anyio
import uvicorn

from app import __version__
from app.http_app import create_app
from app.log_config import configure_logging
from app.server import build_mcp_server
from app.settings import Settings, SettingsError, load_settings
from app.simulator.app import create_simulator_app
from app.simulator.config import SimulatorConfig
from app.upstream.client import UpstreamClient

logger = logging.getLogger("app.cli")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kling-mcp", description="Kling video generation over MCP.")
    parser.add_argument("--version", action="version", version=f"kling-mcp {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="Serve MCP over streamable HTTP at /mcp.")
    serve.add_argument("--host", help="Interface to bind (default: KLING_MCP_HOST or 127.0.0.1).")
    serve.add_argument("--port", type=int, help="Port (default: KLING_MCP_PORT or 8000).")
    serve.add_argument(
        "--simulate",
        action="store_true",
        help="Also start the upstream simulator on a free loopback port and use it instead of the real API.",
    )

    simulate = commands.add_parser("simulate", help="Run only the upstream simulator.")
    simulate.add_argument("--host", default="127.0.0.1")
    simulate.add_argument("--port", type=int, default=8100)
    simulate.add_argument("--latency-ms", type=float, help="Delay before every answer.")
    simulate.add_argument("--task-seconds", type=float, help="How long a submitted task runs.")

    commands.add_parser("stdio", help="Serve one local user over stdio, with ACEDATACLOUD_API_TOKEN.")
    return parser


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on accepted sockets whose
    # proto says TCP, and without it Nagle's algorithm adds ~40 ms to every keep-alive response.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def _uvicorn_server(app: Any, settings: Settings) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        log_config=None,  # keep configure_logging's handlers
        lifespan="on",
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
        server_header=False,
    )
    return uvicorn.Server(config)


async def _serve(settings: Settings, simulate: bool) -> None:
    async with anyio.create_task_group() as group:
        if simulate:
            sim_sock = bind_socket("127.0.0.1", 0)
            sim_url = f"http://127.0.0.1:{sim_sock.getsockname()[1]}"
            sim_server = _uvicorn_server(create_simulator_app(SimulatorConfig()), settings)
            group.start_soon(lambda: sim_server.serve(sockets=[sim_sock]))
            settings = settings.model_copy(update={"api_base_url": sim_url})
            logger.info("simulator on %s; upstream calls go there, not to the real API", sim_url)
        sock = bind_socket(settings.host, settings.port)
        host, port = sock.getsockname()[:2]
        logger.info("kling-mcp %s: MCP endpoint http://%s:%d/mcp", __version__, host, port)
        await _uvicorn_server(create_app(settings), settings).serve(sockets=[sock])
        group.cancel_scope.cancel()


def _stdio(settings: Settings) -> int:
    if settings.api_token is None or not settings.api_token.get_secret_value().strip():
        print("kling-mcp stdio: set ACEDATACLOUD_API_TOKEN to your AceDataCloud API token.", file=sys.stderr)
        return 2
    token = settings.api_token.get_secret_value().strip()
    server = build_mcp_server(settings, UpstreamClient(settings), stdio_token=token)
    anyio.run(server.run_stdio_async)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "simulate":
        overrides = {
            k: v
            for k, v in (("latency_ms", args.latency_ms), ("task_seconds", args.task_seconds))
            if v is not None
        }
        configure_logging("INFO")
        uvicorn.run(
            create_simulator_app(SimulatorConfig(**overrides)),
            host=args.host,
            port=args.port,
            log_config=None,
        )
        return 0
    overrides = {}
    if args.command == "serve":
        overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    try:
        settings = load_settings(**overrides)
    except SettingsError as exc:
        print(f"kling-mcp: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    if args.command == "stdio":
        return _stdio(settings)
    anyio.run(_serve, settings, args.simulate)
    return 0
