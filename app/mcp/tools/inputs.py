"""Input types shared by the generation tools: URLs, camera control, Omni references, assets.

Every upstream enum is a `Literal`, every range a bound, so the schema an agent reads states what
the tool enforces. Objects forbid unknown fields: a misspelt key is an error, not silently dropped.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Protocol

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.kling.catalog import DEFAULTS, PROMPT_MAX
from app.kling.phrases import PHRASES

URL_MAX = 2048
ID_MAX = 128  # platform ids (videos, voices, avatars, elements) are far shorter; this bounds junk


def _url_length(url: str) -> str:
    if len(url) > URL_MAX:
        raise ValueError(f"URL longer than {URL_MAX} characters")
    return url


# The length bound is checked but not published: no agent sends a 2 KB URL, and 30 URL fields would
# repeat it in tools/list.
HttpUrl = Annotated[str, Field(pattern=r"^https?://\S+$"), AfterValidator(_url_length)]
Prompt = Annotated[str, Field(min_length=1, max_length=PROMPT_MAX)]
CallbackUrl = HttpUrl | None  # upstream also POSTs the result there; the name says as much


class StrictInput(BaseModel):
    model_config = ConfigDict(extra="forbid")


IdempotencyKey = Annotated[
    str | None,
    Field(
        min_length=1,
        max_length=255,
        description="A new UUID per generation.",
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
        description="simple uses config; the others are preset moves."
    )
    config: CameraConfig | None = None


class ImageReference(StrictInput):
    image_url: HttpUrl = Field(description="jpg/png, up to 10 MB, short side 300+ px.")
    type: Literal["first_frame", "end_frame"] | None = Field(
        default=None, description="Use as a frame; leave out to cite it."
    )


class VideoReference(StrictInput):
    video_url: HttpUrl = Field(description=f"mp4/mov, up to 200 MB, {PHRASES.reference_video_seconds}.")
    refer_type: Literal["base", "feature"] = Field(
        default=DEFAULTS.refer_type,
        description="base: edit it (no frames). feature: style, camera, or continue.",
    )
    keep_original_sound: Literal["yes", "no"] | None = None


class ElementReference(StrictInput):
    element_id: str = Field(min_length=1, max_length=ID_MAX)


class VoiceReference(StrictInput):
    voice_id: str = Field(min_length=1, max_length=ID_MAX)
