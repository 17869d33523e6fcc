"""The built extension in Debian's Chromium, in the simulated OnlyFans tab, connected to the
real Brain (ingest, graph, command, a gateway of its own): what the security tests of the
extension attack. One per test module (`browser_stack`)."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import BrowserContext, Page, Worker, async_playwright

from tests.agent.browser import CHROMIUM, Site, chromium_args, fresh_profile, require_browser
from tests.command.stack import CommandProcess, PrivateGateway
from tests.conftest import Gateway, ServiceProcess
from tests.graph.stack import GraphProcess, new_creator
from tests.ingest.stack import IngestProcess

EXTENSION_ID = "ajigponlcdgmgdaljhhlillldadmmoik"  # from the manifest's `key`
# What a page's script does to reach the extension (the Bridge's ExtensionService).
ASK_EXTENSION = """([id, message]) => new Promise((resolve) => {
  chrome.runtime.sendMessage(id, message, (reply) => {
    resolve(chrome.runtime.lastError ? {lastError: chrome.runtime.lastError.message} : reply);
  });
})"""
# What the extension's own pages (popup, options) ask the background.
ASK_BACKGROUND = "(message) => chrome.runtime.sendMessage(message)"


@dataclass
class BrowserStack:
    user: str
    site: Site
    gateway: Gateway
    private: PrivateGateway
    context: BrowserContext
    page: Page  # the OnlyFans tab, on a chat
    sim_http: httpx.AsyncClient
    pages: list[Page] = field(default_factory=list)
    options: Page | None = None  # an extension page to talk to the background from

    @property
    def fan(self) -> int:
        """The fan whose chat the OnlyFans tab shows."""
        return int(self.page.url.rstrip("/").rsplit("/", 1)[-1])

    async def sim(self, method: str, path: str, body: Any = None) -> Any:
        reply = await self.sim_http.request(method, path, json=body)
        reply.raise_for_status()
        return reply.json()

    async def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """The Brain's REST API as the creator's analyst."""
        token = self.gateway.token("analyst", self.user)
        params = {"token": token, **kwargs.pop("params", {})}
        async with httpx.AsyncClient(base_url=self.gateway.http, timeout=30) as http:
            return await http.request(
                method, f"/api/v1/users/{self.user}{path}", params=params, **kwargs
            )

    async def open(self, url: str) -> Page:
        page = await self.context.new_page()
        await page.goto(url)
        self.pages.append(page)
        return page

    async def ask(self, page: Page, message: dict[str, Any]) -> dict[str, Any]:
        """`message` to the extension from a script of `page` (`onMessageExternal`)."""
        return dict(await page.evaluate(ASK_EXTENSION, [EXTENSION_ID, message]))

    async def background(self, message: dict[str, Any]) -> Any:
        """`message` to the background from an extension page (as the popup does)."""
        if self.options is None or self.options.is_closed():
            self.options = await self.context.new_page()
            await self.options.goto(f"chrome-extension://{EXTENSION_ID}/options.html")
        return await self.options.evaluate(ASK_BACKGROUND, message)

    async def extension_page(self, name: str) -> Page:
        return await self.open(f"chrome-extension://{EXTENSION_ID}/{name}")

    async def worker(self) -> Worker:
        if self.context.service_workers:
            return self.context.service_workers[0]
        return await self.context.wait_for_event("serviceworker", timeout=30_000)

    async def set_storage(self, items: dict[str, Any]) -> None:
        await (await self.worker()).evaluate("(items) => chrome.storage.local.set(items)", items)

    async def wait_connected(self, within_s: float = 30) -> None:
        async with asyncio.timeout(within_s):
            while True:
                status = await self.background({"type": "get_status"})
                if status["connection"] == "open":
                    return
                await asyncio.sleep(0.2)

    async def close_pages(self) -> None:
        for page in self.pages:
            with contextlib.suppress(Exception):
                await page.close()
        self.pages.clear()


@contextlib.asynccontextmanager
async def browser_stack(
    nats_url: str, secret: str, tmp: Path, chats: int = 6
) -> AsyncIterator[BrowserStack]:
    """The whole stack, the OnlyFans tab on a chat and the Agent connected."""
    require_browser()
    creator = new_creator()
    services: list[ServiceProcess] = [
        await IngestProcess(nats_url).ready(),
        await GraphProcess(nats_url).ready(),
        await CommandProcess(nats_url).ready(),
    ]
    private = PrivateGateway(nats_url, secret, tmp / "gw")
    gateway = await private.ready()
    site = await Site(creator, chats, tmp / "certs").ready()
    try:
        async with async_playwright() as playwright:
            context = await playwright.chromium.launch_persistent_context(
                str(fresh_profile(tmp)),
                executable_path=str(CHROMIUM),
                headless=True,
                args=chromium_args(site.port),
                ignore_https_errors=True,
            )
            page = await context.new_page()
            await page.goto("https://onlyfans.com/my/chats/")
            await page.locator("a.b-chats__item__link").first.click()
            await page.wait_for_selector(".b-chat__item-message", timeout=30_000)
            http = httpx.AsyncClient(base_url=site.base, verify=False, timeout=30)
            stack = BrowserStack(str(creator), site, gateway, private, context, page, http)
            await stack.set_storage(
                {"brainUrl": gateway.ws, "agentToken": gateway.token("agent", str(creator))}
            )
            await stack.wait_connected()
            try:
                yield stack
            finally:
                await http.aclose()
                await context.close()
    finally:
        site.stop()
        private.stop()
        for process in reversed(services):
            process.stop()
