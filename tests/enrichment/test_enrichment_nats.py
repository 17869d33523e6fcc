"""Enrichment on a real stack: scores and drafts appear, and nothing is sent unapproved."""

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from ofca.agent_protocol import AgentClient, new_raw_message
from tests.command.stack import command, commands_within, first_command, wait_state
from tests.conftest import Gateway, ServiceProcess
from tests.graph.stack import get, new_creator, next_of, wait_chats
from tools.ofsim import fan_message, generate_inbox, iter_messages

pytestmark = pytest.mark.nats


def NOW() -> datetime:  # noqa: N802 - reads as the constant it stands for
    """Drafts are only made for recent fan messages: the inbox ends a few minutes ago."""
    return datetime.now(UTC) - timedelta(minutes=30)


async def settle_draft(gateway: Gateway, user: str, chat: int, reply_to: int) -> dict[str, Any]:
    async with asyncio.timeout(30):
        while True:
            drafts = (await get(gateway, user, "/drafts", chat_id=chat)).json()
            mine = [d for d in drafts if d["replyToMessageId"] == str(reply_to)]
            if mine:
                return dict(mine[0])
            await asyncio.sleep(0.2)


async def put_settings(gateway: Gateway, user: str, **settings: Any) -> None:
    async with httpx.AsyncClient(base_url=gateway.http, timeout=30) as http:
        reply = await http.put(
            f"/api/v1/users/{user}/settings",
            json=settings,
            params={"token": gateway.token("analyst", user)},
        )
    assert reply.status_code == 200, reply.text


async def test_a_fan_message_gets_scores_and_a_draft_that_is_sent_only_when_approved(
    gateway: Gateway, stack: list[ServiceProcess]
) -> None:
    creator = new_creator()
    user = str(creator)
    inbox = generate_inbox(creator, n_chats=12, messages_per_chat=(6, 14), seed=51, end=NOW())
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    await agent.send_snapshot(inbox.chats, list(iter_messages(inbox)), "e-1")
    await wait_chats(gateway, user, 12)
    bridge = await connect(f"{gateway.ws}/ws/bridge?token={gateway.token('analyst', user)}")

    fan = next(iter(inbox.messages))
    message = fan_message(inbox, fan, kind="text", seed=3)
    message["text"] = "how much for a custom video of you in the red lingerie?? 😍"
    await agent.send_and_wait(new_raw_message(fan, message))

    pushed_appends: list[dict[str, Any]] = []
    async with asyncio.timeout(30):  # other chats of the snapshot await replies too
        while True:
            frame = json.loads(await bridge.recv())
            if frame["type"] == "append_message":
                pushed_appends.append(frame)
            if frame["type"] == "reply_suggestion" and frame["payload"]["chatId"] == str(fan):
                suggestion = frame["payload"]
                break
    assert suggestion["replyToMessageId"] == str(message["id"])
    assert suggestion["text"].strip() and suggestion["blocked"] is False
    listed = await settle_draft(gateway, user, fan, message["id"])
    assert listed["draftId"] == suggestion["draftId"]

    async with asyncio.timeout(30):  # scores are folded into the fan's profile
        while True:
            profile = (await get(gateway, user, f"/fans/{fan}")).json()
            if profile.get("segment") and "custom_request" in profile["topics"]:
                break
            await asyncio.sleep(0.2)
    assert profile["rfm"].startswith("R") and 0.0 <= profile["churnRisk"] <= 1.0
    assert profile["conversation"]["sentimentMean"] is not None

    # The delta's own append, then the re-scored conversation, live: the same chat again with
    # what enrichment changed (the new message's topics and sentiment, priority, tier).
    appended = [f["payload"] for f in pushed_appends if f["payload"]["chatId"] == str(fan)]
    async with asyncio.timeout(30):
        while len({json.dumps(n, sort_keys=True) for n in appended}) < 2:
            node = (await next_of(bridge, "append_message"))["payload"]
            if node["chatId"] == str(fan):
                appended.append(node)
    assert appended[-1]["sentimentMean"] is not None

    # Auto-send is off by default: the draft alone sends nothing.
    assert await commands_within(agent, 2.0) == []

    edited = command(user, chat=fan, text=suggestion["text"] + " xx")
    frame = {
        "type": "send_command",
        "ref": "approve-1",
        "payload": {"command": edited, "draftId": suggestion["draftId"]},
    }
    await bridge.send(json.dumps(frame))
    got = await first_command(agent)
    assert got["commandId"] == edited["commandId"] and got["text"].endswith(" xx")
    assert await commands_within(agent, 1.5) == []
    record = await wait_state(gateway, user, edited["commandId"], "delivered")
    assert record["draftId"] == suggestion["draftId"]
    await bridge.close()
    await agent.close()


async def test_auto_send_sends_fresh_unblocked_drafts_only_when_switched_on(
    gateway: Gateway, stack: list[ServiceProcess]
) -> None:
    creator = new_creator()
    user = str(creator)
    inbox = generate_inbox(creator, n_chats=6, messages_per_chat=(6, 10), seed=52, end=NOW())
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    await agent.send_snapshot(inbox.chats, list(iter_messages(inbox)), "e-2")
    await wait_chats(gateway, user, 6)
    fans = list(inbox.messages)

    first = fan_message(inbox, fans[0], kind="text", seed=4)
    first["text"] = "good morning gorgeous, how was your night?"
    await agent.send_and_wait(new_raw_message(fans[0], first))
    await settle_draft(gateway, user, fans[0], first["id"])
    assert await commands_within(agent, 1.5) == []  # off by default

    await put_settings(gateway, user, autoSend=True)
    second = fan_message(inbox, fans[1], kind="text", seed=5)
    second["text"] = "hey beautiful, what are you up to this weekend?"
    await agent.send_and_wait(new_raw_message(fans[1], second))
    got = await first_command(agent, within_s=30)
    assert got["origin"] == "auto" and str(got["chatId"]) == str(fans[1])
    assert await commands_within(agent, 1.5) == []

    # The creator's own restricted words block a draft: it is shown, never auto-sent.
    common = ["you", "u", "ur", "your", "babe", "me", "i", "my", "hey", "hi", "love", "the", "a"]
    await put_settings(gateway, user, autoSend=True, restrictedWords=common)
    await asyncio.sleep(0.5)  # enrichment sees settings changes through a KV watch
    blocked = fan_message(inbox, fans[2], kind="text", seed=6)
    blocked["text"] = "hey you, how are you doing today?"
    await agent.send_and_wait(new_raw_message(fans[2], blocked))
    draft = await settle_draft(gateway, user, fans[2], blocked["id"])
    assert draft["blocked"] is True
    assert any(r.startswith("restricted_word:") for r in draft["blockReasons"])
    assert await commands_within(agent, 2.0) == []

    await put_settings(gateway, user, autoSend=False)
    third = fan_message(inbox, fans[3], kind="text", seed=7)
    third["text"] = "miss you babe"
    await agent.send_and_wait(new_raw_message(fans[3], third))
    await settle_draft(gateway, user, fans[3], third["id"])
    assert await commands_within(agent, 2.0) == []
    await agent.close()
