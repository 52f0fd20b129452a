"""Garbage collection for a process that serves many short calls and holds thousands of waits.

- A call allocates many short-lived objects (a 1,000-id batch about 100,000), nearly all freed by
  reference counting; Python's default of a young collection every 700 allocations spent 15-25 ms
  of a 1,000-id batch on collections (bench/batch_bench.py). The young threshold is raised, but not
  far: with thousands of waits held, each collection's pause grows with the objects it looks at
  (50,000 per young collection: 76 ms pauses with 3,000 waits; 10,000: 12 ms). The older
  generations are collected after 3 and 2 younger collections instead of 10 and 10, for the same
  reason: 0.6 s pauses with Python's thresholds, 0.07-0.29 s with these (bench/wait_bench.py).
- A full collection looks at every tracked object, and held waits are hundreds of objects each:
  with 5,000 of them a full collection stopped the event loop for 0.8 s (bench/wait_bench.py). So
  whatever survives a full collection is frozen (left out of later ones): the next full collection
  looks only at what was made since, and what exists at start-up is frozen the same way.
- A frozen object that later becomes part of a reference cycle is not reclaimed until it thaws:
  a cancelled wait leaves about 270 such objects. So the governor thaws everything and collects it
  all, once every `KLING_MCP_GC_THAW_SECONDS` and sooner when the process nears its memory limit.
  That one collection is as long as the heap is large; it is counted in the pause metrics like any other.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio

CHECK_SECONDS = 5.0
NEAR_LIMIT = 0.9  # of the memory limit: thaw early when resident memory passes it
MIN_THAW_GAP_SECONDS = 60.0  # near the limit, thaw no more often than this


OLDER_THRESHOLDS = (3, 2)


def tune_garbage_collector(young_threshold: int) -> None:
    """Collect young objects less often, and leave the start-up heap out of every collection."""
    gc.set_threshold(young_threshold, *OLDER_THRESHOLDS)
    gc.freeze()


def resident_mib() -> float:
    """This process's resident memory (Linux); 0 where /proc is not there."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * 4096 / (1024 * 1024)


class CollectorGovernor:
    """Freezes what survives each full collection; thaws and collects everything now and then."""

    def __init__(
        self,
        *,
        thaw_seconds: float,
        memory_limit_mib: float,
        resident: Callable[[], float] = resident_mib,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.thaw_seconds = thaw_seconds
        self.memory_limit_mib = memory_limit_mib
        self.resident = resident
        self.clock = clock
        self.last_thaw = clock()
        self.thaws = 0

    def __enter__(self) -> CollectorGovernor:
        gc.callbacks.append(self._after_collection)
        return self

    def __exit__(self, *exc_info: object) -> None:
        gc.callbacks.remove(self._after_collection)

    def _after_collection(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "stop" and info["generation"] == 2:
            gc.freeze()  # the survivors of a full collection: left out of the next ones

    def thaw_due(self) -> bool:
        since = self.clock() - self.last_thaw
        if since >= self.thaw_seconds:
            return True
        near_limit = self.resident() >= NEAR_LIMIT * self.memory_limit_mib
        return near_limit and since >= MIN_THAW_GAP_SECONDS

    def thaw(self) -> None:
        """Collect everything, frozen or not; the survivors are frozen again by `_after_collection`."""
        gc.unfreeze()
        gc.collect()
        self.last_thaw = self.clock()
        self.thaws += 1

    async def run(self) -> None:
        while True:
            await anyio.sleep(CHECK_SECONDS)
            if self.thaw_due():
                self.thaw()
