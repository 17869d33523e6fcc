"""Scale-out on a real NATS cluster: three nats-server nodes with R3 streams, two gateways, two
ingest and two graph instances partitioned by creator, one command service.

An Agent on gateway 1 and a Bridge on gateway 2 see the same flow; a command posted through
gateway 2 reaches the Agent on gateway 1 once; killing a NATS node and a graph instance in the
middle of a delta stream loses and duplicates nothing (checked against the ground truth of the
generated inboxes: every chat's message ids, and the event log's MessageAdded events).
"""

import asyncio
import json
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import httpx
import pytest
from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.js.errors import ServiceUnavailableError
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from contracts import subjects
from contracts.events import Event, MessageAdded
from contracts.streams import PARTITIONS
from ofca.agent_protocol import AgentClient, new_raw_message
from tests.command.stack import CommandProcess, PrivateGateway, command, commands_within
from tests.conftest import Gateway, ServiceProcess
from tests.graph.stack import GraphProcess, next_of
from tests.ingest.stack import IngestProcess, read_events
from tests.ops.cluster import Cluster, provision_r3
from tools.ofsim import Inbox, fan_message, generate_inbox, iter_messages

pytestmark = [pytest.mark.nats, pytest.mark.slow]


class ReliableAgent:
    """An Agent that, like the extension's outbox, re-sends a frame until the Brain stores it
    (reconnecting when the socket drops). Re-sends are safe: frames carry `Nats-Msg-Id`s."""

    def __init__(self, gateway: Gateway, user: str) -> None:
        self.gateway, self.user = gateway, user
        self.client: AgentClient | None = None

    async def connected(self) -> AgentClient:
        while self.client is None:
            try:
                self.client = await AgentClient.connect(
                    self.gateway.ws, self.gateway.token("agent", self.user)
                )
            except (OSError, ConnectionClosed, ConnectionError):
                await asyncio.sleep(0.3)
        return self.client

    async def send(self, frame: bytes) -> None:
        async with asyncio.timeout(90):
            while True:
                client = await self.connected()
                try:
                    reply = await client.send_and_wait(frame, within_s=10)
                except (ConnectionClosed, TimeoutError, OSError):
                    self.client = None
                    continue
                if reply["type"] == "ingest_ack":
                    return
                await asyncio.sleep(0.3)  # `unavailable` while NATS fails over: try again

    async def snapshot(self, inbox: Inbox) -> None:
        from ofca.agent_protocol import snapshot_frames  # noqa: PLC0415

        client = await self.connected()
        snapshot_id = uuid.uuid4().hex
        frames = snapshot_frames(
            inbox.chats, list(iter_messages(inbox)), client.max_frame_bytes, snapshot_id
        )
        for frame in frames:
            await self.send(frame)

    async def close(self) -> None:
        if self.client is not None:
            await self.client.close()


class Supervised:
    """Services restarted when they exit, as Kubernetes or `ofca up` does: a service that
    meets NATS mid-failover may crash on start, and its restart must then recover."""

    def __init__(self) -> None:
        self.factories: dict[str, Callable[[], ServiceProcess]] = {}
        self.processes: dict[str, ServiceProcess] = {}
        self.restarts = 0

    async def start(self, name: str, factory: Callable[[], ServiceProcess]) -> None:
        self.factories[name] = factory
        self.processes[name] = await factory().ready()

    def kill(self, name: str) -> None:
        self.processes[name].kill()

    async def watch(self) -> None:
        while True:
            for name, process in list(self.processes.items()):
                if process.process.poll() is not None:
                    self.restarts += 1
                    self.processes[name] = self.factories[name]()
            await asyncio.sleep(0.3)

    def stop(self) -> None:
        for process in self.processes.values():
            process.stop()


@dataclass
class Fleet:
    cluster: Cluster
    nc: Client
    gateways: list[PrivateGateway]
    gw: list[Gateway]
    services: Supervised
    url: str


def creators_over_both_instances(count: int) -> list[str]:
    """Creators whose partitions fall to both instances of a 2-instance service."""
    picked: dict[int, list[str]] = defaultdict(list)
    while min(len(picked[0]), len(picked[1])) < count // 2:
        user = str(10**8 + uuid.uuid4().int % 10**8)
        picked[subjects.partition_of(user, PARTITIONS) % 2].append(user)
    return picked[0][: count // 2] + picked[1][: count // 2]


@pytest.fixture
async def fleet(secret: str, tmp_path: Path) -> AsyncIterator[Fleet]:
    cluster = Cluster(tmp_path / "nats")
    cluster.start()
    nc = await provision_r3(cluster.url)
    url = cluster.url
    services = Supervised()
    for i in range(2):
        await services.start(f"ingest{i}", partial(IngestProcess, url, index=i, instances=2))
        graph = partial(GraphProcess, url, OFCA_GRAPH_INSTANCES="2", OFCA_GRAPH_INDEX=str(i))
        await services.start(f"graph{i}", graph)
    await services.start("command", partial(CommandProcess, url))
    watcher = asyncio.create_task(services.watch())
    gateways = [PrivateGateway(url, secret, tmp_path / f"gw{i}") for i in range(2)]
    gw = [await g.ready() for g in gateways]
    yield Fleet(cluster, nc, gateways, gw, services, url)
    watcher.cancel()
    for gateway in gateways:
        gateway.stop()
    services.stop()
    await nc.close()
    cluster.stop()


async def read_log(nc: Client, user: str) -> list[tuple[str, Event]]:
    """The creator's event log, retried while the restarted node rejoins (leaders move)."""
    async with asyncio.timeout(60):
        while True:
            try:
                return await read_events(nc, user)
            except (ServiceUnavailableError, NatsError):
                await asyncio.sleep(0.5)


def expected_ids(inbox: Inbox) -> dict[str, set[str]]:
    ids: dict[str, set[str]] = defaultdict(set)
    for message in iter_messages(inbox):
        ids[str(message["chatId"])].add(str(message["id"]))
    return ids


async def brain_ids(gateway: Gateway, user: str, chats: set[str]) -> dict[str, set[str]]:
    token = gateway.token("analyst", user)
    ids: dict[str, set[str]] = {}
    async with httpx.AsyncClient(base_url=gateway.http, timeout=30) as http:
        for chat in chats:
            reply = await http.get(
                f"/api/v1/users/{user}/chats/{chat}/messages", params={"token": token, "limit": 200}
            )
            if reply.status_code != 200:
                return {}
            ids[chat] = {m["id"] for m in reply.json()["items"]}
    return ids


async def test_two_gateways_share_one_flow_and_a_command_crosses_them(fleet: Fleet) -> None:
    user = creators_over_both_instances(2)[0]
    inbox = generate_inbox(
        int(user), n_chats=6, messages_per_chat=(3, 6), seed=3, end=datetime.now(UTC)
    )
    bridge = await connect(f"{fleet.gw[1].ws}/ws/bridge?token={fleet.gw[1].token('analyst', user)}")
    assert json.loads(await bridge.recv())["type"] == "connection_ack"
    agent = ReliableAgent(fleet.gw[0], user)
    await agent.snapshot(inbox)
    sync = await next_of(bridge, "full_sync_response", within_s=60)
    assert sync["payload"]["totalConversations"] == 6
    fan = next(iter(inbox.messages))
    delta = fan_message(inbox, fan, kind="text", seed=1)
    await agent.send(new_raw_message(fan, delta))
    node = (await next_of(bridge, "append_message", within_s=30))["payload"]
    assert node["chatId"] == str(fan)

    body = command(user, chat=fan, text="crossing gateways")
    async with httpx.AsyncClient(base_url=fleet.gw[1].http, timeout=30) as http:
        reply = await http.post(
            f"/api/v1/users/{user}/commands",
            json=body,
            params={"token": fleet.gw[1].token("analyst", user)},
        )
    assert reply.status_code == 202
    client = await agent.connected()
    got = client.commands + await commands_within(client, 5)
    assert [c["commandId"] for c in got] == [body["commandId"]]
    await bridge.close()
    await agent.close()


async def test_killing_a_nats_node_and_a_graph_instance_mid_stream_loses_nothing(
    fleet: Fleet,
) -> None:
    users = creators_over_both_instances(4)
    inboxes = {
        u: generate_inbox(
            int(u), n_chats=5, messages_per_chat=(3, 6), seed=i, end=datetime.now(UTC)
        )
        for i, u in enumerate(users)
    }
    agents = {u: ReliableAgent(fleet.gw[i % 2], u) for i, u in enumerate(users)}
    await asyncio.gather(*(agents[u].snapshot(inboxes[u]) for u in users))

    async def stream(user: str, count: int) -> None:
        inbox = inboxes[user]
        fans = list(inbox.messages)
        for n in range(count):
            fan = fans[n % len(fans)]
            await agents[user].send(new_raw_message(fan, fan_message(inbox, fan, kind="text")))
            await asyncio.sleep(0.05)

    async def faults() -> None:
        await asyncio.sleep(1.0)
        fleet.cluster.kill(2)  # a NATS node
        fleet.services.kill("graph1")  # and a graph instance, with SIGKILL: it is restarted

    await asyncio.gather(*(stream(u, 30) for u in users), faults())
    await asyncio.to_thread(fleet.cluster.restart, 2)
    assert fleet.services.restarts >= 1  # the killed graph instance came back

    for user in users:
        truth = expected_ids(inboxes[user])
        got: dict[str, set[str]] = {}
        try:
            async with asyncio.timeout(90):
                while got != truth:
                    got = await brain_ids(fleet.gw[1], user, set(truth))
                    await asyncio.sleep(0.5)
        except TimeoutError:
            missing = {c: truth[c] - got.get(c, set()) for c in truth}
            extra = {c: got.get(c, set()) - truth[c] for c in truth}
            raise AssertionError(f"{user}: missing {missing}, extra {extra}") from None
        log = await read_log(fleet.nc, user)
        added = [e for _, e in log if isinstance(e, MessageAdded)]
        ids = [str(e.message_id) for e in added]
        assert len(ids) == len(set(ids)), "a message was written to the log twice"
        assert set(ids) == set().union(*truth.values())
    for agent in agents.values():
        await agent.close()
