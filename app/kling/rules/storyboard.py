"""Rules for multi-shot videos (storyboards): every video rule, then how shots and the prompt fit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from app.kling.phrases import PHRASES
from app.kling.rules.base import Rule, RuleSet, Violation
from app.kling.rules.video import VIDEO, VideoArgs


class ShotArgs(Protocol):
    @property
    def index(self) -> int: ...
    @property
    def duration(self) -> int: ...


class StoryboardArgs(VideoArgs, Protocol):
    @property
    def shot_type(self) -> str: ...
    @property
    def multi_prompt(self) -> Sequence[ShotArgs] | None: ...


def _intelligence_no_shots(req: StoryboardArgs) -> Violation | None:
    if req.shot_type == "intelligence" and req.multi_prompt:
        return Violation(
            "shot_type=intelligence splits the prompt by itself; multi_prompt "
            "is only for shot_type=customize.",
            ["shot_type=customize", "remove multi_prompt"],
        )
    return None


def _intelligence_needs_prompt(req: StoryboardArgs) -> Violation | None:
    if req.shot_type == "intelligence" and not (req.prompt or "").strip():
        return Violation(
            "shot_type=intelligence needs a prompt to split into shots.",
            ["add prompt", "shot_type=customize with multi_prompt"],
        )
    return None


def _customize_needs_shots(req: StoryboardArgs) -> Violation | None:
    if req.shot_type == "customize" and not req.multi_prompt:
        return Violation(
            f"shot_type=customize needs multi_prompt: 1-{PHRASES.shots_max} shots.",
            ["add multi_prompt", "shot_type=intelligence"],
        )
    return None


def _shot_indices(req: StoryboardArgs) -> Violation | None:
    shots = req.multi_prompt or []
    indices = [shot.index for shot in shots]
    if req.shot_type == "customize" and indices != list(range(1, len(shots) + 1)):
        return Violation(
            f"multi_prompt indices must run 1..{len(shots)} in order; got {indices}.",
            [f"index 1 to {len(shots)}"],
        )
    return None


def _shot_durations_sum(req: StoryboardArgs) -> Violation | None:
    total = sum(shot.duration for shot in req.multi_prompt or [])
    if req.shot_type == "customize" and total != req.duration:
        fits = PHRASES.duration_min <= total <= PHRASES.duration_max
        return Violation(
            f"The shot durations add up to {total} s but duration is {req.duration} s.",
            [
                f"duration={total}"
                if fits
                else f"shot durations adding up to {PHRASES.multi_shot_durations}",
                f"shot durations adding up to {req.duration}",
            ],
        )
    return None


STORYBOARD = RuleSet[StoryboardArgs](
    "storyboard",
    VIDEO,  # the schema's model enum already allows only multi-shot models
    Rule("intelligence_no_shots", _intelligence_no_shots),
    Rule("intelligence_needs_prompt", _intelligence_needs_prompt),
    Rule("customize_needs_shots", _customize_needs_shots),
    Rule("shot_indices", _shot_indices),
    Rule("shot_durations_sum", _shot_durations_sum),
)
