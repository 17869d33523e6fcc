"""The Agent end to end in Debian's Chromium: the extension in the simulated OnlyFans tab,
talking to the real Brain (gateway, ingest, graph, command) over its real protocol.

One browser and one stack per module; the tests run in order and build on each other's state
(the snapshot first, then live traffic, then a command, an outage, and last the inspection of
every frame the Agent sent).
"""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from nats.aio.client import Client
from nats.errors import TimeoutError as NatsTimeoutError
from playwright.async_api import BrowserContext, Page, async_playwright
from websockets.asyncio.client import ClientConnection, connect

from contracts import subjects
from contracts.streams import AGENT_IN, COMMANDS
from tests.agent.browser import (
    CHROMIUM,
    COLLECT_FORWARDED,
    Site,
    chromium_args,
    fresh_profile,
    require_browser,
    secrets_in,
)
from tests.command.stack import CommandProcess, PrivateGateway, command
from tests.conftest import Gateway, ServiceProcess
from tests.graph.stack import GraphProcess, new_creator
from tests.ingest.stack import IngestProcess

pytestmark = [pytest.mark.nats, pytest.mark.browser]
CHATS = 8


@dataclass
class Stack:
    user: str
    site: Site
    gateway: Gateway
    private: PrivateGateway
    context: BrowserContext
    page: Page
    bridge: ClientConnection
    http: httpx.AsyncClient  # to the simulator's control API

    async def sim(self, method: str, path: str, body: Any = None) -> Any:
        reply = await self.http.request(method, path, json=body)
        reply.raise_for_status()
        return reply.json()

    async def api(
        self, method: str, path: str, params: dict[str, Any] | None = None, **kwargs: Any
    ) -> httpx.Response:
        token = self.gateway.token("analyst", self.user)
        async with httpx.AsyncClient(base_url=self.gateway.http, timeout=30) as http:
            return await http.request(
                method,
                f"/api/v1/users/{self.user}{path}",
                params={"token": token, **(params or {})},
                **kwargs,
            )


async def next_frame(ws: ClientConnection, kind: str, within_s: float = 30) -> dict[str, Any]:
    async with asyncio.timeout(within_s):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == kind:
                return dict(frame)


async def configure(context: BrowserContext, brain_url: str, token: str) -> None:
    worker = context.service_workers[0] if context.service_workers else None
    if worker is None:
        worker = await context.wait_for_event("serviceworker", timeout=30_000)
    await worker.evaluate(
        "([url, token]) => chrome.storage.local.set({brainUrl: url, agentToken: token})",
        [brain_url, token],
    )


@pytest.fixture(scope="module")
async def stack(
    nats_url: str, nc: Client, secret: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    require_browser()
    creator = new_creator()
    user = str(creator)
    tmp = tmp_path_factory.mktemp("agent")
    services: list[ServiceProcess] = [
        await IngestProcess(nats_url).ready(),
        await GraphProcess(nats_url).ready(),
        await CommandProcess(nats_url).ready(),
    ]
    private = PrivateGateway(nats_url, secret, tmp / "gw")
    gateway = await private.ready()
    site = await Site(creator, CHATS, tmp / "certs").ready()
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(fresh_profile(tmp)),
            executable_path=str(CHROMIUM),
            headless=True,
            args=chromium_args(site.port),
            ignore_https_errors=True,
        )
        worker = context.service_workers[0] if context.service_workers else None
        worker = worker or await context.wait_for_event("serviceworker", timeout=30_000)
        await worker.evaluate(COLLECT_FORWARDED)
        page = await context.new_page()
        await page.goto("https://onlyfans.com/my/chats/")
        await page.wait_for_selector("a.b-chats__item__link", timeout=30_000)
        first = await page.locator("a.b-chats__item__link").first.get_attribute("href")
        assert first is not None
        await page.locator("a.b-chats__item__link").first.click()
        await page.wait_for_selector(".b-chat__item-message", timeout=30_000)
        bridge = await connect(f"{gateway.ws}/ws/bridge?token={gateway.token('analyst', user)}")
        assert json.loads(await bridge.recv())["type"] == "connection_ack"
        await configure(context, gateway.ws, gateway.token("agent", user))
        http = httpx.AsyncClient(base_url=site.base, verify=False, timeout=30)
        yield Stack(user, site, gateway, private, context, page, bridge, http)
        await http.aclose()
        await bridge.close()
        await context.close()
    site.stop()
    private.stop()
    for process in reversed(services):
        process.stop()


async def test_the_captured_inbox_reaches_the_brain_and_a_bridge(stack: Stack) -> None:
    sync = await next_frame(stack.bridge, "full_sync_response", within_s=60)
    shown = await stack.page.locator("a.b-chats__item__link").count()
    print("e2e: chats shown", shown, "synced", sync["payload"]["totalConversations"])
    assert sync["payload"]["totalConversations"] == shown == CHATS
    open_chat = stack.page.url.rstrip("/").rsplit("/", 1)[-1]
    page = (await stack.api("GET", f"/chats/{open_chat}/messages", params={"limit": 200})).json()
    rendered = await stack.page.locator(".b-chat__item-message").count()
    print("e2e: open chat messages rendered", rendered, "in the Brain", len(page["items"]))
    assert rendered >= 1 and len(page["items"]) >= rendered


async def test_a_fan_message_reaches_the_bridge_live(stack: Stack) -> None:
    fan = int(stack.page.url.rstrip("/").rsplit("/", 1)[-1])
    text = f"are you online? {uuid.uuid4().hex[:6]}"
    created = await stack.sim("POST", "/_sim/fan_message", {"fanId": fan, "text": text})
    async with asyncio.timeout(30):
        while True:
            frame = await next_frame(stack.bridge, "append_message")
            node = frame["payload"]
            if node["chatId"] == str(fan) and text in node["lastMessage"]["text"]:
                break
    assert node["lastMessage"]["direction"] == "in"
    assert created["id"]


async def test_an_approved_command_is_sent_once_by_the_page_and_reported(stack: Stack) -> None:
    state = await stack.sim("GET", "/_sim/state")
    fan = next(iter(state["messages"]))
    text = f"thank you love {uuid.uuid4().hex[:6]}"
    body = command(stack.user, fan, text)
    assert (await stack.api("POST", "/commands", json=body)).status_code == 202
    record: dict[str, Any] = {}
    async with asyncio.timeout(60):
        while record.get("state") != "sent":
            reply = await stack.api("GET", f"/commands/{body['commandId']}")
            record = reply.json() if reply.status_code == 200 else {}
            assert record.get("state") not in {"failed", "rejected", "expired"}, record
            await asyncio.sleep(0.3)
    again = await stack.api("POST", "/commands", json=body)
    assert again.json()["duplicate"] is True
    await asyncio.sleep(3)
    sent = [s for s in (await stack.sim("GET", "/_sim/sent"))["sent"] if text in s["body"]["text"]]
    assert len(sent) == 1
    assert str(sent[0]["fanId"]) == str(fan)
    assert record["history"][-1]["detail"]  # the created message id, from the captured reply
    assert str(sent[0]["message"]["id"]) in record["history"][-1]["detail"]


async def test_nothing_is_lost_while_the_brain_is_down(stack: Stack, nc: Client) -> None:
    fan = int(stack.page.url.rstrip("/").rsplit("/", 1)[-1])
    stack.private.process.kill()  # the Brain's socket drops under the Agent
    stack.private.process.wait()
    texts = [f"hello while you were away {i} {uuid.uuid4().hex[:6]}" for i in range(3)]
    for text in texts:
        await stack.sim("POST", "/_sim/fan_message", {"fanId": fan, "text": text})
    await asyncio.sleep(2)
    stack.private.restart()
    await stack.private.ready()
    async with asyncio.timeout(90):  # the Agent reconnects with backoff; its outbox flushes
        while True:
            page = await stack.api("GET", f"/chats/{fan}/messages", params={"limit": 50})
            if page.status_code == 200:
                seen = [m["text"] for m in page.json()["items"]]
                if all(any(t in s for s in seen) for t in texts):
                    break
            await asyncio.sleep(0.5)
    ordered = [next(i for i, s in enumerate(reversed(seen)) if t in s) for t in texts]
    assert ordered == sorted(ordered)  # oldest first, as they were written


EXTENSION_ID = "ajigponlcdgmgdaljhhlillldadmmoik"  # from the manifest's `key`
ASK_EXTENSION = """([id, message]) => new Promise((resolve) => {
  chrome.runtime.sendMessage(id, message, (reply) => {
    resolve(chrome.runtime.lastError ? {lastError: chrome.runtime.lastError.message} : reply);
  });
})"""


async def test_the_dashboard_path_reads_the_db_and_executes_at_most_once(stack: Stack) -> None:
    """What the Bridge's ExtensionService does, from a page on a dashboard origin."""
    dashboard = await stack.context.new_page()
    await dashboard.goto(stack.gateway.http + "/")
    ask = lambda message: dashboard.evaluate(ASK_EXTENSION, [EXTENSION_ID, message])  # noqa: E731
    chats = await ask({"type": "get_all_chats_from_db"})
    assert chats["ok"] is True and len(chats["data"]["chats"]) == CHATS
    fan = int(stack.page.url.rstrip("/").rsplit("/", 1)[-1])
    messages = await ask({"type": "get_all_messages_from_db", "chatId": str(fan)})
    assert messages["ok"] is True and messages["data"]["messages"]
    text = f"from the dashboard {uuid.uuid4().hex[:6]}"
    approved = command(stack.user, fan, text)
    # The Agent executes only what the Brain issued: the analyst's approval first; then the
    # dashboard's call and the Brain's own delivery race, and the command is sent once.
    assert (await stack.api("POST", "/commands", json=approved)).status_code == 202
    first = await ask({"type": "execute_agent_command", "command": approved})
    assert first["ok"] is True and first["data"]["status"] in {"sent", "executing"}, first
    record: dict[str, Any] = {}
    async with asyncio.timeout(60):
        while record.get("state") != "sent":
            reply = await stack.api("GET", f"/commands/{approved['commandId']}")
            record = reply.json() if reply.status_code == 200 else {}
            await asyncio.sleep(0.3)
    again = await ask({"type": "execute_agent_command", "command": approved})
    assert again["ok"] is True and again["data"]["duplicate"] is True
    sent = [s for s in (await stack.sim("GET", "/_sim/sent"))["sent"] if text in s["body"]["text"]]
    assert len(sent) == 1
    # A page on another origin is refused by Chrome itself (externally_connectable).
    other = await stack.context.new_page()
    await other.goto("https://onlyfans.com/my/chats/")
    refused = await other.evaluate(
        """([id]) => { try { return typeof chrome.runtime?.sendMessage; }
                       catch (e) { return 'error'; } }""",
        [EXTENSION_ID],
    )
    assert refused != "function"
    await other.close()
    # Another local origin (the same gateway as http://localhost, not brainUrl's 127.0.0.1)
    # may neither read (until the creator allows it: tests/security/test_dashboard_reads.py)
    # nor have the Agent send.
    local = await stack.context.new_page()
    await local.goto(stack.gateway.http.replace("127.0.0.1", "localhost") + "/")
    ask_local = lambda message: local.evaluate(ASK_EXTENSION, [EXTENSION_ID, message])  # noqa: E731
    assert (await ask_local({"type": "get_all_chats_from_db"}))["ok"] is False
    stranger = {**approved, "commandId": uuid.uuid4().hex, "text": f"stranger {text}"}
    refused_send = await ask_local({"type": "execute_agent_command", "command": stranger})
    assert refused_send["ok"] is False and "only the Brain's dashboard" in refused_send["error"]
    await asyncio.sleep(1)
    sent = [
        s for s in (await stack.sim("GET", "/_sim/sent"))["sent"] if "stranger" in s["body"]["text"]
    ]
    assert sent == []
    await local.close()
    await dashboard.close()


async def stored_frames(nc: Client, user: str) -> list[bytes]:
    js = nc.jetstream()
    out: list[bytes] = []
    for stream, subject in (
        (AGENT_IN.name, subjects.agent_in_stored(user)),
        (COMMANDS.name, subjects.commands_stored(user, kind="result")),
    ):
        sub = await js.pull_subscribe(subject, stream=stream)
        try:
            while True:
                try:
                    msgs = await sub.fetch(200, timeout=0.5)
                except (NatsTimeoutError, TimeoutError):
                    break
                out.extend(msg.data for msg in msgs)
                for msg in msgs:
                    await msg.ack()
        finally:
            await sub.unsubscribe()
    return out


async def test_no_secret_of_the_page_ever_left_it(stack: Stack, nc: Client) -> None:
    secrets = secrets_in(await stack.sim("GET", "/_sim/secrets"))
    assert len(secrets) >= 6  # cookies, app-token, x-bc, sign secret, WS token, media params
    frames = await stored_frames(nc, stack.user)
    kinds = {json.loads(f)["type"] for f in frames}
    assert {"cache_update", "new_raw_message", "command_result"} <= kinds
    worker = stack.context.service_workers[0]
    forwarded: list[str] = await worker.evaluate("self.__ofcaForwarded")
    assert forwarded, "the page hook forwarded nothing"
    for blob in [f.decode() for f in frames] + forwarded:
        leaked = [s for s in secrets if s in blob]
        assert not leaked, f"secret left the page in {blob[:200]}"
    for marker in ("Key-Pair-Id=", "Signature=", "Policy="):  # signed media URL parameters
        assert all(marker not in blob for blob in forwarded), marker
