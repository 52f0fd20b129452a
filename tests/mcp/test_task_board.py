"""The task board (an MCP App): listed and read in both eras, linked from every tool whose result is
tasks, self-contained under a strict CSP; and in a real browser, loaded by a host built on the
published ext-apps host helpers, it turns a pending task into a playing video by itself."""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from playwright.async_api import Frame, Page, Route
from starlette.applications import Starlette
from starlette.responses import FileResponse, HTMLResponse
from starlette.routing import Route as StarletteRoute

from app.mcp.task_board import BOARD_URI, board_html
from app.mcp.tools.inventory import all_tools
from app.settings import Settings
from app.simulator.store import CDN as SIMULATOR_CDN
from tests.browser import accessibility_problems, chromium, screenshot
from tests.helpers import MODES, Mode, Simulator, mcp_client, serve, server_for

pytestmark = pytest.mark.anyio

TOKEN = "tok-board-0001"
APP_MIME = "text/html;profile=mcp-app"
HOST = Path(__file__).parent / "board_host"
LIGHT = {"--color-background-primary": "#ffffff", "--color-text-primary": "#111318"}
DARK = {"--color-background-primary": "#17191e", "--color-text-primary": "#eef0f4"}


@pytest.mark.parametrize("mode", MODES)
async def test_the_board_is_listed_read_and_linked_in_both_eras(simulator: Simulator, mode: Mode) -> None:
    async with server_for(simulator) as url, mcp_client(url, TOKEN, mode) as client:
        listed = {str(r.uri): r for r in (await client.list_resources()).resources}
        read = await client.read_resource(BOARD_URI)
        tools = (await client.list_tools()).tools
    entry = listed[BOARD_URI]
    assert entry.mime_type == APP_MIME
    content = read.contents[0]
    assert content.mime_type == APP_MIME and getattr(content, "text", "") == board_html()
    ui = (content.meta or {})["ui"]
    assert ui["csp"] == {"resourceDomains": Settings().ui_media_domains} and ui["prefersBorder"] is True
    links = {tool.name: (tool.meta or {}).get("ui") for tool in tools}
    showing = {spec.name for spec in all_tools() if spec.shows_tasks}
    assert len(showing) == 14
    for name, link in links.items():
        assert link == ({"resourceUri": BOARD_URI} if name in showing else None), name


def test_the_view_loads_nothing_from_outside() -> None:
    """No external script, style, font or frame: only the result videos come from outside, and
    those origins are the CSP's resourceDomains."""
    html = board_html()
    assert not re.search(r"<(script|link|iframe|img)[^>]+(src|href)=", html)
    assert not re.search(r"@import|url\(|fetch\(|XMLHttpRequest|WebSocket|eval\(", html)
    assert "https://" not in html and "http://" not in html


def test_the_simulators_videos_come_from_a_declared_origin() -> None:
    origin = "/".join(SIMULATOR_CDN.split("/")[:3])
    assert origin in Settings().ui_media_domains


# --- in a real browser ---------------------------------------------------------------------------


@pytest.fixture
async def host_page() -> AsyncIterator[str]:
    """The test host's page and its bundle (scripts/test-deps.sh builds it), on their own origin."""
    bundle = HOST / "dist" / "host.js"
    if not bundle.exists():
        raise RuntimeError(f"{bundle} is missing: `make test` builds it (scripts/test-deps.sh)")
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test host</title>'
        "<style>body{margin:0;background:#888}iframe{display:block;width:100%;border:0}</style></head>"
        '<body><main id="app"></main><script type="module" src="/host.js"></script></body></html>'
    )
    app = Starlette(
        routes=[
            StarletteRoute("/", lambda request: HTMLResponse(page)),
            StarletteRoute("/host.js", lambda request: FileResponse(bundle, media_type="text/javascript")),
        ]
    )
    async with serve(app) as url:
        yield url


async def recorded_video(page: Page) -> bytes:
    """A short real WebM clip, recorded from a canvas by the browser itself (nothing is downloaded)."""
    encoded: str = await page.evaluate(
        """async () => {
        const canvas = Object.assign(document.createElement("canvas"), { width: 640, height: 360 });
        const g = canvas.getContext("2d");
        const recorder = new MediaRecorder(canvas.captureStream(25), { mimeType: "video/webm" });
        const parts = [];
        recorder.ondataavailable = (e) => parts.push(e.data);
        const done = new Promise((resolve) => (recorder.onstop = resolve));
        const draw = (frame) => {
            const sky = g.createLinearGradient(0, 0, 0, 360);
            sky.addColorStop(0, "#f7b267"); sky.addColorStop(1, "#5b3a8c");
            g.fillStyle = sky; g.fillRect(0, 0, 640, 360);
            g.fillStyle = "#fff3c4"; g.beginPath(); g.arc(320, 250 - frame * 2, 60, 0, Math.PI * 2); g.fill();
            g.fillStyle = "#1f1d36"; g.fillRect(0, 300, 640, 60);
        };
        draw(0);
        recorder.start();
        for (let frame = 1; frame < 25; frame++) {
            draw(frame);
            await new Promise((resolve) => setTimeout(resolve, 40));
        }
        recorder.stop();
        await done;
        const bytes = new Uint8Array(await new Blob(parts, { type: "video/webm" }).arrayBuffer());
        let text = ""; for (const b of bytes) text += String.fromCharCode(b);
        return btoa(text);
    }"""
    )
    return base64.b64decode(encoded)


async def shoot(page: Page, frame: Frame, name: str) -> None:
    """A screenshot of the whole board: the window is made as tall as the board first (Chromium's
    full-page capture leaves a sandboxed frame partly or wholly unpainted)."""
    height = await frame.evaluate("() => document.documentElement.scrollHeight")
    width = (page.viewport_size or {"width": 760})["width"]
    await page.set_viewport_size({"width": width, "height": max(400, min(height, 4000))})
    await frame.evaluate(
        "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
    )
    await screenshot(page, "board", name, full_page=False)


async def board_frame(page: Page) -> Frame:
    handle = await page.wait_for_selector("iframe")
    assert handle is not None
    frame = await handle.content_frame()
    assert frame is not None
    return frame


def as_wire(result: Any) -> dict[str, Any]:
    dumped: dict[str, Any] = result.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dumped


@pytest.mark.e2e
@pytest.mark.parametrize("mode", MODES)
async def test_the_board_turns_a_running_task_into_a_video_by_itself(
    simulator: Simulator, host_page: str, mode: Mode
) -> None:
    done_id = (await simulator.bulk(TOKEN, 1, run_seconds=0))[0]
    running_id = (await simulator.bulk(TOKEN, 1, run_seconds=4))[0]
    failed_id = (await simulator.bulk(TOKEN, 1, run_seconds=0, outcome="failed"))[0]
    unknown_id = "no-such-task-0001"
    asked = [done_id, running_id, failed_id, unknown_id]
    async with server_for(simulator, poll_after_seconds=1) as url, mcp_client(url, TOKEN, mode) as client:
        html = (await client.read_resource(BOARD_URI)).contents[0]
        csp = (html.meta or {})["ui"]["csp"]
        first = await client.call_tool("kling_get_tasks_batch", {"task_ids": asked})
        assert first.structured_content is not None
        statuses = [t["status"] for t in first.structured_content["tasks"]]
        assert statuses == ["succeeded", "pending", "failed", "not_found"]

        async with chromium() as browser:
            page = await browser.new_page(viewport={"width": 760, "height": 900})
            await page.goto(host_page)
            clip = await recorded_video(page)
            served: list[str] = []

            async def cdn(route: Route) -> None:  # the result videos' host, offline
                served.append(route.request.url)
                await route.fulfill(status=200, body=clip, content_type="video/webm")

            await page.route(re.compile(r"^https://platform2\.cdn\.acedata\.cloud/"), cdn)
            await page.expose_function("callServerTool", lambda params: call(client, params))
            await page.evaluate(
                "(args) => window.host.start(args)",
                {"html": getattr(html, "text", ""), "csp": csp, "theme": "light", "variables": LIGHT},
            )
            await page.evaluate("(args) => window.host.input(args)", {"task_ids": asked})
            await page.evaluate("(result) => window.host.result(result)", as_wire(first))
            frame = await board_frame(page)
            running = frame.locator(f'li[data-task-id="{running_id}"]')
            await running.locator(".badge", has_text="Running").wait_for()
            failed = frame.locator(f'li[data-task-id="{failed_id}"]')
            reason = first.structured_content["tasks"][2]["error"]["message"]
            assert await failed.locator(".badge").inner_text() == "Failed"
            assert reason in await failed.locator(".reason").inner_text()
            unknown = frame.locator(f'li[data-task-id="{unknown_id}"]')
            assert "no task with this id" in await unknown.inner_text()
            await shoot(page, frame, f"running-{mode}")

            # The board asks the batch tool itself (through the host) until the task is final.
            await running.locator("video").wait_for(timeout=20_000)
            assert await running.locator(".badge").inner_text() == "Ready"
            sources = await frame.eval_on_selector_all("video", "videos => videos.map(v => v.src)")
            expected = [f"{SIMULATOR_CDN}/{task_id}.mp4" for task_id in (done_id, running_id)]
            assert first.structured_content["tasks"][0]["video_url"] == expected[0]
            assert sources == expected
            await frame.wait_for_function(
                "() => [...document.querySelectorAll('video')].every(v => v.readyState >= 2)"
            )
            calls = await page.evaluate("() => window.host.toolCalls")
            assert calls and {c["name"] for c in calls} == {"kling_get_tasks_batch"}
            assert calls[0]["arguments"] == {"task_ids": [running_id]}  # only what was still open
            assert "All tasks are final." in await frame.locator("footer").inner_text()
            assert served  # the player loaded the videos from their declared origin

            for theme, variables in (("light", LIGHT), ("dark", DARK)):
                await page.evaluate("([t, v]) => window.host.theme(t, v)", [theme, variables])
                await frame.wait_for_function(f"() => document.documentElement.dataset.theme === '{theme}'")
                await shoot(page, frame, f"finished-{theme}-{mode}")
                report = await accessibility_problems(frame)  # type: ignore[arg-type]
                assert report == "", report

            await page.set_viewport_size({"width": 360, "height": 800})
            await frame.wait_for_function("() => window.innerWidth === 360")
            await shoot(page, frame, f"narrow-{mode}")
            overflow = await frame.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0  # readable at 360 px: nothing runs off the side

            # A submission: what was asked (from the call's arguments) and the time it should take.
            args = {"prompt": "a paper boat on a rainy street", "model": "kling-v2-6", "mode": "pro"}
            submitted = await client.call_tool("kling_generate_video", args)
            assert submitted.structured_content is not None, submitted.content
            await page.evaluate("(args) => window.host.input(args)", args)
            await page.evaluate("(result) => window.host.result(result)", as_wire(submitted))
            new_card = frame.locator(f'li[data-task-id="{submitted.structured_content["task_id"]}"]')
            await new_card.locator(".badge", has_text="Running").wait_for()
            assert "a paper boat on a rainy street" in await new_card.inner_text()
            assert "kling-v2-6 · pro" in await new_card.inner_text()
            assert "elapsed of about" in await new_card.inner_text()
            assert await new_card.get_by_role("progressbar").count() == 1
            await shoot(page, frame, f"submitted-{mode}")

            # Usable with a keyboard: the controls are reachable with Tab, in reading order.
            await frame.locator("body").focus()
            reached = []
            for _ in range(6):
                await page.keyboard.press("Tab")
                reached.append(
                    await frame.evaluate("() => document.activeElement && document.activeElement.tagName")
                )
            assert "VIDEO" in reached and "A" in reached
            download = frame.locator("a", has_text="Download").first
            await download.click()
            assert await page.evaluate("() => window.host.openedLinks") == [expected[0]]


async def call(client: Client, params: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(params["name"], params.get("arguments") or {})
    return as_wire(result)
