"""What the simulated upstream refuses with 400, written from the upstream contract on its own.

It deliberately does not import the server's catalogue or rules (`app/kling/`): the tests send each
request the server rejects straight to the simulator too, so a mistake in either table shows up as
a disagreement instead of being shared. Each check returns an error message, or None.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Body = dict[str, Any]
Check = Callable[[Body], str | None]

FIVE_TEN = {5, 10}
V3_RANGE = set(range(3, 16))
# model: (modes, durations, modes with end frame, modes with audio, modes with camera control)
MATRIX: dict[str, tuple[set[str], set[int], set[str], set[str], set[str]]] = {
    "kling-v1": ({"std", "pro"}, FIVE_TEN, {"std", "pro"}, set(), {"std", "pro"}),
    "kling-v1-6": ({"std", "pro"}, FIVE_TEN, {"pro"}, set(), set()),
    "kling-v2-master": ({"std", "pro"}, FIVE_TEN, set(), set(), set()),
    "kling-v2-1-master": ({"std", "pro"}, FIVE_TEN, set(), set(), set()),
    "kling-v2-5-turbo": ({"std", "pro"}, FIVE_TEN, {"pro"}, set(), set()),
    "kling-v2-6": ({"std", "pro"}, FIVE_TEN, {"pro"}, {"pro"}, set()),
    "kling-v3": ({"std", "pro", "4k"}, V3_RANGE, {"std", "pro", "4k"}, {"std", "pro", "4k"}, {"std", "pro"}),
    "kling-v3-omni": ({"std", "pro", "4k"}, V3_RANGE, {"std", "pro", "4k"}, {"std", "pro", "4k"}, set()),
    "kling-o1": ({"std", "pro"}, {5}, {"std", "pro"}, set(), set()),
    "kling-v3-turbo": ({"std", "pro"}, V3_RANGE, set(), {"std", "pro"}, set()),
}
OMNI = {"kling-o1", "kling-v3-omni"}
EXTENDABLE = {"kling-v1", "kling-v1-6", "kling-v2-5-turbo"}
ELEMENT_MODELS = {"kling-v3", "kling-v3-omni", "kling-o1"}
MULTI_SHOT = {"kling-v3", "kling-v3-omni"}
TALKING_PHOTO = {
    "kling-v1",
    "kling-v1-6",
    "kling-v2-master",
    "kling-v2-1-master",
    "kling-v2-5-turbo",
    "kling-v2-6",
}


def first_error(body: Body, checks: list[Check]) -> str | None:
    for check in checks:
        if (message := check(body)) is not None:
            return message
    return None


# --- /kling/videos ----------------------------------------------------------------------------------


def _basics(b: Body) -> str | None:
    if b.get("action") not in ("text2video", "image2video", "extend"):
        return "action must be one of text2video, image2video, extend"
    if b.get("model", "kling-v1") not in MATRIX:
        return "model is invalid."
    if b["action"] == "extend" and (b.get("model", "kling-v1") not in EXTENDABLE or not b.get("video_id")):
        return "extend needs video_id and a model among kling-v1, kling-v1-6, kling-v2-5-turbo"
    if b["action"] == "image2video" and not b.get("start_image_url"):
        return "start_image_url is required for image2video"
    return None


def _matrix(b: Body) -> str | None:
    model, mode, duration = b.get("model", "kling-v1"), b.get("mode", "std"), b.get("duration", 5)
    modes, durations, end_modes, audio_modes, camera_modes = MATRIX[model]
    if mode not in modes or duration not in durations:
        return f"model/mode/duration({model}/{mode}/{duration}) is not supported"
    end_frame_ok = (
        b.get("start_image_url") and mode in end_modes and not (model == "kling-v1" and duration != 5)
    )
    if b.get("end_image_url") and not end_frame_ok:
        return f"model/mode/duration({model}/{mode}/{duration}) is not supported with image_tail"
    if b.get("generate_audio") and (mode not in audio_modes or b.get("video_list")):
        return f"generate_audio is not supported for {model}/{mode}"
    if b.get("camera_control") and (
        mode not in camera_modes
        or (model == "kling-v1" and duration != 5)
        or b.get("image_list")
        or b.get("video_list")
    ):
        return f"camera_control is not supported for {model}/{mode}/{duration}"
    return None


def _prompt_controls(b: Body) -> str | None:
    model = b.get("model", "kling-v1")
    tuned = b.get("negative_prompt") is not None or b.get("cfg_scale") is not None
    if len(b.get("negative_prompt") or "") > 200:
        return "negative_prompt must be at most 200 characters"
    if tuned and (model in ("kling-o1", "kling-v3-turbo") or b.get("image_list") or b.get("video_list")):
        return "negative_prompt and cfg_scale are not supported for this request"
    if tuned and b.get("action") == "extend" and model == "kling-v1":
        return "kling-v1 extend does not support negative_prompt or cfg_scale"
    return None


def _omni(b: Body) -> str | None:
    images, videos = b.get("image_list") or [], b.get("video_list") or []
    if not (images or videos):
        return None
    if b.get("model", "kling-v1") not in OMNI:
        return "image_list and video_list need kling-o1 or kling-v3-omni"
    if b.get("mode") == "4k":
        return "4k is not supported with references"
    if len(videos) > 1:
        return "video_list takes exactly one video"
    frames = int(bool(b.get("start_image_url"))) + int(bool(b.get("end_image_url")))
    limit = 4 if videos else 7
    if frames + len(images) + len(b.get("element_list") or []) > limit:
        return f"too many reference images: at most {limit}"
    types = [image.get("type") for image in images]
    if types.count("first_frame") + int(bool(b.get("start_image_url"))) > 1 or types.count("end_frame") > 1:
        return "at most one first_frame and one end_frame"
    if "end_frame" in types and "first_frame" not in types and not b.get("start_image_url"):
        return "end_frame needs first_frame"
    based = any(v.get("refer_type", "base") == "base" for v in videos)
    if based and (frames or {"first_frame", "end_frame"} & set(types)):
        return "refer_type base does not allow first or end frames"
    return None


def _assets(b: Body) -> str | None:
    elements, voices = b.get("element_list") or [], b.get("voice_list") or []
    if elements and voices:
        return "element_list cannot be combined with voice_list"
    if elements and (b.get("model") not in ELEMENT_MODELS or len(elements) > 3):
        return "element_list needs kling-v3, kling-v3-omni or kling-o1, with 1-3 elements"
    if voices:
        if (
            len(voices) > 2
            or b.get("model") != "kling-v2-6"
            or b.get("mode") != "pro"
            or not b.get("generate_audio")
        ):
            return "voice_list needs kling-v2-6, mode pro, generate_audio true, 1-2 voices"
        cited = {int(n) for n in re.findall(r"<<<voice_(\d+)>>>", b.get("prompt") or "")}
        if not cited or max(cited) > len(voices):
            return "the prompt must cite the voices as <<<voice_N>>>"
    return None


def _multi_shot(b: Body) -> str | None:
    if not b.get("multi_shot"):
        return None
    if b.get("model") not in MULTI_SHOT:
        return "multi_shot needs kling-v3 or kling-v3-omni"
    shots = b.get("multi_prompt") or []
    if b.get("shot_type") == "customize":
        if not 1 <= len(shots) <= 6 or [s.get("index") for s in shots] != list(range(1, len(shots) + 1)):
            return "multi_prompt needs 1-6 shots indexed from 1"
        if sum(s.get("duration", 0) for s in shots) != b.get("duration", 5):
            return "the shot durations must add up to duration"
    elif shots or not b.get("prompt"):
        return "shot_type intelligence needs prompt and no multi_prompt"
    return None


VIDEO_CHECKS: list[Check] = [_basics, _matrix, _prompt_controls, _omni, _assets, _multi_shot]


# --- other endpoints --------------------------------------------------------------------------------


def motion_error(b: Body) -> str | None:
    if not (b.get("image_url") and b.get("video_url")):
        return "image_url and video_url are required"
    if b.get("character_orientation") not in ("image", "video"):
        return "character_orientation must be image or video"
    if b.get("mode") not in ("std", "pro"):
        return "mode must be std or pro"
    if b.get("model_name") not in (None, "kling-v2-6", "kling-v3"):
        return "model_name must be kling-v2-6 or kling-v3"
    return None


def lip_sync_error(b: Body) -> str | None:
    if bool(b.get("video_id")) == bool(b.get("video_url")):
        return "one of video_id or video_url is required"
    if b.get("mode") == "audio2video":
        if not (b.get("audio_url") or b.get("audio_file")):
            return "audio_url or audio_file is required for audio2video"
        return None
    if b.get("mode") == "text2video":
        if not b.get("text") or len(b["text"]) > 120:
            return "text is required for text2video, at most 120 characters"
        if not b.get("voice_id"):
            return "voice_id is required for text2video"
        speed = b.get("voice_speed", 1.0)
        return None if 0.8 <= speed <= 2.0 else "voice_speed must be between 0.8 and 2.0"
    return "mode must be audio2video or text2video"


def talking_photo_error(b: Body) -> str | None:
    if not (b.get("image_url") and b.get("audio_url")):
        return "image_url and audio_url are required"
    if b.get("model", "kling-v2-1-master") not in TALKING_PHOTO:
        return "model is invalid."
    if b.get("duration", 5) not in FIVE_TEN or b.get("mode", "pro") not in ("std", "pro"):
        return "duration must be 5 or 10 and mode std or pro"
    return None


def _contents(b: Body) -> dict[str, list[Body]]:
    grouped: dict[str, list[Body]] = {}
    for item in b.get("contents") or []:
        grouped.setdefault(item.get("type"), []).append(item)
    return grouped


def goods_studio_error(b: Body) -> str | None:
    c, settings = _contents(b), b.get("settings") or {}
    if not 1 <= len(c.get("ref_image", [])) <= 5:
        return "1-5 ref_image items are required"
    titles = c.get("goods_title", [])
    if len(titles) != 1 or len(titles[0].get("text") or "") > 200 or not titles[0].get("text"):
        return "one goods_title of at most 200 characters is required"
    if any(len(d.get("text") or "") > 2000 for d in c.get("goods_description", [])):
        return "goods_description must be at most 2000 characters"
    if settings.get("aspect_ratio") not in ("9:16", "1:1", "16:9") or settings.get("duration") not in (
        15,
        30,
        60,
    ):
        return "settings.aspect_ratio and settings.duration (15, 30 or 60) are required"
    return None


def video_commerce_error(b: Body) -> str | None:
    c, settings = _contents(b), b.get("settings") or {}
    avatar_images, avatar_ids = c.get("avatar_image", []), c.get("avatar_id", [])
    if len(avatar_images) + len(avatar_ids) != 1:
        return "exactly one of avatar_image or avatar_id is required"
    if avatar_images and not settings.get("voice_id"):
        return "settings.voice_id is required with avatar_image"
    if avatar_ids and settings.get("voice_id"):
        return "a preset avatar cannot take voice_id"
    scripts = c.get("speech_script", [])
    if len(scripts) != 1 or not scripts[0].get("text") or len(scripts[0]["text"]) > 2000:
        return "one speech_script of at most 2000 characters is required"
    product = any(t.startswith("goods_") or t == "ref_image" for t in c)
    if product and (not c.get("ref_image") or len(c.get("goods_title", [])) != 1):
        return "product information needs ref_image and goods_title"
    rate = settings.get("speech_rate")
    if rate is not None and (product or rate not in (0.8, 1.0, 1.2)):
        return "speech_rate must be 0.8, 1.0 or 1.2, and only for character avatars"
    return None
