"""Rules for the commerce solutions: which content items each takes, how many, and how long."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from app.kling.catalog import (
    GOODS_DESCRIPTION_MAX,
    GOODS_IMAGES_MAX,
    GOODS_STUDIO_CONTENT,
    GOODS_TITLE_MAX,
    PRODUCT_CONTENT,
    SPEECH_SCRIPT_MAX,
    URL_CONTENT,
    VIDEO_COMMERCE_CONTENT,
)
from app.kling.rules.base import Rule, RuleSet, Violation


class ContentArgs(Protocol):
    @property
    def type(self) -> str: ...
    @property
    def text(self) -> str | None: ...
    @property
    def url(self) -> str | None: ...


class GoodsArgs(Protocol):
    @property
    def contents(self) -> Sequence[ContentArgs]: ...


class CommerceSettingsArgs(Protocol):
    @property
    def voice_id(self) -> str | None: ...
    @property
    def speech_rate(self) -> float | None: ...


class CommerceArgs(GoodsArgs, Protocol):
    @property
    def settings(self) -> CommerceSettingsArgs: ...


A = TypeVar("A", bound=GoodsArgs)


def _items(req: GoodsArgs, kind: str) -> list[ContentArgs]:
    return [item for item in req.contents if item.type == kind]


def _has_product(req: GoodsArgs) -> bool:
    return any(item.type in PRODUCT_CONTENT for item in req.contents)


def types_allowed(allowed: frozenset[str], tool: str) -> Rule[GoodsArgs]:
    def check(req: GoodsArgs) -> Violation | None:
        for position, item in enumerate(req.contents):
            if item.type not in allowed:
                return Violation(
                    f"contents[{position}] has type {item.type}, which {tool} does not take.", sorted(allowed)
                )
        return None

    return Rule("content_type_allowed", check)


def _content_value(req: GoodsArgs) -> Violation | None:
    for position, item in enumerate(req.contents):
        needs = "url" if item.type in URL_CONTENT else "text"
        if not getattr(item, needs):
            return Violation(f"contents[{position}] ({item.type}) needs a {needs}.", [f"set {needs}"])
    return None


def count(kind: str, low: int, high: int, name: str, when: Callable[[A], bool] = lambda _: True) -> Rule[A]:
    def check(req: A) -> Violation | None:
        n = len(_items(req, kind))
        if when(req) and not low <= n <= high:
            wanted = f"exactly {low}" if low == high else f"{low}-{high}"
            return Violation(f"contents needs {wanted} {kind} item(s); got {n}.", [f"{wanted} {kind}"])
        return None

    return Rule(name, check)


def max_text(kind: str, limit: int, when: Callable[[A], bool] = lambda _: True) -> Rule[A]:
    def check(req: A) -> Violation | None:
        for item in _items(req, kind) if when(req) else []:
            if item.text is not None and len(item.text) > limit:
                return Violation(
                    f"{kind} is {len(item.text)} characters; the limit is {limit}.",
                    [f"at most {limit} characters"],
                )
        return None

    return Rule(f"{kind}_length", check)


def _one_character(req: CommerceArgs) -> Violation | None:
    avatars = len(_items(req, "avatar_image")) + len(_items(req, "avatar_id"))
    if avatars != 1:
        return Violation(
            f"Give exactly one character: an avatar_image or a preset avatar_id; got {avatars}.",
            ["one avatar_image plus settings.voice_id", "one avatar_id"],
        )
    return None


def _avatar_image_needs_voice(req: CommerceArgs) -> Violation | None:
    if _items(req, "avatar_image") and not req.settings.voice_id:
        return Violation(
            "An avatar_image needs settings.voice_id (the voice it speaks with).",
            ["set settings.voice_id", "use a preset avatar_id"],
        )
    return None


def _preset_avatar_no_voice(req: CommerceArgs) -> Violation | None:
    if _items(req, "avatar_id") and req.settings.voice_id:
        return Violation(
            "A preset avatar_id has its own voice; settings.voice_id is not allowed.",
            ["remove settings.voice_id", "use an avatar_image"],
        )
    return None


def _product_needs_image_and_title(req: CommerceArgs) -> Violation | None:
    if _has_product(req) and (not _items(req, "ref_image") or len(_items(req, "goods_title")) != 1):
        return Violation(
            "With product information, give at least one ref_image and exactly one goods_title.",
            ["add ref_image and goods_title", "remove the product items"],
        )
    return None


def _speech_rate_plain_avatar(req: CommerceArgs) -> Violation | None:
    if _has_product(req) and req.settings.speech_rate is not None:
        return Violation(
            "speech_rate applies only to plain character avatars, not to product avatars.",
            ["remove settings.speech_rate", "remove the product items"],
        )
    return None


GOODS_STUDIO = RuleSet[GoodsArgs](
    "goods_studio",
    types_allowed(GOODS_STUDIO_CONTENT, "kling_goods_studio"),
    Rule("content_value", _content_value),
    count("ref_image", 1, GOODS_IMAGES_MAX, "goods_images"),
    count("goods_title", 1, 1, "goods_title"),
    count("goods_description", 0, 1, "goods_description"),
    max_text("goods_title", GOODS_TITLE_MAX),
    max_text("goods_description", GOODS_DESCRIPTION_MAX),
)

VIDEO_COMMERCE = RuleSet[CommerceArgs](
    "video_commerce",
    types_allowed(VIDEO_COMMERCE_CONTENT, "kling_video_commerce"),
    Rule("content_value", _content_value),
    Rule("one_character", _one_character),
    Rule("avatar_image_needs_voice", _avatar_image_needs_voice),
    Rule("preset_avatar_no_voice", _preset_avatar_no_voice),
    count("speech_script", 1, 1, "speech_script"),
    max_text("speech_script", SPEECH_SCRIPT_MAX),
    Rule("product_needs_image_and_title", _product_needs_image_and_title),
    max_text("goods_title", GOODS_TITLE_MAX, when=_has_product),
    Rule("speech_rate_plain_avatar", _speech_rate_plain_avatar),
)
