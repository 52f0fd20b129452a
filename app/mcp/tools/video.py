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
from app.kling.phrases import PHRASES
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

# Annotations state only what differs from the spec's defaults (readOnlyHint false, destructiveHint
# true, idempotentHint false, openWorldHint true): every tool's hints travel in every tools/list.
GENERATES = ToolAnnotations(destructive_hint=False)  # writes (spends credits), destroys nothing

P = PHRASES
ModelArg = VideoModel
ModeArg = Annotated[Mode, Field(description=f"{P.mode_resolutions} (4k: {P.models_4k}).")]
DurationArg = Annotated[
    int,
    Field(ge=P.duration_min, le=P.duration_max, description=f"Seconds: {P.durations_by_model}."),
]
AspectArg = AspectRatio
AudioArg = Annotated[bool, Field(description=f"Generate sound: {P.audio_models} only.")]
NegativePromptArg = Annotated[
    str | None,
    Field(
        max_length=NEGATIVE_PROMPT_MAX,
        description=f"What to avoid. Not with {P.no_negative_prompt_models} or references.",
    ),
]
CfgArg = Annotated[
    float | None,
    Field(
        ge=0,
        le=1,
        description=f"Prompt adherence. Not with {P.no_negative_prompt_models} or references.",
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
        description=f"Omni references, cited as <<<image_N>>>; at most {P.omni_images_with_video_max} "
        "with a video_list.",
    ),
]
VideoListArg = Annotated[
    list[VideoReference] | None,
    Field(
        min_length=1,
        max_length=1,
        description="Omni reference video, cited as <<<video_1>>>.",
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
    prompt: Annotated[Prompt, Field(description="What happens; cite references here.")]


class ImageToVideo(_VideoOptions):
    action: ClassVar[str] = "image2video"
    start_image_url: Annotated[HttpUrl, Field(description="First frame (jpg/png).")]
    prompt: Annotated[Prompt, Field(description="How the image should move.")]
    end_image_url: Annotated[HttpUrl | None, Field(description="Last frame.")] = None


GENERATE_VIDEO_DESCRIPTION = """\
\
Text-to-video with Kling: starts a generation (usually 1-5 min) and returns its task_id at once.

For a new clip from words. Animate a picture -> kling_generate_video_from_image; fast with sound -> \
kling_generate_turbo_video; several shots -> kling_generate_storyboard; longer -> \
kling_extend_video. {picks} Omni references need {omni_models_or}.\
"""


@flat_arguments
async def kling_generate_video(args: TextToVideo, ctx: Context[Any]) -> Submission:
    VIDEO.enforce(args)
    return await submit(ctx, VIDEOS_PATH, video_body(args), job="video", key=args.idempotency_key)


GENERATE_FROM_IMAGE_DESCRIPTION = """\
\
Image-to-video with Kling: animates a first frame, optionally into an end frame; returns a task_id \
at once (1-5 min).

From words alone -> kling_generate_video, whose models and options this shares; an end frame needs \
{end_frame_models}.\
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
        Field(min_length=1, max_length=ID_MAX, description="From a succeeded task (not the task_id)."),
        AfterValidator(str.strip),
    ]
    prompt: Annotated[Prompt, Field(description="What happens next.")]
    model: ExtendModel = DEFAULTS.extend_model
    mode: Literal["std", "pro"] = DEFAULTS.mode
    duration: Annotated[Literal[5, 10], Field(description="Seconds to add.")] = DEFAULTS.extend_duration
    negative_prompt: NegativePromptArg = None
    cfg_scale: CfgArg = None
    callback_url: CallbackUrl = None


EXTEND_DESCRIPTION = """\
\
Continue a finished Kling video, by its video_id (not task_id), with what happens next; returns a \
new task_id at once (1-5 min).

To make a clip longer; a new clip -> kling_generate_video. Only {extend_models} extend, by \
{extend_durations} s.\
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
    prompt: Prompt
    mode: Literal["std", "pro"] = Field(
        default="std", description=f"std {P.turbo_std_resolution}, pro {P.turbo_pro_resolution}."
    )
    duration: int = Field(
        default=DEFAULTS.turbo_duration,
        ge=TURBO.durations[0],
        le=TURBO.durations[-1],
    )
    aspect_ratio: AspectRatio = Field(default=DEFAULTS.aspect_ratio)
    start_image_url: HttpUrl | None = Field(default=None, description="First frame, for image2video.")
    callback_url: CallbackUrl = None


TURBO_DESCRIPTION = """\
\
Fast video with sound from {turbo_model}, from text or a first image; returns a task_id at once \
(1-2 min).

When speed matters. End frames, camera moves, negative prompts or references -> \
kling_generate_video. Options go inside one object, request (not top level).\
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
    index: int = Field(ge=1, le=SHOTS_MAX)
    prompt: str = Field(min_length=1, max_length=SHOT_PROMPT_MAX)
    duration: int = Field(ge=1, le=P.duration_max, description="Seconds; shots add up to the total.")


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
        description="Total seconds.",
    )
    aspect_ratio: AspectRatio = Field(default=DEFAULTS.aspect_ratio)
    generate_audio: bool = Field(default=False)
    start_image_url: HttpUrl | None = None
    end_image_url: HttpUrl | None = None
    shot_type: Literal["intelligence", "customize"] = "intelligence"
    multi_prompt: list[ShotInput] | None = Field(
        default=None, min_length=1, max_length=SHOTS_MAX, description="customize only."
    )
    callback_url: CallbackUrl = None


STORYBOARD_DESCRIPTION = """\
\
One video of several shots with {multi_shot_models_or}; returns a task_id at once (2-5 min).

shot_type intelligence: Kling splits prompt into shots. customize: multi_prompt, shots indexed \
1..n whose durations add up to duration. One continuous shot -> kling_generate_video. Options go \
inside one object, request (not top level).\
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
    prompt: Prompt = Field(description="Cite <<<element_N>>> / <<<voice_N>>>.")
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
        description="Saved subjects.",
    )
    voice_list: list[VoiceReference] | None = Field(
        default=None,
        min_length=1,
        max_length=VOICES_MAX,
        description="Saved voices.",
    )
    callback_url: CallbackUrl = None


ASSETS_DESCRIPTION = """\
\
Video with the caller's saved subjects (element_list) or voices (voice_list); returns a task_id at \
once (1-5 min).

To keep one character or product across videos, or give a character a voice; no assets -> \
kling_generate_video. One list only: elements ({element_models_or}) or voices ({voice_models}, \
mode {voice_mode}, generate_audio true), each cited in the prompt as <<<element_N>>> / \
<<<voice_N>>>. Ids: ask the user (their AceDataCloud assets; no tool lists them). Options go inside \
one object, request.\
"""


class AssetsInput(Idempotent):
    request: AssetVideoRequest


@flat_arguments
async def kling_generate_with_assets(args: AssetsInput, ctx: Context[Any]) -> Submission:
    ASSETS.enforce(args.request)
    body = video_body(args.request)
    return await submit(ctx, VIDEOS_PATH, body, job="video", key=args.idempotency_key)
