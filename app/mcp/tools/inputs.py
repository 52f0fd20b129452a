"""Input types shared by the generation tools: URLs, camera control, Omni references, assets.

Every upstream enum is a `Literal`, every range a bound, so the schema an agent reads states what
the tool enforces. Objects forbid unknown fields: a misspelt key is an error, not silently dropped.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from app.kling.catalog import DEFAULTS, PROMPT_MAX
from app.kling.phrases import PHRASES

URL_MAX = 2048
ID_MAX = 128  # platform ids (videos, voices, avatars, elements) are far shorter; this bounds junk

HttpUrl = Annotated[
    str,
    Field(pattern=r"^https?://[^\s]+$", max_length=URL_MAX, description="An http(s) URL upstream can fetch."),
]
Prompt = Annotated[str, Field(min_length=1, max_length=PROMPT_MAX)]
CallbackUrl = Annotated[
    HttpUrl | None,
    Field(description="Optional: upstream POSTs the finished result here. Polling works either way."),
]


class StrictInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


IdempotencyKey = Annotated[
    str | None,
    Field(
        min_length=1,
        max_length=255,
        description="Recommended: a unique string (e.g. a UUID) for this generation. If the call times "
        "out or the connection drops, call again with the same key: you get the first call's task_id "
        "back and pay once.",
    ),
]
SERVER_FIELDS = frozenset({"idempotency_key"})  # read by this server, never sent upstream


class Idempotent(StrictInput):
    """The input of a tool that spends credits: it may carry an idempotency key."""

    idempotency_key: IdempotencyKey = None


class Dumpable(Protocol):
    """An input model, as far as building an upstream body goes."""

    def model_dump(self, *, exclude_none: bool = ..., exclude: Any = ...) -> dict[str, Any]: ...


def upstream_fields(args: Dumpable) -> dict[str, Any]:
    """What the caller set, for the upstream body: unset fields left out, never sent as null."""
    return args.model_dump(exclude_none=True, exclude=SERVER_FIELDS)


Axis = Annotated[float, Field(ge=-1, le=1)]


class CameraConfig(StrictInput):
    horizontal: Axis | None = None
    vertical: Axis | None = None
    pan: Axis | None = None
    tilt: Axis | None = None
    roll: Axis | None = None
    zoom: Axis | None = None


class CameraControl(StrictInput):
    type: Literal["simple", "down_back", "forward_up", "left_turn_forward", "right_turn_forward"] = Field(
        description="simple uses config; the others are preset moves and take no config."
    )
    config: CameraConfig | None = Field(default=None, description="For type=simple: each axis from -1 to 1.")


class ImageReference(StrictInput):
    image_url: HttpUrl = Field(description="jpg/jpeg/png, at most 10 MB, short side at least 300 px.")
    type: Literal["first_frame", "end_frame"] | None = Field(
        default=None, description="Make this image the first or end frame; leave out for a reference to cite."
    )


class VideoReference(StrictInput):
    video_url: HttpUrl = Field(
        description=f"MP4/MOV, at most 200 MB, 24-60 fps, {PHRASES.reference_video_seconds}."
    )
    refer_type: Literal["base", "feature"] = Field(
        default=DEFAULTS.refer_type,
        description="base: edit this video (no frames allowed). feature: use it for style or camera, "
        "or continue it.",
    )
    keep_original_sound: Literal["yes", "no"] | None = Field(
        default=None, description="Keep the video's sound."
    )


class ElementReference(StrictInput):
    element_id: str = Field(min_length=1, max_length=ID_MAX, description="A platform element (subject) id.")


class VoiceReference(StrictInput):
    voice_id: str = Field(min_length=1, max_length=ID_MAX, description="A platform voice id.")
