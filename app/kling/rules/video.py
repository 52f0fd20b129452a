"""Rules for `/kling/videos` requests: text, image, extend, turbo, storyboard and asset videos.

They read a request through `VideoArgs`, which every video tool's input model satisfies (a field
a tool does not offer is a class-level constant on its model, e.g. turbo's model and audio). What
a JSON schema can say (types, enums, ranges, lengths) is said there instead; these are the rules
that relate one field to another, read from the model table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol

from app.kling.catalog import (
    MODELS,
    OMNI_IMAGES_MAX,
    OMNI_IMAGES_WITH_VIDEO_MAX,
    VOICE_MODE,
    ModelSpec,
    model,
)
from app.kling.phrases import PHRASES, ids, modes_with
from app.kling.rules.base import Rule, RuleSet, Violation

CITATION = re.compile(r"<<<(image|video|element|voice)_(\d+)>>>")


class ImageRef(Protocol):
    @property
    def type(self) -> str | None: ...


class VideoRef(Protocol):
    @property
    def refer_type(self) -> str: ...


class VideoArgs(Protocol):
    """What the video rules read from a tool's input."""

    @property
    def action(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def mode(self) -> str: ...
    @property
    def duration(self) -> int: ...
    @property
    def prompt(self) -> str | None: ...
    @property
    def negative_prompt(self) -> str | None: ...
    @property
    def cfg_scale(self) -> float | None: ...
    @property
    def generate_audio(self) -> bool: ...
    @property
    def camera_control(self) -> object | None: ...
    @property
    def start_image_url(self) -> str | None: ...
    @property
    def end_image_url(self) -> str | None: ...
    @property
    def image_list(self) -> Sequence[ImageRef] | None: ...
    @property
    def video_list(self) -> Sequence[VideoRef] | None: ...
    @property
    def element_list(self) -> Sequence[object] | None: ...
    @property
    def voice_list(self) -> Sequence[object] | None: ...


# --- facts derived from a request -------------------------------------------------------------------


def spec(req: VideoArgs) -> ModelSpec:
    return model(req.model)


def frames(req: VideoArgs) -> int:
    return int(req.start_image_url is not None) + int(req.end_image_url is not None)


def image_types(req: VideoArgs) -> list[str | None]:
    return [image.type for image in req.image_list or []]


def video_refer_types(req: VideoArgs) -> list[str]:
    return [video.refer_type for video in req.video_list or []]


def has_references(req: VideoArgs) -> bool:
    return bool(req.image_list or req.video_list)


def omni_request(req: VideoArgs) -> bool:
    return spec(req).always_omni or has_references(req)


def elements(req: VideoArgs) -> int:
    return len(req.element_list or [])


def voices(req: VideoArgs) -> int:
    return len(req.voice_list or [])


def with_feature(feature: str) -> list[str]:
    """'kling-v2-6 (pro)'-style entries for every model that has a feature in some mode."""
    return [
        f"{m.id} ({'/'.join(modes_with(m, feature))})"
        for m in MODELS
        if modes_with(m, feature) and not (feature == "audio" and m.audio_always_on)
    ]


# --- the rules --------------------------------------------------------------------------------------


def _frames_need_image2video(req: VideoArgs) -> Violation | None:
    if req.action == "text2video" and frames(req):
        return Violation(
            "start_image_url and end_image_url are used only with action=image2video.",
            ["action=image2video", "remove the frame URLs"],
        )
    return None


def _image2video_needs_start(req: VideoArgs) -> Violation | None:
    if req.action == "image2video" and req.start_image_url is None:
        return Violation(
            "action=image2video needs start_image_url (the first frame).",
            ["add start_image_url", "action=text2video"],
        )
    return None


def _mode_supported(req: VideoArgs) -> Violation | None:
    if spec(req).caps(req.mode) is None:
        modes = spec(req).modes
        with_mode = ids(lambda m: req.mode in m.modes)
        return Violation(
            f"{req.model} has no {req.mode} mode; it offers {', '.join(modes)}.",
            [f"mode={m}" for m in modes] + [f"model={m}" for m in with_mode],
        )
    return None


def _duration_supported(req: VideoArgs) -> Violation | None:
    if req.duration not in spec(req).durations:
        return Violation(
            f"{req.model} makes videos of {spec(req).duration_text} seconds, not {req.duration}.",
            [f"duration={d}" for d in spec(req).durations],
        )
    return None


def _used_negative_prompt(req: VideoArgs) -> list[str]:
    pairs = (("negative_prompt", req.negative_prompt), ("cfg_scale", req.cfg_scale))
    return [name for name, value in pairs if value is not None]


def _extend_negative_prompt(req: VideoArgs) -> Violation | None:
    used = _used_negative_prompt(req)
    if used and req.action == "extend" and not spec(req).extend_negative_prompt:
        return Violation(
            f"Extending with {req.model} takes neither negative_prompt nor cfg_scale.",
            [
                "leave out " + " and ".join(used),
                *(f"model={m}" for m in ids(lambda m: m.extend and m.extend_negative_prompt)),
            ],
        )
    return None


def _omni_no_negative_prompt(req: VideoArgs) -> Violation | None:
    used = _used_negative_prompt(req)
    if used and (not spec(req).negative_prompt or omni_request(req)):
        why = (
            f"Omni requests ({PHRASES.no_negative_prompt_models}, or image_list/video_list references)"
            if omni_request(req)
            else req.model
        )
        return Violation(
            f"{why} take neither negative_prompt nor cfg_scale; {', '.join(used)} was given.",
            ["leave out " + " and ".join(used), "describe what to avoid in the prompt instead"],
        )
    return None


def _audio_supported(req: VideoArgs) -> Violation | None:
    if not req.generate_audio or spec(req).audio_always_on:
        return None
    caps = spec(req).caps(req.mode)
    if caps is None or not caps.audio:
        return Violation(
            f"{req.model} in {req.mode} mode cannot generate audio.",
            ["generate_audio=false", *[f"model={m}" for m in with_feature("audio")]],
        )
    return None


def _omni_video_no_audio(req: VideoArgs) -> Violation | None:
    if req.generate_audio and not spec(req).audio_always_on and req.video_list:
        return Violation(
            "With a reference video (video_list), generate_audio must be false.",
            ["generate_audio=false", "remove video_list"],
        )
    return None


def _camera_supported(req: VideoArgs) -> Violation | None:
    if req.camera_control is None:
        return None
    caps = spec(req).caps(req.mode)
    if omni_request(req) or caps is None or not caps.camera:
        return Violation(
            f"camera_control is not available for {req.model} in {req.mode} mode"
            + (" with references" if has_references(req) else "")
            + f"; only {_camera_models()}, take it (never 4k).",
            ["remove camera_control", *(_camera_alternatives())],
        )
    return None


def _camera_models() -> str:
    """'kling-v3 in std or pro mode, or kling-v1 at 5 s': models without a duration limit first."""
    with_camera = sorted(
        (m for m in MODELS if modes_with(m, "camera")), key=lambda m: "camera" in m.five_second_only
    )
    return ", or ".join(
        f"{m.id} at 5 s"
        if "camera" in m.five_second_only
        else f"{m.id} in {' or '.join(modes_with(m, 'camera'))} mode"
        for m in with_camera
    )


def _camera_alternatives() -> list[str]:
    found = []
    for m in MODELS:
        modes = modes_with(m, "camera")
        if not modes:
            continue
        if "camera" in m.five_second_only:
            found.append(f"model={m.id} with duration=5")
        else:
            found.insert(0, f"model={m.id} with mode={' or '.join(modes)}")
    return found


def _camera_five_seconds(req: VideoArgs) -> Violation | None:
    if req.camera_control is not None and "camera" in spec(req).five_second_only and req.duration != 5:
        return Violation(f"{req.model} takes camera_control only at 5 s.", ["duration=5"])
    return None


def _end_frame_needs_start(req: VideoArgs) -> Violation | None:
    if req.end_image_url is not None and req.start_image_url is None:
        return Violation(
            "end_image_url needs a start_image_url (the first frame).",
            ["add start_image_url", "remove end_image_url"],
        )
    return None


def _end_frame_supported(req: VideoArgs) -> Violation | None:
    if req.end_image_url is None:
        return None
    caps = spec(req).caps(req.mode)
    if caps is None or not caps.end_frame:
        return Violation(
            f"{req.model} in {req.mode} mode does not take an end frame.",
            ["remove end_image_url", *[f"model={m}" for m in with_feature("end_frame")]],
        )
    return None


def _end_frame_five_seconds(req: VideoArgs) -> Violation | None:
    if req.end_image_url is not None and "end_frame" in spec(req).five_second_only and req.duration != 5:
        return Violation(f"{req.model} takes an end frame only at 5 s.", ["duration=5"])
    return None


def _references_need_omni(req: VideoArgs) -> Violation | None:
    if has_references(req) and not spec(req).omni_references:
        return Violation(
            f"image_list and video_list are Omni references; {req.model} does not take them.",
            [*(f"model={m}" for m in ids(lambda m: m.omni_references)), "remove image_list and video_list"],
        )
    return None


def _omni_no_4k(req: VideoArgs) -> Violation | None:
    if has_references(req) and req.mode == "4k":
        return Violation("Requests with Omni references cannot use 4k mode.", ["mode=std", "mode=pro"])
    return None


def _uses_reference_images(req: VideoArgs) -> bool:
    return has_references(req) or bool(elements(req))


def _omni_image_count(req: VideoArgs) -> Violation | None:
    if not _uses_reference_images(req):
        return None
    limit = OMNI_IMAGES_WITH_VIDEO_MAX if req.video_list else OMNI_IMAGES_MAX
    total = frames(req) + len(image_types(req)) + elements(req)
    if total > limit:
        return Violation(
            f"{total} images and subjects were given (frames, image_list and element_list count together); "
            f"the limit is {limit}" + (" with a reference video." if req.video_list else "."),
            [
                f"at most {limit} in all",
                *([f"remove video_list to allow {OMNI_IMAGES_MAX}"] if req.video_list else []),
            ],
        )
    return None


def _first_and_end_frames(req: VideoArgs) -> tuple[int, int]:
    types = image_types(req)
    firsts = types.count("first_frame") + int(req.start_image_url is not None)
    ends = types.count("end_frame") + int(req.end_image_url is not None)
    return firsts, ends


def _omni_one_frame_each(req: VideoArgs) -> Violation | None:
    firsts, ends = _first_and_end_frames(req)
    if _uses_reference_images(req) and (firsts > 1 or ends > 1):
        return Violation(
            "At most one first frame and one end frame, counting start_image_url, "
            "end_image_url and image_list types.",
            ["keep one of each"],
        )
    return None


def _end_image_needs_first(req: VideoArgs) -> Violation | None:
    firsts, ends = _first_and_end_frames(req)
    if _uses_reference_images(req) and ends and not firsts:
        return Violation(
            "An end_frame image needs a first_frame image too.",
            ["add an image_list item with type=first_frame", "drop type=end_frame"],
        )
    return None


def _base_video_no_frames(req: VideoArgs) -> Violation | None:
    if "base" in video_refer_types(req) and (
        frames(req) or {"first_frame", "end_frame"} & set(image_types(req))
    ):
        return Violation(
            "A video_list video with refer_type=base is edited as is, so no first or end frame is allowed.",
            ["refer_type=feature", "remove the frames"],
        )
    return None


def _elements_supported(req: VideoArgs) -> Violation | None:
    if elements(req) and not spec(req).elements:
        return Violation(
            f"element_list needs {PHRASES.element_models_or}, not {req.model}.",
            [f"model={m}" for m in ids(lambda m: m.elements)],
        )
    return None


def _voices_need_audio_model(req: VideoArgs) -> Violation | None:
    if voices(req) and not (spec(req).voices and req.mode == VOICE_MODE and req.generate_audio):
        voice_models = ids(lambda m: m.voices)
        return Violation(
            f"voice_list works only with model={PHRASES.voice_models}, mode={VOICE_MODE} and "
            f"generate_audio=true; got model={req.model}, mode={req.mode}, "
            f"generate_audio={str(req.generate_audio).lower()}.",
            [*(f"model={m}" for m in voice_models), f"mode={VOICE_MODE}", "generate_audio=true"],
        )
    return None


def _available(req: VideoArgs) -> dict[str, int]:
    return {
        "image": frames(req) + len(image_types(req)),
        "video": len(video_refer_types(req)),
        "element": elements(req),
        "voice": voices(req),
    }


def _cited(req: VideoArgs) -> dict[str, set[int]]:
    cited: dict[str, set[int]] = {"image": set(), "video": set(), "element": set(), "voice": set()}
    for kind, number in CITATION.findall(req.prompt or ""):
        cited[kind].add(int(number))
    return cited


def _citation_in_range(req: VideoArgs) -> Violation | None:
    available = _available(req)
    for kind, numbers in _cited(req).items():
        beyond = sorted(n for n in numbers if n < 1 or n > available[kind])
        if beyond:
            return Violation(
                f"The prompt cites <<<{kind}_{beyond[0]}>>> but only {available[kind]} {kind} reference(s) "
                f"exist"
                + (" (start/end frames are numbered before image_list)" if kind == "image" else "")
                + ".",
                [f"cite <<<{kind}_1>>> to <<<{kind}_{available[kind]}>>>"]
                if available[kind]
                else [f"remove <<<{kind}_N>>> from the prompt"],
            )
    return None


def _references_cited(req: VideoArgs) -> Violation | None:
    # Upstream ignores references the prompt does not cite, which would spend credits for nothing.
    cited, available, first = _cited(req), _available(req), frames(req)
    uncited = [
        f"<<<image_{first + i + 1}>>>"
        for i, kind in enumerate(image_types(req))
        if kind is None and first + i + 1 not in cited["image"]
    ]
    for kind in ("video", "element", "voice"):
        uncited += [f"<<<{kind}_{i + 1}>>>" for i in range(available[kind]) if i + 1 not in cited[kind]]
    if uncited:
        return Violation(
            f"The prompt does not cite {', '.join(uncited)}; upstream ignores uncited references.",
            [f"mention {', '.join(uncited)} in the prompt", "remove the uncited references"],
        )
    return None


def _assets_one_kind(req: VideoArgs) -> Violation | None:
    if (req.element_list is None) == (req.voice_list is None):
        return Violation(
            "Give exactly one of element_list (subjects) or voice_list (voices).",
            ["element_list", "voice_list"],
        )
    return None


def _rule(name: str, check: Callable[[VideoArgs], Violation | None]) -> Rule[VideoArgs]:
    return Rule(name, check)


VIDEO = RuleSet[VideoArgs](
    "video",
    _rule("frames_need_image2video", _frames_need_image2video),
    _rule("image2video_needs_start", _image2video_needs_start),
    _rule("mode_supported", _mode_supported),
    _rule("duration_supported", _duration_supported),
    _rule("extend_negative_prompt", _extend_negative_prompt),
    _rule("omni_no_negative_prompt", _omni_no_negative_prompt),
    _rule("audio_supported", _audio_supported),
    _rule("omni_video_no_audio", _omni_video_no_audio),
    _rule("camera_supported", _camera_supported),
    _rule("camera_five_seconds", _camera_five_seconds),
    _rule("end_frame_needs_start", _end_frame_needs_start),
    _rule("end_frame_supported", _end_frame_supported),
    _rule("end_frame_five_seconds", _end_frame_five_seconds),
    _rule("references_need_omni", _references_need_omni),
    _rule("omni_no_4k", _omni_no_4k),
    _rule("omni_image_count", _omni_image_count),
    _rule("omni_one_frame_each", _omni_one_frame_each),
    # The same rule as above, for frames given as image_list types rather than URLs.
    _rule("end_frame_needs_start", _end_image_needs_first),
    _rule("base_video_no_frames", _base_video_no_frames),
    _rule("elements_supported", _elements_supported),
    _rule("voices_need_v2_6_pro_audio", _voices_need_audio_model),
    _rule("citation_in_range", _citation_in_range),
    _rule("references_cited", _references_cited),
)

ASSETS = RuleSet[VideoArgs]("assets", _rule("assets_one_kind", _assets_one_kind), VIDEO)
