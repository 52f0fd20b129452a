"""Catalogue tools: the model table and the tool map, as structured data, straight from the code."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import Field

from app.kling.catalog import DEFAULTS, MODELS, ModelSpec
from app.kling.status import CompactModel

Capability = Literal[
    "audio",
    "end_frame",
    "camera_control",
    "4k",
    "omni_references",
    "elements",
    "voices",
    "multi_shot",
    "extend",
    "talking_photo",
    "motion",
]


class ModeInfo(CompactModel):
    mode: str
    end_frame: bool
    audio: bool
    camera_control: bool


class ModelInfo(CompactModel):
    id: str
    summary: str
    modes: list[ModeInfo] = Field(description="What each mode can do.")
    durations: list[int] = Field(description="Allowed durations in seconds.")
    five_second_only: list[str] = Field(description="Features this model allows only at 5 s.")
    negative_prompt: bool = Field(description="Takes negative_prompt and cfg_scale.")
    omni_references: bool = Field(description="Takes image_list / video_list references.")
    elements: bool
    voices: bool
    multi_shot: bool
    extend: bool
    talking_photo: bool
    motion: bool
    tools: list[str] = Field(description="The tools that can use this model.")


class ModelsResult(CompactModel):
    models: list[ModelInfo]
    defaults: dict[str, Any] = Field(description="Every default the tools apply.")


def model_info(spec: ModelSpec) -> ModelInfo:
    tools = list(spec.tools)
    for flag, tool in (
        (spec.extend, "kling_extend_video"),
        (spec.talking_photo, "kling_talking_photo"),
        (spec.motion, "kling_generate_motion"),
    ):
        if flag:
            tools.append(tool)
    return ModelInfo(
        id=spec.id,
        summary=spec.summary,
        modes=[
            ModeInfo(mode=name, end_frame=c.end_frame, audio=c.audio, camera_control=c.camera)
            for name, c in spec.modes.items()
        ],
        durations=list(spec.durations),
        five_second_only=sorted(spec.five_second_only),
        negative_prompt=spec.negative_prompt,
        omni_references=spec.omni_references,
        elements=spec.elements,
        voices=spec.voices,
        multi_shot=spec.multi_shot,
        extend=spec.extend,
        talking_photo=spec.talking_photo,
        motion=spec.motion,
        tools=tools,
    )


def _has(info: ModelInfo, capability: Capability) -> bool:
    modes = info.modes
    match capability:
        case "audio":
            return any(m.audio for m in modes)
        case "end_frame":
            return any(m.end_frame for m in modes)
        case "camera_control":
            return any(m.camera_control for m in modes)
        case "4k":
            return any(m.mode == "4k" for m in modes)
        case _:
            return bool(getattr(info, capability))


def models_result(capability: Capability | None = None) -> ModelsResult:
    infos = [model_info(spec) for spec in MODELS]
    if capability is not None:
        infos = [info for info in infos if _has(info, capability)]
    return ModelsResult(models=infos, defaults=DEFAULTS.as_format_args())


LIST_MODELS_DESCRIPTION = """\
List the Kling models and what each can do (modes, durations, audio, end frame, camera control, \
4K, Omni references, subjects, voices, multi-shot, extend), plus every default the tools apply.

Use it before choosing a model or when a generation tool rejected a combination; filter with \
capability to get only the models that support one feature. For what each tool does, use \
kling_list_actions. Read-only and free: no upstream call, \
no credits. The same table drives the checks the generation tools run, so what it says is what \
they accept. Default model: {default_model}.\
"""


async def kling_list_models(
    ctx: Context[Any],
    capability: Annotated[
        Capability | None, Field(description="Only models that support this feature.")
    ] = None,
) -> ModelsResult:
    return models_result(capability)
