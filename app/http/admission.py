"""Admission limits on `POST /mcp`: a per-process cap on calls in flight, a per-caller cap, an
optional per-caller rate, and a budget of its own for waits.

Past saturation the server answers the excess at once (503, `Retry-After`) instead of queueing it,
so throughput holds and latency stays bounded for the calls it does take. Who "the caller" is
depends on trust: a token upstream accepted recently is its own caller (keyed by fingerprint);
any other string is only a claim, so its calls count against the client IP. Junk tokens therefore
get no fresh bucket or cap each, and cannot push real callers out of the limiter's memory. All
answers carry a JSON-RPC error body, so MCP clients surface a readable message.

Waits (`kling_wait_for_tasks`) cost memory, not CPU, and last minutes, so they do not take the slots
of ordinary calls: they are counted in a `WaitBudget` sized from the memory limit (`app/capacity.py`),
per process and per token. A pod full of waiters still answers `kling_get_task` and submissions.
Waits are counted per token even before upstream has accepted it: an unaccepted token's wait ends at
its first read, when upstream refuses the token.

Opening a wait is its costly part (the SDK's handling, the first upstream read, the first report: about
9 ms of CPU), holding it is cheap. Thousands opened at once would each take a step per turn of the
event loop, every turn would grow long, and the heartbeats of the waits already held and the ordinary
calls would wait behind them. So at most `WaitBudget.opening` waits are in their opening phase at
once; the others wait their turn, without CPU, counted in the budget already. A wait leaves the
phase when it first reports statuses (the tool calls the release it finds under `WAIT_OPENING_KEY`
in the ASGI scope's extensions) or when it ends.
"""

from __future__ import annotations

import json
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.http.body import peek_message, tool_of
from app.mcp.tools.runtime import WAIT_OPENING_KEY
from app.tokens import fingerprint, parse_bearer

SERVER_BUSY = -32000  # JSON-RPC implementation-defined server error


class Occupancy:
    """Calls held now, in all and per caller; a caller with none is not kept."""

    def __init__(self, on_change: Callable[[int], None] = lambda held: None) -> None:
        self.open = 0
        self.by_caller: dict[str, int] = {}
        self.on_change = on_change  # a metrics gauge

    def of(self, caller: str) -> int:
        return self.by_caller.get(caller, 0)

    def enter(self, caller: str) -> None:
        self.open += 1
        self.by_caller[caller] = self.of(caller) + 1
        self.on_change(self.open)

    def leave(self, caller: str) -> None:
        self.open -= 1
        left = self.by_caller[caller] - 1
        if left:
            self.by_caller[caller] = left
        else:
            del self.by_caller[caller]
        self.on_change(self.open)


@dataclass
class WaitBudget:
    """Waits held by this process: at most `capacity` in all and `per_token` per caller."""

    capacity: int
    per_token: int
    ids_per_wait: int  # named in the refusal: fewer, larger waits fit
    opening: int  # waits in their opening phase at once
    held: Occupancy = field(default_factory=Occupancy)

    def __post_init__(self) -> None:
        self.openings = anyio.Semaphore(self.opening)  # first come, first served

    @property
    def full(self) -> bool:
        return self.held.open >= self.capacity


class TokenBuckets:
    """One token bucket per caller fingerprint, at most `max_callers` kept (least recently used go)."""

    def __init__(self, per_minute: int, burst: int, max_callers: int) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_callers = max_callers
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str, now: float | None = None) -> float:
        """Spend one request; returns 0 when allowed, else the seconds until one is available."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.rate
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self.max_callers:
            self._buckets.popitem(last=False)
        return wait


def client_ip(scope: Scope) -> str:
    """The caller's address as uvicorn reports it (the forwarded one behind a trusted proxy)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


async def _refuse(send: Send, status: int, retry_after: float, message: str) -> None:
    body = json.dumps(
        {"jsonrpc": "2.0", "id": None, "error": {"code": SERVER_BUSY, "message": message}}
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"retry-after", str(max(1, math.ceil(retry_after))).encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class AdmissionMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_in_flight: int,
        max_in_flight_per_caller: int,
        rate_per_minute: int,
        rate_burst: int,
        max_callers: int,
        max_in_flight_per_ip: int,
        is_trusted: Callable[[str], bool],
        refusal_delay: float = 0.0,
        on_refuse: Callable[[str], None] | None = None,
        path: str = "/mcp",
        waits: WaitBudget | None = None,
        wait_tools: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.path = path
        self.waits = waits
        self.wait_tools = wait_tools if waits is not None else frozenset()
        self.max_in_flight = max_in_flight
        self.calls = Occupancy()
        self.max_per_caller = max_in_flight_per_caller
        self.max_per_ip = max_in_flight_per_ip
        self.is_trusted = is_trusted
        # Two limiters, so that however many IPs send junk, trusted tokens keep their buckets.
        self.buckets = self.ip_buckets = None
        if rate_per_minute:
            self.buckets = TokenBuckets(rate_per_minute, rate_burst or rate_per_minute, max_callers)
            self.ip_buckets = TokenBuckets(rate_per_minute, rate_burst or rate_per_minute, max_callers)
        self.on_refuse = on_refuse or (lambda reason: None)
        self.refusal_delay = refusal_delay

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        token = parse_bearer(Headers(scope=scope).get("authorization")) or ""
        trusted = self.is_trusted(token)
        caller = f"token:{fingerprint(token)}" if trusted else f"ip:{client_ip(scope)}"
        buckets = self.buckets if trusted else self.ip_buckets
        if buckets is not None:
            wait = buckets.take(caller)
            if wait > 0:
                self.on_refuse("rate_limited")
                per_minute = round(buckets.rate * 60)
                retry = math.ceil(wait)
                who = "API token" if trusted else "client address until upstream accepts your token"
                message = f"Rate limit: {per_minute} requests per minute per {who}. Retry in {retry} s."
                await _refuse(send, 429, wait, message)
                return
        if self.wait_tools and self.waits is not None:
            # A wait names at most 1,000 ids; a larger or unsized body is counted as an ordinary call.
            receive, message = await peek_message(scope, receive)
            if tool_of(message)[1] in self.wait_tools:
                await self._hold_wait(self.waits, f"token:{fingerprint(token)}", scope, receive, send)
                return
        if self.calls.open >= self.max_in_flight:
            self.on_refuse("busy")
            # A short pause before the refusal costs no CPU here, but stops a client that retries at
            # once from turning refusals into a busy loop that starves the calls being served.
            await anyio.sleep(self.refusal_delay)
            await _refuse(
                send, 503, 1, "Server busy: too many calls in flight on this instance. Retry in 1 s."
            )
            return
        cap = self.max_per_caller if trusted else self.max_per_ip
        if self.calls.of(caller) >= cap:
            self.on_refuse("caller_busy")
            await anyio.sleep(self.refusal_delay)
            who = "this API token" if trusted else "this client address with unconfirmed tokens"
            message = (
                f"Too many calls in flight for {who} (at most {cap} at once). "
                "Retry in 1 s, or wait for your earlier calls (kling_wait_for_tasks takes many ids at once)."
            )
            await _refuse(send, 429, 1, message)
            return
        await self._hold(self.calls, caller, scope, receive, send)

    async def _hold_wait(
        self, waits: WaitBudget, caller: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        if waits.full:
            self.on_refuse("waits_full")
            await anyio.sleep(self.refusal_delay)
            message = (
                f"Server busy: this instance holds its most waits ({waits.capacity}). Retry in 1 s; "
                "another instance may take it."
            )
            await _refuse(send, 503, 1, message)
            return
        if waits.held.of(caller) >= waits.per_token:
            self.on_refuse("caller_waits")
            await anyio.sleep(self.refusal_delay)
            message = (
                f"Too many kling_wait_for_tasks calls open for this API token (at most {waits.per_token} "
                f"at once). One call waits on up to {waits.ids_per_wait} task_ids: put more ids in fewer "
                "waits."
            )
            await _refuse(send, 429, 1, message)
            return
        waits.held.enter(caller)
        try:
            await self._open(waits, scope, receive, send)
        finally:
            waits.held.leave(caller)

    async def _open(self, waits: WaitBudget, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the wait once an opening slot is free; the slot goes back at its first report."""
        await waits.openings.acquire()
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                waits.openings.release()

        scope.setdefault("extensions", {})[WAIT_OPENING_KEY] = release
        try:
            await self.app(scope, receive, send)
        finally:
            release()

    async def _hold(self, held: Occupancy, caller: str, scope: Scope, receive: Receive, send: Send) -> None:
        held.enter(caller)
        try:
            await self.app(scope, receive, send)
        finally:
            held.leave(caller)
