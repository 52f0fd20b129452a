"""The one error tree (app/errors.py): every raised class has a distinct kind, says when it happens and
what to do, and turns into the same two shapes for the agent."""

from __future__ import annotations

import app.kling.rules  # noqa: F401 - the RuleViolation branch
import app.upstream.errors as upstream
from app.errors import KlingMcpError, RequestRefused, TooManyTaskIds, error_classes


def test_every_raised_class_has_a_distinct_kind_a_docstring_and_a_next_step() -> None:
    classes = error_classes()
    kinds = [cls.kind for cls in classes]
    assert len(kinds) == len(set(kinds))
    assert {"invalid_request", "auth_failed", "timeout_too_long", "cancelled"} <= set(kinds)
    assert all(cls.__doc__ and cls.next_step for cls in classes)
    assert all(issubclass(cls, KlingMcpError) for cls in classes)


def test_grouping_classes_are_not_listed() -> None:
    classes = error_classes()
    assert KlingMcpError not in classes and RequestRefused not in classes
    assert upstream.UpstreamError not in classes and upstream.UpstreamStatusError not in classes


def test_a_local_refusal_reads_as_one_paragraph_and_facts() -> None:
    error = TooManyTaskIds(1200, 1000)
    assert error.describe() == (
        "1200 distinct task_ids were given; the limit is 1000 per call. Next step: Split the list into "
        "calls of at most 1000 ids, or drop ids already terminal."
    )
    assert error.details()["kind"] == "too_many_task_ids" and error.details()["limit"] == 1000


def test_upstream_errors_are_part_of_the_tree() -> None:
    error = upstream.UpstreamRateLimited("slow down", path="/kling/videos", http_status=429, retry_after=3)
    assert isinstance(error, KlingMcpError) and error.retryable
    assert error.details()["retry_after_seconds"] == 3
    assert error.log_summary() == "rate_limited status=429 code=None trace_id=None"
