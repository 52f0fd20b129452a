"""The one list of tools this server exposes. Registration, the README table and the tests read it.

Adding a tool means writing it in its domain module and adding one `ToolSpec` line here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcp.types import ToolAnnotations

from app.settings import Settings
from app.tools import tasks


@dataclass(frozen=True)
class ToolSpec:
    name: str
    title: str
    domain: str
    handler: Callable[..., Any]
    description: str
    annotations: ToolAnnotations

    def describe(self, settings: Settings) -> str:
        """The description with this deployment's limits filled in (`{batch_max_ids}` and the like)."""
        return self.description.format(**settings.model_dump())

    @property
    def summary(self) -> str:
        """The first line of the description, for tables; it names no setting."""
        return self.description.split("\n", 1)[0]


def all_tools() -> list[ToolSpec]:
    return [
        # --- tasks: read-only status queries -------------------------------------------------
        ToolSpec(
            name="kling_get_task",
            title="Get Kling task status",
            domain="tasks",
            handler=tasks.kling_get_task,
            description=tasks.GET_TASK_DESCRIPTION,
            annotations=tasks.READ_ONLY,
        ),
        ToolSpec(
            name="kling_get_tasks_batch",
            title="Get many Kling task statuses",
            domain="tasks",
            handler=tasks.kling_get_tasks_batch,
            description=tasks.GET_TASKS_BATCH_DESCRIPTION,
            annotations=tasks.READ_ONLY,
        ),
    ]
