"""The creator owns the data: export, delete everything, retention — on a real stack."""

import asyncio
import csv
import io
import json
from datetime import UTC, datetime, timedelta

import httpx
import msgspec
import pytest
from nats.aio.client import Client

from contracts import subjects
from contracts.streams import AGENT_IN, EVENTS, KV_INGEST_SNAPSHOTS, OBJ_GRAPH_SNAPSHOTS
from ofca.agent_protocol import AgentClient, new_raw_message
from services.graph.projection import PartitionSnapshot
from tests.conftest import Gateway
from tests.graph.stack import GraphProcess, get, new_creator, wait_chats
from tests.ingest.stack import IngestProcess, read_events
from tools.ofsim import fan_message, generate_inbox, iter_messages

pytestmark = pytest.mark.nats
Services = tuple[IngestProcess, GraphProcess]


async def seed(
    gateway: Gateway,
    creator: int,
    chats: int,
    end: datetime | None = None,
    days: int = 30,
    inbox_seed: int | None = None,
) -> AgentClient:
    inbox = generate_inbox(
        creator,
        n_chats=chats,
        messages_per_chat=(5, 12),
        seed=creator % 1000 if inbox_seed is None else inbox_seed,
        end=end,
        days=days,
    )
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", str(creator)))
    await agent.send_snapshot(inbox.chats, list(iter_messages(inbox)), f"s-{creator}")
    fan = next(iter(inbox.messages))
    await agent.send_and_wait(new_raw_message(fan, fan_message(inbox, fan, seed=1)))
    await wait_chats(gateway, str(creator), chats)
    total = sum(len(m) for m in inbox.messages.values())  # the live message was appended too
    for _ in range(100):  # every message folded, the live one included
        status = (await get(gateway, str(creator), "/status")).json()
        if status["messages"] == total:
            return agent
        await asyncio.sleep(0.1)
    raise AssertionError(f"the graph holds {status['messages']} of {total} messages")


async def stored(nc: Client, stream: str, subject: str) -> int:
    info = await nc.jetstream().stream_info(stream, subjects_filter=subject)
    return sum((info.state.subjects or {}).values())


async def test_export_everything_as_json_and_tables_as_csv(
    gateway: Gateway, services: Services
) -> None:
    creator = new_creator()
    agent = await seed(gateway, creator, 6)
    user = str(creator)
    document = (await get(gateway, user, "/export", what="all", format="json")).json()
    assert document["userId"] == user and len(document["conversations"]) == 6
    assert len(document["messages"]) == sum(c["counts"]["total"] for c in document["conversations"])
    rows = list(
        csv.DictReader(
            io.StringIO((await get(gateway, user, "/export", what="messages", format="csv")).text)
        )
    )
    assert len(rows) == len(document["messages"]) and {"chatId", "text", "direction"} <= set(
        rows[0]
    )
    fans = (await get(gateway, user, "/export", what="fans", format="csv")).text.splitlines()
    assert len(fans) == 7
    assert (await get(gateway, user, "/export", what="all", format="csv")).status_code == 422
    await agent.close()


async def test_delete_removes_everything_of_one_creator_and_nothing_else(
    gateway: Gateway, nc: Client, services: Services
) -> None:
    victim, bystander = new_creator(), new_creator()
    agent = await seed(gateway, victim, 5)
    other = await seed(gateway, bystander, 4)
    user = str(victim)
    async with httpx.AsyncClient(base_url=gateway.http, timeout=30) as http:
        token = gateway.token("analyst", user)
        refused = await http.delete(
            f"/api/v1/users/{user}/data", params={"token": token, "confirm": "nope"}
        )
        assert refused.status_code == 422
        report = await http.delete(
            f"/api/v1/users/{user}/data", params={"token": token, "confirm": user}
        )
    assert report.status_code == 200, report.text
    # The Agent is told to clear its IndexedDB.
    async with asyncio.timeout(10):
        while True:
            frame = json.loads(await agent.ws.recv())
            if frame["type"] == "clear_local_data":
                break
    # Nothing remains: no frames, only the tombstone among events, no KV, no graph state.
    assert await stored(nc, AGENT_IN.name, subjects.agent_in_stored(user)) == 0
    kinds = [type(e).__name__ for _, e in await read_events(nc, user)]
    assert kinds == ["CreatorDeleted"]
    kv = await nc.jetstream().key_value(KV_INGEST_SNAPSHOTS)
    assert not [k for k in await kv.keys() if k.startswith(f"{user}.")]
    assert (await get(gateway, user, "/chats")).json()["total"] == 0
    store = await nc.jetstream().object_store(OBJ_GRAPH_SNAPSHOTS)
    for info in await store.list():
        snapshot = msgspec.msgpack.decode(
            (await store.get(info.name)).data or b"", type=PartitionSnapshot
        )
        assert victim not in {s.creator_id for s in snapshot.states}
    # The other creator is untouched.
    assert (await get(gateway, str(bystander), "/chats")).json()["total"] == 4
    assert await stored(nc, EVENTS.name, subjects.events_stored(str(bystander))) > 0
    await agent.close()
    await other.close()


async def test_retention_prunes_old_messages_from_every_view(
    gateway: Gateway, services: Services
) -> None:
    creator = new_creator()
    user = str(creator)
    # A fixed inbox: 12 seeds in 1,000 put every message of 8 chats in the last 10 days.
    agent = await seed(gateway, creator, 8, end=datetime.now(UTC), days=30, inbox_seed=7)
    before = (await get(gateway, user, "/export", what="messages", format="json")).json()
    cutoff = datetime.now(UTC) - timedelta(days=10)
    old = [m for m in before if datetime.fromisoformat(m["at"]) < cutoff]
    assert old, "the fixture should have messages older than the retention"
    async with httpx.AsyncClient(base_url=gateway.http, timeout=30) as http:
        token = gateway.token("analyst", user)
        put = await http.put(
            f"/api/v1/users/{user}/settings", params={"token": token}, json={"retentionDays": 10}
        )
        assert put.status_code == 200
        assert (await http.get(f"/api/v1/users/{user}/settings", params={"token": token})).json()[
            "retentionDays"
        ] == 10
    for _ in range(50):
        after = (await get(gateway, user, "/export", what="messages", format="json")).json()
        if len(after) == len(before) - len(old):
            break
        await asyncio.sleep(0.2)
    assert all(datetime.fromisoformat(m["at"]) >= cutoff - timedelta(minutes=1) for m in after)
    assert len(after) == len(before) - len(old)
    window = {
        "from": (datetime.now(UTC) - timedelta(days=30)).isoformat(),
        "to": datetime.now(UTC).isoformat(),
    }
    days = (await get(gateway, user, "/analytics", **window)).json()["activity"]["messagesByDay"]
    assert all(
        d["inbound"] + d["outbound"] == 0
        for d in days
        if d["day"] < (cutoff - timedelta(days=1)).date().isoformat()
    )
    await agent.close()


async def test_ownership_routes_refuse_other_tenants(gateway: Gateway, services: Services) -> None:
    user = str(new_creator())
    other = gateway.token("analyst", str(new_creator()))
    async with httpx.AsyncClient(base_url=gateway.http, timeout=30) as http:
        base = f"/api/v1/users/{user}"
        checks = [
            await http.get(f"{base}/settings", params={"token": other}),
            await http.put(f"{base}/settings", params={"token": other}, json={"retentionDays": 1}),
            await http.get(f"{base}/export", params={"token": other}),
            await http.delete(f"{base}/data", params={"token": other, "confirm": user}),
        ]
    assert [r.status_code for r in checks] == [403, 403, 403, 403]
