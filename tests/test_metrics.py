"""Operator metrics (app/metrics.py): upstream calls counted in the registry and the request's record."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from app.metrics import Metrics, RequestRecord, UpstreamCall, current_request, record_upstream


@pytest.fixture(autouse=True)
def single_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)


def test_upstream_calls_are_counted_by_endpoint_and_status() -> None:
    metrics = Metrics()
    record_upstream(metrics, "/kling/tasks", 200, 0.02, None)
    record_upstream(metrics, "/kling/tasks", 200, 0.03, None)
    record_upstream(metrics, "/kling/videos", "timeout", 1.5, None)
    text = metrics.render().decode()
    assert 'kling_mcp_upstream_requests_total{endpoint="/kling/tasks",status="200"} 2.0' in text
    assert 'kling_mcp_upstream_requests_total{endpoint="/kling/videos",status="timeout"} 1.0' in text
    assert 'kling_mcp_upstream_request_duration_seconds_count{endpoint="/kling/tasks"} 2.0' in text


def test_calls_join_the_current_request_record_only_while_one_is_set() -> None:
    record_upstream(None, "/kling/tasks", 200, 0.01, "before")  # no request: nothing to add to, no error
    record = RequestRecord()
    token = current_request.set(record)
    try:
        record_upstream(None, "/kling/tasks", 429, 0.01, "trace-1")
        record_upstream(Metrics(), "/kling/videos", 200, 0.01, None)
    finally:
        current_request.reset(token)
    record_upstream(None, "/kling/tasks", 200, 0.01, "after")
    assert record.upstream == [
        UpstreamCall("/kling/tasks", 429, "trace-1"),
        UpstreamCall("/kling/videos", 200, None),
    ]
    assert current_request.get() is None


def test_separate_instances_do_not_share_counts() -> None:
    first, second = Metrics(), Metrics()
    record_upstream(first, "/kling/tasks", 200, 0.01, None)
    labels = {"endpoint": "/kling/tasks", "status": "200"}
    assert first.registry.get_sample_value("kling_mcp_upstream_requests_total", labels) == 1.0
    assert second.registry.get_sample_value("kling_mcp_upstream_requests_total", labels) is None
    assert "kling_mcp_upstream_requests_total{" not in second.render().decode()


def test_render_lists_every_family() -> None:
    text = Metrics().render().decode()
    for name in (
        "kling_mcp_requests_total",
        "kling_mcp_request_duration_seconds",
        "kling_mcp_requests_in_flight",
        "kling_mcp_requests_refused_total",
        "kling_mcp_upstream_retries_total",
        "kling_mcp_batch_chunks_total",
    ):
        assert f"# TYPE {name}" in text


def test_garbage_collections_are_timed_while_watched() -> None:
    metrics = Metrics()
    stop = metrics.watch_gc_pauses()
    try:
        gc.collect()  # a full collection: generation 2
    finally:
        stop()
    gc.collect()  # not watched any more: not counted
    count = metrics.registry.get_sample_value("kling_mcp_gc_pause_seconds_count", {"generation": "2"})
    longest = metrics.registry.get_sample_value("kling_mcp_gc_longest_pause_seconds")
    assert count == 1
    assert longest is not None and longest > 0


def test_every_metric_is_documented() -> None:
    """The operations guide names every metric family this server exports."""
    guide = (Path(__file__).parents[1] / "docs" / "operations.md").read_text()
    families = {family.name for family in Metrics().registry.collect()}
    assert families, "no metrics registered"
    missing = sorted(name for name in families if f"`{name}" not in guide)
    assert not missing, f"metrics missing from docs/operations.md: {missing}"
