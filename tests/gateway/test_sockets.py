"""The gateway over real sockets, against a real nats-server with JetStream."""

import asyncio
import json
import uuid
from typing import Any

import pytest
from nats.aio.client import Client
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from contracts import subjects
from contracts.streams import AGENT_IN, PARTITIONS
from contracts.tokens import issue_token
from ofca.agent_protocol import KEEPALIVE, AgentClient, new_raw_message, snapshot_frames
from tests.conftest import Gateway
from tests.graph.stack import nothing_within

pytestmark = pytest.mark.nats


def new_user() -> str:
    return str(uuid.uuid4().int % 10**9)


async def recv_json(ws: ClientConnection, within_s: float = 5.0) -> dict[str, Any]:
    return dict(json.loads(await asyncio.wait_for(ws.recv(), within_s)))


async def open_bridge(gw: Gateway, user: str, token: str | None = None) -> ClientConnection:
    token = token or gw.token("analyst", user)
    ws = await connect(f"{gw.ws}/ws/bridge?token={token}&user={user}")
    assert (await recv_json(ws))["type"] == "connection_ack"
    return ws


async def test_agent_and_bridge_get_connection_ack_first(gateway: Gateway) -> None:
    user = new_user()
    agent = await connect(f"{gateway.ws}/ws/agent?token={gateway.token('agent', user)}")
    ack = await recv_json(agent)
    assert ack["type"] == "connection_ack"
    assert ack["payload"]["role"] == "agent" and ack["payload"]["userIds"] == [user]
    bridge = await connect(f"{gateway.ws}/ws/bridge?token={gateway.token('analyst', user)}")
    first = await recv_json(bridge)
    assert first["type"] == "connection_ack" and first["payload"]["role"] == "analyst"
    status = await recv_json(bridge)
    assert status["type"] == "system_status" and status["payload"]["agentOnline"] is True
    await agent.close()
    await bridge.close()


BAD_FRAMES = {
    "invalid_json": b"{not json",
    "invalid_envelope": b"[1, 2, 3]",
    "unknown_type": b'{"type": "drop_tables", "payload": {}}',
    "invalid_payload": b'{"type": "new_raw_message", "payload": {"source": "carrier pigeon"}}',
    "invalid_payload_snapshot": b'{"type": "cache_update", "payload": {"snapshot_id": "s",'
    b' "part": 3, "parts": 2, "chats": [], "messages": []}}',
    "frame_too_large": b'{"type": "keepalive", "payload": {}, "ref": "'
    + b"x" * (1024 * 1024)
    + b'"}',
    "not_allowed": b'{"type": "keepalive", "payload": {"unexpected": true}}',
}


@pytest.mark.parametrize("kind", sorted(BAD_FRAMES))
async def test_bad_frame_gets_system_error_and_socket_survives(
    gateway: Gateway, nc: Client, kind: str
) -> None:
    user = new_user()
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    reply = await agent.send_and_wait(BAD_FRAMES[kind], within_s=5)
    assert reply["type"] == "system_error"
    expected = kind.removesuffix("_snapshot").replace("not_allowed", "invalid_payload")
    assert reply["payload"]["code"] == expected
    # The same socket still works: a valid frame is stored and acknowledged.
    ok = await agent.send_and_wait(new_raw_message(401, {"id": 1, "fromUser": {"id": 401}}))
    assert ok["type"] == "ingest_ack" and ok["payload"]["streamSeq"] > 0
    await agent.close()


async def test_bridge_may_not_send_agent_frames(gateway: Gateway) -> None:
    user = new_user()
    bridge = await open_bridge(gateway, user)
    await recv_json(bridge)  # system_status
    await bridge.send(new_raw_message(1, {"id": 1}).decode())
    reply = await recv_json(bridge)
    assert reply["type"] == "system_error" and reply["payload"]["code"] == "not_allowed"
    await bridge.send(KEEPALIVE.decode())
    assert await nothing_within(bridge, 0.3)
    await bridge.close()


async def stream_messages_for(nc: Client, user: str) -> int:
    stored = subjects.agent_in_stored(user)
    info = await nc.jetstream().stream_info(AGENT_IN.name, subjects_filter=stored)
    return sum((info.state.subjects or {}).values())


async def test_keepalive_changes_nothing(gateway: Gateway, nc: Client) -> None:
    user = new_user()
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    before = await nc.jetstream().stream_info(AGENT_IN.name)
    for frame in (KEEPALIVE, b'{"type":"keepalive","payload":null}', b'{"type":"keepalive"}'):
        await agent.ws.send(frame.decode())
    assert await nothing_within(agent.ws, 0.5)
    after = await nc.jetstream().stream_info(AGENT_IN.name)
    assert after.state.last_seq == before.state.last_seq
    assert await stream_messages_for(nc, user) == 0
    await agent.close()


async def test_agent_frame_lands_in_jetstream(gateway: Gateway, nc: Client) -> None:
    user = new_user()
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    message = {"id": 5100000000003, "text": "<p>hi</p>", "fromUser": {"id": 400001}}
    frame = new_raw_message(400001, message)
    ack = await agent.send_and_wait(frame)
    assert ack["type"] == "ingest_ack"
    assert ack["payload"]["ref"] == "m:400001:5100000000003"
    stored = await nc.jetstream().get_msg(AGENT_IN.name, ack["payload"]["streamSeq"])
    assert stored.subject is not None and subjects.user_of(stored.subject) == user
    assert stored.subject.startswith("agent.in.") and len(stored.subject.split(".")) == 4
    assert json.loads(stored.data or b"") == json.loads(frame)
    assert stored.headers and stored.headers[subjects.HEADER_FRAME_TYPE] == "new_raw_message"
    # The same frame again (a reconnect re-sending its outbox) is one message.
    again = await agent.send_and_wait(frame)
    assert again["payload"]["duplicate"] is True
    assert again["payload"]["streamSeq"] == ack["payload"]["streamSeq"]
    await agent.close()


async def test_snapshot_in_parts_lands_in_order(gateway: Gateway, nc: Client) -> None:
    user = new_user()
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    chats = [{"withUser": {"id": 400000 + i, "_view": "m"}} for i in range(50)]
    messages = [
        {"id": 5 * 10**12 + i, "chatId": 400000 + i % 50, "text": "<p>" + "x" * 2000 + "</p>"}
        for i in range(1200)
    ]
    acks = await agent.send_snapshot(chats, messages, "snap-1")
    assert len(acks) > 1 and all(a["type"] == "ingest_ack" for a in acks)
    seqs = [a["payload"]["streamSeq"] for a in acks]
    assert seqs == sorted(seqs)
    assert await stream_messages_for(nc, user) == len(acks)
    parts = list(snapshot_frames(chats, messages, agent.max_frame_bytes, "snap-1"))
    assert all(len(p) <= agent.max_frame_bytes for p in parts)
    await agent.close()


@pytest.mark.parametrize("path", ["/ws/agent?token=", "/ws/bridge?token="])
async def test_forged_and_missing_tokens_are_refused_before_data(
    gateway: Gateway, path: str
) -> None:
    user = new_user()
    good = gateway.token("agent" if "agent" in path else "analyst", user)
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    other_secret = issue_token("y" * 48, "agent" if "agent" in path else "analyst", [user])
    for token in ("", "garbage", forged, other_secret):
        with pytest.raises(InvalidStatus) as refused:
            await connect(f"{gateway.ws}{path}{token}")
        assert refused.value.response.status_code == 403


async def test_wrong_role_is_refused(gateway: Gateway) -> None:
    user = new_user()
    with pytest.raises(InvalidStatus):
        await connect(f"{gateway.ws}/ws/agent?token={gateway.token('analyst', user)}")
    with pytest.raises(InvalidStatus):
        await connect(f"{gateway.ws}/ws/bridge?token={gateway.token('agent', user)}")


async def test_cross_tenant_bridge_is_refused_and_never_sees_other_frames(
    gateway: Gateway, nc: Client
) -> None:
    a, b = new_user(), new_user()
    with pytest.raises(InvalidStatus) as refused:
        await connect(f"{gateway.ws}/ws/bridge?token={gateway.token('analyst', b)}&user={a}")
    assert refused.value.response.status_code == 403
    bridge_a, bridge_b = await open_bridge(gateway, a), await open_bridge(gateway, b)
    await recv_json(bridge_a), await recv_json(bridge_b)  # system_status each
    await nc.publish(subjects.bridge(a), b'{"type":"system_status","payload":{"for":"a"}}')
    got = await recv_json(bridge_a)
    assert got["payload"] == {"for": "a"}
    assert await nothing_within(bridge_b, 0.5)
    await bridge_a.close()
    await bridge_b.close()


async def test_command_reaches_only_its_creators_agent(gateway: Gateway, nc: Client) -> None:
    a, b = new_user(), new_user()
    agent_a = await AgentClient.connect(gateway.ws, gateway.token("agent", a))
    agent_b = await AgentClient.connect(gateway.ws, gateway.token("agent", b))
    await asyncio.sleep(0.2)  # subscriptions are registered right after the ack
    frame = b'{"type":"command_to_execute","payload":{"commandId":"c1"}}'
    await nc.publish(subjects.agent_user(a), frame)
    assert json.loads(await asyncio.wait_for(agent_a.ws.recv(), 5)) == json.loads(frame)
    assert await nothing_within(agent_b.ws, 0.5)
    await agent_a.close()
    await agent_b.close()


async def test_multi_creator_analyst_picks_a_creator(gateway: Gateway) -> None:
    a, b = new_user(), new_user()
    token = gateway.token("analyst", a, b)
    with pytest.raises(InvalidStatus):
        await connect(f"{gateway.ws}/ws/bridge?token={token}")
    ws = await open_bridge(gateway, b, token)
    await ws.close()


async def test_partition_of_matches_the_servers_transform(gateway: Gateway, nc: Client) -> None:
    agent_users = [new_user() for _ in range(12)]
    for user in agent_users:
        agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
        ack = await agent.send_and_wait(new_raw_message(1, {"id": 1, "fromUser": {"id": 1}}))
        stored = await nc.jetstream().get_msg(AGENT_IN.name, ack["payload"]["streamSeq"])
        assert stored.subject == f"agent.in.{subjects.partition_of(user, PARTITIONS)}.{user}"
        await agent.close()


async def test_frame_over_the_hard_limit_closes_with_1009_and_others_go_on(
    gateway: Gateway,
) -> None:
    user = new_user()
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    bystander = await AgentClient.connect(gateway.ws, gateway.token("agent", new_user()))
    huge = b'{"type":"keepalive","ref":"' + b"x" * (17 * 1024 * 1024) + b'"}'
    with pytest.raises(ConnectionClosed) as closed:
        await agent.ws.send(huge.decode())
        await agent.ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    ok = await bystander.send_and_wait(new_raw_message(1, {"id": 2, "fromUser": {"id": 1}}))
    assert ok["type"] == "ingest_ack"
    await bystander.close()
