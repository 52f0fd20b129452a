"""The rule machinery (app/kling/rules/base.py): order, nesting, names and the error it raises."""

from __future__ import annotations

import pytest

from app.errors import RequestRefused
from app.kling.rules.base import Rule, RuleSet, RuleViolation, Violation


def never(_: int) -> Violation | None:
    return None


def odd(n: int) -> Violation | None:
    return Violation(f"{n} is odd", ["an even number"]) if n % 2 else None


def big(n: int) -> Violation | None:
    return Violation(f"{n} is over 10") if n > 10 else None


INNER = RuleSet[int]("inner", Rule("never", never), Rule("odd", odd))
OUTER = RuleSet[int]("outer", INNER, Rule("big", big))


def test_sets_flatten_in_order_and_name_their_rules() -> None:
    assert [rule.name for rule in OUTER] == ["never", "odd", "big"]
    assert OUTER.names == {"never", "odd", "big"}


def test_the_first_broken_rule_is_reported_under_its_name() -> None:
    OUTER.enforce(4)
    with pytest.raises(RuleViolation) as caught:
        OUTER.enforce(13)  # odd and big: odd comes first
    error = caught.value
    assert isinstance(error, RequestRefused) and error.kind == "invalid_request"
    assert (error.rule, error.reason, error.alternatives) == ("odd", "13 is odd", ["an even number"])
    assert error.describe() == (
        "Rejected before sending (no credits spent), rule odd: 13 is odd Next step: Change the request "
        "and call again. Valid alternatives: an even number."
    )
    assert error.details() == {
        "kind": "invalid_request",
        "message": "Rejected before sending (no credits spent), rule odd: 13 is odd",
        "next_step": "Change the request and call again. Valid alternatives: an even number.",
        "rule": "odd",
        "alternatives": ["an even number"],
    }


def test_a_violation_without_alternatives_still_says_what_to_do() -> None:
    with pytest.raises(RuleViolation) as caught:
        OUTER.enforce(12)
    assert caught.value.next_step == "Change the request and call again."
