"""The graph service on a real stack: Agent → gateway → ingest → graph → Bridge and REST."""

import asyncio
import copy
import json

import httpx
import pytest
from websockets.asyncio.client import connect

from ofca.agent_protocol import AgentClient, new_raw_message
from tests.conftest import Gateway
from tests.graph.stack import GraphProcess, get, new_creator, next_of, wait_chats
from tests.ingest.stack import IngestProcess
from tools.ofsim import fan_message, generate_inbox, iter_messages

pytestmark = pytest.mark.nats


async def test_bridge_sees_full_sync_then_live_appends_and_analytics(
    gateway: Gateway, services: tuple[IngestProcess, GraphProcess]
) -> None:
    creator = new_creator()
    user = str(creator)
    inbox = generate_inbox(creator, n_chats=30, messages_per_chat=(5, 15), seed=21)
    bridge = await connect(f"{gateway.ws}/ws/bridge?token={gateway.token('analyst', user)}")
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    await agent.send_snapshot(inbox.chats, list(iter_messages(inbox)), "g-1")
    sync = await next_of(bridge, "full_sync_response")
    assert sync["payload"]["totalConversations"] == 30
    assert len(sync["payload"]["conversations"]) == 30
    fan = next(iter(inbox.messages))
    tip = fan_message(inbox, fan, kind="tip", seed=5)
    await agent.send_and_wait(new_raw_message(fan, tip))
    append = await next_of(bridge, "append_message")
    node = append["payload"]
    assert node["chatId"] == str(fan) and node["lastMessage"]["direction"] == "in"
    assert node["revenue"]["tips"] >= tip["price"] > 0
    assert node["awaitingReplySince"] is not None
    update = await next_of(bridge, "analytics_update")
    assert update["payload"]["userId"] == user
    # A Bridge that connects now gets the current state right after its ack.
    late = await connect(f"{gateway.ws}/ws/bridge?token={gateway.token('analyst', user)}")
    assert json.loads(await late.recv())["type"] == "connection_ack"
    again = json.loads(await late.recv())
    assert again["type"] == "full_sync_response" and again["payload"]["totalConversations"] == 30
    for ws in (bridge, late):
        await ws.close()
    await agent.close()


async def test_rest_queries_page_sort_and_refuse_other_tenants(
    gateway: Gateway, services: tuple[IngestProcess, GraphProcess]
) -> None:
    creator = new_creator()
    user = str(creator)
    inbox = generate_inbox(creator, n_chats=25, messages_per_chat=(10, 30), seed=22)
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    await agent.send_snapshot(inbox.chats, list(iter_messages(inbox)), "g-2")
    await wait_chats(gateway, user, 25)
    first = (await get(gateway, user, "/chats", sort="revenue", limit=10)).json()
    second = (await get(gateway, user, "/chats", sort="revenue", limit=10, offset=10)).json()
    revenues = [c["revenue"]["total"] for c in first["items"] + second["items"]]
    assert revenues == sorted(revenues, reverse=True) and first["nextOffset"] == 10
    ids = {c["chatId"] for c in first["items"]} | {c["chatId"] for c in second["items"]}
    assert len(ids) == 20
    fan = max(inbox.messages, key=lambda f: len(inbox.messages[f]))
    total = len(inbox.messages[fan])
    seen: list[str] = []
    cursor = None
    while True:
        page = (await get(gateway, user, f"/chats/{fan}/messages", limit=7, before=cursor)).json()
        seen += [m["id"] for m in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    expected = [
        str(m["id"]) for m in sorted(inbox.messages[fan], key=lambda m: (m["createdAt"], m["id"]))
    ][::-1]
    assert seen == expected and len(seen) == total
    profile = (await get(gateway, user, f"/fans/{fan}")).json()
    assert profile["messages"] == total
    analytics = await get(
        gateway,
        user,
        "/analytics",
        **{"from": "2024-01-01T00:00:00+00:00", "to": "2024-07-01T00:00:00+00:00"},
    )
    assert analytics.status_code == 200
    csv_text = (await get(gateway, user, "/export/conversations.csv")).text
    assert csv_text.splitlines()[0].startswith("chatId,") and len(csv_text.splitlines()) == 26
    other = gateway.token("analyst", str(new_creator()))
    for path in (
        "/chats",
        f"/chats/{fan}/messages",
        "/analytics",
        f"/fans/{fan}",
        "/export/conversations.csv",
    ):
        assert (await get(gateway, user, path, token=other)).status_code == 403
    assert (await get(gateway, user, "/chats", token="forged")).status_code == 401
    await agent.close()


async def test_snapshot_then_deltas_equals_one_snapshot(
    gateway: Gateway, services: tuple[IngestProcess, GraphProcess]
) -> None:
    a, b = new_creator(), new_creator()
    base = generate_inbox(a, n_chats=12, messages_per_chat=(8, 20), seed=23)
    messages = list(iter_messages(base))
    cut = len(messages) * 3 // 4
    early, late = messages[:cut], messages[cut:]
    agent_a = await AgentClient.connect(gateway.ws, gateway.token("agent", str(a)))
    await agent_a.send_snapshot(base.chats, early, "split")
    for message in late:
        await agent_a.send_and_wait(
            new_raw_message(message["chatId"], {k: v for k, v in message.items() if k != "chatId"})
        )
    twin = copy.deepcopy(base)  # the same conversations, for another creator id
    twin_messages = [
        {
            **m,
            "fromUser": {
                **m["fromUser"],
                "id": b if m["fromUser"]["id"] == a else m["fromUser"]["id"],
            },
        }
        for m in messages
    ]
    agent_b = await AgentClient.connect(gateway.ws, gateway.token("agent", str(b)))
    await agent_b.send_snapshot(twin.chats, twin_messages, "whole")
    window = {"from": "2024-01-01T00:00:00+00:00", "to": "2024-07-01T00:00:00+00:00"}
    for _ in range(100):
        ra = (await get(gateway, str(a), "/analytics", **window)).json()
        rb = (await get(gateway, str(b), "/analytics", **window)).json()
        if ra == rb and ra.get("activity"):
            break
        await asyncio.sleep(0.3)
    assert ra == rb
    await agent_a.close()
    await agent_b.close()


def without_priority(csv_text: str) -> list[list[str]]:
    """Rows without the priority column, which moves with the clock (waiting time)."""
    rows = [row.split(",") for row in csv_text.splitlines()]
    column = rows[0].index("priority")
    return [row[:column] + row[column + 1 :] for row in rows]


async def test_graph_killed_and_restarted_has_identical_state(
    gateway: Gateway, nats_url: str, services: tuple[IngestProcess, GraphProcess]
) -> None:
    _, graph = services
    creator = new_creator()
    user = str(creator)
    inbox = generate_inbox(creator, n_chats=40, messages_per_chat=(5, 25), seed=24)
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    await agent.send_snapshot(inbox.chats, list(iter_messages(inbox)), "k-1")
    await wait_chats(gateway, user, 40)
    await asyncio.sleep(1.5)  # a snapshot of the projection is written
    fan = next(iter(inbox.messages))
    late = fan_message(inbox, fan, seed=9)
    await agent.send_and_wait(new_raw_message(fan, late))  # in the log, maybe not in a snapshot
    total = sum(len(m) for m in inbox.messages.values())  # `late` was appended to the inbox
    for _ in range(100):
        if (await get(gateway, user, "/status")).json()["messages"] == total:
            break
        await asyncio.sleep(0.1)
    before = (await get(gateway, user, "/export/conversations.csv")).text
    graph.kill()
    restarted = await GraphProcess(nats_url).ready()
    try:
        # A restarted graph answers while it folds the log's tail after its snapshot: wait
        # until it has caught up (seconds), then the state must be the same to the letter.
        for _ in range(150):
            after = await get(gateway, user, "/export/conversations.csv")
            if after.status_code == 200 and without_priority(after.text) == without_priority(
                before
            ):
                break
            await asyncio.sleep(0.2)
        assert without_priority(after.text) == without_priority(before)
    finally:
        services[1].process = restarted.process  # the module fixture stops the live one
        await agent.close()


async def test_agency_view_merges_creators_and_finds_shared_fans(
    gateway: Gateway, services: tuple[IngestProcess, GraphProcess]
) -> None:
    a, b = new_creator(), new_creator()
    shared_fan = 777_001
    for creator in (a, b):
        agent = await AgentClient.connect(gateway.ws, gateway.token("agent", str(creator)))
        for i, sender in enumerate((shared_fan, creator)):
            message = {"id": 10 + i, "fromUser": {"id": sender}, "text": "<p>hi</p>",
                       "createdAt": "2024-05-06T10:00:00+00:00", "price": 5, "isTip": sender == shared_fan}  # fmt: skip
            await agent.send_and_wait(new_raw_message(shared_fan, message))
        await agent.close()
        await wait_chats(gateway, str(creator), 1)
    token = gateway.token("analyst", str(a), str(b))
    async with httpx.AsyncClient(base_url=gateway.http, timeout=30) as http:
        users = {"users": f"{a},{b}", "token": token}
        insights = (await http.get("/api/v1/agency/insights", params=users)).json()
        assert [f["fanId"] for f in insights["sharedFans"]] == [str(shared_fan)]
        assert sorted(insights["sharedFans"][0]["creatorIds"]) == sorted([str(a), str(b)])
        view = (await http.get("/api/v1/agency/graph", params=users)).json()
        assert {n["kind"] for n in view["nodes"]} >= {"creator", "fan", "conversation"}
        alone = gateway.token("analyst", str(a))
        refused = await http.get(
            "/api/v1/agency/graph", params={"users": f"{a},{b}", "token": alone}
        )
        assert refused.status_code == 403
