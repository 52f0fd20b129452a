"""The one path from a video tool's input model to its upstream body (app/mcp/tools/video.py)."""

from __future__ import annotations

from app.kling.catalog import DEFAULTS, TURBO_MODEL
from app.mcp.tools.inputs import CameraControl
from app.mcp.tools.video import (
    ExtendVideo,
    StoryboardRequest,
    TextToVideo,
    TurboRequest,
    video_body,
)


def test_text_to_video_sends_what_was_set_and_the_defaults_never_null() -> None:
    args = TextToVideo.model_validate({"prompt": "a fox", "camera_control": {"type": "simple"}})
    assert isinstance(args.camera_control, CameraControl)
    assert video_body(args) == {
        "action": "text2video",
        "model": DEFAULTS.model,
        "prompt": "a fox",
        "mode": DEFAULTS.mode,
        "aspect_ratio": DEFAULTS.aspect_ratio,
        "duration": DEFAULTS.duration,
        "camera_control": {"type": "simple"},
    }  # generate_audio=false is upstream's default, so it is left out


def test_audio_is_sent_only_when_true() -> None:
    args = TextToVideo.model_validate({"prompt": "a fox", "model": "kling-v3", "generate_audio": True})
    assert video_body(args)["generate_audio"] is True


def test_turbo_fixes_its_model_and_audio() -> None:
    body = video_body(TurboRequest.model_validate({"prompt": "drums"}))
    assert (body["model"], body["generate_audio"], body["action"]) == (TURBO_MODEL, True, "text2video")


def test_extend_strips_the_video_id_and_sends_no_audio_field() -> None:
    body = video_body(ExtendVideo.model_validate({"video_id": "  v-1 ", "prompt": "next"}))
    assert body["video_id"] == "v-1" and body["action"] == "extend" and "generate_audio" not in body


def test_storyboard_marks_multi_shot() -> None:
    body = video_body(StoryboardRequest.model_validate({"prompt": "a chef"}), multi_shot=True)
    assert body["multi_shot"] is True and body["shot_type"] == "intelligence"
