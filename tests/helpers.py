"""The one helpers module of the tests: real uvicorn servers on loopback, the simulator, SDK clients,
the `kling-mcp` process, and readers for tool results. Fixtures built on these are in conftest.py.

Every end-to-end test talks HTTP over 127.0.0.1: the MCP SDK's client -> uvicorn -> our app ->
httpx2 -> uvicorn -> the simulator. Nothing is mocked on that path.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Literal

import anyio
import anyio.abc
import httpx2
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, TextContent
from starlette.applications import Starlette
from starlette.types import ASGIApp

from app.http.app import create_app, create_metrics_app
from app.http.serving import uvicorn_config
from app.mcp.results import ERROR_META_KEY
from app.mcp.server import build_mcp_server
from app.settings import Settings
from app.simulator.app import create_simulator_app
from app.simulator.config import SimulatorConfig
from app.upstream.client import UpstreamClient

Mode = Literal["legacy", "2026-07-28"]
MODES: tuple[Mode, ...] = ("legacy", "2026-07-28")

# Media URLs for generation requests; the simulator never fetches them.
IMG = "https://cdn.example.com/a.png"
IMG2 = "https://cdn.example.com/b.png"
VID = "https://cdn.example.com/clip.mp4"
AUDIO = "https://cdn.example.com/line.mp3"

ENTRY = [sys.executable, "-m", "app"]
RULES_TOKEN = "tok-rules-0001"  # the caller of the in-process `tools` fixture and the rule cases


def loopback_socket(host: str = "127.0.0.1") -> socket.socket:
    """A socket bound to a free loopback port, for an app that must know its URL before it is built."""
    sock = socket.socket(
        socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP
    )  # TCP_NODELAY: see app/http/serving.py
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}"


@contextlib.asynccontextmanager
async def serve(
    app: ASGIApp, host: str = "127.0.0.1", sock: socket.socket | None = None
) -> AsyncIterator[str]:
    """Run `app` under a real uvicorn on a free loopback port (or on `sock`); yield its base URL."""
    sock = sock or loopback_socket(host)
    # The project's own uvicorn set-up (head deadline included), with the app's read timeout if it has one.
    settings = getattr(getattr(app, "state", None), "settings", None)
    read_timeout = settings.request_read_timeout_seconds if isinstance(settings, Settings) else 10.0
    config = uvicorn_config(
        app, grace_seconds=1, forwarded_allow_ips="127.0.0.1", read_timeout_seconds=read_timeout
    )
    server = uvicorn.Server(config)
    async with anyio.create_task_group() as group:
        group.start_soon(lambda: server.serve(sockets=[sock]))
        with anyio.fail_after(10):
            while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
                await anyio.sleep(0.01)
        try:
            yield url_of(sock)
        finally:
            server.should_exit = True
    sock.close()  # uvicorn leaves a socket it was handed open when the app fails to start


@dataclass
class Simulator:
    """A running simulator and a client for its `/_sim/*` controls."""

    url: str
    http: httpx2.AsyncClient

    async def submit(self, token: str, prompt: str = "a red fox in snow", **fields: Any) -> str:
        body = {"action": "text2video", "prompt": prompt, "async": True, **fields}
        response = await self.http.post(
            "/kling/videos", json=body, headers={"authorization": f"Bearer {token}"}
        )
        response.raise_for_status()
        return str(response.json()["task_id"])

    async def seed(self, token: str, task_id: str, record: dict[str, Any]) -> None:
        (
            await self.http.post("/_sim/tasks", json={"token": token, "id": task_id, "record": record})
        ).raise_for_status()

    async def bulk(self, token: str, count: int, **fields: Any) -> list[str]:
        response = await self.http.post("/_sim/tasks/bulk", json={"token": token, "count": count, **fields})
        response.raise_for_status()
        ids: list[str] = response.json()["ids"]
        return ids

    async def fault(self, **fault: Any) -> None:
        (await self.http.post("/_sim/faults", json=fault)).raise_for_status()

    async def configure(self, **patch: Any) -> None:
        (await self.http.put("/_sim/config", json=patch)).raise_for_status()

    async def journal(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = (await self.http.get("/_sim/requests")).json()
        return result

    async def stats(self) -> dict[str, Any]:
        result: dict[str, Any] = (await self.http.get("/_sim/stats")).json()
        return result


@contextlib.asynccontextmanager
async def running_simulator(task_seconds: float) -> AsyncIterator[Simulator]:
    """The simulator under a real uvicorn, with a client for its controls."""
    async with serve(create_simulator_app(SimulatorConfig(task_seconds=task_seconds))) as url:
        async with httpx2.AsyncClient(base_url=url, timeout=10) as http:
            yield Simulator(url=url, http=http)


def settings_for(upstream_url: str, **overrides: Any) -> Settings:
    """Settings for a test server: the simulator as upstream, quick retries."""
    values: dict[str, Any] = {
        "api_base_url": upstream_url,
        "retry_backoff_seconds": 0.01,
        "retry_backoff_max_seconds": 0.05,
    }
    return Settings(**{**values, **overrides})


@contextlib.asynccontextmanager
async def server_for(simulator: Simulator, **overrides: Any) -> AsyncIterator[str]:
    """A running kling-mcp server whose upstream is the simulator; yields its base URL."""
    async with serve(create_app(settings_for(simulator.url, **overrides))) as url:
        yield url


@contextlib.asynccontextmanager
async def server_with_metrics(simulator: Simulator, **overrides: Any) -> AsyncIterator[tuple[str, str]]:
    """A running kling-mcp server and its metrics app, each on its own port: (MCP URL, metrics URL)."""
    app = create_app(settings_for(simulator.url, **overrides))
    async with serve(app) as url, serve(create_metrics_app(app.state.metrics)) as metrics_url:
        yield url, metrics_url


@contextlib.asynccontextmanager
async def mcp_client(base_url: str, token: str | None, mode: Mode) -> AsyncIterator[Client]:
    """The SDK's own client over streamable HTTP, sending `token` as a bearer header."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(30, read=120)) as http:
        async with Client(streamable_http_client(f"{base_url}/mcp", http_client=http), mode=mode) as client:
            yield client


@dataclass
class Stack:
    """Simulator, server and one connected SDK client, shared by a module's many small tests."""

    sim: Simulator
    client: Client


@contextlib.asynccontextmanager
async def running_stack(token: str, mode: Mode, *, task_seconds: float) -> AsyncIterator[Stack]:
    async with (
        running_simulator(task_seconds) as sim,
        server_for(sim) as url,
        mcp_client(url, token, mode) as c,
    ):
        yield Stack(sim=sim, client=c)


McpClientFactory = Callable[[str | None, Mode], contextlib.AbstractAsyncContextManager[Client]]


def text_of(result: CallToolResult) -> str:
    return " ".join(block.text for block in result.content if isinstance(block, TextContent))


def error_of(result: CallToolResult) -> dict[str, Any]:
    """The machine-readable facts of a tool error."""
    assert result.is_error, result
    assert result.meta is not None
    details: dict[str, Any] = result.meta[ERROR_META_KEY]
    return details


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any kling-mcp, AceDataCloud or simulator setting."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("KLING_MCP_", "ACEDATACLOUD_", "KLING_SIM_"))
    }
    # Metrics on any free port: servers started side by side must not fight over the default one.
    return {**env, "KLING_MCP_METRICS_PORT": "0", **extra}


@contextlib.asynccontextmanager
async def running_server(*args: str, env: dict[str, str]) -> AsyncIterator[tuple[str, str]]:
    """Start `kling-mcp serve --simulate` and yield (mcp base URL, simulator URL) read from its log."""
    process = await anyio.open_process([*ENTRY, "serve", "--simulate", "--port", "0", *args], env=env)
    assert process.stderr is not None
    log = ""
    try:
        with anyio.fail_after(20):
            while "MCP endpoint" not in log or "startup complete" not in log:
                log += (await process.stderr.receive()).decode()
        server = re.search(r"MCP endpoint (http://[\d.:]+)/mcp", log)
        sim = re.search(r"simulator on (http://[\d.:]+)", log)
        assert server and sim, log
        yield server.group(1), sim.group(1)
    finally:
        process.terminate()
        with anyio.fail_after(10):
            await process.wait()


# --- in-process (ASGI, no socket) ------------------------------------------------------------------

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}
MCP_HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


def unreachable_upstream(request: httpx2.Request) -> httpx2.Response:
    raise AssertionError(f"no upstream call expected, got {request.url}")


@contextlib.asynccontextmanager
async def client_for(app: Starlette, host: str = "localhost:8000") -> AsyncIterator[httpx2.AsyncClient]:
    async with app.router.lifespan_context(app), httpx2.ASGITransport(app) as transport:
        async with httpx2.AsyncClient(transport=transport, base_url=f"http://{host}") as http:
            yield http


def make_app(**overrides: Any) -> Starlette:
    """A fresh app for in-process tests, whose upstream must not be called."""
    return create_app(Settings(**overrides), upstream_transport=httpx2.MockTransport(unreachable_upstream))


SIM_URL = "http://simulator.test"


@dataclass
class InProcess:
    """The simulator reached through an ASGI transport (no socket), and an open upstream client for it."""

    sim: Simulator
    upstream: UpstreamClient
    settings: Settings


@contextlib.asynccontextmanager
async def in_process_upstream(task_seconds: float, **overrides: Any) -> AsyncIterator[InProcess]:
    sim_app = create_simulator_app(SimulatorConfig(task_seconds=task_seconds))
    settings = settings_for(SIM_URL, **overrides)
    upstream = UpstreamClient(settings, transport=httpx2.ASGITransport(sim_app))
    async with (
        httpx2.AsyncClient(transport=httpx2.ASGITransport(sim_app), base_url=SIM_URL) as sim_http,
        upstream.running(),
    ):
        yield InProcess(sim=Simulator(url=SIM_URL, http=sim_http), upstream=upstream, settings=settings)


@contextlib.asynccontextmanager
async def in_process_tools(token: str, task_seconds: float = 600) -> AsyncIterator[tuple[Client, Simulator]]:
    """Our MCP server behind the SDK's in-memory client, its upstream the in-process simulator."""
    async with in_process_upstream(task_seconds) as running:
        server = build_mcp_server(running.settings, running.upstream, stdio_token=token)
        async with Client(server, mode="legacy") as client:
            yield client, running.sim


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def running_redis() -> AsyncIterator[str]:
    """Debian's redis-server on a free loopback port, nothing persisted; yields its URL."""
    port = free_port()
    process = await anyio.open_process(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        with anyio.fail_after(10):
            while True:
                try:
                    stream = await anyio.connect_tcp("127.0.0.1", port)
                except OSError:
                    await anyio.sleep(0.05)
                    continue
                await stream.aclose()
                break
        yield url
    finally:
        process.terminate()
        with anyio.fail_after(10):
            await process.wait()


@dataclass
class ServerProcess:
    """A `kling-mcp serve` process: its base URL, and its log (read on demand)."""

    url: str
    process: anyio.abc.Process
    log: str = ""

    async def read_log(self, seconds: float = 0.5) -> str:
        """What the process has written to stderr so far (waits up to `seconds` for more)."""
        assert self.process.stderr is not None
        with anyio.move_on_after(seconds):
            while True:
                self.log += (await self.process.stderr.receive()).decode()
        return self.log


@contextlib.asynccontextmanager
async def kling_mcp_process(env: dict[str, str], port: int = 0) -> AsyncIterator[ServerProcess]:
    """`kling-mcp serve` on `port` (0: a free one), configured by `env`; yields it once ready."""
    process = await anyio.open_process([*ENTRY, "serve", "--port", str(port)], env=clean_env(**env))
    assert process.stderr is not None
    running = ServerProcess(url="", process=process)
    try:
        with anyio.fail_after(20):
            while "startup complete" not in running.log:
                running.log += (await process.stderr.receive()).decode()
        found = re.search(r"MCP endpoint (http://[\d.:]+)/mcp", running.log)
        assert found, running.log
        running.url = found.group(1)
        yield running
    finally:
        process.terminate()
        with anyio.fail_after(10):
            await process.wait()


def post_head(url: str, token: str, length: int | None) -> bytes:
    """The head of a raw `POST /mcp` to the server at `url`, declaring `length` body bytes (None: chunked)."""
    sized = f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked"
    return (
        f"POST /mcp HTTP/1.1\r\nHost: {url.removeprefix('http://')}\r\nAuthorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
        f"MCP-Protocol-Version: 2025-11-25\r\n{sized}\r\n\r\n"
    ).encode()


async def connect_raw(url: str) -> anyio.abc.SocketStream:
    host, port = url.removeprefix("http://").split(":")
    return await anyio.connect_tcp(host, int(port))


async def status_line(stream: anyio.abc.SocketStream, within: float = 3.0) -> bytes:
    """The status line of the next response on a raw connection; b"" when the server closed it silently."""
    with anyio.fail_after(within):
        try:
            return (await stream.receive()).split(b"\r\n", 1)[0]
        except (anyio.EndOfStream, anyio.BrokenResourceError):
            return b""
