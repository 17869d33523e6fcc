"""NATS with a user per service and least privilege (contracts/nats_users.py).

The whole Brain works under it (a snapshot, a delta, a query, a command to the Agent and its
result, a deletion) with no permission violation in the server's log; and a service cannot do
what another's job is: ingest cannot send a command to an Agent, graph cannot write the event
log, nobody can read another service's replies, a stranger cannot connect.
"""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import nats
import pytest
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from websockets.asyncio.client import connect

from contracts.runtime.nats import connect as service_connect
from contracts.runtime.provision import provision
from ofca.agent_protocol import AgentClient, new_raw_message
from ofca.natsd import EmbeddedNats, free_port, nats_passwords
from tests.command.stack import CommandProcess, PrivateGateway, command, post, wait_state
from tests.conftest import Gateway, ServiceProcess
from tests.enrichment.conftest import EnrichmentProcess
from tests.graph.stack import GraphProcess, next_of
from tests.ingest.stack import IngestProcess
from tools.ofsim import fan_message, generate_inbox, iter_messages

pytestmark = [pytest.mark.nats, pytest.mark.slow]


@dataclass
class Guarded:
    server: EmbeddedNats
    gateway: Gateway

    def log(self) -> str:
        return (self.server.store_dir / "nats.log").read_text(errors="replace")


@pytest.fixture(scope="module")
async def guarded(secret: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Guarded]:
    tmp: Path = tmp_path_factory.mktemp("nats-auth")
    server = EmbeddedNats(tmp / "nats", free_port(), free_port(), passwords=nats_passwords(tmp))
    server.start()
    admin = await nats.connect(server.url_for("admin"))
    await provision(admin.jetstream())
    await admin.close()
    services: list[ServiceProcess] = [
        await IngestProcess(server.url_for("ingest")).ready(),
        await GraphProcess(server.url_for("graph")).ready(),
        await EnrichmentProcess(server.url_for("enrichment")).ready(),
        await CommandProcess(server.url_for("command")).ready(),
    ]
    private = PrivateGateway(server.url_for("gateway"), secret, tmp / "gw")
    gateway = await private.ready()
    yield Guarded(server, gateway)
    private.stop()
    for service in reversed(services):
        service.stop()
    server.stop()


async def test_the_whole_brain_works_with_a_user_per_service(guarded: Guarded) -> None:
    gateway = guarded.gateway
    user = str(10**8 + uuid.uuid4().int % 10**8)
    inbox = generate_inbox(int(user), n_chats=5, messages_per_chat=(4, 8), seed=5)
    bridge = await connect(f"{gateway.ws}/ws/bridge?token={gateway.token('analyst', user)}")
    assert json.loads(await bridge.recv())["type"] == "connection_ack"
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    await agent.send_snapshot(inbox.chats, list(iter_messages(inbox)), "auth-1")
    sync = await next_of(bridge, "full_sync_response", within_s=60)
    assert sync["payload"]["totalConversations"] == 5
    fan = next(iter(inbox.messages))
    assert (await agent.send_and_wait(new_raw_message(fan, fan_message(inbox, fan))))[
        "type"
    ] == "ingest_ack"
    await next_of(bridge, "append_message", within_s=30)
    token = gateway.token("analyst", user)
    async with httpx.AsyncClient(base_url=gateway.http, timeout=30) as http:
        chats = await http.get(f"/api/v1/users/{user}/chats", params={"token": token})
        assert chats.status_code == 200 and chats.json()["total"] == 5

    body = command(user, chat=fan, text="under least privilege")
    assert (await post(gateway, user, body)).status_code == 202
    async with asyncio.timeout(30):
        while not agent.commands:
            frame = json.loads(await agent.ws.recv())
            if frame["type"] == "command_to_execute":
                agent.commands.append(frame["payload"])
    result = {"commandId": body["commandId"], "status": "sent", "detail": {"messageId": "1"}}
    frame_bytes = json.dumps({"type": "command_result", "ref": "r", "payload": result}).encode()
    assert (await agent.send_and_wait(frame_bytes))["type"] == "ingest_ack"
    await wait_state(gateway, user, body["commandId"], "sent", within_s=30)

    async with httpx.AsyncClient(base_url=gateway.http, timeout=30) as http:
        deleted = await http.delete(
            f"/api/v1/users/{user}/data", params={"token": token, "confirm": user}
        )
    assert deleted.status_code == 200, deleted.text
    await bridge.close()
    await agent.close()
    await asyncio.sleep(1)
    assert [line for line in guarded.log().splitlines() if "Violation" in line] == []


def violations(guarded: Guarded, user: str, kind: str, subject: str) -> list[str]:
    """The server's log lines saying `user` was refused `kind` (Publish, Subscription)."""
    return [
        line
        for line in guarded.log().splitlines()
        if f"user:{user}" in line and f"{kind} Violation" in line and f'"{subject}"' in line
    ]


async def delivered(server: EmbeddedNats, user: str, subject: str, listen: str) -> list[bytes]:
    """What an admin subscribed to `listen` receives when `user` publishes on `subject`."""
    admin = await nats.connect(server.url_for("admin"))
    got: list[bytes] = []

    async def keep(msg: Msg) -> None:
        got.append(msg.data)

    await admin.subscribe(listen, cb=keep)
    await admin.flush()
    client = await service_connect(server.url_for(user), name=f"probe-{user}")
    await client.publish(subject, b"forged")
    await client.flush()
    await asyncio.sleep(0.5)
    await client.close()
    await admin.close()
    return got


@pytest.mark.parametrize(
    ("user", "subject"),
    [
        ("ingest", "agent_user.123"),  # only command sends commands to Agents
        ("graph", "events.123.delta"),  # only ingest and enrichment write the log
        ("enrichment", "agent.in.123"),  # only the gateway takes frames from Agents
        ("command", "rpc.graph.chats.123"),  # nobody but the gateway asks graph
        ("gateway", "commands.123.lifecycle"),  # only command writes the audit log
    ],
)
async def test_a_service_cannot_publish_another_service_s_subjects(
    guarded: Guarded, user: str, subject: str
) -> None:
    assert await delivered(guarded.server, user, subject, subject) == []
    assert violations(guarded, user, "Publish", subject)
    # The control: the same publish as its rightful owner would be delivered.
    assert await delivered(guarded.server, "admin", subject, subject) == [b"forged"]


async def test_nobody_reads_another_service_s_replies(guarded: Guarded) -> None:
    client = await service_connect(guarded.server.url_for("ingest"), name="probe")
    await client.subscribe("_INBOX_graph.>")
    await client.flush()
    await asyncio.sleep(0.3)
    await client.close()
    assert violations(guarded, "ingest", "Subscription", "_INBOX_graph.>")


async def test_a_stranger_cannot_connect(guarded: Guarded) -> None:
    with pytest.raises((NatsError, OSError)):
        await nats.connect(
            f"nats://gateway:wrong@127.0.0.1:{guarded.server.port}",
            max_reconnect_attempts=1,
            allow_reconnect=False,
            connect_timeout=2,
        )
    with pytest.raises((NatsError, OSError)):
        await nats.connect(guarded.server.url, max_reconnect_attempts=1, allow_reconnect=False)
