"""Queued simulator faults (app/simulator/faults.py): which requests each one hits, and how many."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.simulator.faults import Fault, FaultQueue

TASKS = "/kling/tasks"
VIDEOS = "/kling/videos"


def queue(*faults: Fault) -> FaultQueue:
    q = FaultQueue()
    for fault in faults:
        q.add(fault)
    return q


def test_a_fault_hits_count_requests_then_is_gone() -> None:
    q = queue(Fault(kind="status", status=429, count=2))
    hits = [q.take(TASKS, {"id": "a"}) for _ in range(3)]
    assert [h.status if h else None for h in hits] == [429, 429, None]
    assert q.pending() == []


def test_path_limits_which_requests_a_fault_hits() -> None:
    q = queue(Fault(kind="malformed", path=VIDEOS))
    assert q.take(TASKS, {"id": "a"}) is None
    hit = q.take(VIDEOS, {"action": "text2video"})
    assert hit is not None and hit.kind == "malformed"


def test_match_id_hits_only_requests_naming_that_task() -> None:
    q = queue(Fault(kind="status", match_id="t-2", count=2))
    assert q.take(TASKS, {"id": "t-1"}) is None
    assert q.take(TASKS, {"ids": ["t-1", "t-3"]}) is None
    assert q.take(TASKS, "not a dict") is None
    assert q.take(TASKS, {"id": "t-2"}) is not None
    assert q.take(TASKS, {"ids": ["t-1", "t-2"]}) is not None
    assert q.pending() == []


def test_the_first_matching_fault_in_order_wins_and_others_wait() -> None:
    q = queue(
        Fault(kind="slow", path=VIDEOS), Fault(kind="status", status=503), Fault(kind="status", status=502)
    )
    first = q.take(TASKS, {})
    assert first is not None and first.status == 503
    assert [(f.kind, f.status) for f in q.pending()] == [("slow", 500), ("status", 502)]
    q.clear()
    assert q.take(VIDEOS, {}) is None


def test_the_queue_keeps_its_own_copy() -> None:
    fault = Fault(kind="status", count=1)
    q = queue(fault)
    fault.count = 5
    q.take(TASKS, {})
    assert q.pending() == [] and fault.count == 5


def test_fault_fields_are_bounded() -> None:
    with pytest.raises(ValidationError):
        Fault(kind="status", count=0)
    with pytest.raises(ValidationError):
        Fault(kind="status", status=200)
    with pytest.raises(ValidationError):
        Fault.model_validate({"kind": "explode"})
