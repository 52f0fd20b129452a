"""The one table of Kling models, what each can do, and every default and limit the tools use.

Everything else reads from here: the rules checked before a credit is spent (`rules/`), the tool
schemas and descriptions (through `phrases.py`), `kling_list_models`, the prompts and the docs'
model table. No model id or capability limit is written anywhere else in the server (the
simulator keeps its own table on purpose); `tests/kling/test_catalog.py` checks both that and that
the `Literal` enums below, the schema types, match the table.
Source: the capability matrix in the upstream contract (AceDataCloud Kling guides).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

Mode = Literal["std", "pro", "4k"]
AspectRatio = Literal["16:9", "9:16", "1:1"]
VideoModel = Literal[
    "kling-v1",
    "kling-v1-6",
    "kling-v2-master",
    "kling-v2-1-master",
    "kling-v2-5-turbo",
    "kling-v2-6",
    "kling-v3",
    "kling-v3-omni",
    "kling-o1",
]
ExtendModel = Literal["kling-v1", "kling-v1-6", "kling-v2-5-turbo"]
OmniModel = Literal["kling-v3-omni", "kling-o1"]
StoryboardModel = Literal["kling-v3", "kling-v3-omni"]
AssetModel = Literal["kling-v3", "kling-v3-omni", "kling-o1", "kling-v2-6"]
TalkingPhotoModel = Literal[
    "kling-v1", "kling-v1-6", "kling-v2-master", "kling-v2-1-master", "kling-v2-5-turbo", "kling-v2-6"
]
MotionModel = Literal["kling-v2-6", "kling-v3"]
TURBO_MODEL = "kling-v3-turbo"

FIVE_OR_TEN = (5, 10)
THREE_TO_FIFTEEN = tuple(range(3, 16))


# The tools a model can be used with, named once for the table below.
VIDEO_TOOL = "kling_generate_video"
_FLAT_VIDEO_TOOLS = (VIDEO_TOOL, "kling_generate_video_from_image")
STORYBOARD_TOOL = "kling_generate_storyboard"
ASSETS_TOOL = "kling_generate_with_assets"


@dataclass(frozen=True)
class ModeCaps:
    """What one model can do in one mode."""

    end_frame: bool = False
    audio: bool = False
    camera: bool = False


@dataclass(frozen=True)
class ModelSpec:
    id: str
    summary: str
    modes: dict[str, ModeCaps]
    durations: tuple[int, ...]
    # Features this model allows only at 5 seconds ("end_frame", "camera").
    five_second_only: frozenset[str] = frozenset()
    omni_references: bool = False  # image_list / video_list
    # Seconds an Omni reference video may last, for models that take one.
    reference_video_seconds: tuple[float, float] | None = None
    always_omni: bool = False  # every request is an Omni request (no negative_prompt, cfg, camera, 4k)
    negative_prompt: bool = True  # negative_prompt and cfg_scale
    audio_always_on: bool = False
    single_mode: bool = False  # upstream has one quality level; mode is not a choice
    elements: bool = False
    voices: bool = False
    multi_shot: bool = False
    extend: bool = False
    extend_negative_prompt: bool = True
    talking_photo: bool = False
    motion: bool = False
    tools: tuple[str, ...] = field(default=_FLAT_VIDEO_TOOLS)

    @property
    def duration_text(self) -> str:
        if self.durations == FIVE_OR_TEN:
            return "5 or 10"
        if len(self.durations) == 1:
            return f"{self.durations[0]} only"
        return f"{self.durations[0]}-{self.durations[-1]} (whole seconds)"

    def caps(self, mode: str) -> ModeCaps | None:
        return self.modes.get(mode)


_PLAIN = ModeCaps()
_END = ModeCaps(end_frame=True)

MODELS: tuple[ModelSpec, ...] = (
    ModelSpec(
        id="kling-v1",
        summary="First generation; the upstream default. End frame and camera control at 5 s only.",
        modes={"std": ModeCaps(end_frame=True, camera=True), "pro": ModeCaps(end_frame=True, camera=True)},
        durations=FIVE_OR_TEN,
        five_second_only=frozenset({"end_frame", "camera"}),
        extend=True,
        extend_negative_prompt=False,
        talking_photo=True,
    ),
    ModelSpec(
        id="kling-v1-6",
        summary="Improved v1; end frame in pro mode.",
        modes={"std": _PLAIN, "pro": _END},
        durations=FIVE_OR_TEN,
        extend=True,
        talking_photo=True,
    ),
    ModelSpec(
        id="kling-v2-master",
        summary="V2 master quality, a single mode.",
        modes={"std": _PLAIN, "pro": _PLAIN},
        durations=FIVE_OR_TEN,
        single_mode=True,
        talking_photo=True,
    ),
    ModelSpec(
        id="kling-v2-1-master",
        summary="V2.1 master quality, a single mode; the talking-photo default.",
        modes={"std": _PLAIN, "pro": _PLAIN},
        durations=FIVE_OR_TEN,
        single_mode=True,
        talking_photo=True,
    ),
    ModelSpec(
        id="kling-v2-5-turbo",
        summary="Fast V2.5; end frame in pro mode; can be extended.",
        modes={"std": _PLAIN, "pro": _END},
        durations=FIVE_OR_TEN,
        extend=True,
        talking_photo=True,
    ),
    ModelSpec(
        id="kling-v2-6",
        summary="V2.6; native audio and end frame in pro mode; the only model for voice references.",
        modes={"std": _PLAIN, "pro": ModeCaps(end_frame=True, audio=True)},
        durations=FIVE_OR_TEN,
        voices=True,
        talking_photo=True,
        motion=True,
        tools=(*_FLAT_VIDEO_TOOLS, ASSETS_TOOL),
    ),
    ModelSpec(
        id="kling-v3",
        summary="V3: 3-15 s, native audio, camera control (std/pro), 4K, multi-shot, subject references.",
        modes={
            "std": ModeCaps(end_frame=True, audio=True, camera=True),
            "pro": ModeCaps(end_frame=True, audio=True, camera=True),
            "4k": ModeCaps(end_frame=True, audio=True),
        },
        durations=THREE_TO_FIFTEEN,
        elements=True,
        multi_shot=True,
        motion=True,
        tools=(*_FLAT_VIDEO_TOOLS, STORYBOARD_TOOL, ASSETS_TOOL),
    ),
    ModelSpec(
        id="kling-v3-omni",
        summary="V3 Omni: V3 plus image and video references cited in the prompt; 4K without references.",
        modes={
            "std": ModeCaps(end_frame=True, audio=True),
            "pro": ModeCaps(end_frame=True, audio=True),
            "4k": ModeCaps(end_frame=True, audio=True),
        },
        durations=THREE_TO_FIFTEEN,
        omni_references=True,
        reference_video_seconds=(3, 15.5),
        elements=True,
        multi_shot=True,
        tools=(*_FLAT_VIDEO_TOOLS, STORYBOARD_TOOL, ASSETS_TOOL),
    ),
    ModelSpec(
        id="kling-o1",
        summary="O1 (formerly kling-video-o1): Omni references, 5 s only, no audio.",
        modes={"std": _END, "pro": _END},
        durations=(5,),
        omni_references=True,
        reference_video_seconds=(3, 10),
        always_omni=True,
        negative_prompt=False,
        elements=True,
        tools=(*_FLAT_VIDEO_TOOLS, ASSETS_TOOL),
    ),
    ModelSpec(
        id=TURBO_MODEL,
        summary="V3 Turbo: fast, audio always on; std = 720p, pro = 1080p; no end frame.",
        modes={"std": ModeCaps(audio=True), "pro": ModeCaps(audio=True)},
        durations=THREE_TO_FIFTEEN,
        negative_prompt=False,
        audio_always_on=True,
        tools=("kling_generate_turbo_video",),
    ),
)

MODELS_BY_ID: dict[str, ModelSpec] = {model.id: model for model in MODELS}
# The models of the general video tools (text, image, assets): all but the turbo model.
VIDEO_MODELS: tuple[ModelSpec, ...] = tuple(m for m in MODELS if VIDEO_TOOL in m.tools)


def model(model_id: str) -> ModelSpec:
    return MODELS_BY_ID[model_id]


@dataclass(frozen=True)
class Defaults:
    """Every default a tool applies. Schemas, descriptions, prompts and the README read these."""

    model: VideoModel = "kling-v1"  # the upstream default, so leaving it out changes nothing
    mode: Literal["std", "pro"] = "std"
    aspect_ratio: AspectRatio = "16:9"
    duration: int = 5
    turbo_duration: int = 5
    extend_model: ExtendModel = "kling-v1"
    extend_duration: Literal[5, 10] = 5
    storyboard_model: StoryboardModel = "kling-v3"
    asset_model: AssetModel = "kling-v3"
    talking_photo_model: TalkingPhotoModel = "kling-v2-1-master"
    talking_photo_mode: Literal["std", "pro"] = "pro"
    talking_photo_duration: Literal[5, 10] = 5
    motion_mode: Literal["std", "pro"] = "std"
    character_orientation: Literal["image", "video"] = "image"
    refer_type: Literal["base", "feature"] = "base"  # upstream's own default
    lip_sync_audio_type: Literal["url", "file"] = "url"
    voice_language: Literal["zh", "en"] = "zh"
    commerce_resolution: Literal["720p", "1080p"] = "720p"
    commerce_aspect_ratio: Literal["9:16", "16:9"] = "9:16"

    def as_format_args(self) -> dict[str, object]:
        """`{default_model}` and the like, for tool descriptions and prompts."""
        return {f"default_{name}": getattr(self, name) for name in self.__dataclass_fields__}


DEFAULTS = Defaults()


@dataclass(frozen=True)
class Picks:
    """Which model the prompts suggest for what (editorial, from the upstream guides)."""

    quality: VideoModel = "kling-v3"  # quality, sound and camera moves
    fast: str = TURBO_MODEL
    references: tuple[OmniModel, ...] = ("kling-v3-omni", "kling-o1")
    budget_audio: VideoModel = "kling-v2-6"  # sound in pro mode, for less


PICKS = Picks()

# Limits from the upstream contract, named once.
NEGATIVE_PROMPT_MAX = 200
PROMPT_MAX = 2500
OMNI_IMAGES_MAX = 7
OMNI_IMAGES_WITH_VIDEO_MAX = 4
ELEMENTS_MAX = 3
VOICES_MAX = 2
SHOTS_MAX = 6
SHOT_PROMPT_MAX = 512
LIP_SYNC_TEXT_MAX = 120
LIP_SYNC_AUDIO_MAX_BYTES = 5 * 1024 * 1024
GOODS_IMAGES_MAX = 5
GOODS_TITLE_MAX = 200
GOODS_DESCRIPTION_MAX = 2000
SPEECH_SCRIPT_MAX = 2000
COMMERCE_TEXT_MAX = 2500  # the longest text item upstream takes (apparel product_info)
ACTION_PROMPT_MAX = 500
LIP_SYNC_VOICE_SPEED = (0.8, 2.0)
SPEECH_RATES = (0.8, 1.0, 1.2)
VOICE_MODE = "pro"  # voice references need this mode, with audio on
MODE_RESOLUTION = {"std": "720p", "pro": "1080p", "4k": "2160p"}  # what each mode means as a resolution

# Commerce content items: which take a URL (the rest take text), and which each tool accepts.
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
URL_CONTENT = frozenset(
    {"source_video", "product_image", "model_image", "bgm", "ref_image", "avatar_image", "person_image"}
)
PRODUCT_CONTENT = frozenset(
    {
        "ref_image",
        "goods_title",
        "goods_description",
        "goods_price",
        "goods_target_audience",
        "goods_selling_point",
    }
)
GOODS_STUDIO_CONTENT = frozenset({"ref_image", "goods_title", "goods_description"})
VIDEO_COMMERCE_CONTENT = PRODUCT_CONTENT | {"avatar_image", "avatar_id", "speech_script"}

# Rough job lengths from the upstream guides, for descriptions and first-poll hints.
TYPICAL_SECONDS = {"video": 120, "talking_photo": 300, "lip_sync": 120, "motion": 180, "commerce": 300}


def literal_values(tp: object) -> tuple[str, ...]:
    return tuple(str(v) for v in get_args(tp))
