"""What the simulated upstream refuses (app/simulator/rejections.py), checked on bodies directly.
The agreement with the server's own rules is checked through the tools in tests/kling/rules/."""

from __future__ import annotations

from typing import Any

import pytest

from app.simulator.rejections import (
    VIDEO_CHECKS,
    Body,
    Check,
    first_error,
    goods_studio_error,
    lip_sync_error,
    motion_error,
    talking_photo_error,
    video_commerce_error,
)

IMG = "https://cdn.example.com/a.png"


def video_error(**body: Any) -> str | None:
    return first_error({"action": "text2video", "prompt": "a fox", **body}, VIDEO_CHECKS)


def test_plain_text_to_video_is_accepted() -> None:
    assert video_error() is None
    assert video_error(model="kling-v3", mode="4k", duration=12, generate_audio=True) is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"mode": "4k"}, "model/mode/duration(kling-v1/4k/5) is not supported"),
        ({"model": "kling-v9"}, "model is invalid."),
        ({"model": "kling-v3", "duration": 16}, "model/mode/duration(kling-v3/std/16) is not supported"),
        ({"action": "dance"}, "action must be one of text2video, image2video, extend"),
        ({"model": "kling-o1", "negative_prompt": "blur"}, "negative_prompt and cfg_scale are not supported"),
    ],
)
def test_video_rejections_say_why(body: dict[str, Any], message: str) -> None:
    error = video_error(**body)
    assert error is not None and error.startswith(message)


def test_first_error_stops_at_the_first_failing_check() -> None:
    seen: list[str] = []

    def check(name: str, message: str | None) -> Check:
        def run(body: Body) -> str | None:
            seen.append(name)
            return message

        return run

    checks = [check("ok", None), check("a", "a failed"), check("b", "b failed")]
    assert first_error({}, checks) == "a failed"
    assert seen == ["ok", "a"]


def test_lip_sync_text_mode_needs_text_and_voice() -> None:
    base = {"mode": "text2video", "video_id": "v-1", "text": "hello", "voice_id": "voice-1"}
    assert lip_sync_error(base) is None
    assert lip_sync_error({**base, "voice_id": None}) == "voice_id is required for text2video"
    assert lip_sync_error({**base, "video_url": IMG}) == "one of video_id or video_url is required"
    assert lip_sync_error({**base, "voice_speed": 2.5}) == "voice_speed must be between 0.8 and 2.0"


def test_commerce_checks() -> None:
    avatar = [{"type": "avatar_id", "text": "anna"}, {"type": "speech_script", "text": "Buy it."}]
    assert video_commerce_error({"contents": avatar, "settings": {"speech_rate": 1.2}}) is None
    product = [*avatar, {"type": "ref_image", "url": IMG}, {"type": "goods_title", "text": "Mug"}]
    assert video_commerce_error({"contents": product, "settings": {"speech_rate": 1.2}}) == (
        "speech_rate must be 0.8, 1.0 or 1.2, and only for character avatars"
    )
    goods = {"contents": product[2:], "settings": {"aspect_ratio": "1:1", "duration": 30}}
    assert goods_studio_error(goods) is None
    assert goods_studio_error({**goods, "settings": {"aspect_ratio": "1:1"}}) == (
        "settings.aspect_ratio and settings.duration (15, 30 or 60) are required"
    )


def test_motion_and_talking_photo_checks() -> None:
    motion = {"image_url": IMG, "video_url": IMG, "character_orientation": "image", "mode": "std"}
    assert motion_error(motion) is None
    assert motion_error({**motion, "model_name": "kling-v1"}) == "model_name must be kling-v2-6 or kling-v3"
    photo = {"image_url": IMG, "audio_url": IMG}
    assert talking_photo_error(photo) is None
    assert talking_photo_error({**photo, "model": "kling-v3"}) == "model is invalid."
