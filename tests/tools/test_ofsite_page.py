"""The simulated chat page in Debian's Chromium: what the extension's backfill and live capture
rely on (first page only at start, infinite scroll, the counters-frame refresh, no polling,
and the `#app.__vue__.$store.dispatch` actions), watched from the site's request log and from
fetch/XHR wrappers installed before the page runs, as the extension installs its own.

One browser and one site for the module; the tests run in order on the same page.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from playwright.async_api import Page, async_playwright

from tests.tools.ofsite_site import Site

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
CHATS = 35
FIRST_PAGE = "/api2/v2/chats?limit=10&offset=0&order=recent&skip_users=all"

# What the extension's MAIN-world hook does at document_start: wrap fetch and XHR.
RECORD_CALLS = """
window.__calls = [];
const nativeFetch = window.fetch;
window.fetch = function (input, init) {
  window.__calls.push({via: "fetch", url: String(input instanceof Request ? input.url : input)});
  return nativeFetch.apply(this, arguments);
};
const nativeOpen = XMLHttpRequest.prototype.open;
XMLHttpRequest.prototype.open = function (method, url) {
  window.__calls.push({via: "xhr", url: String(url)});
  return nativeOpen.apply(this, arguments);
};
"""
DISPATCH = """async ([type, payload]) => {
  try {
    const value = await document.querySelector("#app").__vue__.$store.dispatch(type, payload);
    return {ok: true, value};
  } catch (e) {
    return {ok: false, isError: e instanceof Error, status: e.status,
            retryAfter: e.retryAfter, body: e.body};
  }
}"""


@dataclass
class Browser:
    site: Site
    page: Page

    def targets(self, since: int) -> list[str]:
        """The ``/api2`` request targets from log entry ``since`` on, unescaped."""
        entries = self.site.sim("GET", "/requests", params={"since": since})
        return [unquote(e["target"]) for e in entries]

    async def settle(self, quiet_s: float = 1.5, within_s: float = 30) -> int:
        """Wait until the page has made no request for ``quiet_s``; the log size then."""
        async with asyncio.timeout(within_s):
            size = self.site.log_size()
            while True:
                await asyncio.sleep(quiet_s)
                now = self.site.log_size()
                if now == size:
                    return size
                size = now

    async def dispatch(self, type_: str, payload: Any) -> dict[str, Any]:
        return dict(await self.page.evaluate(DISPATCH, [type_, payload]))

    async def calls(self) -> list[dict[str, str]]:
        return list(await self.page.evaluate("window.__calls"))

    async def listed(self) -> list[int]:
        ids = await self.page.eval_on_selector_all(
            ".b-chats__item", "items => items.map(i => Number(i.dataset.id))"
        )
        return [int(i) for i in ids]


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("OFCA_REQUIRE_BROWSER") == "1":
        pytest.fail(f"needs {CHROMIUM} (apt-get install chromium)")
    pytest.skip(f"needs {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(scope="module")
async def browser(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Browser]:
    require_chromium()
    site = Site(tmp_path_factory.mktemp("ofsite-page"), CHATS, seed=11)
    args = [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--ignore-certificate-errors",
        f"--host-resolver-rules=MAP onlyfans.com 127.0.0.1:{site.port}",
    ]  # fmt: skip
    try:
        async with async_playwright() as playwright:
            chromium = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=args
            )
            context = await chromium.new_context(
                ignore_https_errors=True, viewport={"width": 1280, "height": 720}
            )
            await context.add_init_script(RECORD_CALLS)
            page = await context.new_page()
            await page.goto("https://onlyfans.com/my/chats/")
            await page.wait_for_selector("a.b-chats__item__link", timeout=30_000)
            yield Browser(site, page)
            await context.close()
            await chromium.close()
    finally:
        site.close()


async def test_the_list_loads_only_its_first_page_and_its_users_at_start(browser: Browser) -> None:
    await browser.settle()
    targets = browser.targets(0)
    assert targets[0] == "/api2/v2/users/me"
    assert targets.count(FIRST_PAGE) == 1
    assert not [t for t in targets if t.startswith("/api2/v2/chats?") and t != FIRST_PAGE]
    users = [t for t in targets if t.startswith("/api2/v2/users/list?")]
    assert len(users) == 1
    listed = await browser.listed()
    assert len(listed) == 10
    assert users[0] == "/api2/v2/users/list?" + "&".join(f"m[]={f}" for f in listed)


async def test_an_idle_page_makes_no_requests(browser: Browser) -> None:
    mark = await browser.settle()
    await asyncio.sleep(3)
    assert browser.targets(mark) == []


async def test_scrolling_the_list_to_its_end_loads_the_next_page(browser: Browser) -> None:
    mark = await browser.settle()
    await browser.page.eval_on_selector(
        ".b-chats__conversations", "box => { box.scrollTop = box.scrollHeight; }"
    )
    await browser.page.wait_for_function(
        "document.querySelectorAll('.b-chats__item').length === 20", timeout=15_000
    )
    await browser.settle()
    listed = await browser.listed()
    assert browser.targets(mark) == [
        "/api2/v2/chats?limit=10&offset=10&order=recent&skip_users=all",
        "/api2/v2/users/list?" + "&".join(f"m[]={f}" for f in listed[10:]),
    ]


async def test_fetch_chats_issues_one_fetch_and_resolves_with_the_page(browser: Browser) -> None:
    mark = await browser.settle()
    before = len(await browser.calls())
    got = await browser.dispatch("chats/fetchChats", {"offset": 20})
    assert got["ok"] is True
    page = got["value"]
    assert set(page) == {"list", "hasMore", "nextOffset"}
    assert (len(page["list"]), page["hasMore"], page["nextOffset"]) == (10, True, 30)
    target = "/api2/v2/chats?limit=10&offset=20&order=recent&skip_users=all"
    assert browser.targets(mark) == [target]
    calls = (await browser.calls())[before:]
    assert [(c["via"], c["url"]) for c in calls] == [("fetch", target)]
    await browser.settle()
    assert browser.targets(mark) == [target]  # no users/list or anything else followed
    assert len(await browser.listed()) == 30  # merged into the app's list


async def test_fetch_users_asks_for_exactly_those_ids(browser: Browser) -> None:
    fans = (await browser.listed())[-3:]
    mark = await browser.settle()
    got = await browser.dispatch("users/fetchUsers", {"ids": fans})
    assert got["ok"] is True
    assert set(got["value"]) == {str(f) for f in fans}
    assert all(u["name"] for u in got["value"].values())
    assert browser.targets(mark) == ["/api2/v2/users/list?" + "&".join(f"m[]={f}" for f in fans)]


async def test_fetch_messages_uses_xhr_and_leaves_the_open_chat_alone(browser: Browser) -> None:
    listed = await browser.listed()
    await browser.page.locator(f'.b-chats__item[data-id="{listed[0]}"] a').click()
    await browser.page.wait_for_selector(".b-chat__item-message", timeout=15_000)
    await browser.settle()
    shown = await browser.page.eval_on_selector_all(
        ".b-chat__item-message", "items => items.map(i => i.dataset.id)"
    )
    mark = browser.site.log_size()
    before = len(await browser.calls())
    other = listed[5]
    first = await browser.dispatch("chats/fetchMessages", {"chatId": other})
    assert first["ok"] is True
    ids = [m["id"] for m in first["value"]["list"]]
    assert ids == sorted(ids, reverse=True)
    older = await browser.dispatch("chats/fetchMessages", {"chatId": other, "id": ids[-1]})
    assert older["ok"] is True
    assert all(m["id"] < ids[-1] for m in older["value"]["list"])
    base = f"/api2/v2/chats/{other}/messages?limit=10&order=desc&skip_users=all"
    assert browser.targets(mark) == [base, f"{base}&id={ids[-1]}"]
    calls = (await browser.calls())[before:]
    assert [c["via"] for c in calls] == ["xhr", "xhr"]
    after = await browser.page.eval_on_selector_all(
        ".b-chat__item-message", "items => items.map(i => i.dataset.id)"
    )
    assert after == shown
    assert browser.page.url.endswith(f"/my/chats/chat/{listed[0]}/")


async def test_actions_reject_with_status_and_retry_after(browser: Browser) -> None:
    site = browser.site
    mark = await browser.settle()
    site.sim("POST", "/throttle", {"count": 1, "retryAfter": 4})
    busy = await browser.dispatch("chats/fetchChats", {"offset": 0})
    assert busy["ok"] is False and busy["isError"] is True
    assert (busy["status"], busy["retryAfter"]) == (429, 4)
    assert busy["body"] == {"error": {"code": 429, "message": "Too many requests"}}
    site.sim("POST", "/throttle", {"count": 1, "status": 503})
    down = await browser.dispatch("chats/fetchMessages", {"chatId": (await browser.listed())[1]})
    assert (down["ok"], down["status"], down["retryAfter"]) == (False, 503, None)
    assert len(browser.targets(mark)) == 2
    unknown = await browser.dispatch("chats/fetchEverything", {})
    too_many = await browser.dispatch("users/fetchUsers", {"ids": list(range(1, 102))})
    bad_offset = await browser.dispatch("chats/fetchChats", {"offset": -10})
    for refused in (unknown, too_many, bad_offset):
        assert (refused["ok"], refused["isError"], refused["status"]) == (False, True, 0)
    await browser.settle()
    assert len(browser.targets(mark)) == 2  # refused before any request


async def test_a_counters_frame_refreshes_the_first_page_and_its_users_once(
    browser: Browser,
) -> None:
    site = browser.site
    fan = (await browser.listed())[2]
    mark = await browser.settle()
    site.sim("POST", "/fan_update", {"fanId": fan, "name": "Renamed Fan", "unread": 5})
    item = f'.b-chats__item[data-id="{fan}"]'
    await browser.page.wait_for_function(
        f"document.querySelector('{item} .b-chats__item__name')?.textContent === 'Renamed Fan'",
        timeout=15_000,
    )
    await browser.settle()
    targets = browser.targets(mark)
    assert targets[0] == FIRST_PAGE
    assert len(targets) == 2
    assert targets[1].startswith("/api2/v2/users/list?")
    assert f"m[]={fan}" in targets[1].split("?", 1)[1].split("&")
    badge = await browser.page.text_content(f"{item} .b-chats__item__uncount")
    assert badge == "5"
