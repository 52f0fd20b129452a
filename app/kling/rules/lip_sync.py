"""Rules for lip-sync requests: one video source, and audio or text as the mode requires."""

from __future__ import annotations

import base64
import binascii
from typing import Protocol

from app.kling.catalog import LIP_SYNC_AUDIO_MAX_BYTES
from app.kling.phrases import PHRASES
from app.kling.rules.base import Rule, RuleSet, Violation


class LipSyncArgs(Protocol):
    @property
    def mode(self) -> str: ...
    @property
    def video_id(self) -> str | None: ...
    @property
    def video_url(self) -> str | None: ...
    @property
    def audio_type(self) -> str: ...
    @property
    def audio_url(self) -> str | None: ...
    @property
    def audio_file(self) -> str | None: ...
    @property
    def text(self) -> str | None: ...
    @property
    def voice_id(self) -> str | None: ...


def _one_video(req: LipSyncArgs) -> Violation | None:
    if (req.video_id is None) == (req.video_url is None):
        return Violation(
            "Give exactly one of video_id (a Kling video from the last 30 days) "
            "or video_url (an mp4/mov, 2-10 s).",
            ["video_id", "video_url"],
        )
    return None


def _audio2video_no_text(req: LipSyncArgs) -> Violation | None:
    if req.mode == "audio2video" and (req.text is not None or req.voice_id is not None):
        return Violation(
            "mode=audio2video takes audio, not text or voice_id.",
            ["mode=text2video", "remove text and voice_id"],
        )
    return None


def _audio_source(req: LipSyncArgs) -> Violation | None:
    if req.mode != "audio2video":
        return None
    by_url = req.audio_type == "url"
    wanted, other = ("audio_url", "audio_file") if by_url else ("audio_file", "audio_url")
    if getattr(req, wanted) is None or getattr(req, other) is not None:
        return Violation(
            f"audio_type={req.audio_type} needs {wanted} and no {other}.",
            [
                f"audio_type={req.audio_type} with {wanted}",
                f"audio_type={'file' if by_url else 'url'} with {other}",
            ],
        )
    return None


def _decoded_size(data: str) -> int | None:
    try:
        return len(base64.b64decode(data, validate=True))
    except (binascii.Error, ValueError):
        return None


def _audio_file_base64(req: LipSyncArgs) -> Violation | None:
    if req.mode == "audio2video" and req.audio_file is not None and _decoded_size(req.audio_file) is None:
        return Violation(
            "audio_file is not valid base64.",
            ["base64 of an mp3/wav/m4a/aac file", "audio_type=url with audio_url"],
        )
    return None


def _audio_file_size(req: LipSyncArgs) -> Violation | None:
    if req.mode != "audio2video" or req.audio_file is None:
        return None
    size = _decoded_size(req.audio_file) or 0
    if size > LIP_SYNC_AUDIO_MAX_BYTES:
        return Violation(
            f"audio_file decodes to {size} bytes; the limit is {LIP_SYNC_AUDIO_MAX_BYTES} "
            f"({PHRASES.lip_sync_audio_max}).",
            ["a shorter or more compressed file", "audio_type=url with audio_url"],
        )
    return None


def _text2video_no_audio(req: LipSyncArgs) -> Violation | None:
    if req.mode == "text2video" and (req.audio_url is not None or req.audio_file is not None):
        return Violation(
            "mode=text2video speaks text; it takes no audio_url or audio_file.",
            ["mode=audio2video", "remove the audio"],
        )
    return None


def _text2video_needs_text(req: LipSyncArgs) -> Violation | None:
    if req.mode == "text2video" and not (req.text or "").strip():
        return Violation(
            f"mode=text2video needs text (at most {PHRASES.lip_sync_text_max} characters).", ["add text"]
        )
    return None


def _text2video_needs_voice(req: LipSyncArgs) -> Violation | None:
    if req.mode == "text2video" and not req.voice_id:
        return Violation("mode=text2video needs voice_id: the voice that speaks the text.", ["add voice_id"])
    return None


LIP_SYNC = RuleSet[LipSyncArgs](
    "lip_sync",
    Rule("lip_sync_one_video", _one_video),
    Rule("audio2video_no_text", _audio2video_no_text),
    Rule("audio_source", _audio_source),
    Rule("audio_file_base64", _audio_file_base64),
    Rule("audio_file_size", _audio_file_size),
    Rule("text2video_no_audio", _text2video_no_audio),
    Rule("text2video_needs_text", _text2video_needs_text),
    Rule("text2video_needs_voice", _text2video_needs_voice),
)
