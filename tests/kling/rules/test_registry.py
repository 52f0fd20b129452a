"""The rule registry (app/kling/rules/__init__.py): every named rule has a case that breaks it."""

from __future__ import annotations

from app.kling.rules import RULE_SETS, rule_names
from tests.kling.rules.cases import CASES


def test_every_named_rule_has_a_rejected_case() -> None:
    assert rule_names() - {c.rule for c in CASES} == set()


def test_every_case_names_a_known_rule() -> None:
    named = {c.rule for c in CASES if c.rule is not None and not c.schema}
    assert named <= rule_names()


def test_case_ids_are_unique() -> None:
    assert len({c.id for c in CASES}) == len(CASES)


def test_families_are_named_once() -> None:
    families = [rule_set.family for rule_set in RULE_SETS]
    assert len(families) == len(set(families))
