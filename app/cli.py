"""`kling-mcp serve | simulate | stdio`: build settings, then the app, then run it. Nothing else."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

import anyio

from app import __version__
from app.http.app import create_app
from app.http.serving import (
    DrainingServer,
    bind_socket,
    close_event_streams,
    keep_event_streams_open_on_signal,
    uvicorn_config,
)
from app.logging import configure_logging
from app.mcp.server import build_mcp_server
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


async def _serve(settings: Settings, simulate: bool) -> None:
    keep_event_streams_open_on_signal()
    grace, proxies = settings.shutdown_grace_seconds, settings.forwarded_allow_ips
    sim_server: DrainingServer | None = None
    async with anyio.create_task_group() as group:
        if simulate:
            sim_sock = bind_socket("127.0.0.1", 0)
            sim_url = f"http://127.0.0.1:{sim_sock.getsockname()[1]}"
            sim_app = create_simulator_app(SimulatorConfig())
            sim_config = uvicorn_config(sim_app, grace_seconds=grace, forwarded_allow_ips=proxies)
            simulator = sim_server = DrainingServer(sim_config, handle_signals=False)
            group.start_soon(lambda: simulator.serve(sockets=[sim_sock]))
            settings = settings.model_copy(update={"api_base_url": sim_url})
            logger.info("simulator on %s; upstream calls go there, not to the real API", sim_url)
        app = create_app(settings)
        sock = bind_socket(settings.host, settings.port)
        host, port = sock.getsockname()[:2]
        logger.info("kling-mcp %s: MCP endpoint http://%s:%d/mcp", __version__, host, port)
        server = DrainingServer(
            uvicorn_config(app, grace_seconds=grace, forwarded_allow_ips=proxies),
            on_drain=lambda: setattr(app.state, "draining", True),
        )
        try:
            await server.serve(sockets=[sock])
        finally:
            close_event_streams()
            if sim_server is not None:
                sim_server.should_exit = True  # the in-process simulator stops after the server
    logger.info("kling-mcp stopped")


async def _simulate(config: SimulatorConfig, host: str, port: int) -> None:
    sock = bind_socket(host, port)
    logger.info("Kling API simulator on http://%s:%d", *sock.getsockname()[:2])
    app = create_simulator_app(config)
    await DrainingServer(uvicorn_config(app, grace_seconds=5, forwarded_allow_ips="127.0.0.1")).serve(
        sockets=[sock]
    )


def _stdio(settings: Settings) -> int:
    if settings.api_token is None or not settings.api_token.get_secret_value().strip():
        print("kling-mcp stdio: set ACEDATACLOUD_API_TOKEN to your AceDataCloud API token.", file=sys.stderr)
        return 2
    token = settings.api_token.get_secret_value().strip()
    upstream = UpstreamClient(settings)
    server = build_mcp_server(settings, upstream, stdio_token=token)

    async def run() -> None:
        async with upstream.running():
            await server.run_stdio_async()

    anyio.run(run)
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
        anyio.run(_simulate, SimulatorConfig(**overrides), args.host, args.port)
        return 0
    overrides = {}
    if args.command == "serve":
        overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    try:
        settings = load_settings(**overrides)
    except SettingsError as exc:
        print(f"kling-mcp: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    if args.command == "stdio":
        return _stdio(settings)
    anyio.run(_serve, settings, args.simulate)
    return 0
