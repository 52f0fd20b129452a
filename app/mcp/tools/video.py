"""Video generation tools: text, image, extend, turbo, storyboard, and asset references.

Each tool states its schema, turns its arguments into one `VideoRequest` for the capability rules,
and submits the exact upstream body. All of them spend the caller's credits.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context
from mcp.types import ToolAnnotations
from pydantic import Field

from app.kling.catalog import (
    DEFAULTS,
    ELEMENTS_MAX,
    NEGATIVE_PROMPT_MAX,
    OMNI_IMAGES_MAX,
    SHOT_PROMPT_MAX,
    SHOTS_MAX,
    TURBO_MODEL,
    VOICES_MAX,
    AspectRatio,
    AssetModel,
    ExtendModel,
    Mode,
    StoryboardModel,
    VideoModel,
)
from app.kling.rules.video import Shot, VideoRequest, check_storyboard, check_video, reject
from app.mcp.tools.inputs import (
    CallbackUrl,
    CameraControl,
    ElementReference,
    HttpUrl,
    ImageReference,
    Prompt,
    StrictInput,
    VideoReference,
    VoiceReference,
)
from app.mcp.tools.submit import Submission, submit

VIDEOS_PATH = "/kling/videos"

GENERATES = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True
)

ModelArg = Annotated[
    VideoModel,
    Field(description="Kling model; capabilities differ (see kling_list_models)."),
]
ModeArg = Annotated[
    Mode, Field(description="std, pro (higher quality) or 4k (kling-v3 and kling-v3-omni only).")
]
DurationArg = Annotated[
    int,
    Field(
        ge=3,
        le=15,
        description="Seconds: 5 or 10 for most models, 3-15 for kling-v3/v3-omni, 5 for kling-o1.",
    ),
]
AspectArg = Annotated[AspectRatio, Field(description="Frame shape.")]
AudioArg = Annotated[
    bool, Field(description="Generate sound: kling-v2-6 pro, kling-v3 and kling-v3-omni only.")
]
NegativePromptArg = Annotated[
    str | None,
    Field(max_length=NEGATIVE_PROMPT_MAX, description="What to avoid. Not with kling-o1 or Omni references."),
]
CfgArg = Annotated[
    float | None,
    Field(ge=0, le=1, description="Prompt adherence, 0-1. Not with kling-o1 or Omni references."),
]
CameraArg = Annotated[
    CameraControl | None,
    Field(description="Camera move: kling-v3 std/pro, or kling-v1 at 5 s. Not with 4k or references."),
]
ImageListArg = Annotated[
    list[ImageReference] | None,
    Field(
        min_length=1,
        max_length=OMNI_IMAGES_MAX,
        description="Omni references (kling-o1, kling-v3-omni): cite each as <<<image_N>>> in the prompt. "
        "At most 7 images in all, 4 with a video_list.",
    ),
]
VideoListArg = Annotated[
    list[VideoReference] | None,
    Field(
        min_length=1,
        max_length=1,
        description="One Omni reference video (kling-o1, kling-v3-omni), cited as <<<video_1>>>.",
    ),
]


def _frames_and_refs(
    image_list: list[ImageReference] | None, video_list: list[VideoReference] | None
) -> dict[str, Any]:
    return {
        "image_types": [image.type for image in image_list or []],
        "video_refer_types": [video.refer_type for video in video_list or []],
    }


def _dump(items: list[Any] | None) -> list[dict[str, Any]] | None:
    return None if items is None else [item.model_dump(exclude_none=True) for item in items]


def _arguments(local_names: dict[str, Any]) -> dict[str, Any]:
    """A flat tool's arguments as named in its signature (which is also the upstream field name)."""
    return {name: value for name, value in local_names.items() if name != "ctx"}


async def _flat_video(ctx: Context[Any], action: str, args: dict[str, Any]) -> Submission:
    """kling_generate_video and kling_generate_video_from_image differ only in action and frames."""
    camera: CameraControl | None = args["camera_control"]
    req = VideoRequest(
        action=action,
        model=args["model"],
        mode=args["mode"],
        duration=args["duration"],
        prompt=args["prompt"],
        negative_prompt=args["negative_prompt"],
        cfg_scale=args["cfg_scale"],
        generate_audio=args["generate_audio"],
        camera_control=camera is not None,
        start_image_url=args.get("start_image_url"),
        end_image_url=args.get("end_image_url"),
        **_frames_and_refs(args["image_list"], args["video_list"]),
    )
    fields = {
        **args,
        "generate_audio": args["generate_audio"] or None,  # upstream's default; only sent when true
        "camera_control": camera.model_dump(exclude_none=True) if camera else None,
        "image_list": _dump(args["image_list"]),
        "video_list": _dump(args["video_list"]),
    }
    return await _generate(ctx, action, fields, req)


async def _generate(ctx: Context[Any], action: str, fields: dict[str, Any], req: VideoRequest) -> Submission:
    check_video(req)
    return await submit(ctx, VIDEOS_PATH, {"action": action, **fields}, job="video")


# --- kling_generate_video / kling_generate_video_from_image -------------------------------------------

GENERATE_VIDEO_DESCRIPTION = """\
Generate a video from a text prompt with Kling (text-to-video); returns a task_id at once.

Use it to create a new clip from a description. To animate a picture use \
kling_generate_video_from_image; for a fast clip with sound use kling_generate_turbo_video; for \
several shots use kling_generate_storyboard; to continue a clip use kling_extend_video.

Spends the caller's AceDataCloud credits on every successful call (not idempotent: calling twice \
makes two videos). The job runs upstream and usually takes 1-5 minutes. Capability rules (model vs \
mode, duration, audio, camera, end frame, Omni references) are checked first: a rejected request \
costs nothing and the error names the rule and what would work.

Defaults: model {default_model}, mode {default_mode}, {default_duration} s, {default_aspect_ratio}. \
Omni references (image_list, video_list) need kling-o1 or kling-v3-omni and must be cited in the \
prompt as <<<image_N>>> / <<<video_1>>>. Returns task_id and poll_after_seconds: then call \
kling_get_task (or kling_get_tasks_batch) until terminal is true; the result has video_url.\
"""


async def kling_generate_video(
    prompt: Annotated[Prompt, Field(description="What happens in the video; cite Omni references here.")],
    ctx: Context[Any],
    model: ModelArg = DEFAULTS.model,
    mode: ModeArg = DEFAULTS.mode,
    aspect_ratio: AspectArg = DEFAULTS.aspect_ratio,
    duration: DurationArg = DEFAULTS.duration,
    generate_audio: AudioArg = False,
    negative_prompt: NegativePromptArg = None,
    cfg_scale: CfgArg = None,
    camera_control: CameraArg = None,
    image_list: ImageListArg = None,
    video_list: VideoListArg = None,
    callback_url: CallbackUrl = None,
) -> Submission:
    return await _flat_video(ctx, "text2video", _arguments(locals()))


GENERATE_FROM_IMAGE_DESCRIPTION = """\
Animate an image into a video with Kling (image-to-video), optionally ending on a second image; \
returns a task_id at once.

Use it when you have a picture to bring to life, or two pictures to transition between. For a \
video from text alone use kling_generate_video.

Spends the caller's AceDataCloud credits on every successful call (not idempotent). Usually takes \
1-5 minutes upstream. Rules are checked before anything is sent: an end frame needs a model and \
mode that take one (kling-v1 at 5 s, kling-v1-6/v2-5-turbo/v2-6 in pro, kling-v3, kling-v3-omni, \
kling-o1), and a rejected request costs nothing.

start_image_url is the first frame (required); end_image_url the last. Same options as \
kling_generate_video; defaults model {default_model}, mode {default_mode}, {default_duration} s. \
Returns task_id and poll_after_seconds: then poll kling_get_task until terminal is true.\
"""


async def kling_generate_video_from_image(
    start_image_url: Annotated[HttpUrl, Field(description="First frame: a jpg/png URL.")],
    prompt: Annotated[Prompt, Field(description="How the image should move.")],
    ctx: Context[Any],
    end_image_url: Annotated[HttpUrl | None, Field(description="Last frame, for a transition.")] = None,
    model: ModelArg = DEFAULTS.model,
    mode: ModeArg = DEFAULTS.mode,
    aspect_ratio: AspectArg = DEFAULTS.aspect_ratio,
    duration: DurationArg = DEFAULTS.duration,
    generate_audio: AudioArg = False,
    negative_prompt: NegativePromptArg = None,
    cfg_scale: CfgArg = None,
    camera_control: CameraArg = None,
    image_list: ImageListArg = None,
    video_list: VideoListArg = None,
    callback_url: CallbackUrl = None,
) -> Submission:
    return await _flat_video(ctx, "image2video", _arguments(locals()))


# --- kling_extend_video -----------------------------------------------------------------------------

EXTEND_DESCRIPTION = """\
Extend an existing Kling video (by its video_id) with a continuation; returns a new task_id at once.

Use it to make a clip longer or to continue its action. You need the video_id from a succeeded \
task (kling_get_task returns it), not the task_id. To start a new clip use kling_generate_video.

Spends the caller's AceDataCloud credits on every successful call (not idempotent). Usually takes \
1-5 minutes. Only kling-v1, kling-v1-6 and kling-v2-5-turbo can extend, for 5 or 10 s; \
kling-v1 takes no negative_prompt or cfg_scale. Rejected requests cost nothing. Returns task_id \
and poll_after_seconds: poll kling_get_task until terminal is true.\
"""


async def kling_extend_video(
    video_id: Annotated[
        str, Field(min_length=1, max_length=128, description="video_id of a finished Kling video.")
    ],
    prompt: Annotated[Prompt, Field(description="What happens next.")],
    ctx: Context[Any],
    model: Annotated[ExtendModel, Field(description="A model that can extend.")] = DEFAULTS.extend_model,
    mode: Annotated[Literal["std", "pro"], Field(description="std or pro.")] = DEFAULTS.mode,
    duration: Annotated[Literal[5, 10], Field(description="Seconds to add.")] = DEFAULTS.extend_duration,
    negative_prompt: NegativePromptArg = None,
    cfg_scale: CfgArg = None,
    callback_url: CallbackUrl = None,
) -> Submission:
    req = VideoRequest(
        action="extend",
        model=model,
        mode=mode,
        duration=duration,
        prompt=prompt,
        negative_prompt=negative_prompt,
        cfg_scale=cfg_scale,
    )
    fields = {
        "video_id": video_id.strip(),
        "prompt": prompt,
        "model": model,
        "mode": mode,
        "duration": duration,
        "negative_prompt": negative_prompt,
        "cfg_scale": cfg_scale,
        "callback_url": callback_url,
    }
    return await _generate(ctx, "extend", fields, req)


# --- kling_generate_turbo_video ---------------------------------------------------------------------


class TurboRequest(StrictInput):
    action: Literal["text2video", "image2video"] = Field(
        default="text2video", description="image2video needs start_image_url."
    )
    prompt: Prompt = Field(description="What happens in the video, 1-2500 characters.")
    mode: Literal["std", "pro"] = Field(default="std", description="std = 720p, pro = 1080p.")
    duration: int = Field(default=DEFAULTS.turbo_duration, ge=3, le=15, description="Seconds, 3-15.")
    aspect_ratio: AspectRatio = Field(default=DEFAULTS.aspect_ratio)
    start_image_url: HttpUrl | None = Field(default=None, description="First frame, for image2video.")
    callback_url: CallbackUrl = None


TURBO_DESCRIPTION = """\
Generate a fast video with sound using kling-v3-turbo (text or first image); returns a task_id at once.

Use it when speed matters and sound is wanted: audio is always generated. For end frames, camera \
moves, negative prompts or Omni references use kling_generate_video or \
kling_generate_video_from_image instead.

Spends the caller's AceDataCloud credits on every successful call (not idempotent). Usually \
finishes within 1-2 minutes. Takes one argument, request: action (text2video, or image2video with \
start_image_url), prompt (1-2500 characters), mode std (720p) or pro (1080p), duration 3-15 s \
(default {default_turbo_duration}), aspect_ratio. Returns task_id and poll_after_seconds: poll \
kling_get_task until terminal is true.\
"""


async def kling_generate_turbo_video(request: TurboRequest, ctx: Context[Any]) -> Submission:
    req = VideoRequest(
        action=request.action,
        model=TURBO_MODEL,
        mode=request.mode,
        duration=request.duration,
        prompt=request.prompt,
        generate_audio=True,
        start_image_url=request.start_image_url,
    )
    fields = {
        "model": TURBO_MODEL,
        "prompt": request.prompt,
        "mode": request.mode,
        "duration": request.duration,
        "aspect_ratio": request.aspect_ratio,
        "start_image_url": request.start_image_url,
        "generate_audio": True,
        "callback_url": request.callback_url,
    }
    return await _generate(ctx, request.action, fields, req)


# --- kling_generate_storyboard ----------------------------------------------------------------------


class ShotInput(StrictInput):
    index: int = Field(ge=1, le=SHOTS_MAX, description="Position, counting from 1.")
    prompt: str = Field(min_length=1, max_length=SHOT_PROMPT_MAX, description="This shot, 1-512 characters.")
    duration: int = Field(ge=1, le=15, description="Seconds; all shots add up to the request duration.")


class StoryboardRequest(StrictInput):
    model: StoryboardModel = Field(default=DEFAULTS.storyboard_model)
    action: Literal["text2video", "image2video"] = Field(default="text2video")
    prompt: Prompt | None = Field(default=None, description="Required for shot_type=intelligence.")
    mode: Mode = Field(default=DEFAULTS.mode)
    duration: int = Field(default=DEFAULTS.duration, ge=3, le=15, description="Total seconds, 3-15.")
    aspect_ratio: AspectRatio = Field(default=DEFAULTS.aspect_ratio)
    generate_audio: bool = Field(default=False)
    start_image_url: HttpUrl | None = Field(default=None, description="First frame; needed for image2video.")
    end_image_url: HttpUrl | None = Field(default=None, description="Last frame; needs start_image_url.")
    shot_type: Literal["intelligence", "customize"] = Field(
        default="intelligence",
        description="intelligence: Kling splits prompt into shots. customize: multi_prompt.",
    )
    multi_prompt: list[ShotInput] | None = Field(
        default=None, min_length=1, max_length=SHOTS_MAX, description="customize only: 1-6 shots."
    )
    callback_url: CallbackUrl = None


STORYBOARD_DESCRIPTION = """\
Generate one multi-shot video (storyboard) with kling-v3 or kling-v3-omni; returns a task_id at once.

Use it for a sequence of shots in one clip: either let Kling split a prompt into shots \
(shot_type=intelligence) or give each shot yourself (shot_type=customize with multi_prompt). For a \
single continuous shot use kling_generate_video.

Spends the caller's AceDataCloud credits on every successful call (not idempotent); usually takes \
2-5 minutes. Checked before sending: customize needs 1-6 shots indexed 1..n whose durations add up \
to duration (3-15 s); intelligence needs a prompt and no multi_prompt; image2video needs \
start_image_url; an end frame needs a start frame. Takes one argument, request; default model \
{default_storyboard_model}. Returns task_id and poll_after_seconds: poll kling_get_task.\
"""


async def kling_generate_storyboard(request: StoryboardRequest, ctx: Context[Any]) -> Submission:
    shots = [Shot(s.index, s.prompt, s.duration) for s in request.multi_prompt or []]
    req = VideoRequest(
        action=request.action,
        model=request.model,
        mode=request.mode,
        duration=request.duration,
        prompt=request.prompt,
        generate_audio=request.generate_audio,
        start_image_url=request.start_image_url,
        end_image_url=request.end_image_url,
    )
    check_storyboard(req, request.shot_type, shots)
    fields = {
        "model": request.model,
        "prompt": request.prompt,
        "mode": request.mode,
        "duration": request.duration,
        "aspect_ratio": request.aspect_ratio,
        "generate_audio": request.generate_audio or None,
        "start_image_url": request.start_image_url,
        "end_image_url": request.end_image_url,
        "multi_shot": True,
        "shot_type": request.shot_type,
        "multi_prompt": _dump(request.multi_prompt),
        "callback_url": request.callback_url,
    }
    return await submit(ctx, VIDEOS_PATH, {"action": request.action, **fields}, job="video")


# --- kling_generate_with_assets ---------------------------------------------------------------------


class AssetVideoRequest(StrictInput):
    model: AssetModel = Field(default=DEFAULTS.asset_model)
    action: Literal["text2video", "image2video"] = Field(default="text2video")
    prompt: Prompt = Field(description="Cite subjects as <<<element_N>>> or voices as <<<voice_N>>>.")
    mode: Mode = Field(default=DEFAULTS.mode)
    duration: int = Field(default=DEFAULTS.duration, ge=3, le=15)
    aspect_ratio: AspectRatio = Field(default=DEFAULTS.aspect_ratio)
    generate_audio: bool = Field(default=False, description="Must be true with voice_list.")
    start_image_url: HttpUrl | None = Field(default=None)
    end_image_url: HttpUrl | None = Field(default=None)
    element_list: list[ElementReference] | None = Field(
        default=None,
        min_length=1,
        max_length=ELEMENTS_MAX,
        description="1-3 subjects: kling-v3, v3-omni, o1.",
    )
    voice_list: list[VoiceReference] | None = Field(
        default=None,
        min_length=1,
        max_length=VOICES_MAX,
        description="1-2 voices: kling-v2-6, pro, with audio.",
    )
    callback_url: CallbackUrl = None


ASSETS_DESCRIPTION = """\
Generate a video that reuses saved subjects (element_list) or voices (voice_list) from the \
caller's AceDataCloud assets; returns a task_id at once.

Use it to keep the same character or product across videos (elements), or to make a character \
speak with a chosen voice (voices). Without assets use kling_generate_video.

Spends the caller's AceDataCloud credits on every successful call (not idempotent); {cost}. Usually \
takes 1-5 minutes. Checked before sending: exactly one \
of element_list (1-3, with kling-v3, kling-v3-omni or kling-o1) or voice_list (1-2, with \
kling-v2-6, mode pro and generate_audio true); every asset cited in the prompt as \
<<<element_N>>> / <<<voice_N>>>; per-model durations. Takes one argument, request; default model \
{default_asset_model}. Returns task_id and poll_after_seconds: poll kling_get_task.\
"""


async def kling_generate_with_assets(request: AssetVideoRequest, ctx: Context[Any]) -> Submission:
    if (request.element_list is None) == (request.voice_list is None):
        reject(
            "assets_one_kind",
            "Give exactly one of element_list (subjects) or voice_list (voices).",
            ["element_list", "voice_list"],
        )
    req = VideoRequest(
        action=request.action,
        model=request.model,
        mode=request.mode,
        duration=request.duration,
        prompt=request.prompt,
        generate_audio=request.generate_audio,
        start_image_url=request.start_image_url,
        end_image_url=request.end_image_url,
        elements=len(request.element_list or []),
        voices=len(request.voice_list or []),
    )
    fields = {
        "model": request.model,
        "prompt": request.prompt,
        "mode": request.mode,
        "duration": request.duration,
        "aspect_ratio": request.aspect_ratio,
        "generate_audio": request.generate_audio or None,
        "start_image_url": request.start_image_url,
        "end_image_url": request.end_image_url,
        "element_list": _dump(request.element_list),
        "voice_list": _dump(request.voice_list),
        "callback_url": request.callback_url,
    }
    return await _generate(ctx, request.action, fields, req)
