"""The server's MCP prompts. Their facts (models, durations, defaults, tool names) come from the
catalogue and the tool inventory, so they cannot drift from what the tools accept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.kling.catalog import DEFAULTS, MODELS, NEGATIVE_PROMPT_MAX, PICKS, model
from app.kling.phrases import PHRASES as P
from app.kling.phrases import modes_with, span
from app.mcp.tools.inventory import all_tools


@dataclass(frozen=True)
class PromptSpec:
    name: str
    title: str
    description: str
    render: Callable[[], str]


def _tool_lines() -> str:
    return "\n".join(f"- {s.name}: {s.summary}" for s in all_tools())


def _model_lines() -> str:
    lines = []
    for m in MODELS:
        modes = "/".join(m.modes)
        seconds = f"{m.durations[0]} s only" if len(m.durations) == 1 else f"{span(m.durations)} s"
        lines.append(f"- {m.id} ({modes}; {seconds}): {m.summary}")
    return "\n".join(lines)


def generation_guide() -> str:
    return f"""\
# Making videos with Kling through this server

Every generation tool returns a task_id at once and spends the caller's credits; nothing is charged
for a request the server rejects, and the rejection names the broken rule and what would work.
Send an idempotency_key (a new UUID) with each generation and reuse it if you retry.
Then call kling_wait_for_tasks once with all the task_ids: it waits on the server and returns the
videos (call it again with open_task_ids if it times out), so there is no status polling to do.
Videos take 1-5 minutes; talking photos 4-6.

{P.picks} Modes: {P.mode_resolutions}.

## Tools
{_tool_lines()}

## Models
{_model_lines()}

Defaults when you leave them out: model {DEFAULTS.model}, mode {DEFAULTS.mode}, {DEFAULTS.duration} s,
aspect ratio {DEFAULTS.aspect_ratio}. 4k exists only on {P.models_4k}. Native audio: {P.audio_models},
and always on {P.turbo_model}. Camera control: {P.camera_models}.
Call kling_list_models for the full table.
"""


def workflow_examples() -> str:
    budget_end_frame_mode = modes_with(model(PICKS.budget_audio), "end_frame")[0]
    return f"""\
# Kling workflows

1. Quick clip from text: kling_generate_video(prompt="...", idempotency_key="<new uuid>") -> task_id;
   then kling_wait_for_tasks(task_ids=[task_id]) -> video_url when it finishes.
2. Animate a picture: kling_generate_video_from_image(start_image_url=..., prompt="...").
3. Transition between two pictures: add end_image_url, with a model and mode that take an end frame
   (e.g. model="{PICKS.budget_audio}", mode="{budget_end_frame_mode}", or {PICKS.quality}).
4. Longer video: take video_id from the succeeded task and call kling_extend_video(video_id=..., prompt=...)
   with {P.extend_models_or}.
5. Vertical video for phones: aspect_ratio="9:16".
6. Several shots in one clip: kling_generate_storyboard(request={{"model": "{DEFAULTS.storyboard_model}", \
"shot_type":
   "customize", "duration": 9, "multi_prompt": [3 shots of 3 s, indexed 1..3]}}).
7. Put a person from a photo into a scene: kling_generate_video(model="{PICKS.references[0]}",
   image_list=[{{"image_url": "..."}}], prompt="The person from <<<image_1>>> walks on a beach").
8. Copy a dance onto a character: kling_generate_motion(image_url=..., video_url=...).
9. Make someone say a line: kling_lip_sync(mode="text2video", video_id=..., text="...", voice_id=...).
10. Many tasks at once: submit them all, then one kling_wait_for_tasks(task_ids=[...]) returns them
    together (until="any" returns at the first that finishes).

{P.picks} Filter models with kling_list_models(capability="audio") and the like.
"""


def prompt_suggestions() -> str:
    return f"""\
# Writing Kling prompts

- Describe subject, action, setting, lighting, camera and mood, in that order, in plain sentences:
  "A red fox trots through fresh snow at dawn, low golden light, the camera tracks beside it, calm mood."
- One main action per clip; for several actions use kling_generate_storyboard.
- Motion words help image-to-video: "slowly turns her head", "waves crash", "petals open".
- negative_prompt (at most {NEGATIVE_PROMPT_MAX} characters; not with {P.no_negative_prompt_models} or Omni \
references) lists what
  to avoid: "blurry, distorted hands, text, watermark".
- Camera presets for camera_control.type: simple (with config pan/tilt/roll/zoom/horizontal/vertical
  from -1 to 1), down_back, forward_up, left_turn_forward, right_turn_forward.
- Omni references must be cited in the prompt: <<<image_1>>>, <<<video_1>>>; subjects <<<element_1>>>;
  voices <<<voice_1>>>. Uncited references are rejected before sending, since upstream ignores them.
- Model picks: {PICKS.quality} for quality, sound and camera moves; {PICKS.fast} (kling_generate_turbo_video)
  for speed; {" or ".join(PICKS.references)} for references; {PICKS.budget_audio} pro for sound on a budget.
"""


def all_prompts() -> list[PromptSpec]:
    return [
        PromptSpec(
            "kling_video_generation_guide",
            "Kling video generation guide",
            "Which tool and model fit which goal, the defaults, and how to get the results.",
            generation_guide,
        ),
        PromptSpec(
            "kling_workflow_examples",
            "Kling workflow examples",
            "Step-by-step examples: text, image, transition, extend, storyboard, Omni, motion, lip-sync.",
            workflow_examples,
        ),
        PromptSpec(
            "kling_prompt_suggestions",
            "Kling prompt writing tips",
            "How to write prompts, negative prompts, camera moves and reference citations.",
            prompt_suggestions,
        ),
    ]
