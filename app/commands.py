"""What each `kling-mcp` command runs, once the command line and the settings are known to be good.

`app/cli.py` imports this module only then: the server stack (the MCP SDK alone takes about a
second to import) is not loaded just to print a version or report a bad setting.
"""

from __future__ import annotations

import logging

import anyio

from app import __version__
from app.gc_tuning import tune_garbage_collector
from app.http.app import create_app, create_metrics_app
from app.http.serving import (
    DrainingServer,
    bind_socket,
    close_event_streams,
    keep_event_streams_open_on_signal,
    uvicorn_config,
)
from app.mcp.server import build_mcp_server
from app.settings import GC_YOUNG_THRESHOLD, Settings
from app.simulator.app import create_simulator_app
from app.simulator.config import SimulatorConfig
from app.upstream.client import UpstreamClient

logger = logging.getLogger("app.cli")


async def serve(settings: Settings, simulate: bool) -> None:
    keep_event_streams_open_on_signal()
    grace, proxies = settings.shutdown_grace_seconds, settings.forwarded_allow_ips
    side_servers: list[DrainingServer] = []  # stopped after the MCP server
    async with anyio.create_task_group() as group:
        if simulate:
            sim_sock = bind_socket("127.0.0.1", 0)
            sim_url = f"http://127.0.0.1:{sim_sock.getsockname()[1]}"
            sim_app = create_simulator_app(SimulatorConfig())
            sim_config = uvicorn_config(sim_app, grace_seconds=grace, forwarded_allow_ips=proxies)
            simulator = DrainingServer(sim_config, handle_signals=False)
            side_servers.append(simulator)
            group.start_soon(lambda: simulator.serve(sockets=[sim_sock]))
            settings = settings.model_copy(update={"api_base_url": sim_url})
            logger.info("simulator on %s; upstream calls go there, not to the real API", sim_url)
        app = create_app(settings)
        if settings.metrics_enabled:
            metrics_sock = bind_socket(settings.host, settings.metrics_port)
            metrics_config = uvicorn_config(
                create_metrics_app(app.state.metrics), grace_seconds=grace, forwarded_allow_ips=proxies
            )
            metrics_config.access_log = False  # scrapes every few seconds would drown the request lines
            metrics_server = DrainingServer(metrics_config, handle_signals=False)
            side_servers.append(metrics_server)
            group.start_soon(lambda: metrics_server.serve(sockets=[metrics_sock]))
            logger.info("metrics on http://%s:%d/metrics", *metrics_sock.getsockname()[:2])
        tune_garbage_collector(settings.gc_young_threshold)
        stop_watching_gc = app.state.metrics.watch_gc_pauses()
        sock = bind_socket(settings.host, settings.port)
        host, port = sock.getsockname()[:2]
        logger.info("kling-mcp %s: MCP endpoint http://%s:%d/mcp", __version__, host, port)
        config = uvicorn_config(
            app,
            grace_seconds=grace,
            forwarded_allow_ips=proxies,
            read_timeout_seconds=settings.request_read_timeout_seconds,
            # The server's own request line (app/mcp/observer.py) already says what happened:
            # uvicorn's access line would be a second line per call, saying less.
            access_log=settings.access_log,
        )
        server = DrainingServer(config, on_drain=lambda: setattr(app.state, "draining", True))
        try:
            await server.serve(sockets=[sock])
        finally:
            stop_watching_gc()
            close_event_streams()
            for side in side_servers:
                side.should_exit = True
    logger.info("kling-mcp stopped")


async def simulate(config: SimulatorConfig, host: str, port: int) -> None:
    sock = bind_socket(host, port)
    logger.info("Kling API simulator on http://%s:%d", *sock.getsockname()[:2])
    app = create_simulator_app(config)
    tune_garbage_collector(GC_YOUNG_THRESHOLD)  # it stands in for upstream in benchmarks, too
    await DrainingServer(uvicorn_config(app, grace_seconds=5, forwarded_allow_ips="127.0.0.1")).serve(
        sockets=[sock]
    )


def stdio(settings: Settings, token: str) -> None:
    upstream = UpstreamClient(settings)
    server = build_mcp_server(settings, upstream, stdio_token=token)

    async def run() -> None:
        async with upstream.running():
            await server.run_stdio_async()

    anyio.run(run)
