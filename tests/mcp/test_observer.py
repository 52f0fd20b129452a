"""Metrics and the per-request log line, observed from outside: scrape /metrics, read the log."""

from __future__ import annotations

import json
import logging
import re

import httpx2
import pytest

from app.logging import JsonFormatter
from app.tokens import fingerprint
from tests.helpers import McpClientFactory, Simulator, mcp_client, server_with_metrics

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

TOKEN = "tok-observe-SECRET-42"


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one Prometheus sample, 0 when absent."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}\{{(.*)\}} (\S+)", line)
        if match and ",".join(sorted(match.group(1).split(","))) == wanted:
            return float(match.group(2))
    return 0.0


async def test_metrics_count_requests_upstream_calls_retries_and_chunks(simulator: Simulator) -> None:
    ids = await simulator.bulk(TOKEN, 60, run_seconds=0)
    await simulator.fault(kind="status", status=503, path="/kling/tasks")
    async with server_with_metrics(simulator) as (url, metrics_url):
        async with mcp_client(url, TOKEN, "legacy") as client:
            await client.call_tool("kling_get_task", {"task_id": ids[0]})  # one 503, then a retry
            await client.call_tool("kling_get_tasks_batch", {"task_ids": ids})  # 2 chunks
            await client.call_tool("kling_get_task", {"task_id": " "})  # a tool error
        async with httpx2.AsyncClient() as http:
            scraped = await http.get(f"{metrics_url}/metrics")
            on_mcp_port = await http.get(f"{url}/metrics")
    assert on_mcp_port.status_code == 404  # only the metrics port serves them
    assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain")
    text = scraped.text
    assert (
        sample(text, "kling_mcp_requests_total", method="tools/call", tool="kling_get_task", outcome="ok")
        == 1
    )
    assert (
        sample(
            text, "kling_mcp_requests_total", method="tools/call", tool="kling_get_task", outcome="tool_error"
        )
        == 1
    )
    assert (
        sample(
            text, "kling_mcp_requests_total", method="tools/call", tool="kling_get_tasks_batch", outcome="ok"
        )
        == 1
    )
    assert sample(text, "kling_mcp_upstream_requests_total", endpoint="/kling/tasks", status="503") == 1
    assert sample(text, "kling_mcp_upstream_requests_total", endpoint="/kling/tasks", status="200") == 3
    assert (
        sample(text, "kling_mcp_upstream_retries_total", endpoint="/kling/tasks", reason="upstream_failure")
        == 1
    )
    assert sample(text, "kling_mcp_batch_chunks_total", outcome="ok") == 2
    assert "kling_mcp_request_duration_seconds_bucket" in text
    assert re.search(r"^kling_mcp_requests_in_flight 0\.0$", text, re.MULTILINE)
    assert TOKEN not in text


async def test_one_log_line_per_request_with_facts_and_no_token(
    connect: McpClientFactory, simulator: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.requests")
    await simulator.fault(kind="status", status=500, code="api_error", count=3, path="/kling/tasks")
    async with connect(TOKEN, "2026-07-28") as client:
        await client.call_tool("kling_get_task", {"task_id": "abc"})
    lines = [r for r in caplog.records if r.name == "app.requests"]
    call = next(r for r in lines if r.mcp["method"] == "tools/call")  # type: ignore[attr-defined]
    facts = call.mcp  # type: ignore[attr-defined]
    assert facts["tool"] == "kling_get_task" and facts["outcome"] == "tool_error"
    assert facts["era"] == "2026-07-28" and facts["upstream_status"] == [500, 500, 500]
    assert len(facts["upstream_trace_ids"]) == 3 and facts["token"] == fingerprint(TOKEN)
    rendered = JsonFormatter().format(call)
    assert json.loads(rendered)["mcp"]["duration_ms"] >= 0
    assert all(TOKEN not in JsonFormatter().format(r) for r in caplog.records)
