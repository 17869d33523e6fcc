"""Issue 15, finding 4 (low): page scripts could forge captures with `window.postMessage`: a
fake $500 tip became lifetime spend. Now the page hook posts captures on a private port the
content script handed it at `document_start`, the content script relays nothing posted on the
window, and the hook takes no socket frame a script dispatched and no answer of another origin.

The built extension in Chromium, the OnlyFans simulator and the real Brain."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from nats.aio.client import Client

from tests.security.extension_stack import BrowserStack, browser_stack

pytestmark = [pytest.mark.nats, pytest.mark.browser]

# What a script of the OnlyFans page can do: post a well-formed capture on the window, dispatch a
# made-up frame on a socket of the site, and fetch a made-up page from another server.
FORGE = """([fan, marker, base]) => {
  const now = new Date().toISOString();
  const tip = (id) => ({
    id, text: `<p>${marker}</p>`, price: 500, isTip: true, isFree: true,
    fromUser: {id: fan, name: 'Fan', username: 'fan'}, createdAt: now, changedAt: now,
  });
  window.postMessage({source: '_OF_FORWARDER_', event: 'websocket', data: {
    url: 'wss://onlyfans.com/ws3/24', direction: 'in', frame: {api2_chat_message: tip(base + 1)},
  }}, location.origin);
  window.postMessage({source: '_OF_FORWARDER_', event: 'fetch', data: {
    url: `https://onlyfans.com/api2/v2/chats/${fan}/messages`, method: 'GET', status: 200,
    requestBody: null, responseBody: {list: [tip(base + 2)], hasMore: false},
  }}, location.origin);
  const ws = new WebSocket('wss://onlyfans.com/ws3/24');
  ws.dispatchEvent(new MessageEvent('message', {data: JSON.stringify({api2_chat_message: tip(base + 3)})}));
  ws.close();
  return true;
}"""


@pytest.fixture(scope="module")
async def stack(
    nats_url: str, nc: Client, secret: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BrowserStack]:
    async with browser_stack(nats_url, secret, tmp_path_factory.mktemp("forged")) as built:
        yield built


async def brain_messages(stack: BrowserStack, fan: int) -> tuple[list[dict[str, Any]], bool]:
    """The chat's messages in the Brain (newest first), and whether that is all of them."""
    reply = await stack.api("GET", f"/chats/{fan}/messages", params={"limit": 200})
    if reply.status_code != 200:
        return [], False
    page = reply.json()
    return list(page["items"]), page["nextCursor"] is None


async def test_a_page_scripts_forged_tip_never_reaches_the_brain(stack: BrowserStack) -> None:
    fan = stack.fan
    marker = f"forged tip {uuid.uuid4().hex[:8]}"
    base = int(time.time() * 1000) * 10  # ids no real message has
    assert await stack.page.evaluate(FORGE, [fan, marker, base]) is True

    # A real tip after the forgeries: the Agent stores and forwards captures in arrival order,
    # so once the real one is in the Brain, a forged one would be there too.
    real = await stack.sim("POST", "/_sim/fan_message", {"fanId": fan, "kind": "tip"})
    async with asyncio.timeout(60):
        while True:
            held, whole = await brain_messages(stack, fan)
            if any(m["id"] == str(real["id"]) for m in held):
                break
            await asyncio.sleep(0.3)
    assert whole
    assert not [m for m in held if marker in m["text"]], held
    assert not {m["id"] for m in held} & {str(base + n) for n in (1, 2, 3)}
    tipped = next(m for m in held if m["id"] == str(real["id"]))
    assert tipped["isTip"] is True and tipped["tipAmount"] == real["price"]
    profile = (await stack.api("GET", f"/fans/{fan}")).json()
    assert profile["tips"] == pytest.approx(sum(m["tipAmount"] for m in held)), profile
    assert all(m["tipAmount"] != 500 for m in held)
