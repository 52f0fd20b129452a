"""Running the ASGI apps under uvicorn: listening sockets, and a graceful drain that exits 0.

On SIGTERM (or the first SIGINT) the server stops accepting connections, reports not-ready, lets
the calls in flight finish within `KLING_MCP_SHUTDOWN_GRACE_SECONDS`, and returns normally, so the
process exits 0. Plain uvicorn re-raises the signal after draining (exit 143 in a container), and
the SSE library under the MCP transport would cut open event streams at the signal; both are
switched off here.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

import uvicorn
from sse_starlette.sse import AppStatus

from app.http.head_deadline import head_deadline_protocol

logger = logging.getLogger(__name__)

DRAIN_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must be IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on accepted sockets whose
    # proto says TCP, and without it Nagle's algorithm adds ~40 ms to every keep-alive response.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def keep_event_streams_open_on_signal() -> None:
    """Let in-flight SSE responses finish during the drain instead of being cut at the signal."""
    AppStatus.disable_automatic_graceful_drain()  # type: ignore[no-untyped-call]


def close_event_streams() -> None:
    """After the drain: end whatever event streams are still open (the grace period ran out)."""
    AppStatus.should_exit = True


class DrainingServer(uvicorn.Server):
    """uvicorn that drains on SIGTERM/SIGINT, calls `on_drain` once, and never re-raises the signal."""

    def __init__(
        self,
        config: uvicorn.Config,
        on_drain: Callable[[], None] | None = None,
        *,
        handle_signals: bool = True,
    ) -> None:
        super().__init__(config)
        self.on_drain = on_drain
        # Of several servers in one process only one may own the signals; the others are stopped by it.
        self.handle_signals = handle_signals

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if not self.handle_signals or threading.current_thread() is not threading.main_thread():
            yield
            return
        original = {sig: signal.signal(sig, self._drain) for sig in DRAIN_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)

    def _drain(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit:
            if sig == signal.SIGINT:  # a second Ctrl-C: stop now
                self.force_exit = True
            return
        logger.info(
            "%s: no new connections; in-flight calls have %s s to finish",
            signal.Signals(sig).name,
            self.config.timeout_graceful_shutdown,
        )
        self.should_exit = True
        if self.on_drain is not None:
            self.on_drain()


def uvicorn_config(
    app: Any,
    *,
    grace_seconds: int,
    forwarded_allow_ips: str,
    read_timeout_seconds: float = 10.0,
    access_log: bool = True,
) -> uvicorn.Config:
    # access_log=False must reach the constructor: uvicorn's protocols decide per connection whether
    # the access logger has handlers, and only the constructor detaches it from the root handlers.
    return uvicorn.Config(
        app,
        access_log=access_log,
        http=head_deadline_protocol(read_timeout_seconds),
        log_config=None,  # keep the process's own logging set-up
        lifespan="on",
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        timeout_graceful_shutdown=grace_seconds,
        server_header=False,
    )
