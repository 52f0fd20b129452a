"""The capability rules, checked before any upstream call so no credit is spent on a doomed request.

One module per family of requests; each exports the `RuleSet`s its tools enforce. `RULE_SETS` is
the registry: the tests check that every named rule has a case that breaks it.
"""

from __future__ import annotations

from typing import Any

from app.kling.rules.base import Rule, RuleSet, RuleViolation, Violation
from app.kling.rules.commerce import GOODS_STUDIO, VIDEO_COMMERCE
from app.kling.rules.lip_sync import LIP_SYNC
from app.kling.rules.storyboard import STORYBOARD
from app.kling.rules.video import ASSETS, VIDEO

__all__ = [
    "ASSETS",
    "GOODS_STUDIO",
    "LIP_SYNC",
    "RULE_SETS",
    "STORYBOARD",
    "VIDEO",
    "VIDEO_COMMERCE",
    "Rule",
    "RuleSet",
    "RuleViolation",
    "Violation",
    "rule_names",
]

RULE_SETS: tuple[RuleSet[Any], ...] = (VIDEO, ASSETS, STORYBOARD, LIP_SYNC, GOODS_STUDIO, VIDEO_COMMERCE)


def rule_names() -> set[str]:
    """Every rule name any tool can report."""
    return {name for rule_set in RULE_SETS for name in rule_set.names}
