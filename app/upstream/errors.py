"""Everything that can go wrong talking to the Kling API: the `UpstreamError` branch of the one error
tree (`app/errors.py`).

    UpstreamError
    ├── UpstreamTransportError          no usable HTTP response
    │   ├── UpstreamTimeout
    │   └── UpstreamConnectionError
    ├── UpstreamStatusError             HTTP status >= 400, with upstream code/message/trace_id
    │   ├── UpstreamAuthError           401, or 400 no_token / token_mismatched / disabled
    │   ├── UpstreamBalanceError        403 used_up
    │   ├── UpstreamModerationError     403 forbidden (and any other 403)
    │   ├── UpstreamRateLimited         429
    │   ├── UpstreamBadRequest          other 4xx
    │   └── UpstreamServerError         5xx
    └── UpstreamProtocolError           2xx whose body is not the documented JSON

Each class carries a stable `kind` and a `next_step` sentence telling an agent what to do, so the
tool layer can turn any of them into an actionable error without knowing the details; each
docstring says when it is raised (the README's Errors table is generated from them). Errors never
carry the caller's token.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from app.errors import KlingMcpError

__all__ = [
    "UpstreamAuthError",
    "UpstreamBadRequest",
    "UpstreamBalanceError",
    "UpstreamConnectionError",
    "UpstreamError",
    "UpstreamModerationError",
    "UpstreamProtocolError",
    "UpstreamRateLimited",
    "UpstreamServerError",
    "UpstreamStatusError",
    "UpstreamTimeout",
    "UpstreamTransportError",
    "error_from_response",
]

_MAX_BODY_EXCERPT = 200


class UpstreamError(KlingMcpError):
    """The Kling API call failed."""

    summary: ClassVar[str] = "The Kling API call failed"

    def __init__(
        self,
        message: str,
        *,
        path: str,
        http_status: int | None = None,
        code: str | None = None,
        trace_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.http_status = http_status
        self.code = code
        self.trace_id = trace_id

    def details(self) -> dict[str, Any]:
        """The machine-readable facts, for structured error output."""
        return {
            "kind": self.kind,
            "http_status": self.http_status,
            "code": self.code,
            "message": self.message,
            "trace_id": self.trace_id,
            "retryable": self.retryable,
            "next_step": self.next_step,
        }

    def describe(self) -> str:
        """One paragraph an agent can act on: what happened, the upstream facts, what to do."""
        facts = [f"HTTP {self.http_status}" if self.http_status else None]
        facts += [
            f"code {self.code}" if self.code else None,
            f"trace_id {self.trace_id}" if self.trace_id else None,
        ]
        shown = ", ".join(f for f in facts if f)
        head = f"{self.summary} ({shown})" if shown else self.summary
        return f"{head}: {self.message} Next step: {self.next_step}"

    def log_summary(self) -> str:
        return f"{self.kind} status={self.http_status} code={self.code} trace_id={self.trace_id}"


class UpstreamTransportError(UpstreamError):
    """No usable answer: the connection to the Kling API failed or broke."""

    kind = "upstream_unavailable"
    retryable = True
    summary = "Could not reach the Kling API"
    next_step = "This is temporary; retry the same call in about 30 seconds."


class UpstreamTimeout(UpstreamTransportError):
    """The Kling API did not answer completely within the read or submit timeout."""

    kind = "upstream_timeout"
    summary = "The Kling API did not answer in time"
    next_step = (
        "Retry in about 30 seconds. A submission that timed out may still have been accepted upstream: "
        "retry it with the same idempotency_key to get its task_id without a second charge (without "
        "one, a resubmission can create and bill a second task)."
    )


class UpstreamConnectionError(UpstreamTransportError):
    def __init__(self, message: str, *, never_sent: bool = False, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.never_sent = never_sent  # the TCP/TLS connection failed, so upstream saw nothing


class UpstreamStatusError(UpstreamError):
    """The Kling API answered with an HTTP error status."""

    summary = "The Kling API rejected the request"
    next_step = "Read the upstream message, fix the request and try again."


class UpstreamAuthError(UpstreamStatusError):
    """Upstream 401, or 400 `no_token` / `token_mismatched` / `disabled`: the token is not valid."""

    kind = "auth_failed"
    summary = "The Kling API did not accept the API token"
    next_step = (
        "Send a valid AceDataCloud API token as 'Authorization: Bearer <token>' on the MCP connection "
        "(tokens are at https://platform.acedata.cloud). Retrying with the same token will fail the same way."
    )


class UpstreamBalanceError(UpstreamStatusError):
    """Upstream 403 `used_up`: the account has no balance left."""

    kind = "balance_used_up"
    summary = "The AceDataCloud account has no balance left"
    next_step = (
        "Top up the account at https://platform.acedata.cloud, then retry. "
        "Task queries stay free and keep working."
    )


class UpstreamModerationError(UpstreamStatusError):
    """Upstream 403 `forbidden` (and any other 403): content moderation blocked the request."""

    kind = "content_blocked"
    summary = "Kling content moderation blocked the request"
    next_step = "Rephrase the prompt or use other media; the same input will be blocked again."


class UpstreamRateLimited(UpstreamStatusError):
    """Upstream 429; its `Retry-After` is honoured, within a cap."""

    kind = "rate_limited"
    retryable = True
    summary = "The Kling API rate limit was hit"
    next_step = "Wait the suggested time (or about 30 seconds) and retry; send fewer calls at once."

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after

    def details(self) -> dict[str, Any]:
        return {**super().details(), "retry_after_seconds": self.retry_after}


class UpstreamBadRequest(UpstreamStatusError):
    """Upstream 400, 404 or another 4xx: the parameters were refused."""

    kind = "bad_request"
    summary = "The Kling API rejected the parameters"
    next_step = "Correct the parameters named in the message and call again."


class UpstreamServerError(UpstreamStatusError):
    """Upstream 5xx."""

    kind = "upstream_failure"
    retryable = True
    summary = "The Kling API failed on its side"
    next_step = "This is usually temporary; retry in about 30 seconds, and quote the trace_id if it persists."


class UpstreamProtocolError(UpstreamError):
    """A 2xx answer whose body is not the documented JSON object."""

    kind = "upstream_malformed"
    retryable = True
    summary = "The Kling API sent a response this server cannot read"
    next_step = "Retry in about 30 seconds; quote the trace_id if it persists."


_AUTH_CODES_ON_400 = {"no_token", "token_mismatched", "disabled", "invalid_token", "token_expired"}


def _parse_error_body(raw: bytes) -> tuple[str | None, str | None, str | None]:
    """Return (code, message, trace_id) from any documented error shape, or none of them.

    Shapes: `{"error": {"code", "message"}, "trace_id"}`, flat `{"code", "detail"}`, and bodies
    that are not JSON at all (proxies, gateways).
    """
    try:
        body = json.loads(raw)
    except ValueError:
        text = raw.decode("utf-8", "replace").strip()
        return None, (text[:_MAX_BODY_EXCERPT] or None), None
    if not isinstance(body, dict):
        return None, None, None
    trace_id = body.get("trace_id")
    nested = body.get("error")
    code: Any = None
    message: Any = None
    if isinstance(nested, dict):
        code, message = nested.get("code"), nested.get("message")
    elif isinstance(nested, str):
        message = nested
    code = code or body.get("code")
    message = message or body.get("detail") or body.get("message")
    if isinstance(message, list | dict):
        message = json.dumps(message)[:_MAX_BODY_EXCERPT]
    return (
        str(code) if code else None,
        str(message)[: _MAX_BODY_EXCERPT * 5] if message else None,
        str(trace_id) if trace_id else None,
    )


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None  # an HTTP date: rare upstream; the backoff schedule applies instead
    return seconds if seconds >= 0 else None


def error_from_response(
    status: int, raw: bytes, *, path: str, retry_after: str | None = None
) -> UpstreamStatusError:
    """Classify an HTTP error response by status first, then by upstream code."""
    code, message, trace_id = _parse_error_body(raw)
    text = message or f"HTTP {status} with no message"
    kwargs: dict[str, Any] = {"path": path, "http_status": status, "code": code, "trace_id": trace_id}
    if status == 401 or (status == 400 and code in _AUTH_CODES_ON_400):
        return UpstreamAuthError(text, **kwargs)
    if status == 403:
        if code == "used_up":
            return UpstreamBalanceError(text, **kwargs)
        return UpstreamModerationError(text, **kwargs)
    if status == 429:
        return UpstreamRateLimited(text, retry_after=_retry_after(retry_after), **kwargs)
    if status >= 500:
        return UpstreamServerError(text, **kwargs)
    return UpstreamBadRequest(text, **kwargs)
