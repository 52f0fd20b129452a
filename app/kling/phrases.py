"""How the catalogue's facts read in sentences: model lists, durations and limits, named once.

Tool descriptions, parameter descriptions, rule messages and prompts say "kling-v3 and
kling-v3-omni" or "1-6 shots" through these phrases, so a change to the model table changes every
sentence that mentions it. `PHRASES` is computed from the table when the module loads (pure data,
no I/O); `as_format_args()` gives them to `str.format` templates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass

from app.kling.catalog import (
    DEFAULTS,
    ELEMENTS_MAX,
    FIVE_OR_TEN,
    GOODS_DESCRIPTION_MAX,
    GOODS_IMAGES_MAX,
    GOODS_TITLE_MAX,
    LIP_SYNC_AUDIO_MAX_BYTES,
    LIP_SYNC_TEXT_MAX,
    MODE_RESOLUTION,
    MODELS,
    OMNI_IMAGES_MAX,
    OMNI_IMAGES_WITH_VIDEO_MAX,
    PICKS,
    PROMPT_MAX,
    SHOT_PROMPT_MAX,
    SHOTS_MAX,
    SPEECH_SCRIPT_MAX,
    TURBO_MODEL,
    VIDEO_MODELS,
    VOICE_MODE,
    VOICES_MAX,
    ModelSpec,
    model,
)


def join(items: Iterable[str], last: str = "and") -> str:
    """'a', 'a and b', 'a, b and c' (or with 'or')."""
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def short(ids: Sequence[str]) -> str:
    """'kling-v3/v3-omni': the first id in full, the others without the common prefix."""
    return "/".join([ids[0], *(i.removeprefix("kling-") for i in ids[1:])])


def ids(predicate: Callable[[ModelSpec], bool], models: Iterable[ModelSpec] = VIDEO_MODELS) -> list[str]:
    return [m.id for m in models if predicate(m)]


def span(values: Sequence[int]) -> str:
    """Durations as people write them: '5', '5 or 10', '3-15'."""
    if len(values) == 1:
        return str(values[0])
    if tuple(values) == FIVE_OR_TEN:
        return "5 or 10"
    return f"{values[0]}-{values[-1]}"


def modes_with(m: ModelSpec, feature: str) -> list[str]:
    return [name for name, caps in m.modes.items() if getattr(caps, feature)]


def restriction(m: ModelSpec, feature: str) -> str:
    """'' when a model has the feature everywhere, else 'at 5 s' or the modes that have it."""
    if feature in m.five_second_only:
        return "at 5 s"
    modes = modes_with(m, feature)
    return "" if modes == list(m.modes) else "/".join(modes)


def durations_by_model() -> str:
    """'5 or 10 for most models, 3-15 for kling-v3/v3-omni, 5 for kling-o1'."""
    groups: dict[tuple[int, ...], list[str]] = {}
    for m in VIDEO_MODELS:
        groups.setdefault(m.durations, []).append(m.id)
    largest = max(groups.values(), key=len)
    return ", ".join(
        f"{span(d)} for {'most models' if group is largest else short(group)}" for d, group in groups.items()
    )


def audio_models() -> str:
    """'kling-v2-6 pro, kling-v3 and kling-v3-omni'."""
    return join(f"{m.id} {restriction(m, 'audio')}".strip() for m in VIDEO_MODELS if modes_with(m, "audio"))


def camera_models() -> str:
    """'kling-v3 std/pro, or kling-v1 at 5 s': models without a duration limit first."""
    with_camera = [m for m in VIDEO_MODELS if modes_with(m, "camera")]
    with_camera.sort(key=lambda m: "camera" in m.five_second_only)
    return ", or ".join(f"{m.id} {restriction(m, 'camera')}" for m in with_camera)


def end_frame_models() -> str:
    """'kling-v1 at 5 s, kling-v1-6/v2-5-turbo/v2-6 in pro, kling-v3, ...': restricted models grouped."""
    parts: list[str] = []
    groups: dict[str, list[str]] = {}
    for m in VIDEO_MODELS:
        if not modes_with(m, "end_frame"):
            continue
        limit = restriction(m, "end_frame")
        if not limit:
            parts.append(m.id)
        elif limit in groups:
            groups[limit].append(m.id)
        else:
            groups[limit] = [m.id]
            parts.append(limit)  # a placeholder, filled below in first-seen order
    return ", ".join(
        f"{short(groups[p])} {p if p.startswith('at ') else 'in ' + p}" if p in groups else p for p in parts
    )


def picks() -> str:
    """The one recommendation line: which model for what, and what the default lacks."""
    default = model(DEFAULTS.model)
    default_lacks = "no sound" if not any(c.audio for c in default.modes.values()) else "fewest features"
    return (
        f"Best quality with sound: {PICKS.quality} (mode pro = 1080p). Fastest with sound: "
        f"{PICKS.fast} (kling_generate_turbo_video). Cheaper sound: {PICKS.budget_audio} pro. "
        f"The default {DEFAULTS.model} is the oldest ({default_lacks})."
    )


def megabytes(size: int) -> str:
    return f"{size // (1024 * 1024)} MB"


@dataclass(frozen=True)
class Phrases:
    """Every catalogue fact that a sentence states, by name; `{name}` in description templates."""

    models_4k: str
    durations_by_model: str
    duration_min: int
    duration_max: int
    audio_models: str
    no_negative_prompt_models: str
    camera_models: str
    omni_models: str  # 'kling-o1, kling-v3-omni'
    omni_models_or: str
    omni_images_max: int
    reference_video_seconds: str  # '3-10 s (o1) or 3-15.5 s (v3-omni)'
    omni_images_with_video_max: int
    end_frame_models: str
    extend_models: str
    extend_models_or: str
    extend_durations: str
    extend_no_negative_prompt_models: str
    turbo_model: str
    turbo_durations: str
    turbo_std_resolution: str
    turbo_pro_resolution: str
    prompt_max: int
    multi_shot_models_or: str
    multi_shot_durations: str
    shots_max: int
    shot_prompt_max: int
    element_models: str  # 'kling-v3, v3-omni, o1'
    element_models_or: str
    elements_max: int
    voice_models: str
    voice_mode: str
    voices_max: int
    motion_models_or: str
    lip_sync_text_max: int
    lip_sync_audio_max: str
    goods_images_max: int
    goods_title_max: int
    goods_description_max: int
    speech_script_max: int
    mode_resolutions: str  # 'std 720p, pro 1080p, 4k 2160p'
    picks: str  # which model for what, one line

    def as_format_args(self) -> dict[str, object]:
        return asdict(self)


def catalogue_phrases() -> Phrases:
    omni = sorted(ids(lambda m: m.omni_references))
    extend = ids(lambda m: m.extend)
    multi_shot = ids(lambda m: m.multi_shot)
    elements = ids(lambda m: m.elements)
    durations = sorted({d for m in VIDEO_MODELS for d in m.durations})
    turbo = model(TURBO_MODEL)
    return Phrases(
        models_4k=join(ids(lambda m: "4k" in m.modes)),
        durations_by_model=durations_by_model(),
        duration_min=durations[0],
        duration_max=durations[-1],
        audio_models=audio_models(),
        no_negative_prompt_models=join(ids(lambda m: not m.negative_prompt), "or"),
        camera_models=camera_models(),
        omni_models=", ".join(omni),
        omni_models_or=join(omni, "or"),
        omni_images_max=OMNI_IMAGES_MAX,
        reference_video_seconds=join(
            [
                f"{low:g}-{high:g} s ({m.id.removeprefix('kling-')})"
                for m in sorted(VIDEO_MODELS, key=lambda m: m.id)
                if m.reference_video_seconds is not None
                for low, high in [m.reference_video_seconds]
            ],
            "or",
        ),
        omni_images_with_video_max=OMNI_IMAGES_WITH_VIDEO_MAX,
        end_frame_models=end_frame_models(),
        extend_models=join(extend),
        extend_models_or=join(extend, "or"),
        extend_durations=join(sorted({span(model(i).durations) for i in extend}), "or"),
        extend_no_negative_prompt_models=join(ids(lambda m: m.extend and not m.extend_negative_prompt)),
        turbo_model=TURBO_MODEL,
        turbo_durations=span(turbo.durations),
        turbo_std_resolution=MODE_RESOLUTION["std"],
        turbo_pro_resolution=MODE_RESOLUTION["pro"],
        prompt_max=PROMPT_MAX,
        multi_shot_models_or=join(multi_shot, "or"),
        multi_shot_durations=join(sorted({span(model(i).durations) for i in multi_shot}), "or"),
        shots_max=SHOTS_MAX,
        shot_prompt_max=SHOT_PROMPT_MAX,
        element_models=", ".join([elements[0], *(i.removeprefix("kling-") for i in elements[1:])]),
        element_models_or=join(elements, "or"),
        elements_max=ELEMENTS_MAX,
        voice_models=join(ids(lambda m: m.voices), "or"),
        voice_mode=VOICE_MODE,
        voices_max=VOICES_MAX,
        motion_models_or=join(ids(lambda m: m.motion, MODELS), "or"),
        lip_sync_text_max=LIP_SYNC_TEXT_MAX,
        lip_sync_audio_max=megabytes(LIP_SYNC_AUDIO_MAX_BYTES),
        goods_images_max=GOODS_IMAGES_MAX,
        goods_title_max=GOODS_TITLE_MAX,
        goods_description_max=GOODS_DESCRIPTION_MAX,
        speech_script_max=SPEECH_SCRIPT_MAX,
        mode_resolutions=", ".join(f"{mode} {resolution}" for mode, resolution in MODE_RESOLUTION.items()),
        picks=picks(),
    )


PHRASES = catalogue_phrases()
