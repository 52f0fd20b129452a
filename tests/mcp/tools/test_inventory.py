"""The one tool list (app/mcp/tools/inventory.py)."""

from __future__ import annotations

from app.mcp.tools.inventory import all_tools, streaming_tools

EXPECTED_TOOLS = {
    "kling_wait_for_tasks",
    "kling_generate_video",
    "kling_generate_video_from_image",
    "kling_extend_video",
    "kling_generate_turbo_video",
    "kling_generate_storyboard",
    "kling_generate_with_assets",
    "kling_generate_motion",
    "kling_lip_sync",
    "kling_talking_photo",
    "kling_goods_studio",
    "kling_video_commerce",
    "kling_get_task",
    "kling_get_tasks_batch",
    "kling_list_models",
    "kling_list_actions",
}


def test_inventory_names_are_unique_and_complete() -> None:
    names = [spec.name for spec in all_tools()]
    assert len(names) == len(set(names)) and set(names) == EXPECTED_TOOLS


def test_streaming_tools_come_from_the_inventory() -> None:
    assert streaming_tools() == frozenset({"kling_wait_for_tasks"})
