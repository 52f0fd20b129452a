"""The sign-in page in a real browser: a person fills the token field, submits, and lands back on
the app with a code; a wrong token shows an error on the page. Both themes are screenshotted
(test-artifacts/oauth/) and checked for accessibility with axe-core."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from playwright.async_api import Page
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tests.browser import accessibility_problems, chromium, screenshot
from tests.helpers import Simulator, mcp_client, serve
from tests.oauth.flow import USER_TOKEN, door_server

pytestmark = [pytest.mark.anyio, pytest.mark.e2e]

VERIFIER = "browser-verifier-" + "x" * 40


@pytest.fixture
async def app_callback() -> AsyncIterator[str]:
    """The connecting app's redirect target: where the browser lands after signing in."""

    async def landed(request: Request) -> HTMLResponse:
        return HTMLResponse("<!doctype html><title>Connected</title><h1>Connected</h1>")

    async with serve(Starlette(routes=[Route("/callback", landed)])) as url:
        yield f"{url}/callback"


async def registered(base: str, redirect_uri: str) -> dict[str, Any]:
    async with httpx2.AsyncClient(base_url=base) as http:
        answer = await http.post(
            "/register",
            json={
                "client_name": "Claude",
                "redirect_uris": [redirect_uri],
                "token_endpoint_auth_method": "none",
            },
        )
    assert answer.status_code == 201, answer.text
    client: dict[str, Any] = answer.json()
    return client


def authorize_url(base: str, client_id: str, redirect_uri: str) -> str:
    import base64
    import hashlib
    from urllib.parse import urlencode

    challenge = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).decode().rstrip("=")
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": "browser-state",
        "resource": f"{base}/mcp",
    }
    return f"{base}/authorize?{urlencode(query)}"


async def check_page(page: Page, name: str) -> None:
    """Screenshot in both themes and assert no accessibility violations in either."""
    for scheme in ("light", "dark"):
        await page.emulate_media(color_scheme=scheme)
        await screenshot(page, "oauth", f"{name}-{scheme}")
        report = await accessibility_problems(page)
        assert report == "", f"{name} ({scheme}):\n{report}"


async def test_a_person_signs_in_and_the_app_gets_a_working_token(
    simulator: Simulator, app_callback: str
) -> None:
    await simulator.configure(valid_tokens=[USER_TOKEN])
    task_id = await simulator.submit(USER_TOKEN)
    async with door_server(simulator) as base, chromium() as browser:
        client = await registered(base, app_callback)
        page = await browser.new_page(viewport={"width": 480, "height": 800})
        await page.goto(authorize_url(base, client["client_id"], app_callback))
        assert await page.title() == "Connect Claude to Kling"
        await page.get_by_role("heading", name="Connect Claude to Kling video generation").wait_for()
        assert await page.get_by_text("you go back to 127.0.0.1").count() == 1
        await check_page(page, "sign-in")

        await page.get_by_label("AceDataCloud API token").fill("tok-typed-wrong-0001")
        await page.get_by_role("button", name="Connect").click()
        alert = page.get_by_role("alert")
        await alert.wait_for()
        assert "did not accept this token" in await alert.inner_text()
        assert page.url.startswith(base)  # still on the page: nothing went back to the app
        await check_page(page, "sign-in-wrong-token")

        await page.get_by_label("AceDataCloud API token").fill(USER_TOKEN)
        async with page.expect_navigation(url=f"{app_callback}*"):
            await page.get_by_role("button", name="Connect").click()
        landed = {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}
        assert landed["state"] == "browser-state" and landed["iss"] == base
        await page.close()

        async with httpx2.AsyncClient(base_url=base) as http:
            tokens = await http.post(
                "/token",
                data={
                    "grant_type": "authorization_code",
                    "code": landed["code"],
                    "redirect_uri": app_callback,
                    "client_id": client["client_id"],
                    "code_verifier": VERIFIER,
                },
            )
        assert tokens.status_code == 200, tokens.text
        await simulator.http.delete("/_sim/requests")
        async with mcp_client(base, tokens.json()["access_token"], "2026-07-28") as mcp:
            result = await mcp.call_tool("kling_get_task", {"task_id": task_id})
    assert not result.is_error
    assert [e["authorization"] for e in await simulator.journal()] == [f"Bearer {USER_TOKEN}"]


async def test_an_expired_or_forged_sign_in_link_shows_an_error_page(simulator: Simulator) -> None:
    async with door_server(simulator) as base, chromium() as browser:
        page = await browser.new_page(viewport={"width": 360, "height": 640})
        response = await page.goto(f"{base}/oauth/sign-in?request=kmcp-sign-in.forged")
        assert response is not None and response.status == 400
        await page.get_by_role("heading", name="This sign-in link is not valid").wait_for()
        await check_page(page, "error-page")
