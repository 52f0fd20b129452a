"""Sending a generation upstream (app/mcp/tools/submit.py): the body, and the Submission a tool returns."""

from __future__ import annotations

from typing import Any

import pytest

from app.kling.catalog import TYPICAL_SECONDS
from app.mcp.tools.submit import request_body
from app.settings import Settings
from tests.helpers import IMG2, in_process_tools, text_of

pytestmark = pytest.mark.anyio

TOKEN = "tok-submit-0001"
HOOK = "https://hooks.example.com/kling"
POLL_AFTER = Settings().poll_after_seconds  # what in_process_tools runs with


def test_body_leaves_out_unset_fields_and_asks_for_async() -> None:
    body = request_body({"prompt": "a fox", "negative_prompt": None, "duration": 5, "generate_audio": False})
    assert body == {"prompt": "a fox", "duration": 5, "generate_audio": False, "async": True}


def test_a_callback_replaces_the_async_flag() -> None:
    assert request_body({"prompt": "a fox", "callback_url": HOOK}) == {
        "prompt": "a fox",
        "callback_url": HOOK,
    }
    assert request_body({"prompt": "a fox", "callback_url": None})["async"] is True


async def submitted(tool: str, args: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The tool's structured result and what reached the simulator."""
    async with in_process_tools(TOKEN) as (client, sim):
        result = await client.call_tool(tool, args)
        assert not result.is_error, text_of(result)
        assert result.structured_content is not None
        return result.structured_content, await sim.journal()


async def test_video_submission_has_the_task_and_a_poll_hint_sized_to_the_job() -> None:
    result, sent = await submitted("kling_generate_video", {"prompt": "a red fox in snow"})
    expected = TYPICAL_SECONDS["video"]
    assert result["status"] == "submitted" and result["task_id"]
    assert result["expected_seconds"] == expected
    assert result["poll_after_seconds"] == max(POLL_AFTER, expected // 4)
    assert (result["poll_tool"], result["batch_poll_tool"]) == ("kling_get_task", "kling_get_tasks_batch")
    assert "callback_url" not in result
    assert f"Wait about {result['poll_after_seconds']} s" in result["next_step"]
    (call,) = sent
    assert call["body"]["async"] is True and "callback_url" not in call["body"]


async def test_commerce_job_expects_longer_and_polls_later() -> None:
    request = {
        "contents": [
            {"type": "avatar_image", "url": IMG2},
            {"type": "speech_script", "text": "Meet the mug that keeps coffee hot."},
        ],
        "settings": {"voice_id": "voice-1"},
    }
    result, _ = await submitted("kling_video_commerce", {"request": request})
    expected = TYPICAL_SECONDS["commerce"]
    assert result["expected_seconds"] == expected
    assert result["poll_after_seconds"] == max(POLL_AFTER, expected // 4) >= POLL_AFTER


async def test_a_callback_url_is_sent_and_echoed() -> None:
    result, sent = await submitted(
        "kling_generate_video", {"prompt": "a red fox in snow", "callback_url": HOOK}
    )
    assert result["callback_url"] == HOOK and result["task_id"]
    (call,) = sent
    assert call["body"]["callback_url"] == HOOK and "async" not in call["body"]
    assert call["authorization"] == f"Bearer {TOKEN}"
