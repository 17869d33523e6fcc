"""The dashboard in a real browser: Debian's Chromium driving `bridge-ui/dist` as the gateway
serves it; helpers shared by the Bridge end-to-end tests."""

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, Playwright, ViewportSize, expect

from tests.conftest import ROOT, Gateway

CHROMIUM = Path("/usr/bin/chromium")
DIST = ROOT / "bridge-ui" / "dist"
SCREENSHOTS = ROOT / "docs" / "screenshots"
VIEWPORT: ViewportSize = {"width": 1440, "height": 900}


def require_dashboard() -> None:
    """Skip where there is no Chromium or no built dashboard, except in CI (then fail)."""
    missing = [str(p) for p in (CHROMIUM, DIST / "index.html") if not p.exists()]
    if not missing:
        return
    why = f"needs {', '.join(missing)} (apt-get install chromium; just ui)"
    if os.environ.get("OFCA_REQUIRE_BROWSER") == "1":
        pytest.fail(why)
    pytest.skip(why)


async def launch(playwright: Playwright) -> Browser:
    return await playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
    )


class Dashboard:
    """One browser tab on the dashboard, logged in through the link `ofca up` prints."""

    def __init__(self, page: Page, gateway: Gateway, user: str) -> None:
        self.page = page
        self.gateway = gateway
        self.user = user
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    @classmethod
    async def open(cls, browser: Browser, gateway: Gateway, user: str) -> "Dashboard":
        context = await browser.new_context(viewport=VIEWPORT)
        dashboard = cls(await context.new_page(), gateway, user)
        await dashboard.page.goto(f"{gateway.http}/?token={gateway.token('analyst', user)}")
        await dashboard.expect_socket("open")
        return dashboard

    async def close(self) -> None:
        await self.page.context.close()

    async def go(self, hash_route: str) -> None:
        await self.page.evaluate("(route) => { window.location.hash = route; }", hash_route)

    async def expect_socket(self, state: str, timeout_ms: float = 30_000) -> None:
        locator = self.page.get_by_test_id("socket-state")
        await expect(locator).to_have_attribute("data-state", state, timeout=timeout_ms)

    async def loaded_count(self) -> str:
        return await self.page.get_by_test_id("loaded-count").inner_text()

    async def search(self, text: str) -> None:
        await self.page.get_by_role("searchbox", name="Search fans").fill(text)

    async def measure(self, name: str) -> float | None:
        """The duration of the latest `performance.measure` called `name`, in ms."""
        value: Any = await self.page.evaluate(
            "(name) => performance.getEntriesByName(name).at(-1)?.duration ?? null", name
        )
        return None if value is None else float(value)

    async def screenshot(self, name: str) -> None:
        """Saved to docs/screenshots/NAME.png when OFCA_SCREENSHOTS=1 (they are committed)."""
        if os.environ.get("OFCA_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            await self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


# Scrolls the inbox from top to bottom in big jumps, one per animation frame, and reports how
# long each frame took and how many rows exist in the DOM (a virtualized list keeps it small).
SCROLL_INBOX = """
async () => {
  const el = document.querySelector('[data-testid=conversation-scroller]');
  const max = el.scrollHeight - el.clientHeight;
  const steps = 150;
  const frames = [];
  let rows = 0;
  let last = performance.now();
  for (let i = 1; i <= steps; i++) {
    el.scrollTop = (max * i) / steps;
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const now = performance.now();
    frames.push(now - last);
    last = now;
    rows = Math.max(rows, document.querySelectorAll('[data-testid=conversation-row]').length);
  }
  frames.sort((a, b) => a - b);
  const at = (q) => frames[Math.min(frames.length - 1, Math.floor(q * frames.length))];
  return { steps, p50: at(0.5), p95: at(0.95), max: frames[frames.length - 1], rowsInDom: rows,
           scrollHeight: el.scrollHeight };
}
"""
