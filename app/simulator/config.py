"""Simulator knobs. Settable from `KLING_SIM_*` variables, CLI flags, or `PUT /_sim/config` at run time."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SimulatorConfig(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KLING_SIM_", extra="ignore", validate_assignment=True)

    latency_ms: float = Field(default=0.0, ge=0, le=60_000, description="Delay before every /kling/* answer.")
    task_seconds: float = Field(default=8.0, ge=0, le=3600, description="How long a submitted task runs.")
    fail_marker: str = Field(default="[fail]", description="A prompt containing this makes the task fail.")
    blocked_marker: str = Field(
        default="[blocked]", description="A prompt containing this gets 403 forbidden."
    )
    pending_response: Literal["absent", "null"] = Field(
        default="absent",
        description="How a running task's record shows it: no `response`, or `response: null`.",
    )
    valid_tokens: list[str] | None = Field(
        default=None, description="Tokens accepted; None accepts any non-empty token."
    )
    used_up_tokens: list[str] = Field(
        default_factory=list, description="Tokens whose balance is used up: submissions get 403 used_up."
    )
    shuffle_batches: bool = Field(default=True, description="Return retrieve_batch items in random order.")
