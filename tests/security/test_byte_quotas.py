"""Bytes are bounded: a delta is one message, a token has a byte rate, an answer too large for
one NATS message is paged instead of lost.

Found: twenty 3.9 MB `new_raw_message` frames were acknowledged in 5 s and stored ~300 MB
(AGENT_IN, EVENTS, graph snapshots), 100 MB of it kept in the graph's memory.
"""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from nats.aio.client import Client

from contracts import subjects
from contracts.streams import AGENT_IN
from ofca.agent_protocol import AgentClient, new_raw_message
from services.gateway.frame_sizes import too_large
from services.gateway.frames import Frame
from services.gateway.limits import Admission, TokenLimits
from services.gateway.settings import GatewaySettings
from tests.conftest import Gateway
from tests.graph.stack import GraphProcess, new_creator, wait_chats
from tests.ingest.stack import IngestProcess
from tests.security.stack import LoggedGateway

SETTINGS = GatewaySettings(secret="s" * 40, max_delta_bytes=256 * 1024)


def frame(kind: str) -> Frame:
    return Frame(kind, "r", b"")


def test_a_delta_is_bounded_by_its_kind_and_a_snapshot_part_is_not() -> None:
    refused = too_large(frame("new_raw_message"), 3_900_000, SETTINGS)
    assert refused is not None and refused.code.value == "frame_too_large"
    assert refused.ref == "r" and refused.details[0]["max"] == 256 * 1024
    assert too_large(frame("new_raw_message"), 200_000, SETTINGS) is None
    assert too_large(frame("chat_update"), 900_000, SETTINGS) is None  # up to 1,000 chats
    assert too_large(frame("chat_update"), 1_100_000, SETTINGS) is not None
    assert too_large(frame("cache_update"), 3_900_000, SETTINGS) is None  # parts: frame bound


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_token_sends_its_byte_burst_then_its_byte_rate() -> None:
    clock = Clock()
    limits = TokenLimits(
        sockets_per_token=0, frames_per_second=0, frame_burst=100, clock=clock,
        bytes_per_second=1000, byte_burst=5000,
    )  # fmt: skip
    assert [limits.admit("t", 2000) for _ in range(2)] == [Admission.ACCEPT] * 2
    assert limits.admit("t", 2000) is Admission.LIMITED
    assert limits.retry_after("t") == pytest.approx(1.0)  # 1,000 more bytes at 1,000/s
    clock.now += 1.0
    assert limits.admit("t", 2000) is Admission.ACCEPT
    assert limits.admit("other", 5000) is Admission.ACCEPT  # tokens do not share bytes


@pytest.mark.nats
async def test_a_megabytes_delta_is_refused_stored_nowhere_and_the_socket_stays(
    gateway: Gateway, nc: Client
) -> None:
    user = str(10**8 + uuid.uuid4().int % 10**8)
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    huge = {"id": 1, "fromUser": {"id": 401}, "text": "<p>" + "x" * 3_900_000 + "</p>"}
    reply = await agent.send_and_wait(new_raw_message(401, huge), within_s=30)
    assert reply["type"] == "system_error" and reply["payload"]["code"] == "frame_too_large"
    info = await nc.jetstream().stream_info(
        AGENT_IN.name, subjects_filter=subjects.agent_in_stored(user)
    )
    assert sum((info.state.subjects or {}).values()) == 0
    ok = await agent.send_and_wait(new_raw_message(401, {"id": 2, "fromUser": {"id": 401}}))
    assert ok["type"] == "ingest_ack"
    await agent.close()


@pytest.fixture(scope="module")
async def paging_stack(
    nats_url: str, nc: Client, secret: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Gateway]:
    tmp: Path = tmp_path_factory.mktemp("paging")
    ingest = await IngestProcess(nats_url).ready()
    graph = await GraphProcess(nats_url).ready()
    logged = LoggedGateway(nats_url, secret, tmp / "gw", tmp / "gw.log")
    yield await logged.ready()
    logged.stop()
    graph.stop()
    ingest.stop()


@pytest.mark.nats
@pytest.mark.slow
async def test_an_answer_larger_than_a_nats_message_is_paged_not_lost(
    paging_stack: Gateway,
) -> None:
    gateway = paging_stack
    creator = new_creator()
    user, fan = str(creator), 400_001
    agent = await AgentClient.connect(gateway.ws, gateway.token("agent", user))
    text = "\U0001f600" * 19_000  # 76 KB of UTF-8 per message, under every bound
    total = 120  # ~9 MB of text: more than one 8 MiB NATS message can carry
    for i in range(total):
        message = {
            "id": 10_000 + i,
            "fromUser": {"id": fan},
            "text": f"<p>{text}</p>",
            "createdAt": 1_790_000_000_000 + i * 1000,
        }
        body = json.dumps(
            {"type": "new_raw_message", "ref": f"m{i}",
             "payload": {"chatId": fan, "source": "fetch", "message": message}},
            ensure_ascii=False,
        ).encode()  # fmt: skip
        assert (await agent.send_and_wait(body))["type"] == "ingest_ack"
    await agent.close()
    await wait_chats(gateway, user, 1)
    token = gateway.token("analyst", user)
    seen: list[str] = []
    cursor = None
    pages = 0
    async with httpx.AsyncClient(base_url=gateway.http, timeout=60) as http:
        async with asyncio.timeout(120):
            while True:
                params: dict[str, object] = {"token": token, "limit": 200}
                if cursor:
                    params["before"] = cursor
                reply = await http.get(f"/api/v1/users/{user}/chats/{fan}/messages", params=params)
                assert reply.status_code == 200, reply.text
                page = reply.json()
                if not page["items"] and not seen:
                    await asyncio.sleep(0.5)  # the graph has not folded them yet
                    continue
                pages += 1
                seen += [m["id"] for m in page["items"]]
                cursor = page["nextCursor"]
                if cursor is None and len(seen) >= total:
                    break
                if cursor is None:  # still folding: start over
                    seen, pages = [], 0
                    await asyncio.sleep(0.5)
    assert pages >= 2  # one answer could not carry them all
    assert len(seen) == len(set(seen)) == total
