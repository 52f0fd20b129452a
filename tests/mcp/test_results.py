"""How tool outcomes reach the agent (app/mcp/results.py): one shape for success, one for any error."""

from __future__ import annotations

import json

import anyio
import pytest

from app.errors import InvalidTaskId
from app.kling.batch import StatusSummary
from app.mcp.results import ERROR_META_KEY, presenting_results
from tests.helpers import text_of


@presenting_results
async def ok() -> StatusSummary:
    return StatusSummary(total=1, pending=1)


@presenting_results
async def refused() -> StatusSummary:
    raise InvalidTaskId()


@presenting_results
async def crashes() -> StatusSummary:
    raise RuntimeError("a bug")


def test_success_is_compact_structured_content_and_the_same_text() -> None:
    result = anyio.run(ok)
    counts = {"total": 1, "pending": 1, "succeeded": 0, "failed": 0, "not_found": 0, "error": 0}
    assert not result.is_error and result.structured_content == counts
    assert text_of(result) == json.dumps(counts, separators=(",", ":"))


def test_any_tree_error_becomes_an_error_result_with_facts() -> None:
    result = anyio.run(refused)
    assert result.is_error and result.meta is not None
    assert result.meta[ERROR_META_KEY]["kind"] == "invalid_task_id"
    assert (
        text_of(result)
        == "task_id is blank. Next step: Pass the task_id string that the generation tool returned."
    )


def test_other_exceptions_are_not_hidden() -> None:
    with pytest.raises(RuntimeError):
        anyio.run(crashes)
