"""A real browser for the tests that look at pages: Debian's chromium driven by Playwright (never a
downloaded browser), screenshots kept under test-artifacts/ for people to look at, and an
accessibility check with axe-core."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, async_playwright

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    binary = shutil.which("chromium")
    if binary is None:
        raise RuntimeError("chromium is missing: `make test` installs it (scripts/test-deps.sh)")
    async with async_playwright() as playwright:
        # --no-sandbox: the tests may run as root, where chromium refuses its sandbox.
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        browser = await playwright.chromium.launch(executable_path=binary, args=args)
        try:
            yield browser
        finally:
            await browser.close()


async def screenshot(page: Page, folder: str, name: str, *, full_page: bool = True) -> Path:
    path = ARTIFACTS / folder / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(path), full_page=full_page)
    return path


async def accessibility_problems(page: Page) -> str:
    """axe-core's report of WCAG A/AA violations on the page; empty when there are none."""
    results = await Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"]})
    return "" if results.violations_count == 0 else results.generate_report()
