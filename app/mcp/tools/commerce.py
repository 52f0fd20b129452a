"""Commerce "solutions": product videos and talking e-commerce avatars, billed per output second."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import AfterValidator, Field, WithJsonSchema

from app.kling.catalog import (
    ACTION_PROMPT_MAX,
    COMMERCE_TEXT_MAX,
    DEFAULTS,
    GOODS_STUDIO_CONTENT,
    SPEECH_RATES,
    VIDEO_COMMERCE_CONTENT,
    AspectRatio,
    ContentType,
)
from app.kling.rules import GOODS_STUDIO, VIDEO_COMMERCE
from app.mcp.tools.inputs import ID_MAX, CallbackUrl, HttpUrl, Idempotent, StrictInput, upstream_fields
from app.mcp.tools.signature import flat_arguments
from app.mcp.tools.submit import Submission, submit


def content_types(allowed: frozenset[str]) -> Any:
    """A content `type` that publishes only the types this tool accepts. Validation takes any known
    type, so that a type of the other tool gets the rule's clear message, not a bare enum error."""
    schema = {"type": "string", "enum": sorted(allowed), "description": "Images take url, the rest text."}
    return Annotated[ContentType, WithJsonSchema(schema)]


class _ContentItem(StrictInput):
    text: str | None = Field(default=None, max_length=COMMERCE_TEXT_MAX)
    url: HttpUrl | None = None


class GoodsContent(_ContentItem):
    type: content_types(GOODS_STUDIO_CONTENT)  # type: ignore[valid-type]


class CommerceContent(_ContentItem):
    type: content_types(VIDEO_COMMERCE_CONTENT)  # type: ignore[valid-type]


# --- kling_goods_studio -----------------------------------------------------------------------------


class GoodsSettings(StrictInput):
    resolution: Literal["720p", "1080p"] = Field(default=DEFAULTS.commerce_resolution)
    aspect_ratio: AspectRatio
    duration: Literal[15, 30, 60]


class GoodsRequest(StrictInput):
    contents: list[GoodsContent] = Field(min_length=2)
    settings: GoodsSettings
    watermark: bool | None = Field(default=None, description="Also a watermarked copy.")
    callback_url: CallbackUrl = None


GOODS_STUDIO_DESCRIPTION = """\
\
Product showcase video from product photos and a title, no presenter (Kling goods studio); returns \
a task_id at once (several minutes).

A presenter pitching it -> kling_video_commerce. Options go inside one object, request. contents: \
1-{goods_images_max} ref_image (url), one goods_title (text, up to {goods_title_max} characters), \
at most one goods_description. Links arrive in result_urls.\
"""


class GoodsInput(Idempotent):
    request: GoodsRequest


@flat_arguments
async def kling_goods_studio(args: GoodsInput, ctx: Context[Any]) -> Submission:
    GOODS_STUDIO.enforce(args.request)
    body = upstream_fields(args.request)
    return await submit(ctx, "/kling/goods-studio", body, job="commerce", key=args.idempotency_key)


# --- kling_video_commerce ---------------------------------------------------------------------------


def _speech_rate(value: float) -> float:
    if value not in SPEECH_RATES:
        raise ValueError(f"speech_rate must be one of {', '.join(map(str, SPEECH_RATES))}")
    return value


SpeechRate = Annotated[
    float, AfterValidator(_speech_rate), WithJsonSchema({"type": "number", "enum": list(SPEECH_RATES)})
]


class CommerceSettings(StrictInput):
    resolution: Literal["720p", "1080p"] = Field(default=DEFAULTS.commerce_resolution)
    aspect_ratio: Literal["9:16", "16:9"] = Field(default=DEFAULTS.commerce_aspect_ratio)
    voice_id: str | None = Field(default=None, max_length=ID_MAX, description="With avatar_image.")
    speech_rate: SpeechRate | None = Field(default=None, description="Without product items.")
    allow_polish: bool | None = Field(default=None, description="Let Kling polish the script.")
    bgm_enabled: bool | None = Field(default=None, description="Background music.")
    action_prompt: str | None = Field(
        default=None, max_length=ACTION_PROMPT_MAX, description="How the presenter moves."
    )


class CommerceRequest(StrictInput):
    contents: list[CommerceContent] = Field(min_length=2)
    settings: CommerceSettings = Field(default_factory=CommerceSettings)
    watermark: bool | None = Field(default=None, description="Also a watermarked copy.")
    callback_url: CallbackUrl = None


VIDEO_COMMERCE_DESCRIPTION = """\
\
E-commerce presenter video with Kling: a character speaks your script, optionally with a \
product; returns a task_id at once (several minutes).

No presenter -> kling_goods_studio; your photo and audio -> kling_talking_photo. Options go \
inside one object, request. contents: one character, avatar_image (url; needs settings.voice_id) \
or a preset avatar_id (text); one speech_script (up to {speech_script_max} characters); product \
items optional (ref_image plus goods_title). Ids: ask the user (their AceDataCloud account). Links: \
result_urls.\
"""


class CommerceInput(Idempotent):
    request: CommerceRequest


@flat_arguments
async def kling_video_commerce(args: CommerceInput, ctx: Context[Any]) -> Submission:
    VIDEO_COMMERCE.enforce(args.request)
    body = upstream_fields(args.request)
    return await submit(ctx, "/kling/video-commerce", body, job="commerce", key=args.idempotency_key)
