"""Faults queued through `POST /_sim/faults`, consumed by the next matching upstream requests."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Fault(BaseModel):
    kind: Literal["status", "malformed", "slow", "drip"] = Field(
        description="status: answer with an error status; malformed: 200 with a non-JSON body; "
        "slow: add delay_ms, then answer normally; drip: 200 whose body arrives a byte every delay_ms."
    )
    path: str | None = Field(default=None, description="Only requests to this path; None matches any.")
    match_id: str | None = Field(
        default=None,
        description="Only requests naming this task id (`id`, or one of `ids`); None matches any.",
    )
    count: int = Field(default=1, ge=1, description="How many matching requests this fault hits.")
    status: int = Field(default=500, ge=400, le=599)
    code: str | None = Field(default=None, description="Upstream error code in the body.")
    message: str = Field(default="simulated failure")
    shape: Literal["nested", "flat", "text"] = Field(
        default="nested", description='nested: {"error":{code,message}}; flat: {code,detail}; text: not JSON.'
    )
    retry_after: str | None = Field(default=None, description="Retry-After header value, for 429s.")
    delay_ms: float = Field(default=0.0, ge=0, le=600_000)


class FaultQueue:
    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        self._faults.append(fault.model_copy())

    def clear(self) -> None:
        self._faults.clear()

    def take(self, path: str, body: object) -> Fault | None:
        for fault in self._faults:
            if fault.path in (None, path) and (fault.match_id is None or fault.match_id in _task_ids(body)):
                fault.count -= 1
                if fault.count == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def pending(self) -> list[Fault]:
        return list(self._faults)


def _task_ids(body: object) -> list[str]:
    if not isinstance(body, dict):
        return []
    ids = body.get("ids")
    named = [body.get("id")] + (ids if isinstance(ids, list) else [])
    return [i for i in named if isinstance(i, str)]
