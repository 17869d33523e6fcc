"""`ofca up --demo`: a demo creator's inbox fed through the real Agent protocol.

It sends the inbox as a `cache_update` snapshot, then a live event every few seconds (a fan
writes, tips, asks to buy) and a keepalive every 20 s, reconnecting with backoff and jitter,
and executes approved commands (once per `commandId`, reporting `command_result`) — what the
extension does, minus the browser.
"""

import asyncio
import json
import random
import time
import uuid
from datetime import UTC, datetime
from typing import Any, Literal

import structlog
from websockets.exceptions import WebSocketException

from ofca.agent_protocol import KEEPALIVE, AgentClient, new_raw_message
from tools.ofsim import Inbox, creator_message, fan_message, generate_inbox, iter_messages
from tools.ofsim.agent_view import stored_chats

KEEPALIVE_S = 20.0
DEMO_INSTALL_ID = "demo-agent-installation"
FanMessageKind = Literal["text", "tip", "purchase_request"]
LIVE_KINDS: list[FanMessageKind] = ["text", "tip", "purchase_request"]
log = structlog.get_logger()


async def feed(client: AgentClient, inbox: Inbox, interval: float, rng: random.Random) -> None:
    """Snapshot, then live events until the socket drops."""
    # Chats as the extension stores them once /users/list named the fans (not `{id,_view}` stubs).
    chats = stored_chats(inbox)
    acks = await client.send_snapshot(chats, list(iter_messages(inbox)), uuid.uuid4().hex)
    errors = [a for a in acks if a["type"] == "system_error"]
    log.info("demo_snapshot_sent", parts=len(acks), errors=len(errors))
    last_keepalive = time.monotonic()
    fan_ids = list(inbox.messages)
    executed: set[str] = set()
    while True:
        await wait_executing(client, inbox, executed, interval * rng.uniform(0.5, 1.5))
        if time.monotonic() - last_keepalive >= KEEPALIVE_S:
            await client.ws.send(KEEPALIVE.decode())
            last_keepalive = time.monotonic()
        fan_id = rng.choice(fan_ids)
        kind: FanMessageKind = rng.choices(LIVE_KINDS, weights=[8, 1, 1])[0]
        message = fan_message(inbox, fan_id, kind=kind)  # also appends it to the inbox
        await client.send_and_wait(new_raw_message(fan_id, message))


async def wait_executing(
    client: AgentClient, inbox: Inbox, executed: set[str], seconds: float
) -> None:
    """Wait `seconds`, executing every `command_to_execute` that arrives meanwhile."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        while client.commands:
            await execute(client, inbox, executed, client.commands.pop(0))
        left = deadline - loop.time()
        if left <= 0:
            return
        try:
            frame = json.loads(await asyncio.wait_for(client.ws.recv(), left))
        except TimeoutError:
            return
        if frame.get("type") == "command_to_execute":
            client.commands.append(frame["payload"])


async def execute(
    client: AgentClient, inbox: Inbox, executed: set[str], command: dict[str, Any]
) -> None:
    """What the extension does with a command: once per `commandId` and only once the Brain
    confirmed it (`command_check`), send it as the creator (here: the simulator makes the
    message), report the captured message, then the result."""
    command_id = str(command.get("commandId", ""))
    if not command_id or command_id in executed:
        return
    verdict = await client.check(command_id, DEMO_INSTALL_ID)
    if verdict.get("executable") is not True:  # the Brain did not confirm it: never executed
        log.info("demo_command_refused", reason=verdict.get("reason"))
        return
    executed.add(command_id)
    fan_id = int(command["chatId"])
    if fan_id not in inbox.messages:
        status, detail = "failed", {"error": "no such chat"}
    else:
        sent = creator_message(inbox, fan_id, str(command.get("text", "")))
        await client.send_and_wait(new_raw_message(fan_id, sent, source="fetch"))
        status, detail = "sent", {"messageId": sent["id"]}
    result = {
        "type": "command_result",
        "payload": {"commandId": command_id, "status": status, "detail": detail},
        "ref": f"cr-{command_id}",
    }
    await client.send_and_wait(json.dumps(result).encode())
    log.info("demo_command_executed", status=status)


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
