"""Catalogue tools: the model table and the tool map, as structured data, straight from the code."""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from mcp.server.mcpserver import Context
from pydantic import Field

from app.kling.catalog import DEFAULTS, MODELS, ModeCaps, ModelSpec
from app.kling.status import Absent, CompactModel

# Features a model has whatever the mode; kling_list_models can filter on each.
FilterableFeature = Literal[
    "omni_references", "elements", "voices", "multi_shot", "extend", "talking_photo", "motion"
]
ModeFeature = Literal["end_frame", "audio", "camera_control"]
ModelFeature = Literal["negative_prompt", FilterableFeature]
# What the capability filter takes: a mode feature, 4k, or a model feature (the order is the schema's).
Capability = Literal["audio", "end_frame", "camera_control", "4k", FilterableFeature]


class ModelInfo(CompactModel):
    id: str
    summary: str
    modes: dict[str, list[ModeFeature]] = Field(description="Per mode, what it adds.")
    durations: list[int] = Field(description="Seconds.")
    five_second_only: list[str] | Absent = Field(default=None, description="Features only at 5 s.")
    features: list[ModelFeature]
    tools: list[str]


class ModelsResult(CompactModel):
    models: list[ModelInfo]
    defaults: dict[str, Any]


def _mode_features(caps: ModeCaps) -> list[ModeFeature]:
    flags: tuple[tuple[bool, ModeFeature], ...] = (
        (caps.end_frame, "end_frame"),
        (caps.audio, "audio"),
        (caps.camera, "camera_control"),
    )
    return [feature for flag, feature in flags if flag]


def model_info(spec: ModelSpec) -> ModelInfo:
    tools = list(spec.tools)
    for flag, tool in (
        (spec.extend, "kling_extend_video"),
        (spec.talking_photo, "kling_talking_photo"),
        (spec.motion, "kling_generate_motion"),
    ):
        if flag:
            tools.append(tool)
    features: list[ModelFeature] = [feature for feature in get_args(ModelFeature) if getattr(spec, feature)]
    return ModelInfo(
        id=spec.id,
        summary=spec.summary,
        modes={name: _mode_features(caps) for name, caps in spec.modes.items()},
        durations=list(spec.durations),
        five_second_only=sorted(spec.five_second_only) or None,
        features=features,
        tools=tools,
    )


def _has(info: ModelInfo, capability: Capability) -> bool:
    match capability:
        case "audio" | "end_frame" | "camera_control":
            return any(capability in features for features in info.modes.values())
        case "4k":
            return "4k" in info.modes
        case _:
            return capability in info.features


def models_result(capability: Capability | None = None) -> ModelsResult:
    infos = [model_info(spec) for spec in MODELS]
    if capability is not None:
        infos = [info for info in infos if _has(info, capability)]
    return ModelsResult(models=infos, defaults=DEFAULTS.as_format_args())


LIST_MODELS_DESCRIPTION = """\
The Kling model table: per model its modes and what each adds, durations, features and tools, plus \
every default.

Before choosing a model, or after a rejected combination; capability filters to one feature. Tools \
-> kling_list_actions. Read-only, free, local: the generation tools check against this table. \
{picks}\
"""


async def kling_list_models(
    ctx: Context[Any],
    capability: Annotated[Capability | None, Field(description="Only models with this feature.")] = None,
) -> ModelsResult:
    return models_result(capability)
