"""The ingest service on a real nats-server: Agent → gateway → AGENT_IN → ingest → EVENTS."""

import asyncio
import copy
import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from nats.aio.client import Client
from websockets.asyncio.client import connect

from contracts.events import (
    Event,
    MessageAdded,
    RecordRejected,
    SnapshotAbandoned,
    SnapshotReplaced,
)
from ofca.agent_protocol import AgentClient, new_raw_message, snapshot_frames
from tests.conftest import Gateway
from tests.ingest.stack import IngestProcess, read_events, snapshot_done, wait_events
from tools.ofsim import fan_message, generate_inbox, iter_messages

pytestmark = pytest.mark.nats


def new_creator() -> int:
    return 10**8 + uuid.uuid4().int % 10**8


@pytest.fixture
async def ingest(nats_url: str, nc: Client) -> AsyncIterator[IngestProcess]:
    process = await IngestProcess(nats_url, OFCA_SNAPSHOT_TIMEOUT_S="3").ready()
    yield process
    process.stop()


def added_ids(log: list[tuple[str, Event]]) -> list[int]:
    return [e.message_id for _, e in log if isinstance(e, MessageAdded)]


async def test_parts_and_deltas_become_one_ordered_log(
    gateway: Gateway, nc: Client, ingest: IngestProcess
) -> None:
    creator = new_creator()
    inbox = generate_inbox(creator, n_chats=120, messages_per_chat=(10, 30), seed=3)
    messages = list(iter_messages(inbox))
    live = copy.deepcopy(inbox)
    deltas = [fan_message(live, fan, seed=i) for i, fan in enumerate(list(live.messages)[:6])]
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", str(creator)))
    frames = list(snapshot_frames(inbox.chats, messages, agent.max_frame_bytes // 4, "snap-1"))
    assert len(frames) >= 4
    # Deltas interleaved between the parts, as an Agent that keeps capturing would send them.
    for i, frame in enumerate(frames):
        assert (await agent.send_and_wait(frame))["type"] == "ingest_ack"
        if i < len(deltas):
            delta = new_raw_message(deltas[i]["fromUser"]["id"], deltas[i])
            assert (await agent.send_and_wait(delta))["type"] == "ingest_ack"
    log = await wait_events(nc, str(creator), snapshot_done("snap-1"))
    log = await wait_events(
        nc, str(creator), lambda lg: len(added_ids(lg)) == len(messages) + len(deltas)
    )
    ids = added_ids(log)
    assert len(ids) == len(set(ids)), "a message was published twice"
    assert set(ids) == {m["id"] for m in messages} | {d["id"] for d in deltas}
    head = next(e for _, e in log if isinstance(e, SnapshotReplaced))
    assert head.message_count == len(messages) and head.chat_count == len(inbox.chats)
    boundary = next(i for i, (_, e) in enumerate(log) if isinstance(e, SnapshotReplaced))
    delta_positions = [
        i
        for i, (_, e) in enumerate(log)
        if isinstance(e, MessageAdded) and e.message_id in {d["id"] for d in deltas}
    ]
    assert min(delta_positions) > boundary, "a delta was applied before the snapshot finished"
    assert delta_positions == sorted(delta_positions)
    await agent.close()


async def test_duplicate_deliveries_are_one_message(
    gateway: Gateway, nc: Client, ingest: IngestProcess
) -> None:
    creator = new_creator()
    inbox = generate_inbox(creator, n_chats=3, messages_per_chat=(3, 5), seed=4)
    messages = list(iter_messages(inbox))
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", str(creator)))
    await agent.send_snapshot(inbox.chats, messages, "snap-d")
    fan = next(iter(inbox.messages))
    fresh = fan_message(inbox, fan, seed=99)
    stub = {**fresh, "fromUser": {"id": fan, "_view": "m"}}
    old = messages[0]
    for frame in (
        new_raw_message(fan, fresh, "websocket"),  # pushed by the site's socket
        new_raw_message(fan, stub, "fetch"),  # and fetched again with a stub user
        new_raw_message(fan, fresh, "websocket"),  # and re-sent by the Agent's outbox
        new_raw_message(old["chatId"], old, "xhr"),  # a message the snapshot already had
    ):
        assert (await agent.send_and_wait(frame))["type"] == "ingest_ack"
    await wait_events(nc, str(creator), lambda lg: fresh["id"] in added_ids(lg))
    await asyncio.sleep(1.0)  # let any late duplicate land before counting
    counts = Counter(added_ids(await read_events(nc, str(creator))))
    assert counts[fresh["id"]] == 1 and counts[old["id"]] == 1
    assert max(counts.values()) == 1
    await agent.close()


async def test_malformed_records_in_a_large_snapshot_are_reported_and_skipped(
    gateway: Gateway, nc: Client, ingest: IngestProcess
) -> None:
    creator = new_creator()
    inbox = generate_inbox(creator, n_chats=200, messages_per_chat=(20, 40), seed=5)
    messages = list(iter_messages(inbox))
    corruptions = [
        lambda m: {k: v for k, v in m.items() if k != "id"},
        lambda m: {**m, "createdAt": "yesterday-ish"},
        lambda m: {**m, "fromUser": {"id": 999}},  # neither the creator nor the fan
        lambda m: {**m, "price": {"amount": "lots"}},
        lambda m: {**m, "fromUser": "nobody"},
    ]
    bad_positions = set(range(7, len(messages), 97))
    for n, position in enumerate(sorted(bad_positions)):
        messages[position] = corruptions[n % len(corruptions)](messages[position])
    bridge = await connect(f"{gateway.ws}/ws/bridge?token={gateway.token('analyst', str(creator))}")
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", str(creator)))
    acks = await agent.send_snapshot(inbox.chats, messages, "snap-bad")
    assert all(a["type"] == "ingest_ack" for a in acks)
    log = await wait_events(nc, str(creator), snapshot_done("snap-bad"))
    rejected = [e for _, e in log if isinstance(e, RecordRejected)]
    assert {r.position for r in rejected if r.record_kind == "message"} == bad_positions
    good = {m["id"] for i, m in enumerate(messages) if i not in bad_positions}
    assert good <= set(added_ids(log))
    codes = set()
    while "record_rejected" not in codes:
        frame = json.loads(await asyncio.wait_for(bridge.recv(), 10))
        if frame["type"] == "system_error":
            codes.add(frame["payload"]["code"])
    await agent.close()
    await bridge.close()


async def test_a_snapshot_that_stops_arriving_is_abandoned_and_deltas_go_on(
    gateway: Gateway, nc: Client, ingest: IngestProcess
) -> None:
    creator = new_creator()
    inbox = generate_inbox(creator, n_chats=40, messages_per_chat=(10, 20), seed=6)
    messages = list(iter_messages(inbox))
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", str(creator)))
    frames = list(snapshot_frames(inbox.chats, messages, 100_000, "snap-cut"))
    assert len(frames) > 2
    await agent.send_and_wait(frames[0])
    fan = next(iter(inbox.messages))
    delta = fan_message(inbox, fan, seed=7)
    await agent.send_and_wait(new_raw_message(fan, delta))
    log = await wait_events(nc, str(creator), lambda lg: delta["id"] in added_ids(lg), within_s=30)
    abandoned = [e for _, e in log if isinstance(e, SnapshotAbandoned)]
    assert [a.snapshot_id for a in abandoned] == ["snap-cut"]
    assert not any(isinstance(e, SnapshotReplaced) for _, e in log)
    await agent.close()


async def test_ingest_killed_mid_snapshot_loses_and_doubles_nothing(
    gateway: Gateway, nc: Client, nats_url: str
) -> None:
    creator = new_creator()
    inbox = generate_inbox(creator, n_chats=300, messages_per_chat=(20, 40), seed=8)
    messages = list(iter_messages(inbox))
    first = await IngestProcess(nats_url).ready()
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", str(creator)))
    frames = list(snapshot_frames(inbox.chats, messages, 200_000, "snap-kill"))
    assert len(frames) >= 10
    for frame in frames[: len(frames) // 2]:
        await agent.send_and_wait(frame)
    await wait_events(nc, str(creator), lambda lg: len(added_ids(lg)) > 0)
    first.kill()  # SIGKILL, mid-snapshot: some parts applied, others stored but not consumed
    for frame in frames[len(frames) // 2 :]:
        await agent.send_and_wait(frame)
    second = await IngestProcess(nats_url).ready()
    try:
        log = await wait_events(nc, str(creator), snapshot_done("snap-kill"), within_s=90)
        ids = added_ids(log)
        assert len(ids) == len(set(ids)), "a message was published twice"
        assert set(ids) == {m["id"] for m in messages}
        heads = [e for _, e in log if isinstance(e, SnapshotReplaced)]
        assert len(heads) == 1 and heads[0].message_count == len(messages)
    finally:
        second.stop()
        await agent.close()


async def test_two_instances_share_creators_by_partition(
    gateway: Gateway, nc: Client, nats_url: str
) -> None:
    instances = [await IngestProcess(nats_url, index=i, instances=2).ready() for i in range(2)]
    try:
        creators = [new_creator() for _ in range(6)]
        expected = {}
        for creator in creators:
            inbox = generate_inbox(creator, n_chats=5, messages_per_chat=(3, 6), seed=creator % 97)
            messages = list(iter_messages(inbox))
            agent = await AgentClient.connect(gateway.ws, gateway.token("agent", str(creator)))
            await agent.send_snapshot(inbox.chats, messages, f"s-{creator}")
            await agent.close()
            expected[creator] = {m["id"] for m in messages}
        for creator, ids in expected.items():
            log = await wait_events(nc, str(creator), snapshot_done(f"s-{creator}"))
            assert set(added_ids(log)) == ids
    finally:
        for process in instances:
            process.stop()
