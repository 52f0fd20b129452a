"""Every capability rule, accepted and rejected side, as tool calls: the table both rule test layers use.

A rejected case names the rule it breaks (or `schema` when the input schema refuses it first).
Where upstream itself refuses the same request, the tests also send that request straight to the
simulator and expect its 400: the server's rules and the simulator's (written separately) must
agree. A few of our rules are stricter than upstream on purpose (upstream silently ignores uncited
references, for instance); those cases say so with `upstream_rejects=False`.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcp import Client

from app.mcp.results import ERROR_META_KEY
from tests.helpers import AUDIO, IMG, IMG2, RULES_TOKEN, VID, Simulator

TOKEN = RULES_TOKEN


@dataclass(frozen=True)
class Case:
    id: str
    tool: str
    args: dict[str, Any]
    rule: str | None = None  # None: accepted
    upstream_rejects: bool = True  # for rejected cases: upstream refuses this request too
    schema: bool = False  # rejected by the input schema rather than a named rule


def t2v(**args: Any) -> dict[str, Any]:
    return {"prompt": "a fox runs through snow", **args}


def omni(prompt: str, **args: Any) -> dict[str, Any]:
    return {"prompt": prompt, "model": "kling-v3-omni", **args}


def i2v(**args: Any) -> dict[str, Any]:
    return {"prompt": "it comes alive", "start_image_url": IMG, **args}


def story(**request: Any) -> dict[str, Any]:
    return {"request": {"prompt": "a chef cooks and serves", **request}}


def shots(*durations: int, first: int = 1) -> list[dict[str, Any]]:
    return [{"index": first + i, "prompt": f"shot {i}", "duration": d} for i, d in enumerate(durations)]


def assets(**request: Any) -> dict[str, Any]:
    return {"request": request}


def lip(**args: Any) -> dict[str, Any]:
    return args


def goods(*contents: dict[str, Any], **settings: Any) -> dict[str, Any]:
    return {
        "request": {
            "contents": list(contents),
            "settings": {"aspect_ratio": "9:16", "duration": 15, **settings},
        }
    }


def commerce(*contents: dict[str, Any], **settings: Any) -> dict[str, Any]:
    return {"request": {"contents": list(contents), "settings": settings}}


REF = {"type": "ref_image", "url": IMG}
TITLE = {"type": "goods_title", "text": "Ceramic mug"}
AVATAR = {"type": "avatar_image", "url": IMG2}
PRESET = {"type": "avatar_id", "text": "preset-anna"}
SCRIPT = {"type": "speech_script", "text": "Meet the mug that keeps coffee hot."}
SMALL_AUDIO = base64.b64encode(b"ID3" + b"\x00" * 64).decode()
BIG_AUDIO = base64.b64encode(b"\x00" * (5 * 1024 * 1024 + 1)).decode()  # one byte over the 5 MB limit

CASES = [
    # mode and duration per model
    Case("4k-on-v1", "kling_generate_video", t2v(mode="4k"), "mode_supported"),
    Case("4k-on-v3", "kling_generate_video", t2v(model="kling-v3", mode="4k")),
    Case("7s-on-v1", "kling_generate_video", t2v(duration=7), "duration_supported"),
    Case("7s-on-v3", "kling_generate_video", t2v(model="kling-v3", duration=7)),
    Case("10s-on-o1", "kling_generate_video", t2v(model="kling-o1", duration=10), "duration_supported"),
    Case("10s-on-v2-master", "kling_generate_video", t2v(model="kling-v2-master", duration=10)),
    # negative prompt and cfg
    Case(
        "negative-on-o1",
        "kling_generate_video",
        t2v(model="kling-o1", negative_prompt="blur"),
        "omni_no_negative_prompt",
    ),
    Case(
        "cfg-with-references",
        "kling_generate_video",
        omni("<<<image_1>>> waves", image_list=[{"image_url": IMG}], cfg_scale=0.5),
        "omni_no_negative_prompt",
    ),
    Case(
        "negative-on-v3-omni-without-references",
        "kling_generate_video",
        t2v(model="kling-v3-omni", negative_prompt="blur", cfg_scale=0.4),
    ),
    Case("negative-too-long", "kling_generate_video", t2v(negative_prompt="x" * 201), "schema", schema=True),
    Case(
        "extend-v1-negative",
        "kling_extend_video",
        {"video_id": "v1", "prompt": "more", "negative_prompt": "x"},
        "extend_negative_prompt",
    ),
    Case(
        "extend-v1-6-negative",
        "kling_extend_video",
        {"video_id": "v1", "prompt": "more", "model": "kling-v1-6", "negative_prompt": "x", "cfg_scale": 0.3},
    ),
    Case(
        "extend-v3",
        "kling_extend_video",
        {"video_id": "v1", "prompt": "more", "model": "kling-v3"},
        "schema",
        schema=True,
    ),
    # audio
    Case(
        "audio-v2-6-std",
        "kling_generate_video",
        t2v(model="kling-v2-6", generate_audio=True),
        "audio_supported",
    ),
    Case("audio-v2-6-pro", "kling_generate_video", t2v(model="kling-v2-6", mode="pro", generate_audio=True)),
    Case("audio-o1", "kling_generate_video", t2v(model="kling-o1", generate_audio=True), "audio_supported"),
    Case(
        "audio-with-reference-video",
        "kling_generate_video",
        omni("edit <<<video_1>>>", video_list=[{"video_url": VID}], generate_audio=True),
        "omni_video_no_audio",
    ),
    Case("audio-v3-omni-plain", "kling_generate_video", t2v(model="kling-v3-omni", generate_audio=True)),
    # camera control
    Case(
        "camera-v3-pro",
        "kling_generate_video",
        t2v(model="kling-v3", mode="pro", camera_control={"type": "simple", "config": {"zoom": 0.5}}),
    ),
    Case(
        "camera-v3-4k",
        "kling_generate_video",
        t2v(model="kling-v3", mode="4k", camera_control={"type": "forward_up"}),
        "camera_supported",
    ),
    Case(
        "camera-v3-omni",
        "kling_generate_video",
        t2v(model="kling-v3-omni", camera_control={"type": "down_back"}),
        "camera_supported",
    ),
    Case("camera-v1-5s", "kling_generate_video", t2v(camera_control={"type": "left_turn_forward"})),
    Case(
        "camera-v1-10s",
        "kling_generate_video",
        t2v(duration=10, camera_control={"type": "left_turn_forward"}),
        "camera_five_seconds",
    ),
    Case(
        "camera-axis-out-of-range",
        "kling_generate_video",
        t2v(model="kling-v3", camera_control={"type": "simple", "config": {"pan": 2}}),
        "schema",
        schema=True,
    ),
    # end frames
    Case(
        "end-v1-6-std",
        "kling_generate_video_from_image",
        i2v(model="kling-v1-6", end_image_url=IMG2),
        "end_frame_supported",
    ),
    Case(
        "end-v1-6-pro",
        "kling_generate_video_from_image",
        i2v(model="kling-v1-6", mode="pro", end_image_url=IMG2),
    ),
    Case(
        "end-v2-master",
        "kling_generate_video_from_image",
        i2v(model="kling-v2-master", end_image_url=IMG2),
        "end_frame_supported",
    ),
    Case(
        "end-v1-10s",
        "kling_generate_video_from_image",
        i2v(duration=10, end_image_url=IMG2),
        "end_frame_five_seconds",
    ),
    Case("end-v1-5s", "kling_generate_video_from_image", i2v(end_image_url=IMG2)),
    Case(
        "start-image-not-a-url",
        "kling_generate_video_from_image",
        i2v(start_image_url="ftp://x/a.png"),
        "schema",
        schema=True,
    ),
    Case(
        "end-without-start-storyboard",
        "kling_generate_storyboard",
        story(end_image_url=IMG2),
        "frames_need_image2video",
    ),
    # Omni references
    Case(
        "references-on-v3",
        "kling_generate_video",
        t2v(model="kling-v3", prompt="<<<image_1>>> waves", image_list=[{"image_url": IMG}]),
        "references_need_omni",
    ),
    Case(
        "references-on-o1",
        "kling_generate_video",
        t2v(model="kling-o1", prompt="<<<image_1>>> waves", image_list=[{"image_url": IMG}]),
    ),
    Case(
        "references-4k",
        "kling_generate_video",
        omni("<<<image_1>>> waves", mode="4k", image_list=[{"image_url": IMG}]),
        "omni_no_4k",
    ),
    Case(
        "five-images-with-video",
        "kling_generate_video",
        omni(
            "<<<image_1>>><<<image_2>>><<<image_3>>><<<image_4>>><<<image_5>>> in <<<video_1>>>",
            image_list=[{"image_url": IMG}] * 5,
            video_list=[{"video_url": VID, "refer_type": "feature"}],
        ),
        "omni_image_count",
    ),
    Case(
        "four-images-with-video",
        "kling_generate_video",
        omni(
            "<<<image_1>>><<<image_2>>><<<image_3>>><<<image_4>>> in <<<video_1>>>",
            image_list=[{"image_url": IMG}] * 4,
            video_list=[{"video_url": VID, "refer_type": "feature"}],
        ),
    ),
    Case(
        "start-frame-plus-seven-images",
        "kling_generate_video_from_image",
        i2v(
            model="kling-v3-omni",
            prompt=" ".join(f"<<<image_{n}>>>" for n in range(2, 9)),
            image_list=[{"image_url": IMG}] * 7,
        ),
        "omni_image_count",
    ),
    Case(
        "two-first-frames",
        "kling_generate_video",
        omni(
            "go",
            image_list=[
                {"image_url": IMG, "type": "first_frame"},
                {"image_url": IMG2, "type": "first_frame"},
            ],
        ),
        "omni_one_frame_each",
    ),
    Case(
        "end-frame-image-without-first",
        "kling_generate_video",
        omni("go", image_list=[{"image_url": IMG, "type": "end_frame"}]),
        "end_frame_needs_start",
    ),
    Case(
        "base-video-with-frame",
        "kling_generate_video",
        omni(
            "edit <<<video_1>>>",
            image_list=[{"image_url": IMG, "type": "first_frame"}],
            video_list=[{"video_url": VID}],
        ),
        "base_video_no_frames",
    ),
    Case(
        "feature-video-with-frame",
        "kling_generate_video",
        omni(
            "continue <<<video_1>>>",
            image_list=[{"image_url": IMG, "type": "first_frame"}],
            video_list=[{"video_url": VID, "refer_type": "feature"}],
        ),
    ),
    Case(
        "two-videos",
        "kling_generate_video",
        omni("<<<video_1>>>", video_list=[{"video_url": VID}, {"video_url": VID}]),
        "schema",
        schema=True,
    ),
    Case(
        "uncited-image",
        "kling_generate_video",
        omni("a dancer", image_list=[{"image_url": IMG}]),
        "references_cited",
        upstream_rejects=False,
    ),
    Case(
        "citation-out-of-range",
        "kling_generate_video",
        omni("<<<image_1>>> meets <<<image_2>>>", image_list=[{"image_url": IMG}]),
        "citation_in_range",
        upstream_rejects=False,
    ),
    Case(
        "frames-shift-image-numbers",
        "kling_generate_video_from_image",
        i2v(model="kling-o1", prompt="a hat like <<<image_2>>>", image_list=[{"image_url": IMG2}]),
    ),
    # turbo
    Case("turbo-text", "kling_generate_turbo_video", {"request": {"prompt": "a drum solo", "duration": 12}}),
    Case(
        "turbo-image-without-start",
        "kling_generate_turbo_video",
        {"request": {"prompt": "x", "action": "image2video"}},
        "image2video_needs_start",
    ),
    Case(
        "turbo-negative-prompt",
        "kling_generate_turbo_video",
        {"request": {"prompt": "x", "negative_prompt": "blur"}},
        "schema",
        schema=True,
    ),
    Case(
        "turbo-4k",
        "kling_generate_turbo_video",
        {"request": {"prompt": "x", "mode": "4k"}},
        "schema",
        schema=True,
    ),
    # storyboard
    Case("story-intelligence", "kling_generate_storyboard", story(duration=10)),
    Case(
        "story-intelligence-with-shots",
        "kling_generate_storyboard",
        story(duration=6, multi_prompt=shots(3, 3)),
        "intelligence_no_shots",
    ),
    Case(
        "story-intelligence-without-prompt",
        "kling_generate_storyboard",
        {"request": {"duration": 6}},
        "intelligence_needs_prompt",
    ),
    Case(
        "story-customize",
        "kling_generate_storyboard",
        story(shot_type="customize", duration=9, multi_prompt=shots(3, 3, 3)),
    ),
    Case(
        "story-customize-without-shots",
        "kling_generate_storyboard",
        story(shot_type="customize"),
        "customize_needs_shots",
    ),
    Case(
        "story-shot-indices",
        "kling_generate_storyboard",
        story(shot_type="customize", duration=6, multi_prompt=shots(3, 3, first=2)),
        "shot_indices",
    ),
    Case(
        "story-durations-sum",
        "kling_generate_storyboard",
        story(shot_type="customize", duration=10, multi_prompt=shots(3, 3)),
        "shot_durations_sum",
    ),
    Case("story-on-v2-6", "kling_generate_storyboard", story(model="kling-v2-6"), "schema", schema=True),
    Case(
        "story-image-without-start",
        "kling_generate_storyboard",
        story(action="image2video"),
        "image2video_needs_start",
    ),
    # assets
    Case(
        "elements-v3",
        "kling_generate_with_assets",
        assets(model="kling-v3", prompt="<<<element_1>>> surfs", element_list=[{"element_id": "e1"}]),
    ),
    Case(
        "elements-on-v2-6",
        "kling_generate_with_assets",
        assets(model="kling-v2-6", prompt="<<<element_1>>> surfs", element_list=[{"element_id": "e1"}]),
        "elements_supported",
    ),
    Case(
        "elements-o1-10s",
        "kling_generate_with_assets",
        assets(model="kling-o1", duration=10, prompt="<<<element_1>>>", element_list=[{"element_id": "e1"}]),
        "duration_supported",
    ),
    Case(
        "voices-v2-6-pro",
        "kling_generate_with_assets",
        assets(
            model="kling-v2-6",
            mode="pro",
            generate_audio=True,
            prompt="she says hi with <<<voice_1>>>",
            voice_list=[{"voice_id": "v1"}],
        ),
    ),
    Case(
        "voices-without-audio",
        "kling_generate_with_assets",
        assets(model="kling-v2-6", mode="pro", prompt="<<<voice_1>>>", voice_list=[{"voice_id": "v1"}]),
        "voices_need_v2_6_pro_audio",
    ),
    Case(
        "voices-on-v3",
        "kling_generate_with_assets",
        assets(
            model="kling-v3", generate_audio=True, prompt="<<<voice_1>>>", voice_list=[{"voice_id": "v1"}]
        ),
        "voices_need_v2_6_pro_audio",
    ),
    Case(
        "voices-uncited",
        "kling_generate_with_assets",
        assets(
            model="kling-v2-6",
            mode="pro",
            generate_audio=True,
            prompt="she says hi",
            voice_list=[{"voice_id": "v1"}],
        ),
        "references_cited",
    ),
    Case(
        "elements-and-voices",
        "kling_generate_with_assets",
        assets(prompt="<<<element_1>>>", element_list=[{"element_id": "e"}], voice_list=[{"voice_id": "v"}]),
        "assets_one_kind",
    ),
    Case(
        "no-assets",
        "kling_generate_with_assets",
        assets(prompt="plain"),
        "assets_one_kind",
        upstream_rejects=False,
    ),
    Case(
        "four-elements",
        "kling_generate_with_assets",
        assets(prompt="x", element_list=[{"element_id": "e"}] * 4),
        "schema",
        schema=True,
    ),
    # lip-sync
    Case(
        "lip-audio-url",
        "kling_lip_sync",
        lip(mode="audio2video", video_id="895055968777281546", audio_url=AUDIO),
    ),
    Case(
        "lip-audio-file",
        "kling_lip_sync",
        lip(mode="audio2video", video_url=VID, audio_type="file", audio_file=SMALL_AUDIO),
    ),
    Case(
        "lip-text",
        "kling_lip_sync",
        lip(
            mode="text2video",
            video_url=VID,
            text="Welcome!",
            voice_id="v-1",
            voice_language="en",
            voice_speed=1.2,
        ),
    ),
    Case(
        "lip-both-videos",
        "kling_lip_sync",
        lip(mode="audio2video", video_id="1", video_url=VID, audio_url=AUDIO),
        "lip_sync_one_video",
    ),
    Case("lip-no-video", "kling_lip_sync", lip(mode="audio2video", audio_url=AUDIO), "lip_sync_one_video"),
    Case("lip-audio-missing", "kling_lip_sync", lip(mode="audio2video", video_id="1"), "audio_source"),
    Case(
        "lip-file-type-with-url",
        "kling_lip_sync",
        lip(mode="audio2video", video_id="1", audio_type="file", audio_url=AUDIO),
        "audio_source",
        upstream_rejects=False,
    ),
    Case(
        "lip-file-too-big",
        "kling_lip_sync",
        lip(mode="audio2video", video_id="1", audio_type="file", audio_file=BIG_AUDIO),
        "audio_file_size",
        upstream_rejects=False,
    ),
    Case(
        "lip-audio-with-text",
        "kling_lip_sync",
        lip(mode="audio2video", video_id="1", audio_url=AUDIO, text="hi"),
        "audio2video_no_text",
        upstream_rejects=False,
    ),
    Case(
        "lip-bad-base64",
        "kling_lip_sync",
        lip(mode="audio2video", video_id="1", audio_type="file", audio_file="not base64!"),
        "audio_file_base64",
        upstream_rejects=False,
    ),
    Case(
        "lip-text-without-voice",
        "kling_lip_sync",
        lip(mode="text2video", video_id="1", text="hi"),
        "text2video_needs_voice",
    ),
    Case(
        "lip-text-missing",
        "kling_lip_sync",
        lip(mode="text2video", video_id="1", voice_id="v"),
        "text2video_needs_text",
    ),
    Case(
        "lip-text-too-long",
        "kling_lip_sync",
        lip(mode="text2video", video_id="1", voice_id="v", text="x" * 121),
        "schema",
        schema=True,
    ),
    Case(
        "lip-text-with-audio",
        "kling_lip_sync",
        lip(mode="text2video", video_id="1", voice_id="v", text="hi", audio_url=AUDIO),
        "text2video_no_audio",
        upstream_rejects=False,
    ),
    Case(
        "lip-speed",
        "kling_lip_sync",
        lip(mode="text2video", video_id="1", voice_id="v", text="hi", voice_speed=2.5),
        "schema",
        schema=True,
    ),
    # motion and talking photo (schema-level enums)
    Case("motion", "kling_generate_motion", {"image_url": IMG, "video_url": VID, "model_name": "kling-v3"}),
    Case(
        "motion-bad-model",
        "kling_generate_motion",
        {"image_url": IMG, "video_url": VID, "model_name": "kling-v1"},
        "schema",
        schema=True,
    ),
    Case(
        "motion-4k",
        "kling_generate_motion",
        {"image_url": IMG, "video_url": VID, "mode": "4k"},
        "schema",
        schema=True,
    ),
    Case("talking-photo", "kling_talking_photo", {"image_url": IMG, "audio_url": AUDIO, "duration": 10}),
    Case(
        "talking-photo-v3",
        "kling_talking_photo",
        {"image_url": IMG, "audio_url": AUDIO, "model": "kling-v3"},
        "schema",
        schema=True,
    ),
    # goods studio
    Case(
        "goods", "kling_goods_studio", goods(REF, TITLE, {"type": "goods_description", "text": "Keeps heat."})
    ),
    Case(
        "goods-no-image",
        "kling_goods_studio",
        goods(TITLE, {"type": "goods_description", "text": "d"}),
        "goods_images",
    ),
    Case("goods-six-images", "kling_goods_studio", goods(*[REF] * 6, TITLE), "goods_images"),
    Case("goods-two-titles", "kling_goods_studio", goods(REF, TITLE, TITLE), "goods_title"),
    Case(
        "goods-two-descriptions",
        "kling_goods_studio",
        goods(
            REF, TITLE, {"type": "goods_description", "text": "a"}, {"type": "goods_description", "text": "b"}
        ),
        "goods_description",
        upstream_rejects=False,
    ),
    Case(
        "goods-long-title",
        "kling_goods_studio",
        goods(REF, {"type": "goods_title", "text": "x" * 201}),
        "goods_title_length",
    ),
    Case(
        "goods-long-description",
        "kling_goods_studio",
        goods(REF, TITLE, {"type": "goods_description", "text": "x" * 2001}),
        "goods_description_length",
    ),
    Case(
        "goods-foreign-type",
        "kling_goods_studio",
        goods(REF, TITLE, AVATAR),
        "content_type_allowed",
        upstream_rejects=False,
    ),
    Case(
        "goods-image-without-url",
        "kling_goods_studio",
        goods({"type": "ref_image", "text": "a mug"}, TITLE),
        "content_value",
        upstream_rejects=False,
    ),
    Case("goods-bad-duration", "kling_goods_studio", goods(REF, TITLE, duration=20), "schema", schema=True),
    # video commerce
    Case(
        "commerce-avatar", "kling_video_commerce", commerce(AVATAR, SCRIPT, voice_id="v-1", speech_rate=1.2)
    ),
    Case("commerce-product", "kling_video_commerce", commerce(PRESET, SCRIPT, REF, TITLE)),
    Case("commerce-no-character", "kling_video_commerce", commerce(SCRIPT, REF, TITLE), "one_character"),
    Case(
        "commerce-two-characters",
        "kling_video_commerce",
        commerce(AVATAR, PRESET, SCRIPT, voice_id="v"),
        "one_character",
    ),
    Case(
        "commerce-avatar-without-voice",
        "kling_video_commerce",
        commerce(AVATAR, SCRIPT),
        "avatar_image_needs_voice",
    ),
    Case(
        "commerce-preset-with-voice",
        "kling_video_commerce",
        commerce(PRESET, SCRIPT, voice_id="v"),
        "preset_avatar_no_voice",
    ),
    Case("commerce-no-script", "kling_video_commerce", commerce(PRESET, REF, TITLE), "speech_script"),
    Case(
        "commerce-long-script",
        "kling_video_commerce",
        commerce(PRESET, {"type": "speech_script", "text": "x" * 2001}),
        "speech_script_length",
    ),
    Case(
        "commerce-product-without-title",
        "kling_video_commerce",
        commerce(PRESET, SCRIPT, REF),
        "product_needs_image_and_title",
    ),
    Case(
        "commerce-product-with-rate",
        "kling_video_commerce",
        commerce(PRESET, SCRIPT, REF, TITLE, speech_rate=0.8),
        "speech_rate_plain_avatar",
    ),
    Case(
        "commerce-odd-rate",
        "kling_video_commerce",
        commerce(AVATAR, SCRIPT, voice_id="v", speech_rate=1.1),
        "schema",
        schema=True,
    ),
]

# The body each tool sends upstream, derived from its arguments independently of the server code.
BodyOf = Callable[[dict[str, Any]], dict[str, Any]]
UPSTREAM: dict[str, tuple[str, BodyOf]] = {
    "kling_generate_video": ("/kling/videos", lambda a: {"action": "text2video", **a}),
    "kling_generate_video_from_image": ("/kling/videos", lambda a: {"action": "image2video", **a}),
    "kling_extend_video": ("/kling/videos", lambda a: {"action": "extend", "model": "kling-v1", **a}),
    "kling_generate_turbo_video": (
        "/kling/videos",
        lambda a: {"action": "text2video", "model": "kling-v3-turbo", **a["request"]},
    ),
    "kling_generate_storyboard": (
        "/kling/videos",
        lambda a: {
            "action": "text2video",
            "model": "kling-v3",
            "multi_shot": True,
            "shot_type": "intelligence",
            **a["request"],
        },
    ),
    "kling_generate_with_assets": (
        "/kling/videos",
        lambda a: {"action": "text2video", "model": "kling-v3", **a["request"]},
    ),
    "kling_lip_sync": ("/kling/lip-sync", lambda a: a),
    "kling_goods_studio": ("/kling/goods-studio", lambda a: a["request"]),
    "kling_video_commerce": ("/kling/video-commerce", lambda a: a["request"]),
}


def cases_for(*tools: str) -> list[Case]:
    return [case for case in CASES if case.tool in tools]


async def check(client: Client, sim: Simulator, case: Case) -> None:
    """Call the case's tool and check both sides: what the tool answered, and what reached upstream."""
    before = len(await sim.journal())
    result = await client.call_tool(case.tool, case.args)
    sent = (await sim.journal())[before:]
    text = " ".join(getattr(block, "text", "") for block in result.content)
    if case.rule is None:
        assert not result.is_error, text
        assert result.structured_content is not None and result.structured_content["task_id"]
        assert len(sent) == 1  # accepted by us and by the simulated upstream
        return
    assert result.is_error, f"{case.id} was accepted"
    assert sent == [], "a rejected request must not reach upstream"
    if case.schema:
        assert "validation error" in text
        return
    details = (result.meta or {})[ERROR_META_KEY]
    assert (details["kind"], details["rule"]) == ("invalid_request", case.rule), text
    assert details["alternatives"] and "no credits spent" in text
    if case.tool in UPSTREAM:
        path, body_of = UPSTREAM[case.tool]
        body = {**body_of(case.args), "async": True}  # the simulator answers at once, as for the tools
        direct = await sim.http.post(path, json=body, headers={"authorization": f"Bearer {TOKEN}"})
        expected = 400 if case.upstream_rejects else 200
        assert direct.status_code == expected, f"simulator answered {direct.status_code}: {direct.text}"
