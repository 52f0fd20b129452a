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
from app.kling.phrases import PHRASES
from app.kling.rules import LIP_SYNC
from app.mcp.tools.inputs import ID_MAX, CallbackUrl, HttpUrl, Idempotent, StrictInput, upstream_fields
from app.mcp.tools.signature import flat_arguments
from app.mcp.tools.submit import Submission, submit

# --- kling_generate_motion --------------------------------------------------------------------------


class WatermarkInfo(StrictInput):
    enabled: bool = Field(description="Add the platform watermark.")


MOTION_DESCRIPTION = """\
Transfer the motion of a reference video onto the character in an image (motion transfer); \
returns a task_id at once.

Use it to make a person or character from a picture perform the moves of another video (a dance, \
a gesture). To animate an image from a text description instead, use \
kling_generate_video_from_image.

Spends the caller's AceDataCloud credits on every successful call (not idempotent); usually takes \
2-5 minutes. The character, background and look come from image_url; the motion from video_url. \
character_orientation says whose facing to follow (default {default_character_orientation}); \
mode std or pro (no 4k); model_name {motion_models_or} (upstream picks when left out). \
Returns task_id and poll_after_seconds: poll kling_get_task until terminal is true.\
"""


class MotionInput(Idempotent):
    image_url: Annotated[
        HttpUrl, Field(description="The character: a person or figure, full body works best.")
    ]
    video_url: Annotated[HttpUrl, Field(description="The motion to copy.")]
    character_orientation: Annotated[
        Literal["image", "video"], Field(description="Follow the facing of the image or of the video.")
    ] = DEFAULTS.character_orientation
    mode: Annotated[Literal["std", "pro"], Field(description="std or pro.")] = DEFAULTS.motion_mode
    model_name: Annotated[MotionModel | None, Field(description=f"{PHRASES.motion_models_or}.")] = None
    prompt: Annotated[str | None, Field(max_length=PROMPT_MAX, description="Optional extra direction.")] = (
        None
    )
    keep_original_sound: Annotated[
        Literal["yes", "no"] | None, Field(description="Keep the reference video's sound.")
    ] = None
    watermark_info: Annotated[WatermarkInfo | None, Field(description="Watermark on or off.")] = None
    callback_url: CallbackUrl = None


@flat_arguments
async def kling_generate_motion(args: MotionInput, ctx: Context[Any]) -> Submission:
    body = upstream_fields(args)
    return await submit(ctx, "/kling/motion", body, job="motion", key=args.idempotency_key)


# --- kling_lip_sync ---------------------------------------------------------------------------------

LIP_SYNC_DESCRIPTION = """\
Lip-sync an existing video to new speech: either an audio track (audio2video) or text spoken by a \
chosen voice (text2video); returns a task_id at once.

Use it to make a person in a video say something. To make a still photo talk use \
kling_talking_photo; to generate a new video use kling_generate_video.

Spends the caller's AceDataCloud credits: {cost} (not idempotent). Usually takes 1-3 minutes. \
Checked before sending: exactly one of video_id (a Kling video from \
the last 30 days, 5 or 10 s) or video_url (mp4/mov, 2-10 s, 720p/1080p); audio2video needs \
audio_url (audio_type=url) or base64 audio_file (audio_type=file), mp3/wav/m4a/aac up to \
{lip_sync_audio_max}, no \
longer than the video; text2video needs text (up to {lip_sync_text_max} characters) and voice_id. \
Returns task_id and poll_after_seconds: poll kling_get_task until terminal is true.\
"""


class LipSyncInput(Idempotent):
    mode: Annotated[Literal["audio2video", "text2video"], Field(description="Sync to audio, or speak text.")]
    video_url: Annotated[HttpUrl | None, Field(description="The video to re-voice (or give video_id).")] = (
        None
    )
    video_id: Annotated[
        str | None,
        Field(min_length=1, max_length=ID_MAX, description="A Kling video_id (or give video_url)."),
    ] = None
    audio_url: Annotated[HttpUrl | None, Field(description="audio2video with audio_type=url.")] = None
    audio_type: Annotated[Literal["url", "file"], Field(description="Where the audio comes from.")] = (
        DEFAULTS.lip_sync_audio_type
    )
    audio_file: Annotated[
        str | None,
        Field(
            min_length=1,
            description="audio2video with audio_type=file: base64 audio, up to "
            f"{PHRASES.lip_sync_audio_max}.",
        ),
    ] = None
    text: Annotated[
        str | None, Field(min_length=1, max_length=LIP_SYNC_TEXT_MAX, description="text2video: the words.")
    ] = None
    voice_id: Annotated[
        str | None, Field(min_length=1, max_length=ID_MAX, description="text2video: the voice.")
    ] = None
    voice_language: Annotated[Literal["zh", "en"], Field(description="Language of the voice.")] = (
        DEFAULTS.voice_language
    )
    voice_speed: Annotated[
        float | None,
        Field(
            ge=LIP_SYNC_VOICE_SPEED[0],
            le=LIP_SYNC_VOICE_SPEED[1],
            multiple_of=0.1,
            description=f"text2video speaking speed, {LIP_SYNC_VOICE_SPEED[0]}-{LIP_SYNC_VOICE_SPEED[1]}.",
        ),
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
Make a photo of a person talk, lip-synced to an audio file; returns a task_id at once.

Use it when you have a portrait and a voice recording. To re-voice an existing video use \
kling_lip_sync.

Spends the caller's AceDataCloud credits on every successful call: {cost} (not idempotent). Runs \
image-to-video and then lip-sync upstream, about 4-6 minutes. \
Defaults: model {default_talking_photo_model}, mode {default_talking_photo_mode}, \
{default_talking_photo_duration} s. Returns task_id and poll_after_seconds: poll kling_get_task \
until terminal is true; the result also has the intermediate silent video.\
"""


class TalkingPhotoInput(Idempotent):
    image_url: Annotated[HttpUrl, Field(description="A portrait photo.")]
    audio_url: Annotated[HttpUrl, Field(description="The speech to lip-sync to.")]
    model: Annotated[TalkingPhotoModel, Field(description="Model for the animation.")] = (
        DEFAULTS.talking_photo_model
    )
    duration: Annotated[Literal[5, 10], Field(description="Seconds.")] = DEFAULTS.talking_photo_duration
    mode: Annotated[Literal["std", "pro"], Field(description="std or pro.")] = DEFAULTS.talking_photo_mode
    prompt: Annotated[
        str | None, Field(max_length=PROMPT_MAX, description="Optional direction for the motion.")
    ] = None
    callback_url: CallbackUrl = None


@flat_arguments
async def kling_talking_photo(args: TalkingPhotoInput, ctx: Context[Any]) -> Submission:
    body = upstream_fields(args)
    return await submit(ctx, "/kling/talking-photo", body, job="talking_photo", key=args.idempotency_key)
