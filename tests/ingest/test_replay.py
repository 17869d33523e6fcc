"""`ofca replay --service ingest`: re-derive the event log from the retained Agent frames.

A replay re-reads all of `AGENT_IN`; on the session's shared nats-server that is every earlier
test's frames (the 20k-chat dashboard run among them). These tests get a server of their own.
"""

import asyncio
import json
import os
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from nats.aio.client import Client

from contracts.streams import AGENT_IN, KV_INGEST_SNAPSHOTS
from ofca.agent_protocol import AgentClient
from ofca.replay import replay
from services.ingest.progress import KvProgressStore
from tests.conftest import ROOT, Gateway, private_nats, provisioned_client, run_gateway
from tests.ingest.stack import IngestProcess, snapshot_done, wait_events
from tools.ofsim import generate_inbox, iter_messages

pytestmark = pytest.mark.nats


@pytest.fixture(scope="module")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from private_nats(tmp_path_factory.mktemp("replay-nats"))


@pytest.fixture(scope="module")
async def nc(nats_url: str) -> AsyncIterator[Client]:
    async for client in provisioned_client(nats_url):
        yield client


@pytest.fixture(scope="module")
async def gateway(
    nc: Client, nats_url: str, secret: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Gateway]:
    async for gw in run_gateway(nats_url, secret, tmp_path_factory.mktemp("replay-gw")):
        yield gw


async def progress_state(nc: Client, user: str, snapshot_id: str) -> str | None:
    store = KvProgressStore(await nc.jetstream().key_value(KV_INGEST_SNAPSHOTS))
    progress = await store.load(user, snapshot_id)
    return progress.state if progress else None


async def wait_state(nc: Client, user: str, snapshot_id: str, state: str) -> None:
    deadline = time.monotonic() + 60
    while await progress_state(nc, user, snapshot_id) != state:
        assert time.monotonic() < deadline, "ingest did not re-process the snapshot"
        await asyncio.sleep(0.2)


async def send_snapshot(gateway: Gateway, user: str, snapshot_id: str) -> None:
    inbox = generate_inbox(int(user), n_chats=5, messages_per_chat=(3, 6), seed=2)
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    await agent.send_snapshot(inbox.chats, list(iter_messages(inbox)), snapshot_id)
    await agent.close()


async def test_replay_restarts_running_ingest_from_the_first_frame(
    gateway: Gateway, nc: Client, nats_url: str
) -> None:
    user = str(10**8 + uuid.uuid4().int % 10**8)
    ingest = await IngestProcess(nats_url).ready()
    try:
        await send_snapshot(gateway, user, "s-online")
        await wait_events(nc, user, snapshot_done("s-online"))
        lines = await replay(nc, "ingest")  # clears progress, tells the running instance
        assert any("restarted from the start" in line for line in lines)
        assert await progress_state(nc, user, "s-online") is None
        await wait_state(nc, user, "s-online", "complete")
    finally:
        ingest.stop()


async def test_replay_without_a_running_ingest_resets_its_consumers(
    gateway: Gateway, nc: Client, nats_url: str
) -> None:
    user = str(10**8 + uuid.uuid4().int % 10**8)
    ingest = await IngestProcess(nats_url).ready()
    await send_snapshot(gateway, user, "s-offline")
    await wait_events(nc, user, snapshot_done("s-offline"))
    ingest.stop()
    env = {**os.environ, "OFCA_NATS_URL": nats_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ofca", "replay", "--service", "ingest",
        env=env, cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    stdout, _ = await process.communicate()
    assert process.returncode == 0
    out = stdout.decode()
    assert "no ingest instance is running" in out
    names = [c.name for c in await nc.jetstream().consumers_info(AGENT_IN.name)]
    assert not [n for n in names if n.startswith("ingest-")]
    restarted = await IngestProcess(nats_url).ready()
    try:
        await wait_state(nc, user, "s-offline", "complete")
    finally:
        restarted.stop()


async def test_replay_asks_connected_agents_for_a_full_snapshot_and_forgets_their_records(
    gateway: Gateway, nc: Client
) -> None:
    """`AGENT_IN` keeps 7 days: only a full snapshot brings older history through the new
    parser, so the Agents' sync records go and connected Agents are asked for one."""
    user = str(10**8 + uuid.uuid4().int % 10**8)
    install = uuid.uuid4().hex
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    await agent.send_snapshot([], [], "s-synced", install)
    assert (await agent.hello(install, "s-synced"))["mode"] == "incremental"
    lines = await replay(nc, "ingest")
    assert any("full snapshot" in line for line in lines)
    async with asyncio.timeout(10):
        while True:
            frame = json.loads(await agent.ws.recv())
            if frame["type"] == "sync_request":
                break
    assert frame["payload"] == {"userId": user, "reason": "replay"}
    state = await agent.hello(install, "s-synced")
    assert (state["mode"], state["reason"]) == ("full", "unknown_snapshot")
    await agent.close()
