"""Simulator knobs (app/simulator/config.py): defaults, KLING_SIM_* variables, checked assignment."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from app.simulator.config import SimulatorConfig


@pytest.fixture(autouse=True)
def no_sim_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("KLING_SIM_")]:
        monkeypatch.delenv(name)


def test_defaults() -> None:
    config = SimulatorConfig()
    assert (config.latency_ms, config.task_seconds) == (0.0, 8.0)
    assert (config.fail_marker, config.blocked_marker) == ("[fail]", "[blocked]")
    assert config.pending_response == "absent"
    assert config.valid_tokens is None and config.used_up_tokens == []
    assert config.shuffle_batches is True


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLING_SIM_TASK_SECONDS", "0.5")
    monkeypatch.setenv("KLING_SIM_LATENCY_MS", "20")
    monkeypatch.setenv("KLING_SIM_PENDING_RESPONSE", "null")
    monkeypatch.setenv("KLING_SIM_VALID_TOKENS", '["tok-a", "tok-b"]')
    monkeypatch.setenv("KLING_SIM_SHUFFLE_BATCHES", "false")
    monkeypatch.setenv("KLING_SIM_NOT_A_KNOB", "ignored")
    config = SimulatorConfig()
    assert (config.task_seconds, config.latency_ms, config.pending_response) == (0.5, 20.0, "null")
    assert config.valid_tokens == ["tok-a", "tok-b"] and config.shuffle_batches is False


def test_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KLING_SIM_TASK_SECONDS", "30")
    assert SimulatorConfig(task_seconds=1).task_seconds == 1


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("KLING_SIM_TASK_SECONDS", "-1"),
        ("KLING_SIM_LATENCY_MS", "60001"),
        ("KLING_SIM_PENDING_RESPONSE", "none"),
    ],
)
def test_out_of_range_environment_is_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        SimulatorConfig()


def test_assignment_is_validated() -> None:
    config = SimulatorConfig()
    config.task_seconds = 2
    assert config.task_seconds == 2
    with pytest.raises(ValidationError):
        config.task_seconds = 3601
    assert config.task_seconds == 2
