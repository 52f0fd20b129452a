"""Shared input types (app/mcp/tools/inputs.py): strict objects, http(s) URLs, reference defaults."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from app.kling.catalog import DEFAULTS
from app.mcp.tools.inputs import (
    URL_MAX,
    CameraControl,
    HttpUrl,
    ImageReference,
    VideoReference,
)

URL = TypeAdapter(HttpUrl)
BASE = "https://cdn.example.com/"


def test_a_misspelt_key_is_an_error_naming_it() -> None:
    with pytest.raises(ValidationError) as caught:
        ImageReference.model_validate({"image_url": BASE + "a.png", "imge_type": "first_frame"})
    (error,) = caught.value.errors()
    assert (error["type"], error["loc"]) == ("extra_forbidden", ("imge_type",))


def test_nested_objects_are_strict_too() -> None:
    with pytest.raises(ValidationError, match=r"config\.zooom"):
        CameraControl.model_validate({"type": "simple", "config": {"zooom": 0.5}})


@pytest.mark.parametrize("url", ["http://example.com", "https://cdn.example.com/a%20b.png?x=1#y"])
def test_http_and_https_urls_are_accepted(url: str) -> None:
    assert URL.validate_python(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/a.png",
        "file:///etc/passwd",
        "data:image/png;base64,AAAA",
        "//example.com/a.png",
        "https://",
        "https://cdn.example.com/a b.png",
        " https://cdn.example.com/a.png",
        "https://cdn.example.com/a.png\n",
    ],
)
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(ValidationError):
        URL.validate_python(url)


def test_url_length_is_bounded() -> None:
    longest = BASE + "a" * (URL_MAX - len(BASE))
    assert URL.validate_python(longest) == longest
    with pytest.raises(ValidationError, match=f"URL longer than {URL_MAX} characters"):
        URL.validate_python(longest + "a")


def test_reference_defaults() -> None:
    image = ImageReference.model_validate({"image_url": BASE + "a.png"})
    assert image.type is None
    video = VideoReference.model_validate({"video_url": BASE + "v.mp4"})
    assert video.refer_type == DEFAULTS.refer_type and video.keep_original_sound is None
    assert video.model_dump(exclude_none=True) == {
        "video_url": BASE + "v.mp4",
        "refer_type": DEFAULTS.refer_type,
    }
    with pytest.raises(ValidationError):
        VideoReference.model_validate({"video_url": BASE + "v.mp4", "refer_type": "style"})
