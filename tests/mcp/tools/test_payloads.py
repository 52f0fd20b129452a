"""The exact body each generation tool sends upstream, as received by the simulator over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest

from tests.helpers import AUDIO, IMG, IMG2, VID, Stack, running_stack

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

TOKEN = "tok-payload-0001"

PAYLOADS: list[tuple[str, dict[str, Any], str, dict[str, Any]]] = [
    (
        "kling_generate_video",
        {"prompt": "a fox"},
        "/kling/videos",
        {
            "action": "text2video",
            "model": "kling-v1",
            "prompt": "a fox",
            "mode": "std",
            "aspect_ratio": "16:9",
            "duration": 5,
            "async": True,
        },
    ),
    (
        "kling_generate_video",
        {
            "prompt": "<<<image_1>>> dances to <<<video_1>>>",
            "model": "kling-v3-omni",
            "mode": "pro",
            "duration": 8,
            "aspect_ratio": "9:16",
            "image_list": [{"image_url": IMG}],
            "video_list": [{"video_url": VID, "refer_type": "feature", "keep_original_sound": "no"}],
            "callback_url": "https://hooks.example.com/k",
        },
        "/kling/videos",
        {
            "action": "text2video",
            "model": "kling-v3-omni",
            "prompt": "<<<image_1>>> dances to <<<video_1>>>",
            "mode": "pro",
            "aspect_ratio": "9:16",
            "duration": 8,
            "image_list": [{"image_url": IMG}],
            "video_list": [{"video_url": VID, "refer_type": "feature", "keep_original_sound": "no"}],
            "callback_url": "https://hooks.example.com/k",
        },
    ),
    (
        "kling_generate_video",
        {
            "prompt": "a lighthouse",
            "model": "kling-v3",
            "generate_audio": True,
            "negative_prompt": "blur",
            "cfg_scale": 0.5,
            "camera_control": {"type": "simple", "config": {"zoom": 0.5}},
        },
        "/kling/videos",
        {
            "action": "text2video",
            "model": "kling-v3",
            "prompt": "a lighthouse",
            "mode": "std",
            "aspect_ratio": "16:9",
            "duration": 5,
            "generate_audio": True,
            "negative_prompt": "blur",
            "cfg_scale": 0.5,
            "camera_control": {"type": "simple", "config": {"zoom": 0.5}},
            "async": True,
        },
    ),
    (
        "kling_generate_video_from_image",
        {
            "start_image_url": IMG,
            "end_image_url": IMG2,
            "prompt": "petals open",
            "model": "kling-v2-6",
            "mode": "pro",
        },
        "/kling/videos",
        {
            "action": "image2video",
            "model": "kling-v2-6",
            "prompt": "petals open",
            "mode": "pro",
            "aspect_ratio": "16:9",
            "duration": 5,
            "start_image_url": IMG,
            "end_image_url": IMG2,
            "async": True,
        },
    ),
    (
        "kling_extend_video",
        {"video_id": " 900798310464749610 ", "prompt": "keep running", "model": "kling-v1-6", "duration": 10},
        "/kling/videos",
        {
            "action": "extend",
            "video_id": "900798310464749610",
            "prompt": "keep running",
            "model": "kling-v1-6",
            "mode": "std",
            "duration": 10,
            "async": True,
        },
    ),
    (
        "kling_generate_turbo_video",
        {
            "request": {
                "action": "image2video",
                "prompt": "the cat meows",
                "mode": "pro",
                "duration": 6,
                "start_image_url": IMG,
            }
        },
        "/kling/videos",
        {
            "action": "image2video",
            "model": "kling-v3-turbo",
            "prompt": "the cat meows",
            "mode": "pro",
            "duration": 6,
            "aspect_ratio": "16:9",
            "start_image_url": IMG,
            "generate_audio": True,
            "async": True,
        },
    ),
    (
        "kling_generate_storyboard",
        {
            "request": {
                "shot_type": "customize",
                "duration": 6,
                "mode": "pro",
                "multi_prompt": [
                    {"index": 1, "prompt": "harbour", "duration": 3},
                    {"index": 2, "prompt": "boat leaves", "duration": 3},
                ],
            }
        },
        "/kling/videos",
        {
            "action": "text2video",
            "model": "kling-v3",
            "mode": "pro",
            "duration": 6,
            "aspect_ratio": "16:9",
            "multi_shot": True,
            "shot_type": "customize",
            "multi_prompt": [
                {"index": 1, "prompt": "harbour", "duration": 3},
                {"index": 2, "prompt": "boat leaves", "duration": 3},
            ],
            "async": True,
        },
    ),
    (
        "kling_generate_with_assets",
        {
            "request": {
                "model": "kling-v2-6",
                "mode": "pro",
                "generate_audio": True,
                "prompt": "a teacher speaks with <<<voice_1>>>",
                "voice_list": [{"voice_id": "vx"}],
            }
        },
        "/kling/videos",
        {
            "action": "text2video",
            "model": "kling-v2-6",
            "prompt": "a teacher speaks with <<<voice_1>>>",
            "mode": "pro",
            "duration": 5,
            "aspect_ratio": "16:9",
            "generate_audio": True,
            "voice_list": [{"voice_id": "vx"}],
            "async": True,
        },
    ),
    (
        "kling_generate_motion",
        {
            "image_url": IMG,
            "video_url": VID,
            "character_orientation": "video",
            "mode": "pro",
            "model_name": "kling-v3",
            "keep_original_sound": "yes",
            "watermark_info": {"enabled": False},
        },
        "/kling/motion",
        {
            "image_url": IMG,
            "video_url": VID,
            "character_orientation": "video",
            "mode": "pro",
            "model_name": "kling-v3",
            "keep_original_sound": "yes",
            "watermark_info": {"enabled": False},
            "async": True,
        },
    ),
    (
        "kling_lip_sync",
        {"mode": "audio2video", "video_id": "895055968777281546", "audio_url": AUDIO},
        "/kling/lip-sync",
        {
            "mode": "audio2video",
            "video_id": "895055968777281546",
            "audio_type": "url",
            "audio_url": AUDIO,
            "async": True,
        },
    ),
    (
        "kling_lip_sync",
        {
            "mode": "text2video",
            "video_url": VID,
            "text": "Welcome!",
            "voice_id": "v1",
            "voice_language": "en",
            "voice_speed": 1.2,
        },
        "/kling/lip-sync",
        {
            "mode": "text2video",
            "video_url": VID,
            "text": "Welcome!",
            "voice_id": "v1",
            "voice_language": "en",
            "voice_speed": 1.2,
            "async": True,
        },
    ),
    (
        "kling_talking_photo",
        {"image_url": IMG, "audio_url": AUDIO},
        "/kling/talking-photo",
        {
            "image_url": IMG,
            "audio_url": AUDIO,
            "model": "kling-v2-1-master",
            "duration": 5,
            "mode": "pro",
            "async": True,
        },
    ),
    (
        "kling_goods_studio",
        {
            "request": {
                "contents": [{"type": "ref_image", "url": IMG}, {"type": "goods_title", "text": "Mug"}],
                "settings": {"aspect_ratio": "16:9", "duration": 15},
            }
        },
        "/kling/goods-studio",
        {
            "contents": [{"type": "ref_image", "url": IMG}, {"type": "goods_title", "text": "Mug"}],
            "settings": {"resolution": "720p", "aspect_ratio": "16:9", "duration": 15},
            "async": True,
        },
    ),
    (
        "kling_video_commerce",
        {
            "request": {
                "contents": [{"type": "avatar_image", "url": IMG}, {"type": "speech_script", "text": "Hi!"}],
                "settings": {"voice_id": "male_calm_informative"},
                "watermark": True,
            }
        },
        "/kling/video-commerce",
        {
            "contents": [{"type": "avatar_image", "url": IMG}, {"type": "speech_script", "text": "Hi!"}],
            "settings": {"resolution": "720p", "aspect_ratio": "9:16", "voice_id": "male_calm_informative"},
            "watermark": True,
            "async": True,
        },
    ),
]


@pytest.fixture(scope="module")
async def stack() -> AsyncIterator[Stack]:
    async with running_stack(TOKEN, "2026-07-28", task_seconds=0.2) as running:
        yield running


@pytest.mark.parametrize(
    ("tool", "args", "path", "expected"), PAYLOADS, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAYLOADS)]
)
async def test_exact_payload(
    stack: Stack, tool: str, args: dict[str, Any], path: str, expected: dict[str, Any]
) -> None:
    before = len(await stack.sim.journal())
    result = await stack.client.call_tool(tool, args)
    assert not result.is_error, result.content
    [entry] = (await stack.sim.journal())[before:]
    assert entry["path"] == path
    assert entry["body"] == expected
    assert entry["authorization"] == f"Bearer {TOKEN}"
    out = result.structured_content
    assert out is not None
    assert out["next"] == {"tool": "kling_wait_for_tasks", "arguments": {"task_ids": [out["task_id"]]}}
    assert out["expected_seconds"] >= 60


async def test_submitted_task_can_be_polled_to_completion(stack: Stack) -> None:
    submitted = await stack.client.call_tool("kling_talking_photo", {"image_url": IMG, "audio_url": AUDIO})
    assert submitted.structured_content is not None
    task_id = submitted.structured_content["task_id"]
    await anyio.sleep(0.3)
    done = (await stack.client.call_tool("kling_get_task", {"task_id": task_id})).structured_content
    assert done is not None and done["status"] == "succeeded" and done["video_url"].endswith(".mp4")


async def test_commerce_result_links_come_back_as_result_urls(stack: Stack) -> None:
    args = PAYLOADS[-1][1]
    submitted = (await stack.client.call_tool("kling_video_commerce", args)).structured_content
    assert submitted is not None
    await anyio.sleep(0.3)
    done = (
        await stack.client.call_tool("kling_get_task", {"task_id": submitted["task_id"]})
    ).structured_content
    assert done is not None and done["status"] == "succeeded"
    assert len(done["result_urls"]) == 2 and done["result_urls"][1].endswith("-watermarked.mp4")


async def test_submission_errors_keep_upstream_facts(stack: Stack) -> None:
    await stack.sim.fault(
        kind="status", status=403, code="used_up", message="balance not sufficient", path="/kling/videos"
    )
    result = await stack.client.call_tool("kling_generate_video", {"prompt": "a fox"})
    text = " ".join(getattr(b, "text", "") for b in result.content)
    assert result.is_error and "balance not sufficient" in text and "HTTP 403" in text


async def test_submissions_are_not_resent_after_a_server_error(stack: Stack) -> None:
    await stack.sim.fault(kind="status", status=502, count=3, path="/kling/videos")
    before = len(await stack.sim.journal())
    result = await stack.client.call_tool("kling_generate_video", {"prompt": "a fox"})
    assert result.is_error
    assert len((await stack.sim.journal())[before:]) == 1  # spending credits twice is worse than failing once
