"""What a capability rule is: a named check, an ordered set of them, and the error a broken one raises.

A rule's check returns a `Violation` (what is wrong, and what would work instead) or None. A
`RuleSet` runs its rules in order, the order a person would fix them in, and raises
`RuleViolation` for the first one broken, under that rule's name. Rule names are stable: agents
and tests read them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from app.errors import RequestRefused

T = TypeVar("T", contravariant=True)


@dataclass(frozen=True)
class Violation:
    message: str
    alternatives: Sequence[str] = field(default_factory=tuple)


class RuleViolation(RequestRefused):
    """A capability rule failed; `rule` names it and `alternatives` say what would work."""

    kind = "invalid_request"

    def __init__(self, rule: str, reason: str, alternatives: Sequence[str] = ()) -> None:
        options = "; ".join(alternatives)
        super().__init__(
            f"Rejected before sending (no credits spent), rule {rule}: {reason}",
            next_step=f"Change the request and call again. Valid alternatives: {options}."
            if options
            else "Change the request and call again.",
            rule=rule,
            alternatives=list(alternatives),
        )
        self.rule = rule
        self.reason = reason
        self.alternatives = list(alternatives)

    def log_summary(self) -> str:
        return f"rule {self.rule}"


@dataclass(frozen=True)
class Rule(Generic[T]):
    name: str
    check: Callable[[T], Violation | None]


class RuleSet(Generic[T]):
    """Rules (or whole sets) checked in the order given."""

    def __init__(self, family: str, *members: Rule[T] | RuleSet[T]) -> None:
        self.family = family
        self.members = members

    def __iter__(self) -> Iterator[Rule[T]]:
        for member in self.members:
            if isinstance(member, RuleSet):
                yield from member
            else:
                yield member

    @property
    def names(self) -> set[str]:
        return {rule.name for rule in self}

    def enforce(self, subject: T) -> None:
        for rule in self:
            violation = rule.check(subject)
            if violation is not None:
                raise RuleViolation(rule.name, violation.message, violation.alternatives)
