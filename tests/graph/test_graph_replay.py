"""`ofca replay --service graph` with a graph running: it exits without saving, and the next
process rebuilds the same state from the whole event log."""

import asyncio

import pytest
from nats.aio.client import Client

from ofca.agent_protocol import AgentClient
from ofca.replay import replay
from tests.conftest import Gateway
from tests.graph.stack import GraphProcess, get, new_creator, wait_chats
from tests.ingest.stack import IngestProcess
from tools.ofsim import generate_inbox, iter_messages

pytestmark = pytest.mark.nats


async def test_replay_restarts_a_running_graph_from_the_first_event(
    gateway: Gateway, nats_url: str, nc: Client, services: tuple[IngestProcess, GraphProcess]
) -> None:
    _, graph = services
    user = str(new_creator())
    inbox = generate_inbox(int(user), n_chats=7, messages_per_chat=(3, 8), seed=61)
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    await agent.send_snapshot(inbox.chats, list(iter_messages(inbox)), "replay-1")
    await agent.close()
    await wait_chats(gateway, user, 7)
    before = (await get(gateway, user, "/chats", limit=100)).json()

    lines = await replay(nc, "graph")
    assert any("restarted from the start" in line for line in lines), lines
    assert await asyncio.to_thread(graph.process.wait, 30) == 0  # it left, without saving

    rebuilt = await GraphProcess(nats_url).ready()
    try:
        async with asyncio.timeout(180):  # the whole shared log is folded again
            while True:
                page = await get(gateway, user, "/chats", limit=100)
                if page.status_code == 200 and page.json()["total"] == 7:
                    break
                await asyncio.sleep(0.5)
        after = page.json()
        key = lambda c: (c["chatId"], c["counts"], c["revenue"])  # noqa: E731
        assert sorted(map(key, after["items"])) == sorted(map(key, before["items"]))
    finally:
        rebuilt.stop()
