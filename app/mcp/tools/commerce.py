"""Commerce "solutions": product videos and talking e-commerce avatars, billed per output second."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import AfterValidator, Field, WithJsonSchema

from app.kling.catalog import (
    ACTION_PROMPT_MAX,
    COMMERCE_TEXT_MAX,
    DEFAULTS,
    SPEECH_RATES,
    AspectRatio,
    ContentType,
)
from app.kling.phrases import PHRASES as P
from app.kling.rules import GOODS_STUDIO, VIDEO_COMMERCE
from app.mcp.tools.inputs import ID_MAX, CallbackUrl, HttpUrl, Idempotent, StrictInput, upstream_fields
from app.mcp.tools.signature import flat_arguments
from app.mcp.tools.submit import Submission, submit


class Content(StrictInput):
    type: ContentType = Field(description="What this item is; images and videos take url, the rest text.")
    text: str | None = Field(default=None, max_length=COMMERCE_TEXT_MAX, description="For text types.")
    url: HttpUrl | None = Field(default=None, description="For image, video and audio types.")
    voice_id: str | None = Field(
        default=None, max_length=ID_MAX, description="A voice, where a type takes one."
    )


# --- kling_goods_studio -----------------------------------------------------------------------------


class GoodsSettings(StrictInput):
    resolution: Literal["720p", "1080p"] = Field(default=DEFAULTS.commerce_resolution)
    aspect_ratio: AspectRatio = Field(description="9:16, 1:1 or 16:9.")
    duration: Literal[15, 30, 60] = Field(description="Seconds of output.")


class GoodsRequest(StrictInput):
    contents: list[Content] = Field(
        min_length=2,
        description=f"1-{P.goods_images_max} ref_image items (product photos), one goods_title (up to "
        f"{P.goods_title_max} characters), optionally one goods_description "
        f"(up to {P.goods_description_max}).",
    )
    settings: GoodsSettings
    watermark: bool | None = Field(default=None, description="Also return a watermarked copy.")
    callback_url: CallbackUrl = None


GOODS_STUDIO_DESCRIPTION = """\
Make a product showcase video from product photos and a title (Kling goods studio); returns a \
task_id at once.

Use it for e-commerce product videos with no presenter. For a talking presenter selling the \
product use kling_video_commerce; for a free-form clip use kling_generate_video.

Spends the caller's AceDataCloud credits, {cost}; not idempotent. Usually takes several minutes. \
Takes one argument, request: contents (checked before \
sending: 1-{goods_images_max} ref_image with url, exactly one goods_title with text up to \
{goods_title_max} characters, at most one goods_description up to {goods_description_max}, nothing \
else) and settings (aspect_ratio and duration 15/30/60 \
required, resolution default {default_commerce_resolution}). Returns task_id and \
poll_after_seconds: poll kling_get_task; the finished links are in result_urls.\
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
    voice_id: str | None = Field(default=None, max_length=ID_MAX, description="Required with avatar_image.")
    speech_rate: SpeechRate | None = Field(
        default=None, description="Plain character avatars only (no product items)."
    )
    allow_polish: bool | None = Field(default=None, description="Let Kling polish the script.")
    bgm_enabled: bool | None = Field(default=None, description="Add background music.")
    action_prompt: str | None = Field(
        default=None, max_length=ACTION_PROMPT_MAX, description="How the presenter moves."
    )


class CommerceRequest(StrictInput):
    contents: list[Content] = Field(
        min_length=2,
        description="One character (avatar_image or preset avatar_id), one speech_script (up to "
        f"{P.speech_script_max} characters), and optionally product items: ref_image (at least one) "
        "plus one goods_title.",
    )
    settings: CommerceSettings = Field(default_factory=CommerceSettings)
    watermark: bool | None = Field(default=None, description="Also return a watermarked copy.")
    callback_url: CallbackUrl = None


VIDEO_COMMERCE_DESCRIPTION = """\
Make a talking presenter video for e-commerce: a character speaks your script, optionally \
showing a product (Kling video commerce); returns a task_id at once.

Use it for spokesperson or product-pitch videos. For a product video without a presenter use \
kling_goods_studio; to make an existing photo talk with your own audio use kling_talking_photo.

Spends the caller's AceDataCloud credits, {cost}; not idempotent. Usually takes several minutes. \
Takes one argument, request. Checked before sending: \
exactly one character, either avatar_image (with settings.voice_id) or a preset avatar_id (no \
voice_id); exactly one speech_script up to {speech_script_max} characters; with product items, at least one \
ref_image and one goods_title; speech_rate only without product items. Defaults: \
{default_commerce_resolution}, {default_commerce_aspect_ratio}. Returns task_id and \
poll_after_seconds: poll kling_get_task; the finished links are in result_urls.\
"""


class CommerceInput(Idempotent):
    request: CommerceRequest


@flat_arguments
async def kling_video_commerce(args: CommerceInput, ctx: Context[Any]) -> Submission:
    VIDEO_COMMERCE.enforce(args.request)
    body = upstream_fields(args.request)
    return await submit(ctx, "/kling/video-commerce", body, job="commerce", key=args.idempotency_key)
