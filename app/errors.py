"""Every failure a tool reports, as one exception tree.

    KlingMcpError                   kind, message, next_step; details() and describe() for the agent
    ├── RequestRefused              refused here before any upstream call: nothing sent, nothing spent
    │   ├── AuthMissing
    │   ├── InvalidTaskId
    │   ├── InvalidTaskIds
    │   ├── TooManyTaskIds
    │   ├── TooManyRawRecords
    │   ├── TimeoutTooLong
    │   ├── UnknownArguments
    │   ├── IdempotencyConflict
    │   ├── IdempotencyInProgress
    │   └── RuleViolation           a capability rule (app/kling/rules/base.py)
    ├── Cancelled
    └── UpstreamError               the Kling API call failed (app/upstream/errors.py has its subtree)

A class with a `kind` is one the server raises; its docstring says when, and the README's Errors
table is generated from these (`scripts/gen_docs.py`). The tool layer catches `KlingMcpError`
once (`app/mcp/results.py`) and shows `describe()` to the agent and `details()` under `_meta`.
Errors never carry the caller's token.
"""

from __future__ import annotations

import difflib
from typing import Any, ClassVar


class KlingMcpError(Exception):
    """Any failure a tool reports as an error result."""

    kind: ClassVar[str] = ""  # empty on grouping classes, which are never raised themselves
    retryable: ClassVar[bool] = False  # whether the server retries it on reads (upstream errors only)
    next_step: str = "Try again later."

    def __init__(self, message: str, *, next_step: str | None = None, **facts: Any) -> None:
        super().__init__(message)
        self.message = message
        if next_step is not None:
            self.next_step = next_step
        self.facts = facts

    def details(self) -> dict[str, Any]:
        """The machine-readable facts, for `_meta["kling-mcp/error"]`."""
        return {"kind": self.kind, "message": self.message, "next_step": self.next_step, **self.facts}

    def describe(self) -> str:
        """One paragraph an agent can act on, ending in what to do."""
        return f"{self.message} Next step: {self.next_step}"

    def log_summary(self) -> str:
        """What the tool's log line says about this failure: never the caller's input."""
        return self.kind


class RequestRefused(KlingMcpError):
    """Refused by this server before any upstream call: nothing was sent and nothing spent."""


class AuthMissing(RequestRefused):
    """No API token came with the call (stdio mode without ACEDATACLOUD_API_TOKEN)."""

    kind = "auth_missing"
    next_step = "Send 'Authorization: Bearer <token>' (HTTP) or set ACEDATACLOUD_API_TOKEN (stdio)."

    def __init__(self) -> None:
        super().__init__("No AceDataCloud API token came with this call.")


class InvalidTaskId(RequestRefused):
    """`task_id` is blank."""

    kind = "invalid_task_id"
    next_step = "Pass the task_id string that the generation tool returned."

    def __init__(self) -> None:
        super().__init__("task_id is blank.")


class InvalidTaskIds(RequestRefused):
    """Some of `task_ids` are blank; the error lists their positions."""

    kind = "invalid_task_ids"
    next_step = "Remove the blank entries and call again with the task_id strings the tools returned."
    POSITIONS_SHOWN: ClassVar[int] = 10

    def __init__(self, positions: list[int]) -> None:
        shown = ", ".join(str(i) for i in positions[: self.POSITIONS_SHOWN])
        shown += ", ..." if len(positions) > self.POSITIONS_SHOWN else ""
        super().__init__(f"{len(positions)} of the task_ids are blank (positions {shown}).")


class TooManyTaskIds(RequestRefused):
    """More distinct task ids than `KLING_MCP_BATCH_MAX_IDS` in one call."""

    kind = "too_many_task_ids"

    def __init__(self, count: int, limit: int) -> None:
        super().__init__(
            f"{count} distinct task_ids were given; the limit is {limit} per call.",
            next_step=f"Split the list into calls of at most {limit} ids, or drop ids already terminal.",
            limit=limit,
        )


class TooManyRawRecords(RequestRefused):
    """`include_raw` with more ids than `KLING_MCP_BATCH_RAW_MAX_IDS`."""

    kind = "too_many_raw_records"
    next_step = "Call again without include_raw (statuses need no raw records), or with fewer ids."

    def __init__(self, count: int, limit: int) -> None:
        super().__init__(
            f"include_raw is limited to {limit} distinct task_ids per call; {count} were given.", limit=limit
        )


class TimeoutTooLong(RequestRefused):
    """A wait's `timeout_seconds` is over `KLING_MCP_WAIT_MAX_TIMEOUT_SECONDS`."""

    kind = "timeout_too_long"

    def __init__(self, timeout: int, limit: int) -> None:
        super().__init__(
            f"timeout_seconds={timeout} is over this server's limit of {limit} s.",
            next_step=f"Use timeout_seconds of at most {limit} and call again "
            "with open_task_ids if it runs out.",
            limit=limit,
        )


class UnknownArguments(RequestRefused):
    """A generation tool got top-level arguments it does not have (a misspelt name, say)."""

    kind = "unknown_argument"

    def __init__(self, tool: str, unknown: list[str], valid: list[str]) -> None:
        guesses = {name: difflib.get_close_matches(name, valid, n=1) for name in unknown}
        named = "; ".join(
            f"{name!r} (did you mean {guess[0]!r}?)" if guess else repr(name)
            for name, guess in guesses.items()
        )
        super().__init__(
            f"{tool} has no argument {named}; nothing was sent and nothing spent.",
            next_step=f"Call again with only these arguments: {', '.join(valid)}.",
            unknown=unknown,
            suggestions={name: guess[0] for name, guess in guesses.items() if guess},
        )


class IdempotencyConflict(RequestRefused):
    """An idempotency_key already used, within its TTL, for a request with other arguments."""

    kind = "idempotency_conflict"
    next_step = (
        "Use a new idempotency_key for a new request; to get the first request's task_id, send its "
        "arguments unchanged with this key."
    )

    def __init__(self) -> None:
        super().__init__(
            "This idempotency_key was already used for a request with different arguments; "
            "nothing was sent and nothing spent."
        )


class IdempotencyInProgress(RequestRefused):
    """The first call with this idempotency_key was still being submitted after the wait."""

    kind = "idempotency_in_progress"
    next_step = "Call again with the same idempotency_key in a few seconds to get that call's task_id."

    def __init__(self) -> None:
        super().__init__(
            "The first call with this idempotency_key is still being submitted; nothing was sent."
        )


class Cancelled(KlingMcpError):
    """A 2025-era client's cancel frame stopped a wait; polling has stopped."""

    kind = "cancelled"
    next_step = "Nothing to do; polling has stopped."

    def __init__(self) -> None:
        super().__init__("The wait was cancelled by the caller.")


def error_classes() -> list[type[KlingMcpError]]:
    """Every class of the tree that the server raises, parents before children.

    Subclasses are found where they are defined, so the modules that hold them must be imported
    first; the docs generator and the tests import the upstream errors and the rules for that.
    """
    found: list[type[KlingMcpError]] = []

    def walk(cls: type[KlingMcpError]) -> None:
        if "kind" in vars(cls) and cls.kind:
            found.append(cls)
        for sub in cls.__subclasses__():
            walk(sub)

    walk(KlingMcpError)
    return found
