"""Garbage collection for a process that serves many short calls and holds many waits.

A call allocates many short-lived objects (a 1,000-id batch about 100,000), nearly all freed by
reference counting; Python's default of a young collection every 700 allocations spent 15-25 ms of
a 1,000-id batch on collections (bench/batch_bench.py). So young objects are collected every
`KLING_MCP_GC_YOUNG_THRESHOLD` allocations, and what exists at start-up is frozen: it lives as long
as the process, so no collection needs to look at it.

Held waits are hundreds of tracked objects each, and a collection's pause grows with what it looks
at (about 1.3 us per object once the heap is hundreds of MiB). Measured with bench/wait_bench.py,
other settings did not do better than these, so they were not kept (docs/operations.md "Waits"):
smaller young and middle thresholds (10,000; 3 and 2) made more, longer pauses in all; freezing
the survivors of each full collection, with one every second, made shorter full collections but
left the young and middle ones as long.
"""

from __future__ import annotations

import gc


def tune_garbage_collector(young_threshold: int) -> None:
    """Collect young objects less often, and leave the start-up heap out of every collection."""
    gc.set_threshold(young_threshold, *gc.get_threshold()[1:])
    gc.freeze()
