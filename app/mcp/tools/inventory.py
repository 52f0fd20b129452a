"""The one list of tools this server exposes. Registration, `kling_list_actions`, the README table
and the tests all read it; adding a tool is one `ToolSpec` here plus its handler in a domain module.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcp.server.mcpserver import Context
from mcp.types import ToolAnnotations
from pydantic import Field

from app.kling.catalog import DEFAULTS
from app.kling.phrases import PHRASES
from app.kling.status import Absent, CompactModel
from app.mcp.tools import catalogue, commerce, media, tasks, video
from app.settings import Settings

READ_ONLY = tasks.READ_ONLY
GENERATES = video.GENERATES
LOCAL_READ = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)


# What every generation tool does to the world and what to do next: said once, here.
PAID = (
    "Spends the caller's credits{cost} once upstream accepts; a retry bills again unless it reuses the "
    "idempotency_key; refused calls are free. Next: kling_wait_for_tasks with the task_id."
)


@dataclass(frozen=True)
class ToolSpec:
    name: str
    title: str
    domain: str
    handler: Callable[..., Any]
    description: str
    annotations: ToolAnnotations
    cost: str | None = None  # what a call costs, where upstream publishes a price
    # A long call: answered over SSE even in the 2025 era, for progress, pings and cancel-on-close.
    streams: bool = False
    # Takes base64 media in its arguments, so its calls may be larger than others (a separate body limit).
    takes_media: bool = False
    # Holds its call open for minutes at little CPU: admitted by the wait budget, not the call slots.
    waits: bool = False
    # Schema keywords set from this deployment's settings, per top-level argument (app/mcp/schema.py).
    settings_limits: Callable[[Settings], dict[str, dict[str, Any]]] | None = None

    def limits(self, settings: Settings) -> dict[str, dict[str, Any]]:
        return self.settings_limits(settings) if self.settings_limits else {}

    @property
    def spends_credits(self) -> bool:
        return self.annotations.read_only_hint is not True

    @property
    def shows_tasks(self) -> bool:
        """Its result is tasks (a submission or statuses), which the task board can show."""
        return self.spends_credits or self.domain == "tasks"

    def describe(self, settings: Settings) -> str:
        """The description with this deployment's limits and the defaults filled in; a tool that spends
        credits ends with the one paragraph every such tool shares."""
        text = self.description + (f"\n\n{PAID}" if self.spends_credits else "")
        cost = f" ({self.cost})" if self.cost else ""
        return text.format(
            **settings.model_dump(), **DEFAULTS.as_format_args(), **PHRASES.as_format_args(), cost=cost
        )

    @property
    def argument_names(self) -> frozenset[str]:
        """The tool's top-level arguments, as its schema lists them."""
        return frozenset(name for name in inspect.signature(self.handler).parameters if name != "ctx")

    @property
    def summary(self) -> str:
        """The first line of the description, for tables; it names no setting."""
        first = self.description.split("\n", 1)[0].replace("\\", "")
        return first.format(**DEFAULTS.as_format_args(), **PHRASES.as_format_args())


def strict_arguments() -> dict[str, frozenset[str]]:
    """The tools that refuse unknown top-level arguments (those that spend credits), with theirs."""
    return {spec.name: spec.argument_names for spec in all_tools() if spec.spends_credits}


def streaming_tools() -> frozenset[str]:
    return frozenset(spec.name for spec in all_tools() if spec.streams)


def media_tools() -> frozenset[str]:
    return frozenset(spec.name for spec in all_tools() if spec.takes_media)


def wait_tools() -> frozenset[str]:
    return frozenset(spec.name for spec in all_tools() if spec.waits)


def all_tools() -> list[ToolSpec]:
    return [
        # --- video generation ---------------------------------------------------------------
        ToolSpec(
            "kling_generate_video",
            "Generate a Kling video from text",
            "video",
            video.kling_generate_video,
            video.GENERATE_VIDEO_DESCRIPTION,
            GENERATES,
        ),
        ToolSpec(
            "kling_generate_video_from_image",
            "Animate an image with Kling",
            "video",
            video.kling_generate_video_from_image,
            video.GENERATE_FROM_IMAGE_DESCRIPTION,
            GENERATES,
        ),
        ToolSpec(
            "kling_extend_video",
            "Extend a Kling video",
            "video",
            video.kling_extend_video,
            video.EXTEND_DESCRIPTION,
            GENERATES,
        ),
        ToolSpec(
            "kling_generate_turbo_video",
            "Fast Kling video with sound",
            "video",
            video.kling_generate_turbo_video,
            video.TURBO_DESCRIPTION,
            GENERATES,
        ),
        ToolSpec(
            "kling_generate_storyboard",
            "Multi-shot Kling video",
            "video",
            video.kling_generate_storyboard,
            video.STORYBOARD_DESCRIPTION,
            GENERATES,
        ),
        ToolSpec(
            "kling_generate_with_assets",
            "Kling video with saved subjects or voices",
            "video",
            video.kling_generate_with_assets,
            video.ASSETS_DESCRIPTION,
            GENERATES,
            cost="voice videos 1.68 credits/s of output",
        ),
        # --- other media -------------------------------------------------------------------
        ToolSpec(
            "kling_generate_motion",
            "Transfer motion onto a character",
            "media",
            media.kling_generate_motion,
            media.MOTION_DESCRIPTION,
            GENERATES,
        ),
        ToolSpec(
            "kling_lip_sync",
            "Lip-sync a video",
            "media",
            media.kling_lip_sync,
            media.LIP_SYNC_DESCRIPTION,
            GENERATES,
            cost="2.45 credits per video",
            takes_media=True,
        ),
        ToolSpec(
            "kling_talking_photo",
            "Make a photo talk",
            "media",
            media.kling_talking_photo,
            media.TALKING_PHOTO_DESCRIPTION,
            GENERATES,
            cost="16.45 credits for 5 s, 30.45 for 10 s",
        ),
        # --- commerce ----------------------------------------------------------------------
        ToolSpec(
            "kling_goods_studio",
            "Product showcase video",
            "commerce",
            commerce.kling_goods_studio,
            commerce.GOODS_STUDIO_DESCRIPTION,
            GENERATES,
            cost="2.38 credits/s of output at 720p, 2.8 at 1080p",
        ),
        ToolSpec(
            "kling_video_commerce",
            "Talking presenter video for e-commerce",
            "commerce",
            commerce.kling_video_commerce,
            commerce.VIDEO_COMMERCE_DESCRIPTION,
            GENERATES,
            cost="credits/s of output: 1.4 at 720p, 1.68 at 1080p, 1.96 / 2.24 with a product",
        ),
        # --- tasks: read-only status queries ---------------------------------------------------
        ToolSpec(
            "kling_get_task",
            "Get Kling task status",
            "tasks",
            tasks.kling_get_task,
            tasks.GET_TASK_DESCRIPTION,
            READ_ONLY,
        ),
        ToolSpec(
            "kling_get_tasks_batch",
            "Get many Kling task statuses",
            "tasks",
            tasks.kling_get_tasks_batch,
            tasks.GET_TASKS_BATCH_DESCRIPTION,
            READ_ONLY,
            settings_limits=tasks.batch_limits,
        ),
        ToolSpec(
            "kling_wait_for_tasks",
            "Wait for Kling tasks to finish",
            "tasks",
            tasks.kling_wait_for_tasks,
            tasks.WAIT_FOR_TASKS_DESCRIPTION,
            READ_ONLY,
            streams=True,
            waits=True,
            settings_limits=tasks.wait_limits,
        ),
        # --- catalogue -----------------------------------------------------------------------
        ToolSpec(
            "kling_list_models",
            "List Kling models and capabilities",
            "catalogue",
            catalogue.kling_list_models,
            catalogue.LIST_MODELS_DESCRIPTION,
            LOCAL_READ,
        ),
        ToolSpec(
            "kling_list_actions",
            "List this server's tools",
            "catalogue",
            kling_list_actions,
            LIST_ACTIONS_DESCRIPTION,
            LOCAL_READ,
        ),
    ]


class ActionInfo(CompactModel):
    tool: str
    domain: str
    summary: str = Field(description="What the tool does.")
    spends_credits: bool
    cost: str | Absent = Field(default=None, description="Where upstream publishes a price.")


class ActionsResult(CompactModel):
    actions: list[ActionInfo]
    workflow: str


WORKFLOW = (
    "1. Pick a generation tool (kling_list_models helps choose a model); send an idempotency_key. "
    "2. It returns a task_id at once. 3. Call kling_wait_for_tasks with the task_ids: it waits on the "
    "server and returns when they finish (call again with open_task_ids if it times out). 4. Use "
    "video_url; pass video_id to kling_extend_video or kling_lip_sync."
)

LIST_ACTIONS_DESCRIPTION = """\
List this server's tools: what each does, whether it spends credits and what it costs, and the \
submit-then-wait workflow.

Use to pick a tool; for model capabilities -> kling_list_models. Read-only and free (no upstream \
call).\
"""


def actions_result() -> ActionsResult:
    return ActionsResult(
        actions=[
            ActionInfo(
                tool=s.name, domain=s.domain, summary=s.summary, spends_credits=s.spends_credits, cost=s.cost
            )
            for s in all_tools()
        ],
        workflow=WORKFLOW,
    )


async def kling_list_actions(ctx: Context[Any]) -> ActionsResult:
    return actions_result()
