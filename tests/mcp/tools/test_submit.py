"""Sending a generation upstream (app/mcp/tools/submit.py): the body, and the Submission a tool returns."""

from __future__ import annotations

from typing import Any

import pytest

from app.kling.catalog import TYPICAL_SECONDS
from app.mcp.tools.submit import request_body
from tests.helpers import IMG2, in_process_tools, text_of

pytestmark = pytest.mark.anyio

TOKEN = "tok-submit-0001"
HOOK = "https://hooks.example.com/kling"


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


async def test_video_submission_gives_the_task_and_the_exact_wait_call() -> None:
    async with in_process_tools(TOKEN) as (client, sim):
        answer = await client.call_tool("kling_generate_video", {"prompt": "a red fox in snow"})
        sent = await sim.journal()
    result = answer.structured_content
    assert result is not None and result["task_id"]
    assert result["expected_seconds"] == TYPICAL_SECONDS["video"]
    assert result["next"] == {"tool": "kling_wait_for_tasks", "arguments": {"task_ids": [result["task_id"]]}}
    # The text is written for the model: the id, how long, and the call to make, in two lines.
    text = text_of(answer)
    assert text == (
        f"Submitted: task_id {result['task_id']} (usually about 2 min).\n"
        f'Next: kling_wait_for_tasks {{"task_ids":["{result["task_id"]}"]}}'
    )
    (call,) = sent
    assert call["body"]["async"] is True and "callback_url" not in call["body"]


async def test_commerce_job_expects_longer() -> None:
    request = {
        "contents": [
            {"type": "avatar_image", "url": IMG2},
            {"type": "speech_script", "text": "Meet the mug that keeps coffee hot."},
        ],
        "settings": {"voice_id": "voice-1"},
    }
    result, _ = await submitted("kling_video_commerce", {"request": request})
    expected = TYPICAL_SECONDS["commerce"]
    assert result["expected_seconds"] == expected > TYPICAL_SECONDS["video"]


async def test_a_callback_url_is_sent() -> None:
    result, sent = await submitted(
        "kling_generate_video", {"prompt": "a red fox in snow", "callback_url": HOOK}
    )
    assert result["task_id"]
    (call,) = sent
    assert call["body"]["callback_url"] == HOOK and "async" not in call["body"]
    assert call["authorization"] == f"Bearer {TOKEN}"
