"""The Bridge dashboard end to end: Debian's Chromium on `bridge-ui/dist` as a (restartable)
gateway serves it, against the real Brain (ingest, graph, enrichment, command), fed by a Python
Agent speaking the extension's protocol.

One stack and one creator per module; the tests run in order and build on each other (the
snapshot fills the inbox, a delta arrives live, a draft is approved, every view is shown, the
Agent reports its capture coverage, the gateway restarts). The last test measures the inbox with
a 20,000-conversation creator (~25 s).
With OFCA_SCREENSHOTS=1 the tests save docs/screenshots/*.png (1440x900).
"""

import asyncio
import json
import os
import platform
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from nats.aio.client import Client
from playwright.async_api import Browser, async_playwright, expect

from ofca.agent_protocol import AgentClient, new_raw_message
from tests.bridge.dashboard import SCROLL_INBOX, Dashboard, launch, require_dashboard
from tests.command.stack import PrivateGateway, commands_within, first_command
from tests.command.stack import report as report_result
from tests.conftest import Gateway
from tests.enrichment.conftest import start_scoring_services
from tests.graph.stack import new_creator
from tools.ofsim import Inbox, fan_message, generate_inbox, iter_messages

pytestmark = [pytest.mark.nats, pytest.mark.browser]
CHATS = 30
BIG_CHATS = 20_000


@dataclass
class Stack:
    gateway: Gateway
    private: PrivateGateway
    browser: Browser


@dataclass
class Creator:
    user: str
    inbox: Inbox
    agent: AgentClient
    dashboard: Dashboard
    fans: list[int] = field(default_factory=list)


def recent_end() -> datetime:
    """Drafts are only made for recent fan messages: the inbox ends half an hour ago."""
    return datetime.now(UTC) - timedelta(minutes=30)


@pytest.fixture(scope="module")
async def stack(
    nats_url: str, nc: Client, secret: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    require_dashboard()
    processes = await start_scoring_services(nats_url, nc)
    private = PrivateGateway(nats_url, secret, tmp_path_factory.mktemp("bridge-gateway"))
    try:
        gateway = await private.ready()
        async with async_playwright() as playwright:
            browser = await launch(playwright)
            yield Stack(gateway, private, browser)
            await browser.close()
    finally:
        private.stop()
        for process in reversed(processes):
            process.stop()


@pytest.fixture(scope="module")
async def creator(stack: Stack) -> AsyncIterator[Creator]:
    user = str(new_creator())
    inbox = generate_inbox(
        int(user), n_chats=CHATS, messages_per_chat=(6, 12), seed=71, end=recent_end()
    )
    dashboard = await Dashboard.open(stack.browser, stack.gateway, user)
    agent = await AgentClient.connect(stack.gateway.ws, stack.gateway.token("agent", user))
    yield Creator(user, inbox, agent, dashboard, fans=list(inbox.messages))
    await agent.close()
    await dashboard.close()


async def api(gateway: Gateway, user: str, path: str, **params: Any) -> httpx.Response:
    token = gateway.token("analyst", user)
    async with httpx.AsyncClient(base_url=gateway.http, timeout=30) as http:
        return await http.get(
            f"/api/v1/users/{user}{path}",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
        )


async def current_draft(gateway: Gateway, user: str, chat: int, reply_to: int) -> dict[str, Any]:
    async with asyncio.timeout(45):
        while True:
            drafts = (await api(gateway, user, "/drafts", chat_id=chat)).json()
            mine = [d for d in drafts if d["replyToMessageId"] == str(reply_to)]
            if mine:
                return dict(mine[0])
            await asyncio.sleep(0.3)


async def test_the_inbox_fills_from_the_agents_snapshot(creator: Creator) -> None:
    page = creator.dashboard.page
    assert "token=" not in page.url  # moved to sessionStorage, out of the address bar
    assert await page.evaluate("sessionStorage.getItem('ofca.token')")

    acks = await creator.agent.send_snapshot(
        creator.inbox.chats, list(iter_messages(creator.inbox)), "bridge-1"
    )
    assert all(a["type"] == "ingest_ack" for a in acks), acks

    await expect(page.get_by_test_id("loaded-count")).to_have_text(
        f"Conversations: {CHATS}", timeout=60_000
    )
    rows = page.get_by_test_id("conversation-row")
    await expect(rows.first).to_be_visible()
    assert await rows.count() >= 10
    await expect(page.get_by_test_id("agent-state")).to_have_attribute("data-state", "online")


async def test_a_fan_message_appears_live_in_the_inbox(creator: Creator) -> None:
    fan = creator.fans[0]
    text = f"are you there? {uuid.uuid4().hex[:6]}"
    message = fan_message(creator.inbox, fan, kind="text", seed=11)
    message["text"] = text
    ack = await creator.agent.send_and_wait(new_raw_message(fan, message))
    assert ack["type"] == "ingest_ack", ack

    dashboard = creator.dashboard
    await dashboard.search(str(fan))
    row = dashboard.page.locator(f'[data-testid="conversation-row"][data-chat-id="{fan}"]')
    await expect(row).to_contain_text(text, timeout=20_000)
    await expect(row.get_by_test_id("unread-badge")).to_be_visible()
    await dashboard.search("")
    await expect(dashboard.page.get_by_test_id("conversation-row").nth(8)).to_be_visible()
    await dashboard.screenshot("inbox")


async def test_a_draft_approved_in_the_dashboard_reaches_the_agent_once(
    stack: Stack, creator: Creator
) -> None:
    fan = creator.fans[1]
    message = fan_message(creator.inbox, fan, kind="text", seed=12)
    message["text"] = "how much for a custom video of you in the red lingerie?? 😍"
    await creator.agent.send_and_wait(new_raw_message(fan, message))
    draft = await current_draft(stack.gateway, creator.user, fan, message["id"])

    dashboard, page = creator.dashboard, creator.dashboard.page
    await dashboard.go(f"#/inbox/{fan}")
    card = page.locator(f'[data-testid="draft"][data-draft-id="{draft["draftId"]}"]')
    await expect(card).to_be_visible(timeout=30_000)
    await expect(page.get_by_test_id("lifetime-spend")).to_be_visible(timeout=15_000)
    await expect(page.get_by_test_id("message").last).to_contain_text("red lingerie")
    await dashboard.screenshot("chat")

    assert creator.agent.commands == []  # nothing was sent before the approval
    await card.get_by_role("button", name="Approve & send").click()
    sent = await first_command(creator.agent, within_s=30)
    assert sent["text"] == draft["text"] and str(sent["chatId"]) == str(fan)
    assert sent["origin"] == "analyst"
    assert await commands_within(creator.agent, 4.0) == []  # exactly one
    assert creator.agent.commands == []

    record = (await api(stack.gateway, creator.user, f"/commands/{sent['commandId']}")).json()
    assert record["draftId"] == draft["draftId"] and record["via"] == "bridge"

    await report_result(creator.agent, sent["commandId"], "sent")
    trail = page.locator('[data-testid="command"][data-state="sent"]')
    await expect(trail).to_be_visible(timeout=20_000)
    await expect(card.get_by_role("button", name="Approve & send")).to_have_count(0)


async def test_every_view_renders_with_the_creators_data(creator: Creator) -> None:
    dashboard, page = creator.dashboard, creator.dashboard.page

    await dashboard.go("#/analytics")
    await expect(page.get_by_test_id("topic-table")).to_be_visible(timeout=30_000)
    await expect(page.get_by_role("img", name="Weekday by hour heatmap")).to_be_visible()
    await expect(page.get_by_role("img", name="First response time histogram")).to_be_visible()
    await page.wait_for_timeout(800)  # chart animations
    await dashboard.screenshot("analytics")
    await page.evaluate("document.querySelector('main.view').scrollTop = 1e6")  # the charts
    await page.wait_for_timeout(500)
    await dashboard.screenshot("analytics-charts")

    await dashboard.go("#/fans")
    fans = page.get_by_test_id("fans-view").get_by_role("row")
    await expect(fans.nth(1)).to_be_visible()
    await dashboard.screenshot("fans")

    await dashboard.go("#/graph")
    await expect(page.get_by_test_id("graph-canvas").locator("canvas").first).to_be_attached(
        timeout=30_000
    )
    await page.wait_for_timeout(800)
    await dashboard.screenshot("graph")

    await dashboard.go("#/settings")
    await expect(page.get_by_role("switch")).not_to_be_checked(timeout=15_000)  # auto-send off
    await expect(page.get_by_role("note")).to_contain_text("terms of service forbid AI chatbots")
    await dashboard.screenshot("settings")

    await dashboard.go("#/inbox")
    assert dashboard.errors == []


async def test_the_dashboard_says_what_the_captured_history_covers(creator: Creator) -> None:
    dashboard, page = creator.dashboard, creator.dashboard.page
    await dashboard.go("#/analytics")
    banner = page.get_by_test_id("coverage-banner")
    await expect(banner).to_contain_text("the chat list has not been walked whole", timeout=30_000)

    # The Agent walked the chat list and the whole history of three chats; its backfill runs.
    complete = creator.fans[5:8]
    now = int(datetime.now(UTC).timestamp() * 1000)
    report = {
        "at": now,
        "chatList": {"complete": True, "chatsKnown": CHATS},
        "backfill": {"state": "running", "chatsDone": 3, "chatsTotal": CHATS, "requests": 9},
        "lastCaptureAt": now,
        "chats": [
            {"chatId": fan, "complete": True, "oldestMessageId": 1,
             "messages": len(creator.inbox.messages[fan])}
            for fan in complete
        ],
    }  # fmt: skip
    frame = json.dumps({"type": "capture_state", "ref": "cov", "payload": report}).encode()
    assert (await creator.agent.send_and_wait(frame))["type"] == "ingest_ack"

    await expect(banner).to_contain_text("Based on 10% of chats (3 of 30)", timeout=30_000)
    await expect(banner).to_contain_text("Backfill running 3 of 30 chats")
    await expect(banner).not_to_contain_text("every chat")
    status = page.get_by_test_id("coverage-state")
    await expect(status).to_have_text("Backfill running 3 of 30 chats")

    fan = complete[0]
    await dashboard.go(f"#/inbox/{fan}")
    held = len(creator.inbox.messages[fan])
    await expect(page.get_by_test_id("chat-history")).to_have_text(
        f"{held} messages captured · history complete", timeout=20_000
    )
    await dashboard.go(f"#/inbox/{creator.fans[9]}")
    await expect(page.get_by_test_id("chat-history")).to_contain_text(
        "older history not captured yet"
    )
    await dashboard.go("#/inbox")
    assert dashboard.errors == []


async def test_a_gateway_restart_shows_reconnecting_then_recovers(
    stack: Stack, creator: Creator
) -> None:
    dashboard, page = creator.dashboard, creator.dashboard.page
    await dashboard.expect_socket("open")
    stack.private.restart()
    await dashboard.expect_socket("reconnecting", timeout_ms=15_000)
    await expect(page.get_by_test_id("stale-banner")).to_be_visible()
    await stack.private.ready()
    await dashboard.expect_socket("open", timeout_ms=45_000)
    await expect(page.get_by_test_id("stale-banner")).to_have_count(0)
    # The gateway sends the current snapshot again: the inbox is whole.
    await expect(page.get_by_test_id("loaded-count")).to_have_text(f"Conversations: {CHATS}")
    assert dashboard.errors == []


async def test_twenty_thousand_conversations_paint_fast_and_load_in_the_background(
    stack: Stack,
) -> None:
    user = str(new_creator())
    inbox = generate_inbox(
        int(user), n_chats=BIG_CHATS, messages_per_chat=(2, 3), seed=72, end=recent_end()
    )
    messages = list(iter_messages(inbox))
    dashboard = await Dashboard.open(stack.browser, stack.gateway, user)
    agent = await AgentClient.connect(stack.gateway.ws, stack.gateway.token("agent", user))
    try:
        started = asyncio.get_running_loop().time()
        acks = await agent.send_snapshot(inbox.chats, messages, "bridge-big")
        assert all(a["type"] == "ingest_ack" for a in acks)
        sent_s = asyncio.get_running_loop().time() - started

        page = dashboard.page
        await page.wait_for_function(
            "() => performance.getEntriesByName('ofca:full-sync-to-paint').length > 0",
            timeout=180_000,
        )
        await page.wait_for_function(
            "() => performance.getEntriesByName('ofca:full-sync-to-all-loaded').length > 0",
            timeout=180_000,
        )
        await expect(page.get_by_test_id("loaded-count")).to_have_text(
            f"Conversations: {BIG_CHATS:,}", timeout=30_000
        )
        paint_ms = await dashboard.measure("ofca:full-sync-to-paint")
        loaded_ms = await dashboard.measure("ofca:full-sync-to-all-loaded")
        first = await page.evaluate(
            "() => performance.getEntriesByName('ofca:full-sync').at(-1).detail"
        )
        scroll: dict[str, Any] = await page.evaluate(SCROLL_INBOX)
        assert dashboard.errors == []
    finally:
        await agent.close()
        await dashboard.close()

    figures = {
        "conversations": BIG_CHATS,
        "messages": len(messages),
        "full_sync_conversations": first["conversations"],
        "snapshot_send_s": round(sent_s, 2),
        "full_sync_to_first_paint_ms": round(paint_ms or 0, 1),
        "full_sync_to_all_loaded_ms": round(loaded_ms or 0, 1),
        "scroll_frame_p50_ms": round(scroll["p50"], 1),
        "scroll_frame_p95_ms": round(scroll["p95"], 1),
        "scroll_frame_max_ms": round(scroll["max"], 1),
        "rows_in_dom": scroll["rowsInDom"],
        "machine": machine(),
    }
    print("\nbridge inbox figures:", json.dumps(figures, indent=2))
    assert first["conversations"] == 2000 and first["total"] == BIG_CHATS
    assert paint_ms is not None and paint_ms < 2_000
    assert scroll["rowsInDom"] < 100  # virtualized: only what is on screen exists
    assert scroll["p95"] < 250


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.machine()}"
