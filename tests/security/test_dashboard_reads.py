"""Issue 15, finding 2 (medium): any page on localhost or 127.0.0.1 could read the captured
chats through `externally_connectable` (`get_all_chats_from_db`, `get_all_messages_from_db`,
`get_capture_status`). Now only the configured dashboards read (the origin of `brainUrl`, and
`dashboardOrigins`); any other origin only after the creator allows it in the popup, remembered
per origin and revocable in the options page.

The built extension in Chromium, the OnlyFans simulator and the real Brain."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from nats.aio.client import Client
from playwright.async_api import Page

from tests.security.extension_stack import BrowserStack, browser_stack

pytestmark = [pytest.mark.nats, pytest.mark.browser]
CHATS = 6
READS: list[dict[str, Any]] = [
    {"type": "get_all_chats_from_db"},
    {"type": "get_all_messages_from_db"},
    {"type": "get_capture_status"},
]


@pytest.fixture(scope="module")
async def stack(
    nats_url: str, nc: Client, secret: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BrowserStack]:
    async with browser_stack(nats_url, secret, tmp_path_factory.mktemp("reads"), CHATS) as built:
        yield built


@contextlib.asynccontextmanager
async def another_local_app() -> AsyncIterator[str]:
    """Some other web server on the creator's machine (a dev tool, another app): its origin."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        body = b"<!doctype html><title>another local app</title>"
        head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n"
        writer.write(head.encode() + b"Connection: close\r\n\r\n" + body)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    async with server:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


async def refused_everything(stack: BrowserStack, page: Page, why: str) -> None:
    for message in READS:
        answer = await stack.ask(page, message)
        assert answer["ok"] is False and why in answer["error"], (message, answer)
        assert "data" not in answer


async def test_only_the_configured_dashboard_reads_the_chats(stack: BrowserStack) -> None:
    dashboard = await stack.open(stack.gateway.http + "/")  # brainUrl's origin
    chats = await stack.ask(dashboard, READS[0])
    assert chats["ok"] is True and len(chats["data"]["chats"]) == CHATS
    assert (await stack.ask(dashboard, READS[2]))["ok"] is True
    # The same dashboard under another local origin is not the configured one.
    other = await stack.open(stack.gateway.http.replace("127.0.0.1", "localhost") + "/")
    await refused_everything(stack, other, "has not allowed this origin")
    await stack.close_pages()


async def test_the_creator_allows_an_origin_in_the_popup_and_revokes_it(
    stack: BrowserStack,
) -> None:
    origin = stack.gateway.http.replace("127.0.0.1", "localhost")
    other = await stack.open(origin + "/")
    await refused_everything(stack, other, "has not allowed this origin")
    popup = await stack.extension_page("popup.html")
    ask = popup.locator("#readAsks .ask", has_text=f"{origin} asks to read your chats")
    await ask.wait_for(timeout=10_000)
    await popup.click(f'[data-origin="{origin}"][data-action="allow"]')
    await ask.wait_for(state="detached", timeout=10_000)
    chats = await stack.ask(other, READS[0])
    assert chats["ok"] is True and len(chats["data"]["chats"]) == CHATS

    options = await stack.extension_page("options.html")
    entry = options.locator("#readOrigins li", has_text=f"{origin}: may read your chats")
    await entry.wait_for(timeout=10_000)
    await options.click(f'#readOrigins [data-origin="{origin}"]')
    await entry.wait_for(state="detached", timeout=10_000)
    await refused_everything(stack, other, "has not allowed this origin")
    await stack.close_pages()


async def test_a_denied_origin_stays_denied_and_is_not_asked_again(stack: BrowserStack) -> None:
    async with another_local_app() as origin:
        app = await stack.open(origin + "/")
        await refused_everything(stack, app, "has not allowed this origin")
        popup = await stack.extension_page("popup.html")
        await popup.click(f'[data-origin="{origin}"][data-action="deny"]', timeout=10_000)
        await refused_everything(stack, app, "denied this origin")
        status = await stack.background({"type": "get_status"})
        assert status["readOrigins"]["decisions"][origin] == "denied"
        assert all(r["origin"] != origin for r in status["readOrigins"]["pending"])
        await stack.close_pages()
