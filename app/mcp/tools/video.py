"""Video generation tools: text, image, extend, turbo, storyboard, and asset references.

Each tool has one input model. The video rules read it (`app/kling/rules/`), and the upstream body
is its dump plus the fields the tool fixes (`video_body`). A field a tool does not offer is a
class-level constant (turbo's model, extend's action), so the rules read every tool the same way.
All of them spend the caller's credits.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, Protocol

from mcp.server.mcpserver import Context
from mcp.types import ToolAnnotations
from pydantic import AfterValidator, Field

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
    model,
)
from app.kling.phrases import PHRASES, span
from app.kling.rules import ASSETS, STORYBOARD, VIDEO
from app.kling.rules.video import VideoArgs
from app.mcp.tools.inputs import (
    ID_MAX,
    CallbackUrl,
    CameraControl,
    Dumpable,
    ElementReference,
    HttpUrl,
    Idempotent,
    ImageReference,
    Prompt,
    StrictInput,
    VideoReference,
    VoiceReference,
    upstream_fields,
)
from app.mcp.tools.signature import flat_arguments
from app.mcp.tools.submit import Submission, submit

VIDEOS_PATH = "/kling/videos"

GENERATES = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True
)

P = PHRASES
ModelArg = Annotated[
    VideoModel,
    Field(description="Kling model; capabilities differ (see kling_list_models)."),
]
ModeArg = Annotated[Mode, Field(description=f"std, pro (higher quality) or 4k ({P.models_4k} only).")]
DurationArg = Annotated[
    int,
    Field(ge=P.duration_min, le=P.duration_max, description=f"Seconds: {P.durations_by_model}."),
]
AspectArg = Annotated[AspectRatio, Field(description="Frame shape.")]
AudioArg = Annotated[bool, Field(description=f"Generate sound: {P.audio_models} only.")]
NegativePromptArg = Annotated[
    str | None,
    Field(
        max_length=NEGATIVE_PROMPT_MAX,
        description=f"What to avoid. Not with {P.no_negative_prompt_models} or Omni references.",
    ),
]
CfgArg = Annotated[
    float | None,
    Field(
        ge=0,
        le=1,
        description=f"Prompt adherence, 0-1. Not with {P.no_negative_prompt_models} or Omni references.",
    ),
]
CameraArg = Annotated[
    CameraControl | None,
    Field(description=f"Camera move: {P.camera_models}. Not with 4k or references."),
]
ImageListArg = Annotated[
    list[ImageReference] | None,
    Field(
        min_length=1,
        max_length=OMNI_IMAGES_MAX,
        description=f"Omni references ({P.omni_models}): cite each as <<<image_N>>> in the prompt. "
        f"At most {P.omni_images_max} images in all, {P.omni_images_with_video_max} with a video_list.",
    ),
]
VideoListArg = Annotated[
    list[VideoReference] | None,
    Field(
        min_length=1,
        max_length=1,
        description=f"One Omni reference video ({P.omni_models}), cited as <<<video_1>>>.",
    ),
]


class VideoInput(VideoArgs, Dumpable, Protocol):
    """A video tool's input model: what the rules read, and what the body is dumped from."""


def video_body(args: VideoInput, **fixed: Any) -> dict[str, Any]:
    """The `/kling/videos` body: what the caller set, plus what the tool fixes. `generate_audio` is
    upstream's default when false, so it is sent only when true."""
    body = {
        "action": args.action,
        "model": args.model,
        "generate_audio": args.generate_audio,
        **upstream_fields(args),
        **fixed,
    }
    if not body["generate_audio"]:
        del body["generate_audio"]
    return body


class _NoFrames:
    """Class-level answers for the `VideoArgs` fields a tool does not offer."""

    start_image_url: ClassVar[None] = None
    end_image_url: ClassVar[None] = None


class _NoReferences:
    image_list: ClassVar[None] = None
    video_list: ClassVar[None] = None


class _NoAssets:
    element_list: ClassVar[None] = None
    voice_list: ClassVar[None] = None


class _NoNegativePrompt:
    negative_prompt: ClassVar[None] = None
    cfg_scale: ClassVar[None] = None


# --- kling_generate_video / kling_generate_video_from_image -------------------------------------------


class _VideoOptions(_NoAssets, Idempotent):
    """The options both flat video tools share; each tool adds its required fields."""

    model: ModelArg = DEFAULTS.model
    mode: ModeArg = DEFAULTS.mode
    aspect_ratio: AspectArg = DEFAULTS.aspect_ratio
    duration: DurationArg = DEFAULTS.duration
    generate_audio: AudioArg = False
    negative_prompt: NegativePromptArg = None
    cfg_scale: CfgArg = None
    camera_control: CameraArg = None
    image_list: ImageListArg = None
    video_list: VideoListArg = None
    callback_url: CallbackUrl = None


class TextToVideo(_NoFrames, _VideoOptions):
    action: ClassVar[str] = "text2video"
    prompt: Annotated[Prompt, Field(description="What happens in the video; cite Omni references here.")]


class ImageToVideo(_VideoOptions):
    action: ClassVar[str] = "image2video"
    start_image_url: Annotated[HttpUrl, Field(description="First frame: a jpg/png URL.")]
    prompt: Annotated[Prompt, Field(description="How the image should move.")]
    end_image_url: Annotated[HttpUrl | None, Field(description="Last frame, for a transition.")] = None


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
Omni references (image_list, video_list) need {omni_models_or} and must be cited in the \
prompt as <<<image_N>>> / <<<video_1>>>. Returns task_id and poll_after_seconds: then call \
kling_get_task (or kling_get_tasks_batch) until terminal is true; the result has video_url.\
"""


@flat_arguments
async def kling_generate_video(args: TextToVideo, ctx: Context[Any]) -> Submission:
    VIDEO.enforce(args)
    return await submit(ctx, VIDEOS_PATH, video_body(args), job="video", key=args.idempotency_key)


GENERATE_FROM_IMAGE_DESCRIPTION = """\
Animate an image into a video with Kling (image-to-video), optionally ending on a second image; \
returns a task_id at once.

Use it when you have a picture to bring to life, or two pictures to transition between. For a \
video from text alone use kling_generate_video.

Spends the caller's AceDataCloud credits on every successful call (not idempotent). Usually takes \
1-5 minutes upstream. Rules are checked before anything is sent: an end frame needs a model and \
mode that take one ({end_frame_models}), and a rejected request costs nothing.

start_image_url is the first frame (required); end_image_url the last. Same options as \
kling_generate_video; defaults model {default_model}, mode {default_mode}, {default_duration} s. \
Returns task_id and poll_after_seconds: then poll kling_get_task until terminal is true.\
"""


@flat_arguments
async def kling_generate_video_from_image(args: ImageToVideo, ctx: Context[Any]) -> Submission:
    VIDEO.enforce(args)
    return await submit(ctx, VIDEOS_PATH, video_body(args), job="video", key=args.idempotency_key)


# --- kling_extend_video -----------------------------------------------------------------------------


class ExtendVideo(_NoFrames, _NoReferences, _NoAssets, Idempotent):
    action: ClassVar[str] = "extend"
    generate_audio: ClassVar[bool] = False
    camera_control: ClassVar[None] = None

    video_id: Annotated[
        str,
        Field(min_length=1, max_length=ID_MAX, description="video_id of a finished Kling video."),
        AfterValidator(str.strip),
    ]
    prompt: Annotated[Prompt, Field(description="What happens next.")]
    model: Annotated[ExtendModel, Field(description="A model that can extend.")] = DEFAULTS.extend_model
    mode: Annotated[Literal["std", "pro"], Field(description="std or pro.")] = DEFAULTS.mode
    duration: Annotated[Literal[5, 10], Field(description="Seconds to add.")] = DEFAULTS.extend_duration
    negative_prompt: NegativePromptArg = None
    cfg_scale: CfgArg = None
    callback_url: CallbackUrl = None


EXTEND_DESCRIPTION = """\
Extend an existing Kling video (by its video_id) with a continuation; returns a new task_id at once.

Use it to make a clip longer or to continue its action. You need the video_id from a succeeded \
task (kling_get_task returns it), not the task_id. To start a new clip use kling_generate_video.

Spends the caller's AceDataCloud credits on every successful call (not idempotent). Usually takes \
1-5 minutes. Only {extend_models} can extend, for {extend_durations} s; \
{extend_no_negative_prompt_models} takes no negative_prompt or cfg_scale. Rejected requests cost \
nothing. Returns task_id and poll_after_seconds: poll kling_get_task until terminal is true.\
"""


@flat_arguments
async def kling_extend_video(args: ExtendVideo, ctx: Context[Any]) -> Submission:
    VIDEO.enforce(args)
    return await submit(ctx, VIDEOS_PATH, video_body(args), job="video", key=args.idempotency_key)


# --- kling_generate_turbo_video ---------------------------------------------------------------------

TURBO = model(TURBO_MODEL)


class TurboRequest(_NoReferences, _NoAssets, _NoNegativePrompt, StrictInput):
    model: ClassVar[str] = TURBO_MODEL
    generate_audio: ClassVar[bool] = TURBO.audio_always_on
    camera_control: ClassVar[None] = None
    end_image_url: ClassVar[None] = None

    action: Literal["text2video", "image2video"] = Field(
        default="text2video", description="image2video needs start_image_url."
    )
    prompt: Prompt = Field(description=f"What happens in the video, 1-{P.prompt_max} characters.")
    mode: Literal["std", "pro"] = Field(
        default="std", description=f"std = {P.turbo_std_resolution}, pro = {P.turbo_pro_resolution}."
    )
    duration: int = Field(
        default=DEFAULTS.turbo_duration,
        ge=TURBO.durations[0],
        le=TURBO.durations[-1],
        description=f"Seconds, {span(TURBO.durations)}.",
    )
    aspect_ratio: AspectRatio = Field(default=DEFAULTS.aspect_ratio)
    start_image_url: HttpUrl | None = Field(default=None, description="First frame, for image2video.")
    callback_url: CallbackUrl = None


TURBO_DESCRIPTION = """\
Generate a fast video with sound using {turbo_model} (text or first image); returns a task_id at once.

Use it when speed matters and sound is wanted: audio is always generated. For end frames, camera \
moves, negative prompts or Omni references use kling_generate_video or \
kling_generate_video_from_image instead.

Spends the caller's AceDataCloud credits on every successful call (not idempotent). Usually \
finishes within 1-2 minutes. Takes one argument, request: action (text2video, or image2video with \
start_image_url), prompt (1-{prompt_max} characters), mode std ({turbo_std_resolution}) or pro \
({turbo_pro_resolution}), duration {turbo_durations} s (default {default_turbo_duration}), \
aspect_ratio. Returns task_id and poll_after_seconds: poll kling_get_task until terminal is true.\
"""


class TurboInput(Idempotent):
    request: TurboRequest


@flat_arguments
async def kling_generate_turbo_video(args: TurboInput, ctx: Context[Any]) -> Submission:
    VIDEO.enforce(args.request)
    body = video_body(args.request)
    return await submit(ctx, VIDEOS_PATH, body, job="video", key=args.idempotency_key)


# --- kling_generate_storyboard ----------------------------------------------------------------------


class ShotInput(StrictInput):
    index: int = Field(ge=1, le=SHOTS_MAX, description="Position, counting from 1.")
    prompt: str = Field(
        min_length=1, max_length=SHOT_PROMPT_MAX, description=f"This shot, 1-{P.shot_prompt_max} characters."
    )
    duration: int = Field(
        ge=1, le=P.duration_max, description="Seconds; all shots add up to the request duration."
    )


class StoryboardRequest(_NoReferences, _NoAssets, _NoNegativePrompt, StrictInput):
    camera_control: ClassVar[None] = None

    model: StoryboardModel = Field(default=DEFAULTS.storyboard_model)
    action: Literal["text2video", "image2video"] = Field(default="text2video")
    prompt: Prompt | None = Field(default=None, description="Required for shot_type=intelligence.")
    mode: Mode = Field(default=DEFAULTS.mode)
    duration: int = Field(
        default=DEFAULTS.duration,
        ge=P.duration_min,
        le=P.duration_max,
        description=f"Total seconds, {P.multi_shot_durations}.",
    )
    aspect_ratio: AspectRatio = Field(default=DEFAULTS.aspect_ratio)
    generate_audio: bool = Field(default=False)
    start_image_url: HttpUrl | None = Field(default=None, description="First frame; needed for image2video.")
    end_image_url: HttpUrl | None = Field(default=None, description="Last frame; needs start_image_url.")
    shot_type: Literal["intelligence", "customize"] = Field(
        default="intelligence",
        description="intelligence: Kling splits prompt into shots. customize: multi_prompt.",
    )
    multi_prompt: list[ShotInput] | None = Field(
        default=None,
        min_length=1,
        max_length=SHOTS_MAX,
        description=f"customize only: 1-{P.shots_max} shots.",
    )
    callback_url: CallbackUrl = None


STORYBOARD_DESCRIPTION = """\
Generate one multi-shot video (storyboard) with {multi_shot_models_or}; returns a task_id at once.

Use it for a sequence of shots in one clip: either let Kling split a prompt into shots \
(shot_type=intelligence) or give each shot yourself (shot_type=customize with multi_prompt). For a \
single continuous shot use kling_generate_video.

Spends the caller's AceDataCloud credits on every successful call (not idempotent); usually takes \
2-5 minutes. Checked before sending: customize needs 1-{shots_max} shots indexed 1..n whose \
durations add up to duration ({multi_shot_durations} s); intelligence needs a prompt and no \
multi_prompt; image2video needs start_image_url; an end frame needs a start frame. Takes one \
argument, request; default model {default_storyboard_model}. Returns task_id and \
poll_after_seconds: poll kling_get_task.\
"""


class StoryboardInput(Idempotent):
    request: StoryboardRequest


@flat_arguments
async def kling_generate_storyboard(args: StoryboardInput, ctx: Context[Any]) -> Submission:
    STORYBOARD.enforce(args.request)
    body = video_body(args.request, multi_shot=True)
    return await submit(ctx, VIDEOS_PATH, body, job="video", key=args.idempotency_key)


# --- kling_generate_with_assets ---------------------------------------------------------------------


class AssetVideoRequest(_NoReferences, _NoNegativePrompt, StrictInput):
    camera_control: ClassVar[None] = None

    model: AssetModel = Field(default=DEFAULTS.asset_model)
    action: Literal["text2video", "image2video"] = Field(default="text2video")
    prompt: Prompt = Field(description="Cite subjects as <<<element_N>>> or voices as <<<voice_N>>>.")
    mode: Mode = Field(default=DEFAULTS.mode)
    duration: int = Field(default=DEFAULTS.duration, ge=P.duration_min, le=P.duration_max)
    aspect_ratio: AspectRatio = Field(default=DEFAULTS.aspect_ratio)
    generate_audio: bool = Field(default=False, description="Must be true with voice_list.")
    start_image_url: HttpUrl | None = Field(default=None)
    end_image_url: HttpUrl | None = Field(default=None)
    element_list: list[ElementReference] | None = Field(
        default=None,
        min_length=1,
        max_length=ELEMENTS_MAX,
        description=f"1-{P.elements_max} subjects: {P.element_models}.",
    )
    voice_list: list[VoiceReference] | None = Field(
        default=None,
        min_length=1,
        max_length=VOICES_MAX,
        description=f"1-{P.voices_max} voices: {P.voice_models}, {P.voice_mode}, with audio.",
    )
    callback_url: CallbackUrl = None


ASSETS_DESCRIPTION = """\
Generate a video that reuses saved subjects (element_list) or voices (voice_list) from the \
caller's AceDataCloud assets; returns a task_id at once.

Use it to keep the same character or product across videos (elements), or to make a character \
speak with a chosen voice (voices). Without assets use kling_generate_video.

Spends the caller's AceDataCloud credits on every successful call (not idempotent); {cost}. Usually \
takes 1-5 minutes. Checked before sending: exactly one \
of element_list (1-{elements_max}, with {element_models_or}) or voice_list (1-{voices_max}, with \
{voice_models}, mode {voice_mode} and generate_audio true); every asset cited in the prompt as \
<<<element_N>>> / <<<voice_N>>>; per-model durations. Takes one argument, request; default model \
{default_asset_model}. Returns task_id and poll_after_seconds: poll kling_get_task.\
"""


class AssetsInput(Idempotent):
    request: AssetVideoRequest


@flat_arguments
async def kling_generate_with_assets(args: AssetsInput, ctx: Context[Any]) -> Submission:
    ASSETS.enforce(args.request)
    body = video_body(args.request)
    return await submit(ctx, VIDEOS_PATH, body, job="video", key=args.idempotency_key)
