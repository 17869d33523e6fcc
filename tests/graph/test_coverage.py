"""Coverage: what the Brain's data covers, folded from the Agent's capture reports."""

import asyncio
import json
import time

import pytest
from websockets.asyncio.client import connect

from contracts.events import (
    CaptureProgressed,
    ChatCoverageSeen,
    ChatSeen,
    FanProfileSeen,
    MessageAdded,
    make_event_id,
)
from ofca.agent_protocol import AgentClient
from services.graph.coverage import coverage_of
from services.graph.state import CreatorState
from tests.conftest import Gateway
from tests.graph.stack import GraphProcess, get, new_creator, next_of, wait_chats
from tests.ingest.stack import IngestProcess
from tools.ofsim import generate_inbox, iter_messages

CREATOR = 300000


def added(chat: int, message: int, at: int) -> MessageAdded:
    return MessageAdded(
        chat, message, "in", chat, at, "<p>x</p>", "x", 0.0, True, False, 0, (), False, False,
        "snapshot", event_id=make_event_id(f"m{message}"), creator_id=CREATOR,
    )  # fmt: skip


def covered(chat: int, complete: bool, oldest_at: int | None, at: int = 1) -> ChatCoverageSeen:
    return ChatCoverageSeen(
        chat, complete, None, oldest_at, 0, at,
        event_id=make_event_id(f"c{chat}{complete}{oldest_at}{at}"), creator_id=CREATOR,
    )  # fmt: skip


def progress(known: int, listed: bool, at: int = 1, since: int | None = None) -> CaptureProgressed:
    return CaptureProgressed(
        at, listed, known, "running", 1, known, since, None, 10, 0, at,
        event_id=make_event_id(f"p{known}{listed}{at}"), creator_id=CREATOR,
    )  # fmt: skip


def state_with(*events: object) -> CreatorState:
    state = CreatorState(CREATOR)
    for event in events:
        state.apply(event)  # type: ignore[arg-type]
    return state


def test_nothing_reported_means_no_claim_of_completeness() -> None:
    state = state_with(added(1, 10, 1_000), added(2, 20, 2_000))
    cov = coverage_of(state)
    assert (cov.chats_known, cov.chats_complete, cov.messages_captured) == (2, 0, 2)
    assert cov.share_complete == 0.0 and not cov.whole and cov.complete_since is None
    assert coverage_of(None).chats_known == 0


def test_share_and_complete_since_follow_the_least_covered_chat() -> None:
    state = state_with(
        added(1, 10, 1_000), added(1, 11, 5_000),  # chat 1: walked to its first message
        added(2, 20, 2_000), added(2, 21, 9_000),  # chat 2: walked down to 4_000 only
        added(3, 30, 7_000),  # chat 3: not walked: complete only after its newest message
        covered(1, True, 1_000), covered(2, False, 4_000), progress(4, listed=True),
    )  # fmt: skip
    cov = coverage_of(state)
    assert (cov.chats_known, cov.chats_complete, cov.share_complete) == (4, 1, 0.25)
    assert cov.complete_since is not None and cov.complete_since.timestamp() * 1000 == 7_000
    assert not cov.whole and cov.backfill is not None and cov.backfill.state == "running"


def test_complete_since_is_unknown_until_the_chat_list_is_walked() -> None:
    state = state_with(added(1, 10, 1_000), covered(1, True, 1_000), progress(30, listed=False))
    cov = coverage_of(state)
    assert cov.chats_known == 30 and cov.complete_since is None and not cov.whole


def test_every_chat_complete_is_whole_and_a_chosen_since_bounds_it() -> None:
    events = [
        added(1, 10, 1_000),
        covered(1, True, 1_000),
        added(2, 20, 3_000),
        covered(2, True, 3_000),
    ]
    whole = coverage_of(state_with(*events, progress(2, listed=True)))
    assert whole.whole and whole.share_complete == 1.0 and whole.complete_since is None
    since = coverage_of(state_with(*events, progress(2, listed=True, since=500)))
    assert since.whole and since.complete_since is not None
    assert since.complete_since.timestamp() * 1000 == 500


def test_an_older_report_does_not_undo_a_newer_one() -> None:
    state = state_with(
        added(1, 10, 1_000), covered(1, True, 1_000, at=50), covered(1, False, 900, at=40)
    )
    assert state.chats[1].coverage is not None and state.chats[1].coverage.complete
    later = state_with(progress(5, True, at=9), progress(3, False, at=2))
    assert later.capture is not None and later.capture.chats_known == 5


def seen(unread: int, seq: int | None) -> ChatSeen:
    return ChatSeen(
        event_id=make_event_id(f"s{unread}{seq}"), creator_id=CREATOR, chat_id=1,
        unread_count=unread, last_read_message_id=None, capture_seq=seq,
    )  # fmt: skip


def named(name: str, seq: int | None) -> FanProfileSeen:
    return FanProfileSeen(
        event_id=make_event_id(f"n{name}{seq}"), creator_id=CREATOR, fan_id=1, name=name,
        capture_seq=seq,
    )  # fmt: skip


def test_live_readings_apply_newest_last_whatever_order_they_arrive_in() -> None:
    state = state_with(
        added(1, 10, 1_000), seen(3, 8), seen(0, 5), named("New", 8), named("Old", 5)
    )
    assert state.chats[1].unread == 3 and state.fans[1].name == "New"
    # A snapshot's reading (no capture sequence) still applies, as before.
    state.apply(seen(1, None))
    assert state.chats[1].unread == 1


def test_a_rename_changes_the_chat_and_the_same_name_again_does_not() -> None:
    state = state_with(added(1, 10, 1_000), named("Ana", 1))
    assert state.apply(named("Ana B", 2)) == {1}
    assert state.apply(named("Ana B", 3)) == set()


def chat_update(chat: dict[str, object]) -> bytes:
    return json.dumps({"type": "chat_update", "ref": "c", "payload": {"chats": [chat]}}).encode()


@pytest.mark.nats
async def test_a_renamed_fan_and_coverage_reach_the_bridge_and_rest_without_a_snapshot(
    gateway: Gateway, services: tuple[IngestProcess, GraphProcess]
) -> None:
    creator = new_creator()
    user = str(creator)
    inbox = generate_inbox(creator, n_chats=6, messages_per_chat=(4, 8), seed=31)
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    await agent.send_snapshot(inbox.chats, list(iter_messages(inbox)), "cov-1")
    await wait_chats(gateway, user, 6)
    bridge = await connect(f"{gateway.ws}/ws/bridge?token={gateway.token('analyst', user)}")
    await next_of(bridge, "full_sync_response")

    item = dict(inbox.chats[0])
    fan = int(item["withUser"]["id"])  # type: ignore[index]
    item["withUser"] = {"id": fan, "name": "Renamed Fan", "username": "renamed"}
    item["unreadMessagesCount"] = 7
    assert (await agent.send_and_wait(chat_update(item)))["type"] == "ingest_ack"
    async with asyncio.timeout(20):
        while True:
            node = (await next_of(bridge, "append_message"))["payload"]
            if node["chatId"] == str(fan) and node["fan"]["name"] == "Renamed Fan":
                break
    assert node["unread"] == 7

    now = int(time.time() * 1000)
    held = len(inbox.messages[fan])
    report = {
        "at": now,
        "chatList": {"complete": True, "chatsKnown": 6},
        "backfill": {"state": "running", "chatsDone": 1, "chatsTotal": 6, "requests": 12},
        "lastCaptureAt": now,
        "chats": [{"chatId": fan, "complete": True, "oldestMessageId": 1, "messages": held}],
    }
    frame = json.dumps({"type": "capture_state", "ref": "cs", "payload": report}).encode()
    assert (await agent.send_and_wait(frame))["type"] == "ingest_ack"
    async with asyncio.timeout(20):
        while True:
            cov = (await get(gateway, user, "/coverage")).json()
            if cov["chatsComplete"] == 1:
                break
            await asyncio.sleep(0.2)
    assert (cov["chatsKnown"], cov["chatListComplete"], cov["shareComplete"]) == (6, True, 0.1667)
    assert cov["messagesCaptured"] == sum(len(m) for m in inbox.messages.values())
    assert cov["backfill"]["state"] == "running" and cov["backfill"]["requests"] == 12
    chats = (await get(gateway, user, "/chats", limit=10)).json()["items"]
    history = {c["chatId"]: c["history"] for c in chats}
    assert history[str(fan)]["complete"] is True and history[str(fan)]["captured"] == held
    analytics = (await next_of(bridge, "analytics_update"))["payload"]["analytics"]
    assert analytics["coverage"]["chatsComplete"] == 1
    await bridge.close()
    await agent.close()
