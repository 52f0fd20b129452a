"""Error mapping: every documented status, code and body shape lands in the right class with its facts."""

from __future__ import annotations

import json

import pytest

from app.upstream import errors as e


def nested(code: str, message: str = "msg") -> bytes:
    return json.dumps({"error": {"code": code, "message": message}, "trace_id": "tr-1"}).encode()


@pytest.mark.parametrize(
    ("status", "body", "cls", "code"),
    [
        (400, nested("bad_request", "model is invalid."), e.UpstreamBadRequest, "bad_request"),
        (400, nested("no_token"), e.UpstreamAuthError, "no_token"),
        (400, nested("token_mismatched"), e.UpstreamAuthError, "token_mismatched"),
        (400, nested("disabled"), e.UpstreamAuthError, "disabled"),
        (400, nested("api_not_implemented"), e.UpstreamBadRequest, "api_not_implemented"),
        (401, nested("invalid_token"), e.UpstreamAuthError, "invalid_token"),
        (401, nested("token_expired"), e.UpstreamAuthError, "token_expired"),
        (401, b'{"code": "authorization_missing"}', e.UpstreamAuthError, "authorization_missing"),
        (403, nested("used_up", "balance not sufficient"), e.UpstreamBalanceError, "used_up"),
        (403, nested("forbidden"), e.UpstreamModerationError, "forbidden"),
        (404, nested("no_api"), e.UpstreamBadRequest, "no_api"),
        (429, nested("too_many_requests"), e.UpstreamRateLimited, "too_many_requests"),
        (500, nested("api_error", "fetch failed"), e.UpstreamServerError, "api_error"),
        (502, b"", e.UpstreamServerError, None),
        (503, b"<html>Service Unavailable</html>", e.UpstreamServerError, None),
    ],
)
def test_status_and_code_pick_the_class(
    status: int, body: bytes, cls: type[e.UpstreamError], code: str | None
) -> None:
    err = e.error_from_response(status, body, path="/kling/videos")
    assert type(err) is cls
    assert err.http_status == status and err.code == code


def test_nested_shape_keeps_message_and_trace_id() -> None:
    err = e.error_from_response(500, nested("api_error", "fetch failed"), path="/kling/tasks")
    assert (err.message, err.trace_id) == ("fetch failed", "tr-1")
    text = err.describe()
    for fact in ("HTTP 500", "api_error", "tr-1", "fetch failed", "Next step:"):
        assert fact in text


def test_flat_shape_reads_code_and_detail() -> None:
    body = b'{"code": "bad_request", "detail": "one of video_id or video_url is required"}'
    err = e.error_from_response(400, body, path="/kling/lip-sync")
    assert (err.code, err.message) == ("bad_request", "one of video_id or video_url is required")


def test_non_json_body_becomes_a_bounded_message() -> None:
    err = e.error_from_response(502, b"<html>" + b"x" * 5000 + b"</html>", path="/kling/tasks")
    assert err.message.startswith("<html>") and len(err.message) <= 200


@pytest.mark.parametrize("body", [b"[1, 2]", b'"oops"', b"null", b"{}"])
def test_odd_json_bodies_still_classify(body: bytes) -> None:
    err = e.error_from_response(400, body, path="/kling/tasks")
    assert isinstance(err, e.UpstreamBadRequest) and err.message == "HTTP 400 with no message"


def test_retry_after_seconds_are_kept_and_dates_ignored() -> None:
    limited = e.error_from_response(429, nested("too_many_requests"), path="/p", retry_after="3")
    assert isinstance(limited, e.UpstreamRateLimited) and limited.retry_after == 3.0
    dated = e.error_from_response(429, b"", path="/p", retry_after="Wed, 21 Oct 2026 07:28:00 GMT")
    assert isinstance(dated, e.UpstreamRateLimited) and dated.retry_after is None


def test_kinds_are_distinct_and_messages_say_what_to_do() -> None:
    classes = [
        e.UpstreamAuthError,
        e.UpstreamBalanceError,
        e.UpstreamModerationError,
        e.UpstreamRateLimited,
        e.UpstreamBadRequest,
        e.UpstreamServerError,
        e.UpstreamTimeout,
        e.UpstreamConnectionError,
        e.UpstreamProtocolError,
    ]
    kinds = [c.kind for c in classes if c is not e.UpstreamConnectionError]
    assert len(set(kinds)) == len(kinds)
    assert all(c.next_step and c.summary for c in classes)


def test_retryable_only_for_transient_failures() -> None:
    assert {
        c.__name__
        for c in (
            e.UpstreamRateLimited,
            e.UpstreamServerError,
            e.UpstreamTimeout,
            e.UpstreamConnectionError,
            e.UpstreamProtocolError,
        )
        if c.retryable
    } == {
        "UpstreamRateLimited",
        "UpstreamServerError",
        "UpstreamTimeout",
        "UpstreamConnectionError",
        "UpstreamProtocolError",
    }
    assert not any(
        c.retryable
        for c in (
            e.UpstreamAuthError,
            e.UpstreamBalanceError,
            e.UpstreamModerationError,
            e.UpstreamBadRequest,
        )
    )


def test_details_never_include_a_token_field() -> None:
    err = e.error_from_response(401, nested("invalid_token"), path="/kling/tasks")
    assert set(err.details()) == {
        "kind",
        "http_status",
        "code",
        "message",
        "trace_id",
        "retryable",
        "next_step",
    }
