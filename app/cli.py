"""`kling-mcp serve | simulate | stdio`: read the command line and the settings, then run the command.

Mistakes (a bad setting, a missing stdio token) are reported before the server stack is imported
(`app/commands.py`), so they come back at once.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import anyio

from app import __version__
from app.logging import configure_logging
from app.settings import SettingsError, load_settings
from app.simulator.config import SimulatorConfig


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


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "simulate":
        overrides = {
            k: v
            for k, v in (("latency_ms", args.latency_ms), ("task_seconds", args.task_seconds))
            if v is not None
        }
        configure_logging("INFO")
        config = SimulatorConfig(**overrides)
        from app import commands

        anyio.run(commands.simulate, config, args.host, args.port)
        return 0
    overrides = {}
    if args.command == "serve":
        overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    try:
        settings = load_settings(**overrides)
    except SettingsError as exc:
        print(f"kling-mcp: {exc}", file=sys.stderr)
        return 2
    token = settings.api_token.get_secret_value().strip() if settings.api_token else ""
    if args.command == "stdio" and not token:
        print("kling-mcp stdio: set ACEDATACLOUD_API_TOKEN to your AceDataCloud API token.", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, settings.log_format)
    from app import commands

    if args.command == "stdio":
        commands.stdio(settings, token)
    else:
        anyio.run(commands.serve, settings, args.simulate)
    return 0
