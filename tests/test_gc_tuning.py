"""Garbage collection (app/gc_tuning.py): survivors of a full collection are frozen, and a thaw
reclaims the cycles that formed among frozen objects."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from app.gc_tuning import MIN_THAW_GAP_SECONDS, CollectorGovernor


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture(autouse=True)
def restore_the_collector() -> Iterator[None]:
    yield
    gc.unfreeze()


def test_a_full_collection_freezes_its_survivors_and_a_thaw_reclaims_frozen_cycles() -> None:
    with CollectorGovernor(thaw_seconds=600, memory_limit_mib=512) as governor:
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle, alive while `a` and `b` are named
        gc.collect()
        assert gc.get_freeze_count() > 0
        gone = weakref.ref(a)
        del a, b  # now garbage, but frozen: no full collection looks at it
        gc.collect()
        assert gone() is not None
        governor.thaw()
        assert gone() is None and governor.thaws == 1
        assert gc.get_freeze_count() > 0  # what survived the thaw is frozen again
    gc.unfreeze()
    gc.collect()
    assert gc.get_freeze_count() == 0  # the governor is gone: collections freeze nothing


def test_a_thaw_is_due_by_time_or_near_the_memory_limit() -> None:
    now = [0.0]
    resident = [100.0]
    governor = CollectorGovernor(
        thaw_seconds=600, memory_limit_mib=512, resident=lambda: resident[0], clock=lambda: now[0]
    )
    now[0] = 599
    assert not governor.thaw_due()
    now[0] = 600
    assert governor.thaw_due()
    governor.last_thaw = now[0]
    resident[0] = 500  # over 90% of 512 MiB
    assert not governor.thaw_due()  # but not again so soon after a thaw
    now[0] += MIN_THAW_GAP_SECONDS
    assert governor.thaw_due()
