"""`ofca up --demo`: a demo creator's inbox fed through the real Agent protocol.

It sends the inbox as a `cache_update` snapshot, then a live event every few seconds (a fan
writes, tips, asks to buy) and a keepalive every 20 s, reconnecting with backoff and jitter —
what the extension does, minus the browser.
"""

import asyncio
import random
import time
import uuid
from datetime import UTC, datetime
from typing import Literal

import structlog
from websockets.exceptions import WebSocketException

from ofca.agent_protocol import KEEPALIVE, AgentClient, new_raw_message
from tools.ofsim import Inbox, fan_message, generate_inbox, iter_messages

KEEPALIVE_S = 20.0
FanMessageKind = Literal["text", "tip", "purchase_request"]
LIVE_KINDS: list[FanMessageKind] = ["text", "tip", "purchase_request"]
log = structlog.get_logger()


async def feed(client: AgentClient, inbox: Inbox, interval: float, rng: random.Random) -> None:
    """Snapshot, then live events until the socket drops."""
    acks = await client.send_snapshot(inbox.chats, list(iter_messages(inbox)), uuid.uuid4().hex)
    errors = [a for a in acks if a["type"] == "system_error"]
    log.info("demo_snapshot_sent", parts=len(acks), errors=len(errors))
    last_keepalive = time.monotonic()
    fan_ids = list(inbox.messages)
    while True:
        await asyncio.sleep(interval * rng.uniform(0.5, 1.5))
        if time.monotonic() - last_keepalive >= KEEPALIVE_S:
            await client.ws.send(KEEPALIVE.decode())
            last_keepalive = time.monotonic()
        fan_id = rng.choice(fan_ids)
        kind: FanMessageKind = rng.choices(LIVE_KINDS, weights=[8, 1, 1])[0]
        message = fan_message(inbox, fan_id, kind=kind)  # also appends it to the inbox
        await client.send_and_wait(new_raw_message(fan_id, message))


async def run_demo_agent(
    url: str, token: str, creator_id: int, n_chats: int, interval: float
) -> None:
    """Run forever: connect, feed, and on any drop reconnect with exponential backoff."""
    inbox = generate_inbox(creator_id, n_chats=n_chats, seed=creator_id, end=datetime.now(UTC))
    rng = random.Random(creator_id)
    attempt = 0
    while True:
        try:
            client = await AgentClient.connect(url, token)
            attempt = 0
            await feed(client, inbox, interval, rng)
        except (OSError, WebSocketException, ConnectionError, TimeoutError) as exc:
            attempt += 1
            delay = min(30.0, 0.5 * 2**attempt) * rng.uniform(0.5, 1.0)
            log.info("demo_agent_reconnecting", error=type(exc).__name__, delay_s=round(delay, 1))
            await asyncio.sleep(delay)
