"""Tools that animate people from other media: motion transfer, lip-sync, talking photo."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from pydantic import Field

from app.kling.catalog import (
    DEFAULTS,
    LIP_SYNC_TEXT_MAX,
    LIP_SYNC_VOICE_SPEED,
    PROMPT_MAX,
    MotionModel,
    TalkingPhotoModel,
)
from app.kling.rules import LIP_SYNC
from app.mcp.tools.inputs import ID_MAX, CallbackUrl, HttpUrl, Idempotent, StrictInput, upstream_fields
from app.mcp.tools.signature import flat_arguments
from app.mcp.tools.submit import Submission, submit

# --- kling_generate_motion --------------------------------------------------------------------------


class WatermarkInfo(StrictInput):
    enabled: bool


MOTION_DESCRIPTION = """\
\
Motion transfer: the character in image_url performs the moves in video_url; returns a task_id at \
once (2-5 min).

To make a pictured person dance or gesture like a clip; animate a picture from words -> \
kling_generate_video_from_image.\
"""


class MotionInput(Idempotent):
    image_url: Annotated[HttpUrl, Field(description="The character; full body works best.")]
    video_url: Annotated[HttpUrl, Field(description="The motion to copy.")]
    character_orientation: Annotated[
        Literal["image", "video"], Field(description="Whose facing to follow.")
    ] = DEFAULTS.character_orientation
    mode: Literal["std", "pro"] = DEFAULTS.motion_mode
    model_name: MotionModel | None = None
    prompt: Annotated[str | None, Field(max_length=PROMPT_MAX)] = None
    keep_original_sound: Literal["yes", "no"] | None = None
    watermark_info: WatermarkInfo | None = None
    callback_url: CallbackUrl = None


@flat_arguments
async def kling_generate_motion(args: MotionInput, ctx: Context[Any]) -> Submission:
    body = upstream_fields(args)
    return await submit(ctx, "/kling/motion", body, job="motion", key=args.idempotency_key)


# --- kling_lip_sync ---------------------------------------------------------------------------------

LIP_SYNC_DESCRIPTION = """\
\
Lip-sync an existing video to an audio track (audio2video) or to text read by a voice \
(text2video); returns a task_id at once (1-3 min).

A still photo -> kling_talking_photo. One of video_id (a Kling video of the last 30 days) or \
video_url (mp4/mov, 2-10 s). audio2video: audio_url, or base64 audio_file with audio_type=file \
(up to {lip_sync_audio_max}, no longer than the video). text2video: text and voice_id (ask the \
user: their AceDataCloud voices); voice_language en for English (default {default_voice_language}).\
"""


class LipSyncInput(Idempotent):
    mode: Literal["audio2video", "text2video"]
    video_url: HttpUrl | None = None
    video_id: Annotated[str | None, Field(min_length=1, max_length=ID_MAX)] = None
    audio_url: HttpUrl | None = None
    audio_type: Literal["url", "file"] = DEFAULTS.lip_sync_audio_type
    audio_file: Annotated[str | None, Field(min_length=1, description="Base64.")] = None
    text: Annotated[str | None, Field(min_length=1, max_length=LIP_SYNC_TEXT_MAX)] = None
    voice_id: Annotated[str | None, Field(min_length=1, max_length=ID_MAX)] = None
    voice_language: Annotated[Literal["zh", "en"], Field(description="Language of text.")] = (
        DEFAULTS.voice_language
    )
    voice_speed: Annotated[
        float | None, Field(ge=LIP_SYNC_VOICE_SPEED[0], le=LIP_SYNC_VOICE_SPEED[1], multiple_of=0.1)
    ] = None
    callback_url: CallbackUrl = None


@flat_arguments
async def kling_lip_sync(args: LipSyncInput, ctx: Context[Any]) -> Submission:
    LIP_SYNC.enforce(args)
    # The voice settings belong to text2video and the audio source to audio2video: send only the mode's.
    body = upstream_fields(args)
    del body["audio_type" if args.mode == "text2video" else "voice_language"]
    return await submit(ctx, "/kling/lip-sync", body, job="lip_sync", key=args.idempotency_key)


# --- kling_talking_photo ----------------------------------------------------------------------------

TALKING_PHOTO_DESCRIPTION = """\
\
Make a portrait photo talk, lip-synced to an audio file; returns a task_id at once (4-6 min).

A video to re-voice -> kling_lip_sync. The result also holds the silent intermediate video.\
"""


class TalkingPhotoInput(Idempotent):
    image_url: Annotated[HttpUrl, Field(description="A portrait.")]
    audio_url: Annotated[HttpUrl, Field(description="The speech.")]
    model: TalkingPhotoModel = DEFAULTS.talking_photo_model
    duration: Literal[5, 10] = DEFAULTS.talking_photo_duration
    mode: Literal["std", "pro"] = DEFAULTS.talking_photo_mode
    prompt: Annotated[str | None, Field(max_length=PROMPT_MAX, description="Direction for the motion.")] = (
        None
    )
    callback_url: CallbackUrl = None


@flat_arguments
async def kling_talking_photo(args: TalkingPhotoInput, ctx: Context[Any]) -> Submission:
    body = upstream_fields(args)
    return await submit(ctx, "/kling/talking-photo", body, job="talking_photo", key=args.idempotency_key)
