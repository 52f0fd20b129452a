"""The capability rules, checked before any upstream call so no credit is spent on a doomed request.

Each rule has a stable name. A broken rule raises `RuleViolation`, whose message says what is wrong
and whose alternatives say what would work; the tool layer turns it into an `invalid_request`
error. What a JSON schema can say (types, enums, ranges, lengths) is said there instead; these are
the rules that relate one field to another, read from the model table in `catalog.py`.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NoReturn

from app.kling.catalog import (
    MODELS,
    OMNI_IMAGES_MAX,
    OMNI_IMAGES_WITH_VIDEO_MAX,
    TURBO_MODEL,
    ModelSpec,
    model,
)

CITATION = re.compile(r"<<<(image|video|element|voice)_(\d+)>>>")


class RuleViolation(Exception):
    def __init__(self, rule: str, message: str, alternatives: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.alternatives = list(alternatives)


def reject(rule: str, message: str, alternatives: Sequence[str] = ()) -> NoReturn:
    raise RuleViolation(rule, message, alternatives)


def models_where(predicate: Callable[[ModelSpec], bool]) -> list[str]:
    return [m.id for m in MODELS if predicate(m) and m.id != TURBO_MODEL]


@dataclass
class VideoRequest:
    """The fields of a `/kling/videos` request that rules look at, from any of the video tools."""

    action: str
    model: str
    mode: str
    duration: int
    prompt: str | None = None
    negative_prompt: str | None = None
    cfg_scale: float | None = None
    generate_audio: bool = False
    camera_control: bool = False
    start_image_url: str | None = None
    end_image_url: str | None = None
    image_types: list[str | None] = field(default_factory=list)  # image_list, in order
    video_refer_types: list[str] = field(default_factory=list)  # video_list, in order
    elements: int = 0
    voices: int = 0

    @property
    def spec(self) -> ModelSpec:
        return model(self.model)

    @property
    def frames(self) -> int:
        return int(self.start_image_url is not None) + int(self.end_image_url is not None)

    @property
    def has_references(self) -> bool:
        return bool(self.image_types or self.video_refer_types)

    @property
    def omni_request(self) -> bool:
        return self.spec.always_omni or self.has_references


def check_video(req: VideoRequest) -> None:
    """Every rule that applies to a `/kling/videos` request, in the order a person would fix them."""
    for rule in (
        _action_frames,
        _mode,
        _duration,
        _negative_prompt,
        _audio,
        _camera,
        _frames,
        _references,
        _reference_images,
        _reference_video,
        _elements,
        _voices,
        _citations,
    ):
        rule(req)


def _action_frames(req: VideoRequest) -> None:
    if req.action == "text2video" and req.frames:
        reject(
            "frames_need_image2video",
            "start_image_url and end_image_url are used only with action=image2video.",
            ["action=image2video", "remove the frame URLs"],
        )
    if req.action == "image2video" and req.start_image_url is None:
        reject(
            "image2video_needs_start",
            "action=image2video needs start_image_url (the first frame).",
            ["add start_image_url", "action=text2video"],
        )


def _mode(req: VideoRequest) -> None:
    if req.spec.caps(req.mode) is None:
        with_mode = models_where(lambda m: req.mode in m.modes)
        reject(
            "mode_supported",
            f"{req.model} has no {req.mode} mode; it offers {', '.join(req.spec.modes)}.",
            [f"mode={m}" for m in req.spec.modes] + [f"model={m}" for m in with_mode],
        )


def _duration(req: VideoRequest) -> None:
    if req.duration not in req.spec.durations:
        reject(
            "duration_supported",
            f"{req.model} makes videos of {req.spec.duration_text} seconds, not {req.duration}.",
            [f"duration={d}" for d in req.spec.durations],
        )


def _negative_prompt(req: VideoRequest) -> None:
    used = [
        name
        for name, value in (("negative_prompt", req.negative_prompt), ("cfg_scale", req.cfg_scale))
        if value is not None
    ]
    if not used:
        return
    if req.action == "extend" and not req.spec.extend_negative_prompt:
        reject(
            "extend_negative_prompt",
            f"Extending with {req.model} takes neither negative_prompt nor cfg_scale.",
            ["leave out " + " and ".join(used), "model=kling-v1-6", "model=kling-v2-5-turbo"],
        )
    if not req.spec.negative_prompt or req.omni_request:
        why = (
            "Omni requests (kling-o1, or image_list/video_list references)" if req.omni_request else req.model
        )
        reject(
            "omni_no_negative_prompt",
            f"{why} take neither negative_prompt nor cfg_scale; {', '.join(used)} was given.",
            ["leave out " + " and ".join(used), "describe what to avoid in the prompt instead"],
        )


def _audio(req: VideoRequest) -> None:
    if not req.generate_audio or req.spec.audio_always_on:
        return
    caps = req.spec.caps(req.mode)
    if caps is None or not caps.audio:
        with_audio = [
            f"{m.id} ({'/'.join(k for k, c in m.modes.items() if c.audio)})"
            for m in MODELS
            if any(c.audio for c in m.modes.values()) and not m.audio_always_on
        ]
        reject(
            "audio_supported",
            f"{req.model} in {req.mode} mode cannot generate audio.",
            ["generate_audio=false", *[f"model={m}" for m in with_audio]],
        )
    if req.video_refer_types:
        reject(
            "omni_video_no_audio",
            "With a reference video (video_list), generate_audio must be false.",
            ["generate_audio=false", "remove video_list"],
        )


def _camera(req: VideoRequest) -> None:
    if not req.camera_control:
        return
    caps = req.spec.caps(req.mode)
    if req.omni_request or caps is None or not caps.camera:
        reject(
            "camera_supported",
            f"camera_control is not available for {req.model} in {req.mode} mode"
            + (" with references" if req.has_references else "")
            + "; only kling-v3 in std or pro mode, or kling-v1 at 5 s, take it (never 4k).",
            [
                "remove camera_control",
                "model=kling-v3 with mode=std or pro",
                "model=kling-v1 with duration=5",
            ],
        )
    if "camera" in req.spec.five_second_only and req.duration != 5:
        reject("camera_five_seconds", f"{req.model} takes camera_control only at 5 s.", ["duration=5"])


def _frames(req: VideoRequest) -> None:
    if req.end_image_url is None:
        return
    if req.start_image_url is None:
        reject(
            "end_frame_needs_start",
            "end_image_url needs a start_image_url (the first frame).",
            ["add start_image_url", "remove end_image_url"],
        )
    caps = req.spec.caps(req.mode)
    if caps is None or not caps.end_frame:
        with_end = [
            f"{m.id} ({'/'.join(k for k, c in m.modes.items() if c.end_frame)})"
            for m in MODELS
            if any(c.end_frame for c in m.modes.values())
        ]
        reject(
            "end_frame_supported",
            f"{req.model} in {req.mode} mode does not take an end frame.",
            ["remove end_image_url", *[f"model={m}" for m in with_end]],
        )
    if "end_frame" in req.spec.five_second_only and req.duration != 5:
        reject("end_frame_five_seconds", f"{req.model} takes an end frame only at 5 s.", ["duration=5"])


def _references(req: VideoRequest) -> None:
    if not req.has_references:
        return
    if not req.spec.omni_references:
        reject(
            "references_need_omni",
            f"image_list and video_list are Omni references; {req.model} does not take them.",
            ["model=kling-v3-omni", "model=kling-o1", "remove image_list and video_list"],
        )
    if req.mode == "4k":
        reject("omni_no_4k", "Requests with Omni references cannot use 4k mode.", ["mode=std", "mode=pro"])


def _reference_images(req: VideoRequest) -> None:
    if not req.has_references and not req.elements:
        return
    limit = OMNI_IMAGES_WITH_VIDEO_MAX if req.video_refer_types else OMNI_IMAGES_MAX
    total = req.frames + len(req.image_types) + req.elements
    if total > limit:
        reject(
            "omni_image_count",
            f"{total} images and subjects were given (frames, image_list and element_list count together); "
            f"the limit is {limit}" + (" with a reference video." if req.video_refer_types else "."),
            [f"at most {limit} in all", *(["remove video_list to allow 7"] if req.video_refer_types else [])],
        )
    firsts = req.image_types.count("first_frame") + int(req.start_image_url is not None)
    ends = req.image_types.count("end_frame") + int(req.end_image_url is not None)
    if firsts > 1 or ends > 1:
        reject(
            "omni_one_frame_each",
            "At most one first frame and one end frame, counting start_image_url, "
            "end_image_url and image_list types.",
            ["keep one of each"],
        )
    if ends and not firsts:
        reject(
            "end_frame_needs_start",
            "An end_frame image needs a first_frame image too.",
            ["add an image_list item with type=first_frame", "drop type=end_frame"],
        )


def _reference_video(req: VideoRequest) -> None:
    if "base" in req.video_refer_types and (
        req.frames or {"first_frame", "end_frame"} & set(req.image_types)
    ):
        reject(
            "base_video_no_frames",
            "A video_list video with refer_type=base is edited as is, so no first or end frame is allowed.",
            ["refer_type=feature", "remove the frames"],
        )


def _elements(req: VideoRequest) -> None:
    if not req.elements:
        return
    if not req.spec.elements:
        reject(
            "elements_supported",
            f"element_list needs kling-v3, kling-v3-omni or kling-o1, not {req.model}.",
            [f"model={m}" for m in models_where(lambda m: m.elements)],
        )


def _voices(req: VideoRequest) -> None:
    if not req.voices:
        return
    if not (req.spec.voices and req.mode == "pro" and req.generate_audio):
        reject(
            "voices_need_v2_6_pro_audio",
            "voice_list works only with model=kling-v2-6, mode=pro and generate_audio=true; got "
            f"model={req.model}, mode={req.mode}, generate_audio={str(req.generate_audio).lower()}.",
            ["model=kling-v2-6", "mode=pro", "generate_audio=true"],
        )


def _citations(req: VideoRequest) -> None:
    cited: dict[str, set[int]] = {"image": set(), "video": set(), "element": set(), "voice": set()}
    for kind, number in CITATION.findall(req.prompt or ""):
        cited[kind].add(int(number))
    available = {
        "image": req.frames + len(req.image_types),
        "video": len(req.video_refer_types),
        "element": req.elements,
        "voice": req.voices,
    }
    for kind, numbers in cited.items():
        beyond = sorted(n for n in numbers if n < 1 or n > available[kind])
        if beyond:
            reject(
                "citation_in_range",
                f"The prompt cites <<<{kind}_{beyond[0]}>>> but only {available[kind]} {kind} reference(s) "
                f"exist"
                + (" (start/end frames are numbered before image_list)" if kind == "image" else "")
                + ".",
                [f"cite <<<{kind}_1>>> to <<<{kind}_{available[kind]}>>>"]
                if available[kind]
                else [f"remove <<<{kind}_N>>> from the prompt"],
            )
    # Upstream ignores references the prompt does not cite, which would spend credits for nothing.
    uncited = [
        f"<<<image_{req.frames + i + 1}>>>"
        for i, kind in enumerate(req.image_types)
        if kind is None and req.frames + i + 1 not in cited["image"]
    ]
    uncited += [f"<<<video_{i + 1}>>>" for i in range(available["video"]) if i + 1 not in cited["video"]]
    uncited += [f"<<<element_{i + 1}>>>" for i in range(req.elements) if i + 1 not in cited["element"]]
    uncited += [f"<<<voice_{i + 1}>>>" for i in range(req.voices) if i + 1 not in cited["voice"]]
    if uncited:
        reject(
            "references_cited",
            f"The prompt does not cite {', '.join(uncited)}; upstream ignores uncited references.",
            [f"mention {', '.join(uncited)} in the prompt", "remove the uncited references"],
        )


# --- storyboard (multi-shot) ------------------------------------------------------------------------


@dataclass(frozen=True)
class Shot:
    index: int
    prompt: str
    duration: int


def check_storyboard(req: VideoRequest, shot_type: str, shots: Sequence[Shot]) -> None:
    check_video(req)  # the schema's model enum already allows only multi-shot models
    if shot_type == "intelligence":
        if shots:
            reject(
                "intelligence_no_shots",
                "shot_type=intelligence splits the prompt by itself; multi_prompt "
                "is only for shot_type=customize.",
                ["shot_type=customize", "remove multi_prompt"],
            )
        if not (req.prompt or "").strip():
            reject(
                "intelligence_needs_prompt",
                "shot_type=intelligence needs a prompt to split into shots.",
                ["add prompt", "shot_type=customize with multi_prompt"],
            )
        return
    if not shots:
        reject(
            "customize_needs_shots",
            "shot_type=customize needs multi_prompt: 1-6 shots.",
            ["add multi_prompt", "shot_type=intelligence"],
        )
    indices = [shot.index for shot in shots]
    if indices != list(range(1, len(shots) + 1)):
        reject(
            "shot_indices",
            f"multi_prompt indices must run 1..{len(shots)} in order; got {indices}.",
            [f"index 1 to {len(shots)}"],
        )
    total = sum(shot.duration for shot in shots)
    if total != req.duration:
        reject(
            "shot_durations_sum",
            f"The shot durations add up to {total} s but duration is {req.duration} s.",
            [
                f"duration={total}" if 3 <= total <= 15 else "shot durations adding up to 3-15",
                f"shot durations adding up to {req.duration}",
            ],
        )


# --- lip-sync ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LipSyncRequest:
    mode: str
    video_id: str | None
    video_url: str | None
    audio_type: str
    audio_url: str | None
    audio_file: str | None
    text: str | None
    voice_id: str | None


def check_lip_sync(req: LipSyncRequest, *, max_audio_bytes: int) -> None:
    if (req.video_id is None) == (req.video_url is None):
        reject(
            "lip_sync_one_video",
            "Give exactly one of video_id (a Kling video from the last 30 days) "
            "or video_url (an mp4/mov, 2-10 s).",
            ["video_id", "video_url"],
        )
    if req.mode == "audio2video":
        if req.text is not None or req.voice_id is not None:
            reject(
                "audio2video_no_text",
                "mode=audio2video takes audio, not text or voice_id.",
                ["mode=text2video", "remove text and voice_id"],
            )
        wanted, other = (
            ("audio_url", "audio_file") if req.audio_type == "url" else ("audio_file", "audio_url")
        )
        if getattr(req, wanted) is None or getattr(req, other) is not None:
            reject(
                "audio_source",
                f"audio_type={req.audio_type} needs {wanted} and no {other}.",
                [
                    f"audio_type={req.audio_type} with {wanted}",
                    f"audio_type={'file' if req.audio_type == 'url' else 'url'} with {other}",
                ],
            )
        if req.audio_file is not None:
            _check_audio_file(req.audio_file, max_audio_bytes)
        return
    if req.audio_url is not None or req.audio_file is not None:
        reject(
            "text2video_no_audio",
            "mode=text2video speaks text; it takes no audio_url or audio_file.",
            ["mode=audio2video", "remove the audio"],
        )
    if not (req.text or "").strip():
        reject("text2video_needs_text", "mode=text2video needs text (at most 120 characters).", ["add text"])
    if not req.voice_id:
        reject(
            "text2video_needs_voice",
            "mode=text2video needs voice_id: the voice that speaks the text.",
            ["add voice_id"],
        )


def _check_audio_file(data: str, max_bytes: int) -> None:
    try:
        size = len(base64.b64decode(data, validate=True))
    except (binascii.Error, ValueError):
        reject(
            "audio_file_base64",
            "audio_file is not valid base64.",
            ["base64 of an mp3/wav/m4a/aac file", "audio_type=url with audio_url"],
        )
    if size > max_bytes:
        reject(
            "audio_file_size",
            f"audio_file decodes to {size} bytes; the limit is {max_bytes} (5 MB).",
            ["a shorter or more compressed file", "audio_type=url with audio_url"],
        )


# --- commerce solutions -----------------------------------------------------------------------------

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


@dataclass(frozen=True)
class ContentItem:
    type: str
    text: str | None = None
    url: str | None = None


def _check_items(
    items: Sequence[ContentItem], allowed: frozenset[str], tool: str
) -> dict[str, list[ContentItem]]:
    by_type: dict[str, list[ContentItem]] = {}
    for position, item in enumerate(items):
        if item.type not in allowed:
            reject(
                "content_type_allowed",
                f"contents[{position}] has type {item.type}, which {tool} does not take.",
                sorted(allowed),
            )
        needs = "url" if item.type in URL_CONTENT else "text"
        if not getattr(item, needs):
            reject("content_value", f"contents[{position}] ({item.type}) needs a {needs}.", [f"set {needs}"])
        by_type.setdefault(item.type, []).append(item)
    return by_type


def _count(by_type: dict[str, list[ContentItem]], kind: str, low: int, high: int, rule: str) -> None:
    n = len(by_type.get(kind, []))
    if not low <= n <= high:
        wanted = f"exactly {low}" if low == high else f"{low}-{high}"
        reject(rule, f"contents needs {wanted} {kind} item(s); got {n}.", [f"{wanted} {kind}"])


def check_goods_studio(items: Sequence[ContentItem], limits: dict[str, int]) -> None:
    by_type = _check_items(items, GOODS_STUDIO_CONTENT, "kling_goods_studio")
    _count(by_type, "ref_image", 1, limits["images"], "goods_images")
    _count(by_type, "goods_title", 1, 1, "goods_title")
    _count(by_type, "goods_description", 0, 1, "goods_description")
    _max_text(by_type, "goods_title", limits["title"])
    _max_text(by_type, "goods_description", limits["description"])


def check_video_commerce(
    items: Sequence[ContentItem],
    *,
    voice_id: str | None,
    speech_rate: float | None,
    script_max: int,
    title_max: int,
) -> None:
    by_type = _check_items(items, VIDEO_COMMERCE_CONTENT, "kling_video_commerce")
    avatars = len(by_type.get("avatar_image", [])) + len(by_type.get("avatar_id", []))
    if avatars != 1:
        reject(
            "one_character",
            f"Give exactly one character: an avatar_image or a preset avatar_id; got {avatars}.",
            ["one avatar_image plus settings.voice_id", "one avatar_id"],
        )
    if "avatar_image" in by_type and not voice_id:
        reject(
            "avatar_image_needs_voice",
            "An avatar_image needs settings.voice_id (the voice it speaks with).",
            ["set settings.voice_id", "use a preset avatar_id"],
        )
    if "avatar_id" in by_type and voice_id:
        reject(
            "preset_avatar_no_voice",
            "A preset avatar_id has its own voice; settings.voice_id is not allowed.",
            ["remove settings.voice_id", "use an avatar_image"],
        )
    _count(by_type, "speech_script", 1, 1, "speech_script")
    _max_text(by_type, "speech_script", script_max)
    if PRODUCT_CONTENT & by_type.keys():
        if not by_type.get("ref_image") or len(by_type.get("goods_title", [])) != 1:
            reject(
                "product_needs_image_and_title",
                "With product information, give at least one ref_image and exactly one goods_title.",
                ["add ref_image and goods_title", "remove the product items"],
            )
        _max_text(by_type, "goods_title", title_max)
        if speech_rate is not None:
            reject(
                "speech_rate_plain_avatar",
                "speech_rate applies only to plain character avatars, not to product avatars.",
                ["remove settings.speech_rate", "remove the product items"],
            )


def _max_text(by_type: dict[str, list[ContentItem]], kind: str, limit: int) -> None:
    for item in by_type.get(kind, []):
        if item.text is not None and len(item.text) > limit:
            reject(
                f"{kind}_length",
                f"{kind} is {len(item.text)} characters; the limit is {limit}.",
                [f"at most {limit} characters"],
            )
