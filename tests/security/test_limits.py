"""Per-token limits: sockets per token and frames per second (token bucket), unit and live."""

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from nats.aio.client import Client
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from ofca.agent_protocol import new_raw_message
from services.gateway.limits import Admission, TokenBucket, TokenLimits
from tests.conftest import Gateway
from tests.security.stack import LoggedGateway, close_quietly, new_user, open_socket

RATE, BURST, SOCKETS = 2, 20, 2


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_the_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(rate=10, burst=5, clock=clock)
    assert [bucket.take() for _ in range(6)] == [True] * 5 + [False]
    assert bucket.retry_after() == pytest.approx(0.1)
    clock.now += 0.25  # 2.5 frames' worth
    assert [bucket.take() for _ in range(3)] == [True, True, False]
    clock.now += 60  # never more than the burst
    assert sum(bucket.take() for _ in range(10)) == 5


def test_limits_refuse_then_call_a_flood_and_remember_a_closed_token() -> None:
    clock = Clock()
    limits = TokenLimits(sockets_per_token=2, frames_per_second=10, frame_burst=3, clock=clock)
    assert limits.open_socket("t") and limits.open_socket("t") and not limits.open_socket("t")
    assert limits.open_socket("u"), "another token has its own count"
    verdicts = [limits.admit("t") for _ in range(7)]
    assert verdicts == [Admission.ACCEPT] * 3 + [Admission.LIMITED] * 3 + [Admission.FLOODING]
    assert limits.admit("u") is Admission.ACCEPT, "another token has its own bucket"
    clock.now += 0.15  # one frame's worth, and a half
    assert limits.admit("t") is Admission.ACCEPT


async def test_a_token_that_reconnects_keeps_its_spent_budget() -> None:
    clock = Clock()
    limits = TokenLimits(sockets_per_token=1, frames_per_second=1, frame_burst=2, clock=clock)
    assert limits.open_socket("t")
    assert [limits.admit("t") for _ in range(3)][-1] is Admission.LIMITED
    limits.close_socket("t")
    assert limits.tracked() == 1, "a spent bucket outlives the socket"
    assert limits.open_socket("t")
    assert limits.admit("t") is Admission.LIMITED, "reconnecting does not reset the budget"
    clock.now += 10
    limits.close_socket("t")
    assert limits.tracked() == 0, "a refilled bucket is forgotten with its last socket"


def test_zero_means_no_limit() -> None:
    limits = TokenLimits(sockets_per_token=0, frames_per_second=0, frame_burst=1)
    assert all(limits.open_socket("t") for _ in range(100))
    assert all(limits.admit("t") is Admission.ACCEPT for _ in range(10_000))


@pytest.fixture(scope="module")
async def limited(
    nats_url: str, nc: Client, secret: str, tmp_path_factory: Any
) -> AsyncIterator[Gateway]:
    tmp: Path = tmp_path_factory.mktemp("limits")
    env = {
        "OFCA_FRAMES_PER_SECOND": str(RATE),
        "OFCA_FRAME_BURST": str(BURST),
        "OFCA_SOCKETS_PER_TOKEN": str(SOCKETS),
    }
    server = LoggedGateway(nats_url, secret, tmp / "data", tmp / "gateway.log", **env)
    gw = await server.ready()
    yield gw
    server.stop()


async def refused(url: str) -> InvalidStatus:
    with pytest.raises(InvalidStatus) as info:
        await connect(url)
    return info.value


@pytest.mark.nats
async def test_a_token_gets_a_limited_number_of_sockets(limited: Gateway) -> None:
    user = new_user()
    for role, path in (("agent", "/ws/agent"), ("analyst", "/ws/bridge")):
        url = f"{limited.ws}{path}?token={limited.token(role, user)}"
        held = [await open_socket(limited, url.removeprefix(limited.ws)) for _ in range(SOCKETS)]
        extra = await refused(url)
        assert extra.response.status_code == 403
        assert b"sockets open" in extra.response.body
        # Another token of the same creator is counted on its own.
        other = await open_socket(limited, f"{path}?token={limited.token(role, user)}")
        # A refused handshake took no slot; a closed socket gives its slot back.
        await held[0].close()
        async with asyncio.timeout(10):
            while True:
                try:
                    again = await open_socket(limited, url.removeprefix(limited.ws))
                    break
                except InvalidStatus:  # the gateway has not seen the close yet
                    await asyncio.sleep(0.05)
        assert (await refused(url)).response.status_code == 403
        await close_quietly(again, other, *held[1:])


async def answers(ws: ClientConnection, count: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    async with asyncio.timeout(20):
        while len(out) < count:
            frame = json.loads(await ws.recv())
            if frame["type"] in {"ingest_ack", "system_error"}:
                out.append(frame)
    return out


def delta(n: int) -> bytes:
    return new_raw_message(400001, {"id": 5 * 10**12 + n, "fromUser": {"id": 400001}})


@pytest.mark.nats
async def test_frames_beyond_the_rate_get_rate_limited_with_their_ref(limited: Gateway) -> None:
    ws = await open_socket(limited, f"/ws/agent?token={limited.token('agent', new_user())}")
    frames = [delta(n) for n in range(BURST + 10)]
    for frame in frames:  # pipelined: far faster than 2 a second
        await ws.send(frame.decode())
    replies = await answers(ws, len(frames))
    acks = [r for r in replies if r["type"] == "ingest_ack"]
    limited_ = [r["payload"] for r in replies if r["type"] == "system_error"]
    assert BURST <= len(acks) < len(frames)
    assert limited_ and {e["code"] for e in limited_} == {"rate_limited"}
    refs = {json.loads(f)["ref"] for f in frames}
    assert {r["payload"]["ref"] for r in replies} == refs, "every frame answered, by its ref"
    retry = limited_[-1]["details"][0]["retryAfterS"]
    assert 0 < retry <= 1 / RATE
    # After the advertised pause the same frame goes through (a refill between the last two
    # refusals can make the first advice a little short: it is advice, so follow it again).
    again = limited_[-1]["ref"]
    frame = next(f for f in frames if json.loads(f)["ref"] == again)
    for _ in range(3):
        await asyncio.sleep(retry)
        await ws.send(frame.decode())
        reply = (await answers(ws, 1))[0]
        if reply["type"] == "ingest_ack":
            break
        assert reply["payload"]["code"] == "rate_limited" and reply["payload"]["ref"] == again
        retry = reply["payload"]["details"][0]["retryAfterS"]
    assert reply["type"] == "ingest_ack"
    await ws.close()


@pytest.mark.nats
async def test_the_rate_is_per_token_across_its_sockets(limited: Gateway) -> None:
    user = new_user()
    token = limited.token("agent", user)
    first, second = [await open_socket(limited, f"/ws/agent?token={token}") for _ in range(2)]
    bystander = await open_socket(limited, f"/ws/agent?token={limited.token('agent', user)}")
    share = BURST // 2 + 5  # each socket alone is under the burst, both together are not
    for n in range(share):
        await first.send(delta(n).decode())
        await second.send(delta(1000 + n).decode())
        await bystander.send(delta(2000 + n).decode())
    together = await answers(first, share) + await answers(second, share)
    codes = [
        r["payload"].get("code", "ack") if r["type"] == "system_error" else "ack" for r in together
    ]
    assert "rate_limited" in codes and codes.count("ack") >= BURST
    alone = await answers(bystander, share)
    assert all(r["type"] == "ingest_ack" for r in alone), "another token's budget is its own"
    await close_quietly(first, second, bystander)


@pytest.mark.nats
async def test_a_flooding_client_is_closed_with_1013_and_others_go_on(limited: Gateway) -> None:
    flooder = await open_socket(limited, f"/ws/agent?token={limited.token('agent', new_user())}")
    calm = await open_socket(limited, f"/ws/agent?token={limited.token('agent', new_user())}")
    codes: list[str] = []
    for _ in range(3 * BURST):
        await flooder.send("not json")
    with pytest.raises(ConnectionClosed) as closed:
        async with asyncio.timeout(10):
            while True:
                frame = json.loads(await flooder.recv())
                codes.append(frame["payload"]["code"])
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
    assert "rate limit" in closed.value.rcvd.reason
    # The burst was answered as usual, then the refusals, then the close.
    assert codes[:BURST] == ["invalid_json"] * BURST
    assert set(codes[BURST:]) <= {"rate_limited", "invalid_json"} and "rate_limited" in codes
    assert len(codes) <= 2 * BURST + 5  # plus what refilled meanwhile (2 a second)
    await calm.send(delta(1).decode())
    assert (await answers(calm, 1))[0]["type"] == "ingest_ack"
    await calm.close()
