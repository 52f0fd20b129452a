"""Shared polling: the open waits of one token are read together, one upstream batch per tick.

Each wait still keeps its own schedule (a short first pause growing to a cap). When one of them is
due, it reads upstream for every wait of the same token that is due soon as well: within `slack` of
its own due time, half its current pause. The ids are deduplicated and fetched through the batch
engine, and each wait gets back the statuses of its own ids. Waits pulled in early start their next
pause from then, so after a few ticks a token's waits poll in step: 100 waits of one token cost
upstream about as much as one wait on 100 ids.

Only the waits of one token are ever read together (the lines are keyed by the token itself and
the token sends its own requests): one caller's token never reads another caller's tasks. Nothing
runs in the background: whichever wait is due first does the read for the others, and if it is
cancelled mid-read, the others it had taken go back to waiting and the next one due reads instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import anyio

from app.kling.batch import Fetched, dedupe, fetch_all
from app.upstream.client import UpstreamClient
from app.upstream.errors import UpstreamError


class Ask:
    """One wait's request for the statuses of `ids`, due at `due` (monotonic), joinable from
    `due - slack`. Withdraw it when done with it, whatever happened."""

    def __init__(self, line: _Line, ids: list[str], due: float, slack: float) -> None:
        self.line, self.ids, self.due, self.slack = line, ids, due, slack
        self.taken = False  # a read that includes these ids is under way
        self.got: Fetched | None = None
        self.error: UpstreamError | None = None
        self.event = anyio.Event()

    async def result(self, within: float) -> Fetched | None:
        """The statuses once read, or None if `within` seconds passed first (the ask stays open)."""
        end = time.monotonic() + within
        while True:
            if self.error is not None:
                raise self.error
            if self.got is not None:
                return self.got
            now = time.monotonic()
            if not self.taken and now >= self.due:
                await self.line.read(self)
                continue
            if now >= end:
                return None
            wake = end if self.taken else min(end, self.due)
            with anyio.move_on_after(wake - now):
                await self.event.wait()

    def withdraw(self) -> None:
        self.line.leave(self)

    def _answer(self, fetched: Fetched | None, error: UpstreamError | None = None) -> None:
        if fetched is not None:
            self.got = {task_id: fetched[task_id] for task_id in self.ids if task_id in fetched}
        self.error = error
        self.event.set()

    def _retake(self) -> None:
        """The read that held this ask was cancelled: wait again, and read at once if due."""
        self.taken = False
        woken, self.event = self.event, anyio.Event()
        woken.set()


@dataclass
class _Line:
    """The open asks of one token."""

    hub: PollHub
    token: str
    pending: list[Ask] = field(default_factory=list)
    asks: int = 0  # open asks, pending or taken: the line goes when this reaches zero

    async def read(self, leader: Ask) -> None:
        now = time.monotonic()
        batch = [ask for ask in self.pending if ask is leader or ask.due - ask.slack <= now]
        for ask in batch:
            ask.taken = True
            self.pending.remove(ask)
        ids = dedupe(task_id for ask in batch for task_id in ask.ids)
        self.hub.reads += 1
        try:
            fetched = await fetch_all(
                self.hub.upstream,
                ids,
                token=self.token,
                chunk_size=self.hub.chunk_size,
                max_concurrency=self.hub.max_concurrency,
            )
        except UpstreamError as exc:  # refused as a whole (auth, balance): every wait of the token hears it
            for ask in batch:
                ask._answer(None, exc)
            return
        except BaseException:
            for ask in batch:
                if ask is not leader and ask.got is None:
                    self.pending.append(ask)
                    ask._retake()
            raise
        for ask in batch:
            ask._answer(fetched)

    def leave(self, ask: Ask) -> None:
        if ask in self.pending:
            self.pending.remove(ask)
        self.asks -= 1
        if self.asks == 0:
            del self.hub.lines[self.token]


class PollHub:
    """The per-token lines of one server process (the MCP runtime holds one)."""

    def __init__(self, upstream: UpstreamClient, *, chunk_size: int, max_concurrency: int) -> None:
        self.upstream = upstream
        self.chunk_size = chunk_size
        self.max_concurrency = max_concurrency
        self.lines: dict[str, _Line] = {}
        self.reads = 0  # reads started, for tests and benchmarks

    def ask(self, token: str, ids: list[str], *, due: float, slack: float) -> Ask:
        line = self.lines.get(token)
        if line is None:
            line = self.lines[token] = _Line(self, token)
        ask = Ask(line, ids, due, slack)
        line.pending.append(ask)
        line.asks += 1
        return ask
