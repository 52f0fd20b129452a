"""Commerce "solutions": product videos and talking e-commerce avatars, billed per output second."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import AfterValidator, Field, WithJsonSchema

from app.kling.catalog import (
    DEFAULTS,
    GOODS_DESCRIPTION_MAX,
    GOODS_IMAGES_MAX,
    GOODS_TITLE_MAX,
    SPEECH_SCRIPT_MAX,
    AspectRatio,
)
from app.kling.rules.video import ContentItem, check_goods_studio, check_video_commerce
from app.mcp.tools.inputs import CallbackUrl, HttpUrl, StrictInput
from app.mcp.tools.submit import Submission, submit

TEXT_MAX = 2500  # the longest text item upstream takes (apparel product_info); per-type limits are rules

ContentType = Literal[
    "product_info",
    "source_video",
    "product_image",
    "model_image",
    "bgm",
    "voice",
    "ref_image",
    "goods_title",
    "goods_description",
    "goods_price",
    "goods_target_audience",
    "goods_selling_point",
    "avatar_image",
    "avatar_id",
    "speech_script",
    "person_image",
]


class Content(StrictInput):
    type: ContentType = Field(description="What this item is; images and videos take url, the rest text.")
    text: str | None = Field(default=None, max_length=TEXT_MAX, description="For text types.")
    url: HttpUrl | None = Field(default=None, description="For image, video and audio types.")
    voice_id: str | None = Field(default=None, max_length=128, description="A voice, where a type takes one.")


def _items(contents: list[Content]) -> list[ContentItem]:
    return [ContentItem(type=c.type, text=c.text, url=c.url) for c in contents]


def _dump(contents: list[Content]) -> list[dict[str, Any]]:
    return [c.model_dump(exclude_none=True) for c in contents]


# --- kling_goods_studio -----------------------------------------------------------------------------


class GoodsSettings(StrictInput):
    resolution: Literal["720p", "1080p"] = Field(default=DEFAULTS.commerce_resolution)
    aspect_ratio: AspectRatio = Field(description="9:16, 1:1 or 16:9.")
    duration: Literal[15, 30, 60] = Field(description="Seconds of output.")


class GoodsRequest(StrictInput):
    contents: list[Content] = Field(
        min_length=2,
        description="1-5 ref_image items (product photos), one goods_title (up to 200 characters), "
        "optionally one goods_description (up to 2000).",
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
sending: 1-5 ref_image with url, exactly one goods_title with text up to 200 characters, at most \
one goods_description up to 2000, nothing else) and settings (aspect_ratio and duration 15/30/60 \
required, resolution default {default_commerce_resolution}). Returns task_id and \
poll_after_seconds: poll kling_get_task; the finished links are in result_urls.\
"""


async def kling_goods_studio(request: GoodsRequest, ctx: Context[Any]) -> Submission:
    limits = {"images": GOODS_IMAGES_MAX, "title": GOODS_TITLE_MAX, "description": GOODS_DESCRIPTION_MAX}
    check_goods_studio(_items(request.contents), limits)
    fields = {
        "contents": _dump(request.contents),
        "settings": request.settings.model_dump(),
        "watermark": request.watermark,
        "callback_url": request.callback_url,
    }
    return await submit(ctx, "/kling/goods-studio", fields, job="commerce")


# --- kling_video_commerce ---------------------------------------------------------------------------


SPEECH_RATES = (0.8, 1.0, 1.2)


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
    voice_id: str | None = Field(default=None, max_length=128, description="Required with avatar_image.")
    speech_rate: SpeechRate | None = Field(
        default=None, description="Plain character avatars only (no product items)."
    )
    allow_polish: bool | None = Field(default=None, description="Let Kling polish the script.")
    bgm_enabled: bool | None = Field(default=None, description="Add background music.")
    action_prompt: str | None = Field(default=None, max_length=500, description="How the presenter moves.")


class CommerceRequest(StrictInput):
    contents: list[Content] = Field(
        min_length=2,
        description="One character (avatar_image or preset avatar_id), one speech_script (up to 2000 "
        "characters), and optionally product items: ref_image (at least one) plus one goods_title.",
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
voice_id); exactly one speech_script up to 2000 characters; with product items, at least one \
ref_image and one goods_title; speech_rate only without product items. Defaults: \
{default_commerce_resolution}, {default_commerce_aspect_ratio}. Returns task_id and \
poll_after_seconds: poll kling_get_task; the finished links are in result_urls.\
"""


async def kling_video_commerce(request: CommerceRequest, ctx: Context[Any]) -> Submission:
    s = request.settings
    check_video_commerce(
        _items(request.contents),
        voice_id=s.voice_id,
        speech_rate=s.speech_rate,
        script_max=SPEECH_SCRIPT_MAX,
        title_max=GOODS_TITLE_MAX,
    )
    fields = {
        "contents": _dump(request.contents),
        "settings": s.model_dump(exclude_none=True),
        "watermark": request.watermark,
        "callback_url": request.callback_url,
    }
    return await submit(ctx, "/kling/video-commerce", fields, job="commerce")
