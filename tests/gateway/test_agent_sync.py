"""The resume handshake: `sync_hello` answered from the record of the last whole snapshot."""

import json
import uuid

import httpx
import pytest
from nats.aio.client import Client

from contracts.models.capture import SyncHelloPayload, SyncMode, SyncReason
from ofca.agent_protocol import AgentClient, new_raw_message, snapshot_frames
from services.gateway.agent_sync import SnapshotTracker, SyncRecord, decide
from services.gateway.frames import Frame
from tests.conftest import Gateway
from tools.ofsim import generate_inbox, iter_messages


def new_user() -> str:
    return str(10**8 + uuid.uuid4().int % 10**8)


def hello(snapshot_id: str | None, install_id: str = "install-a1") -> SyncHelloPayload:
    return SyncHelloPayload(install_id=install_id, snapshot_id=snapshot_id)


def test_no_record_asks_for_a_full_snapshot_first_sync_or_unknown_snapshot() -> None:
    assert decide(hello(None), None).mode is SyncMode.FULL
    assert decide(hello(None), None).reason is SyncReason.FIRST_SYNC
    lost = decide(hello("s1"), None)
    assert (lost.mode, lost.reason) == (SyncMode.FULL, SyncReason.UNKNOWN_SNAPSHOT)


def test_the_recorded_snapshot_resumes_and_another_one_is_fenced() -> None:
    record = SyncRecord("s2", 3, 0)
    same = decide(hello("s2"), record)
    assert (same.mode, same.reason, same.snapshot_id) == (
        SyncMode.INCREMENTAL,
        SyncReason.RESUME,
        "s2",
    )
    stale = decide(hello("s1"), record)
    assert (stale.mode, stale.reason) == (SyncMode.FULL, SyncReason.FENCED)
    assert decide(hello(None), record).reason is SyncReason.FENCED


def part(snapshot_id: str, n: int, parts: int) -> Frame:
    return Frame("cache_update", None, b"", snapshot_id=snapshot_id, part=n, parts=parts)


def test_a_snapshot_completes_once_whatever_the_part_order_and_repeats() -> None:
    tracker = SnapshotTracker()
    seen = []
    for n in (1, 1, 0, 2, 2):
        frame = part("s", n, 3)
        seen.append(tracker.completes(frame))
        tracker.add(frame)
    assert seen == [False, False, False, True, False]
    # A new snapshot starts over.
    assert not tracker.completes(part("t", 0, 2))
    tracker.add(part("t", 0, 2))
    assert tracker.completes(part("t", 1, 2))


@pytest.mark.nats
async def test_a_reconnect_after_a_whole_snapshot_resumes_and_a_stale_copy_is_fenced(
    gateway: Gateway, nc: Client
) -> None:
    user = new_user()
    inbox = generate_inbox(int(user), n_chats=4, messages_per_chat=(20, 30), seed=1)
    install = uuid.uuid4().hex
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    first = await agent.hello(install, None)
    assert (first["mode"], first["reason"]) == ("full", "first_sync")

    messages = list(iter_messages(inbox))
    records = [*inbox.chats, *messages]
    biggest = max(len(json.dumps(r)) for r in records)
    total = sum(len(json.dumps(r)) for r in records)
    frame_bytes = max(biggest + 2_000, total // 3)
    frames = list(snapshot_frames(inbox.chats, messages, frame_bytes, "snap-1", install))
    assert len(frames) >= 3
    for frame in frames[:-1]:
        assert (await agent.send_and_wait(frame))["type"] == "ingest_ack"
    # Not whole yet: the Brain does not hold snapshot snap-1.
    other = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    early = await other.hello(install, "snap-1")
    assert (early["mode"], early["reason"]) == ("full", "unknown_snapshot")
    assert (await agent.send_and_wait(frames[-1]))["type"] == "ingest_ack"

    resumed = await other.hello(install, "snap-1")
    assert (resumed["mode"], resumed["reason"], resumed["snapshotId"]) == (
        "incremental",
        "resume",
        "snap-1",
    )
    stale = await other.hello(install, "snap-0")
    assert (stale["mode"], stale["reason"]) == ("full", "fenced")
    # Another installation of the same creator has its own record.
    assert (await other.hello(uuid.uuid4().hex, "snap-1"))["reason"] == "unknown_snapshot"
    # Deltas still flow on a resumed socket.
    ok = await other.send_and_wait(new_raw_message(401, {"id": 9, "fromUser": {"id": 401}}))
    assert ok["type"] == "ingest_ack"
    await agent.close()
    await other.close()


@pytest.mark.nats
async def test_a_snapshot_without_an_install_id_records_nothing(gateway: Gateway) -> None:
    user = new_user()
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    await agent.send_snapshot([], [{"id": 1, "chatId": 401, "fromUser": {"id": 401}}], "old")
    state = await agent.hello("install-b2", "old")
    assert (state["mode"], state["reason"]) == ("full", "unknown_snapshot")
    await agent.close()


@pytest.mark.nats
async def test_deleting_the_creator_forgets_the_record(gateway: Gateway) -> None:
    user = new_user()
    install = uuid.uuid4().hex
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    await agent.send_snapshot([], [], "s-del", install)
    assert (await agent.hello(install, "s-del"))["mode"] == "incremental"
    async with httpx.AsyncClient(base_url=gateway.http, timeout=30) as http:
        reply = await http.delete(
            f"/api/v1/users/{user}/data",
            params={"token": gateway.token("analyst", user), "confirm": user},
        )
    assert reply.status_code == 200, reply.text
    after = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    state = await after.hello(install, "s-del")
    assert (state["mode"], state["reason"]) == ("full", "unknown_snapshot")
    await agent.close()
    await after.close()


@pytest.mark.nats
async def test_a_bad_hello_gets_invalid_payload_and_the_socket_survives(gateway: Gateway) -> None:
    user = new_user()
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    bad = json.dumps({"type": "sync_hello", "ref": "h", "payload": {"installId": "../../etc"}})
    reply = await agent.send_and_wait(bad.encode(), within_s=5)
    assert reply["type"] == "system_error" and reply["payload"]["code"] == "invalid_payload"
    assert (await agent.hello("install-c3", None))["reason"] == "first_sync"
    await agent.close()
