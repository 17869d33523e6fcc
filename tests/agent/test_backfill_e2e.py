"""The history backfill end to end: the real extension in Debian's Chromium, the OnlyFans
simulator with an account larger than its first page, and the real Brain.

A fresh install sees only what the tab loaded; the creator starts the backfill in the popup;
it walks the chat list and every chat's history through the page's own store, politely, through
a burst of 429s and a browser restart, until the Brain holds exactly the simulator's ids. Then a
reconnect sends almost nothing, and a renamed fan reaches a Bridge live. The tests run in order
and build on each other's state.
"""

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from nats.aio.client import Client
from nats.errors import TimeoutError as NatsTimeoutError
from playwright.async_api import BrowserContext, Page, Playwright, async_playwright
from websockets.asyncio.client import ClientConnection, connect

from contracts import subjects
from contracts.streams import AGENT_IN
from tests.agent.browser import CHROMIUM, Site, chromium_args, fresh_profile, require_browser
from tests.command.stack import PrivateGateway
from tests.conftest import Gateway, ServiceProcess
from tests.graph.stack import GraphProcess, new_creator
from tests.ingest.stack import IngestProcess

pytestmark = [pytest.mark.nats, pytest.mark.browser]
CHATS, MESSAGES = 45, 2_400
RATE = 25  # requests per second for the test (the default is 1)
EXTENSION_ID = "ajigponlcdgmgdaljhhlillldadmmoik"


@dataclass
class Stack:
    user: str
    site: Site
    private: PrivateGateway
    gateway: Gateway
    playwright: Playwright
    profile: Path
    context: BrowserContext
    page: Page
    bridge: ClientConnection
    sim_http: httpx.AsyncClient
    timings: dict[str, float]

    async def sim(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        reply = await self.sim_http.request(method, path, json=body, params=params or None)
        reply.raise_for_status()
        return reply.json()

    async def api(self, path: str, **params: Any) -> Any:
        token = self.gateway.token("analyst", self.user)
        async with httpx.AsyncClient(base_url=self.gateway.http, timeout=30) as http:
            reply = await http.get(
                f"/api/v1/users/{self.user}{path}", params={"token": token, **params}
            )
        reply.raise_for_status()
        return reply.json()

    async def coverage(self) -> dict[str, Any]:
        return dict(await self.api("/coverage"))


async def open_browser(
    playwright: Playwright, profile: Path, site: Site
) -> tuple[BrowserContext, Page]:
    """Chromium with the extension on `profile` (kept across restarts), on the chat list."""
    context = await playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        args=chromium_args(site.port),
        ignore_https_errors=True,
    )
    page = context.pages[0] if context.pages else await context.new_page()
    await page.goto("https://onlyfans.com/my/chats/")
    await page.wait_for_selector("a.b-chats__item__link", timeout=30_000)
    return context, page


async def in_worker(context: BrowserContext, script: str, arg: Any = None) -> Any:
    worker = context.service_workers[0] if context.service_workers else None
    if worker is None:
        worker = await context.wait_for_event("serviceworker", timeout=30_000)
    return await worker.evaluate(script, arg)


async def popup(context: BrowserContext) -> Page:
    page = await context.new_page()
    await page.goto(f"chrome-extension://{EXTENSION_ID}/popup.html")
    return page


async def truth(stack: Stack) -> dict[str, set[str]]:
    found = await stack.sim("GET", "/_sim/truth")
    return {str(c["fanId"]): {str(i) for i in c["messageIds"]} for c in found["chats"]}


async def brain_ids(stack: Stack) -> dict[str, set[str]]:
    """Every chat the Brain holds and every message id in it, through the REST API."""
    chats: list[dict[str, Any]] = []
    offset: int | None = 0
    while offset is not None:
        page = await stack.api("/chats", limit=500, offset=offset, sort="recent")
        chats += page["items"]
        offset = page["nextOffset"]
    held: dict[str, set[str]] = {}
    for chat in chats:
        ids: set[str] = set()
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 200}
            if cursor:
                params["before"] = cursor
            page = await stack.api(f"/chats/{chat['chatId']}/messages", **params)
            ids |= {m["id"] for m in page["items"]}
            cursor = page["nextCursor"]
            if cursor is None:
                break
        held[chat["chatId"]] = ids
    return held


async def dashboard_coverage(stack: Stack) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The analytics banner's text, with REST's coverage just before and just after."""
    page = await stack.context.new_page()
    token = stack.gateway.token("analyst", stack.user)
    before = await stack.coverage()
    await page.goto(f"{stack.gateway.http}/?token={token}#/analytics")
    text = page.get_by_test_id("coverage-text")
    await text.wait_for(timeout=30_000)
    await page.wait_for_function(
        "() => /of chats|every chat/.test("
        "document.querySelector('[data-testid=coverage-text]')?.textContent ?? '')",
        timeout=30_000,
    )
    shown = await text.inner_text()
    after = await stack.coverage()
    await page.close()
    return shown, before, after


async def wait_for(check: Any, within_s: float, what: str) -> Any:
    deadline = time.monotonic() + within_s
    while True:
        value = await check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.3)


@pytest.fixture(scope="module")
async def stack(
    nats_url: str, nc: Client, secret: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    require_browser()
    user = str(new_creator())
    tmp = tmp_path_factory.mktemp("backfill")
    services: list[ServiceProcess] = [
        await IngestProcess(nats_url).ready(),
        await GraphProcess(nats_url).ready(),
    ]
    private = PrivateGateway(nats_url, secret, tmp / "gw")
    gateway = await private.ready()
    site = await Site(int(user), CHATS, tmp / "certs", messages=MESSAGES).ready()
    profile = fresh_profile(tmp)
    async with async_playwright() as playwright:
        context, page = await open_browser(playwright, profile, site)
        bridge = await connect(f"{gateway.ws}/ws/bridge?token={gateway.token('analyst', user)}")
        assert json.loads(await bridge.recv())["type"] == "connection_ack"
        await in_worker(
            context,
            "([url, token, rate]) => chrome.storage.local.set("
            "{brainUrl: url, agentToken: token, backfillRatePerSecond: rate})",
            [gateway.ws, gateway.token("agent", user), RATE],
        )
        sim_http = httpx.AsyncClient(base_url=site.base, verify=False, timeout=30)
        stack = Stack(
            user, site, private, gateway, playwright, profile, context, page, bridge, sim_http, {}
        )
        yield stack
        print("backfill e2e timings:", stack.timings)
        await sim_http.aclose()
        await bridge.close()
        await stack.context.close()
    site.stop()
    private.stop()
    for process in reversed(services):
        process.stop()


async def test_a_fresh_install_holds_the_first_page_and_says_it_is_partial(stack: Stack) -> None:
    listed = await stack.page.locator("a.b-chats__item__link").count()
    assert 0 < listed < CHATS  # the tab loaded one page of the list, as the real site does

    async def first_page() -> dict[str, Any] | None:
        cov = await stack.coverage()
        return cov if cov["chatsKnown"] >= listed else None

    cov = await wait_for(first_page, 60, "the first page in the Brain")
    assert cov["chatListComplete"] is False and cov["whole"] is False
    assert cov["chatsComplete"] == 0 and cov["completeSince"] is None


async def test_the_backfill_walks_everything_through_429s_and_a_browser_restart(
    stack: Stack,
) -> None:
    expected = await truth(stack)
    assert len(expected) == CHATS and sum(map(len, expected.values())) == MESSAGES
    started = time.monotonic()
    control = await popup(stack.context)
    await control.click("#backfillStart")
    await control.close()

    async def running_a_while() -> bool:
        backfill = (await stack.coverage()).get("backfill") or {}
        return backfill.get("chatsDone", 0) >= CHATS // 4

    await wait_for(running_a_while, 120, "a quarter of the chats")
    await stack.sim("POST", "/_sim/throttle", {"count": 4, "status": 429, "retryAfter": 2})

    # Mid-backfill, whatever the Brain calls complete is complete, to the id.
    cov = await stack.coverage()
    held = await brain_ids(stack)
    nodes = await stack.api("/chats", limit=500)
    complete = [n["chatId"] for n in nodes["items"] if n["history"]["complete"]]
    assert complete, "no chat complete mid-backfill"
    for chat_id in complete:
        assert held[chat_id] == expected[chat_id], chat_id
    assert cov["chatsComplete"] >= len(complete) - 1  # reports arrive every ~2 s
    assert not cov["whole"]
    # The dashboard says the same as REST, mid-backfill: "Based on x% of chats (a of b)".
    shown, before, after = await dashboard_coverage(stack)
    a, b = (int(n.replace(",", "")) for n in re.findall(r"\((\S+) of (\S+)\)", shown)[0])
    assert b == after["chatsKnown"] and before["chatsComplete"] <= a <= after["chatsComplete"]
    assert "every chat" not in shown

    async def throttled_and_past() -> bool:
        stats = await stack.sim("GET", "/_sim/request_stats", window=1)
        return stats["statuses"].get("429", 0) >= 4

    await wait_for(throttled_and_past, 60, "the 429 burst")

    # A browser restart mid-backfill: the walk resumes from its cursors.
    before_restart = await stack.sim("GET", "/_sim/request_stats", window=1)
    await stack.context.close()
    stack.context, stack.page = await open_browser(stack.playwright, stack.profile, stack.site)
    stack.timings["restart_at_requests"] = before_restart["total"]

    async def done() -> dict[str, Any] | None:
        c = await stack.coverage()
        return c if c["whole"] and (c.get("backfill") or {}).get("state") == "done" else None

    final = await wait_for(done, 300, "the backfill to finish")
    stack.timings["backfill_s"] = round(time.monotonic() - started, 1)
    held = await brain_ids(stack)
    assert held == expected
    assert final["chatsKnown"] == final["chatsComplete"] == CHATS
    assert final["chatListComplete"] is True and final["messagesCaptured"] == MESSAGES
    shown, _, _ = await dashboard_coverage(stack)
    assert "Based on every chat" in shown, shown


async def test_the_rate_was_kept_and_no_page_was_fetched_twice_beyond_one(stack: Stack) -> None:
    stats = await stack.sim("GET", "/_sim/request_stats", window=1)
    stack.timings["requests"] = stats["total"]
    # The app's own loads at each start (the first list page and its users) come on top of
    # the backfill's paced requests; a second of the window may hold both.
    assert stats["maxInWindow"] <= RATE + 3, stats["maxInWindow"]
    repeated = dict(stats["duplicatesServed"])
    app_loads = [t for t in repeated if "offset=0&" in t or "users/list" in t]
    beyond = {t: n for t, n in repeated.items() if t not in app_loads}
    assert len(beyond) <= 1 and all(n == 2 for n in beyond.values()), beyond


async def test_a_reconnect_after_the_backfill_sends_almost_nothing(
    stack: Stack, nc: Client
) -> None:
    js = nc.jetstream()
    subject = subjects.agent_in_stored(stack.user)
    last = (await js.stream_info(AGENT_IN.name)).state.last_seq
    full_bytes = await in_worker(
        stack.context,
        """async (user) => {
          const db = await new Promise((ok, no) => {
            const r = indexedDB.open(`ofca-${user}`); r.onsuccess = () => ok(r.result);
            r.onerror = () => no(r.error); });
          let bytes = 0;
          for (const store of ["chats", "messages"]) {
            const all = await new Promise((ok) => {
              const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => ok(r.result); });
            for (const record of all) bytes += new TextEncoder().encode(JSON.stringify(record)).length + 1;
          }
          db.close();
          return bytes;
        }""",
        stack.user,
    )
    stack.private.process.kill()  # the socket drops; the Agent reconnects when it is back
    stack.private.process.wait()
    stack.private.restart()
    await stack.private.ready()

    async def online_again() -> bool:
        status = await stack.api("/status")
        return bool(status["agent_online"])

    await wait_for(online_again, 90, "the Agent to reconnect")
    await asyncio.sleep(3)  # whatever the reconnect sends, it has sent by now
    sent = 0
    kinds: list[str] = []
    pull = await js.pull_subscribe(subject, stream=AGENT_IN.name)
    try:
        while True:
            try:
                msgs = await pull.fetch(200, timeout=1)
            except (NatsTimeoutError, TimeoutError):
                break
            for msg in msgs:
                if msg.metadata.sequence.stream > last:
                    sent += len(msg.data)
                    kinds.append(json.loads(msg.data)["type"])
                await msg.ack()
    finally:
        await pull.unsubscribe()
    stack.timings["full_snapshot_bytes"] = full_bytes
    stack.timings["reconnect_bytes"] = sent
    assert "cache_update" not in kinds, kinds
    assert sent <= 0.01 * full_bytes, (sent, full_bytes, kinds)


async def test_a_renamed_fan_and_a_new_unread_count_reach_a_bridge_live(stack: Stack) -> None:
    first = await stack.page.locator(".b-chats__item[data-id]").first.get_attribute("data-id")
    assert first is not None
    gateway = stack.gateway  # restarted by the previous test: a Bridge connects anew
    stack.bridge = await connect(
        f"{gateway.ws}/ws/bridge?token={gateway.token('analyst', stack.user)}"
    )
    started = time.monotonic()
    await stack.sim(
        "POST", "/_sim/fan_update", {"fanId": int(first), "name": "Renamed Live", "unread": 4}
    )
    async with asyncio.timeout(60):  # a deadline, not the measure: that is in the timings
        while True:
            frame = json.loads(await stack.bridge.recv())
            if frame["type"] != "append_message" or frame["payload"]["chatId"] != first:
                continue
            node = frame["payload"]
            if node["fan"]["name"] == "Renamed Live" and node["unread"] == 4:
                break
    stack.timings["rename_to_bridge_s"] = round(time.monotonic() - started, 2)
