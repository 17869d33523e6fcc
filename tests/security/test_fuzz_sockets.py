"""Bad-input drill: >10,000 hypothesis-generated malformed frames at `/ws/agent` and `/ws/bridge`
of a real gateway (with ingest and graph behind it), plus floods, while an Agent and a Bridge of
another creator keep working.

Every frame must get what the protocol promises: a typed `system_error` (a code of `ErrorCode`,
the one the gateway's own parser gives), an `ingest_ack` for the few mutations that are still
valid, nothing for a valid keepalive, or a documented close code (1009 above the hard limit,
1007 for a text frame that is not UTF-8, 1013 for a flooding client). A frame the contract
(`IncomingWssMessage`) refuses is never acknowledged. The gateway process never dies, never logs
an error, and the other creator's frames are acknowledged and its deltas reach its Bridge during
and after the drill.
"""

import asyncio
import collections
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from nats.aio.client import Client
from pydantic import ValidationError
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from contracts.models.core import ErrorCode, WssError
from contracts.wire import INCOMING
from ofca.agent_protocol import AgentClient, new_raw_message
from services.gateway.frames import parse_frame
from tests.conftest import Gateway
from tests.graph.stack import GraphProcess
from tests.ingest.stack import IngestProcess
from tests.security.fuzz_frames import (
    HARD_FRAME,
    MAX_FRAME,
    Batch,
    Case,
    draw_batches,
    sweep_batches,
)
from tests.security.stack import LoggedGateway, close_quietly, new_user, open_socket
from tools.ofsim import fan_message, generate_inbox, iter_messages

pytestmark = [pytest.mark.nats, pytest.mark.slow]

BATCHES = 101  # drawn, x BATCH_SIZE frames, plus the sweep, the closers and the floods
BATCH_SIZE = 100
PARALLEL = 8  # sockets fuzzed at once
FLOOD_FRAMES = 8_000  # a flood is closed after ~2 x OFCA_FRAME_BURST of them
# Each fuzzed socket has its own token and sends at most BATCH_SIZE frames, far below the
# burst, so only the flooders are rate-limited; the queue holds every answer a flooder can get
# before it is closed, so a busy test process reading late is not closed as a slow consumer.
LIMITS = {
    "OFCA_FRAMES_PER_SECOND": "100",
    "OFCA_FRAME_BURST": "1000",
    "OFCA_SOCKET_QUEUE": "5000",
}
# The pinned protocol (ARCHITECTURE §2): which inbound types each side may send.
ALLOWED = {
    "agent": {"cache_update", "new_raw_message", "keepalive", "command_result"},
    "analyst": {"keepalive", "send_command"},
}
CODES = {c.value for c in ErrorCode}


@dataclass(frozen=True)
class Expect:
    """What the gateway must answer to one frame."""

    reply: bool  # False: a valid keepalive, never answered
    codes: frozenset[str] = frozenset()  # acceptable system_error codes
    ack: bool = False  # an ingest_ack is acceptable
    parser_limit: bool = False  # valid, though pydantic's parser could not read it


# JSON the contract's own parser (pydantic's) refuses by an implementation limit, not by shape:
# the `cache_update` fast path leaves records as raw JSON, so it stores them (ingest decodes
# with msgspec and rejects what it cannot read, record by record).
PARSER_LIMITS = ("number out of range", "recursion limit exceeded")


def contract_refusal(case: Case) -> str | None:
    """Why `IncomingWssMessage` itself (with the role table) refuses the frame, if it does."""
    if len(case.data) > MAX_FRAME:
        return "too large"
    try:
        model = INCOMING.validate_json(case.data)
    except ValidationError as exc:
        return "; ".join(e["msg"] for e in exc.errors(include_url=False))
    if model.type not in ALLOWED[case.role]:
        return f"{model.type} not allowed from {case.role}"
    return None


def expect(case: Case) -> Expect:
    result = parse_frame(case.data, case.role, MAX_FRAME)
    # How deep a decoder may nest depends on how deep the caller's stack already is (msgspec
    # and pydantic count Python's recursion depth): the gateway parses inside uvicorn's stack,
    # so it may call a deeply nested frame "nested too deeply" where this thread does not.
    deep = {"invalid_json"} if case.kind.startswith(("deep:", "deep_frame")) else set()
    if isinstance(result, WssError):
        return Expect(reply=True, codes=frozenset({result.code.value} | deep))
    refusal = contract_refusal(case)
    tolerated = (
        refusal is not None
        and result.type == "cache_update"
        and any(limit in refusal for limit in PARSER_LIMITS)
    )
    assert refusal is None or tolerated, (
        f"the gateway takes what the contract refuses ({refusal}): {case.describe()}"
    )
    if result.type == "keepalive":
        assert not deep, "a deeply nested keepalive might be answered (too deep) or not"
        return Expect(reply=False)
    # Stored and acknowledged; `unavailable` if JetStream is slow; a send_command for another
    # creator's id is refused by the gateway's command check (`invalid_payload`).
    refusals = {"unavailable"} | ({"invalid_payload"} if case.role == "analyst" else set()) | deep
    return Expect(reply=True, codes=frozenset(refusals), ack=True, parser_limit=tolerated)


def plan(batches: list[Batch]) -> list[tuple[Batch, list[Expect]]]:
    return [(b, [expect(c) for c in b.cases]) for b in batches]


@dataclass
class Tally:
    frames: int = 0
    bytes: int = 0
    replies: collections.Counter[str] = field(default_factory=collections.Counter)
    closes: collections.Counter[int] = field(default_factory=collections.Counter)
    failures: list[str] = field(default_factory=list)


async def send(ws: ClientConnection, case: Case, *, text: bool | None = None) -> None:
    if case.binary:
        await ws.send(case.data)
    elif text is not None:
        await ws.send(case.data, text=text)
    else:
        await ws.send(case.data.decode())


async def fuzz_socket(gw: Gateway, batch: Batch, expects: list[Expect], tally: Tally) -> None:
    """Pipeline one batch on a socket of its own, then check every answer, in order."""
    path = "/ws/agent" if batch.role == "agent" else "/ws/bridge"
    ws = await open_socket(gw, f"{path}?token={gw.token(batch.role, new_user())}")
    wanted = sum(e.reply for e in expects)
    replies: list[dict[str, Any]] = []

    async def read() -> None:
        while len(replies) < wanted:
            frame = json.loads(await ws.recv())
            if frame["type"] in {"ingest_ack", "system_error"}:
                replies.append(frame)

    reader = asyncio.create_task(read())
    try:
        for case in batch.cases:
            await send(ws, case)
            tally.frames += 1
            tally.bytes += len(case.data)
        await asyncio.wait_for(reader, 60)
    except (TimeoutError, ConnectionClosed) as exc:
        reader.cancel()
        tally.failures.append(f"{path}: {len(replies)}/{wanted} answers, then {exc!r}")
        await close_quietly(ws)
        return
    answered = [(c, e) for c, e in zip(batch.cases, expects, strict=True) if e.reply]
    for (case, exp), reply in zip(answered, replies, strict=True):
        kind = reply["type"]
        code = reply["payload"].get("code") if kind == "system_error" else None
        tally.replies[code or kind] += 1
        ok = (kind == "ingest_ack" and exp.ack) or (
            kind == "system_error" and code in exp.codes and code in CODES
        )
        if not ok:
            tally.failures.append(f"{case.describe()} -> {reply} (expected {exp})")
    if batch.closer is None:
        await ws.close()
        return
    # After every answer is in, the closer: the WebSocket layer closes with its code.
    closer = batch.closer
    await send(ws, closer, text=None if closer.closes == 1009 else True)
    tally.frames += 1
    tally.bytes += len(closer.data)
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 30)
    except ConnectionClosed as closed:
        code = closed.rcvd.code if closed.rcvd else None
    tally.closes[code or 0] += 1
    if code != closer.closes:
        tally.failures.append(f"{closer.describe()} -> close {code}, expected {closer.closes}")


async def flood(gw: Gateway, role: str, tally: Tally) -> None:
    """A client that never slows down: `rate_limited`, then closed with 1013."""
    path = "/ws/agent" if role == "agent" else "/ws/bridge"
    ws = await open_socket(gw, f"{path}?token={gw.token(role, new_user())}")
    codes: collections.Counter[str] = collections.Counter()

    async def read() -> tuple[int | None, str]:
        try:
            while True:
                frame = json.loads(await ws.recv())
                if frame["type"] == "system_error":
                    codes[frame["payload"]["code"]] += 1
        except ConnectionClosed as closed:
            return (closed.rcvd.code, closed.rcvd.reason) if closed.rcvd else (None, "")

    reader = asyncio.create_task(read())
    sent = 0
    try:
        for n in range(FLOOD_FRAMES):
            await ws.send("x")
            sent += 1
            if n % 50 == 0:
                await asyncio.sleep(0)  # let the reader (one event loop) keep up
    except ConnectionClosed:
        pass
    code, reason = await asyncio.wait_for(reader, 30)
    tally.frames += sent
    tally.bytes += sent
    tally.closes[code or 0] += 1
    tally.replies.update(codes)
    if code != 1013 or "rate limit" not in reason or codes["rate_limited"] == 0:
        tally.failures.append(f"flood ({role}): close {code} {reason!r} after {sent}, {codes}")
    if set(codes) - {"invalid_json", "rate_limited"}:
        tally.failures.append(f"flood ({role}): unexpected codes {codes}")


class GoodCreator:
    """An Agent and a Bridge of one creator doing ordinary work: every delta must be
    acknowledged and reach the Bridge as `append_message`."""

    def __init__(self, gw: Gateway) -> None:
        self.gw = gw
        self.creator = int(new_user())
        self.user = str(self.creator)
        self.inbox = generate_inbox(self.creator, n_chats=4, messages_per_chat=(2, 4), seed=11)
        self.fans = sorted(self.inbox.messages)
        self.totals: dict[str, int] = {}
        self.deltas = 0
        self.latencies: list[float] = []
        self.errors: list[dict[str, Any]] = []

    async def start(self) -> None:
        self.bridge = await open_socket(
            self.gw, f"/ws/bridge?token={self.gw.token('analyst', self.user)}"
        )
        self.agent = await AgentClient.connect(self.gw.ws, self.gw.token("agent", self.user))
        acks = await self.agent.send_snapshot(
            self.inbox.chats, list(iter_messages(self.inbox)), "good-1"
        )
        assert all(a["type"] == "ingest_ack" for a in acks), acks
        sync = await self._next("full_sync_response")
        self.totals = {n["chatId"]: n["counts"]["total"] for n in sync["payload"]["conversations"]}

    async def _next(self, kind: str, within_s: float = 20) -> dict[str, Any]:
        async with asyncio.timeout(within_s):
            while True:
                frame = json.loads(await self.bridge.recv())
                if frame["type"] == "system_error":
                    self.errors.append(frame)
                if frame["type"] == kind:
                    return dict(frame)

    async def delta(self) -> None:
        fan = self.fans[self.deltas % len(self.fans)]
        message = fan_message(self.inbox, fan, kind="text")
        start = time.perf_counter()
        ack = await self.agent.send_and_wait(new_raw_message(fan, message), within_s=15)
        assert ack["type"] == "ingest_ack", ack
        chat, want = str(fan), self.totals[str(fan)] + 1
        async with asyncio.timeout(20):
            while True:
                node = (await self._next("append_message"))["payload"]
                if node["chatId"] == chat and node["counts"]["total"] >= want:
                    break
        self.latencies.append(time.perf_counter() - start)
        self.totals[chat] = want
        self.deltas += 1

    async def keep_working(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.delta()

    async def close(self) -> None:
        await close_quietly(self.bridge, self.agent.ws)


@pytest.fixture(scope="module")
async def pipeline(nats_url: str, nc: Client) -> Any:
    ingest, graph = await asyncio.gather(
        IngestProcess(nats_url).ready(), GraphProcess(nats_url).ready()
    )
    yield
    graph.stop()
    ingest.stop()


async def test_fuzzed_frames_get_typed_answers_and_spare_other_creators(
    nats_url: str, secret: str, pipeline: None, tmp_path: Path
) -> None:
    started = time.perf_counter()
    seed = int(os.environ.get("OFCA_FUZZ_SEED", "0"))
    planned = asyncio.create_task(
        asyncio.to_thread(
            lambda: plan(sweep_batches(BATCH_SIZE) + draw_batches(BATCHES, BATCH_SIZE, seed))
        )
    )
    env = {
        "OFCA_MAX_FRAME_BYTES": str(MAX_FRAME),
        "OFCA_HARD_FRAME_BYTES": str(HARD_FRAME),
        "OFCA_LOG_LEVEL": "INFO",
        **LIMITS,
    }
    server = LoggedGateway(nats_url, secret, tmp_path / "gw", tmp_path / "gateway.log", **env)
    worker: asyncio.Task[None] | None = None
    try:
        gw = await server.ready()
        good = GoodCreator(gw)
        await good.start()
        work = await planned
        generated = time.perf_counter()

        tally = Tally()
        stop = asyncio.Event()
        worker = asyncio.create_task(good.keep_working(stop))
        gate = asyncio.Semaphore(PARALLEL)

        async def one(batch: Batch, expects: list[Expect]) -> None:
            async with gate:
                await fuzz_socket(gw, batch, expects, tally)

        await asyncio.gather(*(one(b, e) for b, e in work))
        fuzz_deltas = good.deltas
        await asyncio.gather(flood(gw, "agent", tally), flood(gw, "analyst", tally))
        stop.set()
        await asyncio.wait_for(worker, 30)
        during = good.deltas
        # And after the drill, the same creator goes on as before.
        for _ in range(3):
            await good.delta()
        finished = time.perf_counter()

        assert server.process.poll() is None, "the gateway died"
        assert not tally.failures, "\n".join(tally.failures[:20])
        fuzzed = sum(len(b.cases) + (b.closer is not None) for b, _ in work)
        assert fuzzed >= 10_000
        for code in ("invalid_json", "invalid_envelope", "unknown_type", "invalid_payload",
                     "not_allowed", "frame_too_large", "rate_limited"):  # fmt: skip
            assert tally.replies[code] > 0, f"no frame exercised {code}: {tally.replies}"
        assert tally.closes[1009] and tally.closes[1007] and tally.closes[1013] == 2
        assert fuzz_deltas > 0 and during > fuzz_deltas, "the good creator stalled during the drill"
        assert good.errors == []
        await good.close()
        # uvicorn reports each non-UTF-8 text frame (the 1007 closers) as an error of its own.
        errors = [
            line for line in server.output().splitlines()
            if ('"level": "error"' in line or '"level": "critical"' in line or "Traceback" in line)
            and "Invalid UTF-8 sequence received from client." not in line
        ]  # fmt: skip
        assert errors == [], errors[:5]
        print(
            f"\nfuzz: {fuzzed} fuzzed frames + {tally.frames - fuzzed} flood frames "
            f"({tally.bytes / 1e6:.1f} MB) in {finished - generated:.1f} s "
            f"(generation {generated - started:.1f} s incl. start-up); "
            f"answers {dict(tally.replies)}; closes {dict(tally.closes)}; "
            f"{sum(e.parser_limit for _, es in work for e in es)} valid beyond pydantic's parser; "
            f"good creator: {good.deltas} deltas, max {max(good.latencies) * 1000:.0f} ms"
        )
    finally:
        if worker is not None and not worker.done():
            worker.cancel()
        server.stop()
