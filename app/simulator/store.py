"""Simulated tasks: who owns each, when it finishes, and how it ends; records are built on read."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

Outcome = Literal["succeed", "failed"]

CDN = "https://platform2.cdn.acedata.cloud/kling"


@dataclass
class SimTask:
    id: str
    owner: str  # the bearer token that created it; other tokens cannot see it
    type: str
    request: dict[str, Any]
    created_at: float
    finish_at: float
    outcome: Outcome
    error_code: str = "generation_failed"
    error_message: str = "The video could not be generated."
    video_id: str = field(default_factory=lambda: str(uuid.uuid4().int)[:18])
    fixed_record: dict[str, Any] | None = None  # a seeded record returned as is
    trace_id: str = ""  # derived from the id once; computing it per read was most of a batch's cost
    # A finished task's record never changes, so it is built once: a 1,000-id batch reads 1,000 of them.
    _finished_record: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.trace_id = self.trace_id or str(uuid.uuid5(uuid.NAMESPACE_URL, self.id))

    def response_body(self) -> dict[str, Any]:
        """The submit-style body: what a synchronous call or a callback would carry."""
        if self.outcome == "failed":
            return {
                "success": False,
                "task_id": self.id,
                "state": "failed",
                "error": {"code": self.error_code, "message": self.error_message},
            }
        if self.type in ("goods-studio", "video-commerce"):
            links = [{"video_url": f"{CDN}/{self.id}.mp4"}]
            if self.request.get("watermark"):
                links.append({"video_url": f"{CDN}/{self.id}-watermarked.mp4"})
            return {
                "success": True,
                "task_id": self.id,
                "state": "succeed",
                "data": links,
                "usage": {"duration": 15.0},
            }
        body: dict[str, Any] = {
            "success": True,
            "task_id": self.id,
            "video_id": self.video_id,
            "video_url": f"{CDN}/{self.id}.mp4",
            "duration": "5.041" if self.type != "talking-photo" else 5.04,
            "state": "succeed",
        }
        if self.type == "talking-photo":
            body["source_video_url"] = f"{CDN}/{self.id}-source.mp4"
        return body

    def record(self, now: float, *, pending_response: Literal["absent", "null"]) -> dict[str, Any]:
        if self.fixed_record is not None:
            return self.fixed_record
        if self._finished_record is not None:
            return self._finished_record
        record: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "created_at": self.created_at,
            "started_at": self.created_at + 0.05,
            "trace_id": self.trace_id,
            "request": self.request,
        }
        if now < self.finish_at:
            if pending_response == "null":
                record["response"] = None
            return record
        record["finished_at"] = self.finish_at
        record["elapsed"] = round(self.finish_at - self.created_at, 3)
        record["response"] = self.response_body()
        self._finished_record = record
        return record


class TaskStore:
    def __init__(self) -> None:
        self._tasks: dict[str, SimTask] = {}

    def __len__(self) -> int:
        return len(self._tasks)

    def create(
        self, *, owner: str, type: str, request: dict[str, Any], run_seconds: float, outcome: Outcome
    ) -> SimTask:
        now = time.time()
        task = SimTask(
            id=str(uuid.uuid4()),
            owner=owner,
            type=type,
            request=request,
            created_at=now,
            finish_at=now + run_seconds,
            outcome=outcome,
        )
        self._tasks[task.id] = task
        return task

    def seed(self, owner: str, task_id: str, record: dict[str, Any]) -> None:
        """Store a literal record (any shape, for edge cases) under an id."""
        now = time.time()
        self._tasks[task_id] = SimTask(
            id=task_id,
            owner=owner,
            type="videos",
            request={},
            created_at=now,
            finish_at=now,
            outcome="succeed",
            fixed_record=record,
        )

    def get(self, owner: str, task_id: str) -> SimTask | None:
        task = self._tasks.get(task_id)
        return task if task is not None and task.owner == owner else None

    def clear(self) -> None:
        self._tasks.clear()
