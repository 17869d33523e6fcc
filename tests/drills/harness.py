"""The stack a fault drill runs on, the traffic it feeds, and the ground truth it checks.

Every drill starts its own single-node NATS (`EmbeddedNats` in a tmp dir, so stopping it leaves
other tests alone), provisions it, and runs ingest, graph, enrichment, command and a gateway
(`PrivateGateway`, 64 KiB frames) as separate processes under `Supervised`: restarted when they
exit, as Kubernetes would. Agents are `DrillAgent`s, i.e. `ReliableAgent`s (a frame stays in the
outbox until its `ingest_ack`; `unavailable` means send again; a dropped socket means reconnect)
that also execute the commands they are handed, once per `commandId`, and report them `sent`.

Ground truth comes from the generated inboxes only, never from the services: per creator and
chat, the message ids and each message's plain text (`tools.ofsim.html_to_text`, the generator's
own inverse of its HTML), and the chat count. `check_creator` compares it exactly with

- REST: every chat's `GET …/chats/{c}/messages` pages (id → text, no id twice, and a sentiment
  on every message with text, i.e. enrichment lost nothing) and `GET …/chats` `total`;
- the event log: `MessageAdded` events (each message id once, id → `text_plain`).

`digest` (sha256 over the sorted `chat:id:text` lines) summarises a state in failure messages.
`check_commands` checks the commands an analyst posted meanwhile: none reached an Agent twice.
"""

import asyncio
import contextlib
import hashlib
import json
import os
import time
import uuid
from collections import Counter as Tally
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Self

import httpx
import nats
import pytest
from nats.aio.client import Client
from websockets.exceptions import ConnectionClosed

from contracts.events import MessageAdded
from contracts.runtime.provision import provision
from ofca.agent_protocol import AgentClient, new_raw_message, snapshot_frames
from ofca.natsd import EmbeddedNats, NatsServerError, free_port
from tests.command.stack import CommandProcess, PrivateGateway, command, commands_within
from tests.conftest import Gateway
from tests.enrichment.conftest import EnrichmentProcess
from tests.graph.stack import GraphProcess
from tests.ingest.stack import IngestProcess
from tests.ops.test_scale_out import ReliableAgent, Supervised, read_log
from tools.ofsim import Inbox, fan_message, generate_inbox, html_to_text, iter_messages

FRAME_BYTES = 65536  # small parts: a ~2,000-message snapshot is ~100 of them
SERVICES = ("ingest", "graph", "enrichment", "command", "gateway")

Truth = dict[int, dict[int, str]]  # chat -> message id -> plain text


class SupervisedGateway:
    """A `PrivateGateway` behind the interface `Supervised` restarts: same port, same data dir,
    so Agents reconnect to the same URL."""

    def __init__(self, gateway: PrivateGateway) -> None:
        self.gateway = gateway

    @property
    def process(self) -> Any:
        return self.gateway.process

    async def ready(self) -> Self:
        await self.gateway.ready()
        return self

    def kill(self) -> None:
        self.gateway.process.kill()
        self.gateway.process.wait()

    def stop(self) -> None:
        self.gateway.stop()


@dataclass
class Stack:
    nats: EmbeddedNats
    nc: Client
    services: Supervised
    gateway: Gateway
    tmp: Path

    async def restart_nats(self, down_s: float, *, kill: bool = False) -> None:
        """Stop the node (SIGTERM, or SIGKILL with `kill`), wait, start it again on the same
        ports and store dir."""
        if kill and self.nats.process is not None:
            self.nats.process.kill()
            await asyncio.to_thread(self.nats.process.wait)
        await asyncio.to_thread(self.nats.stop)
        await asyncio.sleep(down_s)
        await asyncio.to_thread(self.nats.start, 30)

    async def replace(self, name: str, factory: Callable[[], Any]) -> None:
        """Run service `name` from `factory` from now on: kill it, let the supervisor start
        the new one, and wait until that is ready."""
        self.services.factories[name] = factory
        old = self.services.processes[name]
        self.services.kill(name)
        for _ in range(300):
            if self.services.processes[name] is not old:
                break
            await asyncio.sleep(0.1)
        await self.services.processes[name].ready()

    async def gateway_ready(self, within_s: float = 30) -> None:
        async with asyncio.timeout(within_s):
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    async with httpx.AsyncClient(timeout=1) as http:
                        if (await http.get(f"{self.gateway.http}/readyz")).status_code == 200:
                            return
                await asyncio.sleep(0.1)


STARTS = 3  # free ports are picked before a child binds them: another process may win one


async def start_nats(tmp: Path) -> EmbeddedNats:
    for attempt in range(STARTS):
        node = EmbeddedNats(store_dir=tmp / "nats", port=free_port(), monitor_port=free_port())
        try:
            await asyncio.to_thread(node.start)
        except NatsServerError:
            if attempt == STARTS - 1:
                raise
        else:
            return node
    raise AssertionError("unreachable")


@pytest.fixture
async def stack(
    secret: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Stack]:
    # Read by the gateway only; set here because PrivateGateway takes no extra settings.
    monkeypatch.setenv("OFCA_MAX_FRAME_BYTES", str(FRAME_BYTES))
    node = await start_nats(tmp_path)
    try:
        nc = await nats.connect(node.url, max_reconnect_attempts=-1, reconnect_time_wait=0.3)
        await provision(nc.jetstream())
    except BaseException:
        await asyncio.to_thread(node.stop)
        raise
    url = node.url
    services = Supervised()
    gateways: list[PrivateGateway] = []

    def gateway_factory() -> SupervisedGateway:
        if gateways:
            gateways[0].restart()  # the old process is dead: this starts it on the same port
        else:
            gateways.append(PrivateGateway(url, secret, tmp_path / "gw"))
        return SupervisedGateway(gateways[0])

    factories: dict[str, Callable[[], Any]] = {
        "ingest": partial(IngestProcess, url),
        "graph": partial(GraphProcess, url),
        "enrichment": partial(EnrichmentProcess, url),
        "command": partial(CommandProcess, url),
        "gateway": gateway_factory,
    }

    async def start(name: str) -> None:
        """`Supervised.start`, but a process that exits on start (a port taken meanwhile) is
        tried again on new ports, and one that does not get ready is not left running."""
        for attempt in range(STARTS):
            process = factories[name]()
            try:
                await process.ready()
            except (RuntimeError, TimeoutError):
                process.kill()
                if name == "gateway":
                    gateways.clear()
                if attempt == STARTS - 1:
                    raise
            else:
                services.factories[name] = factories[name]
                services.processes[name] = process
                return

    watcher: asyncio.Task[None] | None = None
    try:
        started = await asyncio.gather(*(start(n) for n in factories), return_exceptions=True)
        for outcome in started:
            if isinstance(outcome, BaseException):
                raise outcome
        gateway = await gateways[0].ready()
        watcher = asyncio.create_task(services.watch())
        yield Stack(node, nc, services, gateway, tmp_path)
    finally:
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        for process in services.processes.values():
            with contextlib.suppress(Exception):
                process.stop()
        for gw in gateways:
            gw.stop()
        await nc.close()
        await asyncio.to_thread(node.stop)


def new_user() -> str:
    return str(10**8 + uuid.uuid4().int % 10**8)


@dataclass
class Creator:
    """One creator's traffic, fixed before anything is sent: the snapshot's frames, then the
    deltas (new fan messages) in sending order; `inbox` ends as the ground truth."""

    user: str
    inbox: Inbox
    chats: int
    snapshot: list[bytes]
    deltas: list[tuple[int, int, bytes]]  # (chat, message id, frame), in sending order
    agent: "DrillAgent | None" = None
    acked: list[int] = field(default_factory=list)  # delta message ids, in ack order
    next_delta: int = 0  # deltas before this one were sent (some inside the snapshot)
    commands: list[str] = field(default_factory=list)  # commandIds posted for this creator

    def truth(self) -> Truth:
        out: Truth = {}
        for message in iter_messages(self.inbox):
            out.setdefault(int(message["chatId"]), {})[int(message["id"])] = html_to_text(
                message["text"]
            )
        return out


def make_creator(seed: int, *, chats: int = 25, deltas: int = 50) -> Creator:
    """A creator with ~2,000 messages over `chats` chats (about 100 snapshot parts of 64 KiB)
    and `deltas` new fan messages spread over the chats."""
    user = new_user()
    inbox = generate_inbox(
        int(user), n_chats=chats, messages_per_chat=(60, 100), seed=seed, end=datetime.now(UTC)
    )
    frames = list(
        snapshot_frames(inbox.chats, list(iter_messages(inbox)), FRAME_BYTES, uuid.uuid4().hex)
    )
    fans = [int(c["withUser"]["id"]) for c in inbox.chats]
    stream = []
    for n in range(deltas):
        fan = fans[(n * 7) % len(fans)]
        message = fan_message(inbox, fan, kind="text", seed=seed * 1000 + n)
        stream.append((fan, int(message["id"]), new_raw_message(fan, message)))
    return Creator(user, inbox, len(inbox.chats), frames, stream)


def make_creators(count: int = 4, **kwargs: int) -> list[Creator]:
    return [make_creator(seed + 1, **kwargs) for seed in range(count)]


@dataclass
class Counter:
    """Frames acked so far, across Agents; `reached(n)` waits for the n-th."""

    value: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def bump(self) -> None:
        self.value += 1
        self.changed.set()

    async def reached(self, n: int) -> None:
        while self.value < n:
            self.changed.clear()
            await self.changed.wait()


async def send_delta(creator: Creator, counter: Counter) -> None:
    assert creator.agent is not None
    _, message_id, frame = creator.deltas[creator.next_delta]
    creator.next_delta += 1
    await creator.agent.send(frame)
    creator.acked.append(message_id)
    counter.bump()


async def send_snapshot(creator: Creator, counter: Counter, interleave: int = 0) -> None:
    """Send the snapshot's parts in order; with `interleave`, that many deltas go out between
    parts (as an outbox does when messages arrive mid-snapshot: ingest holds them)."""
    assert creator.agent is not None
    every = max(1, len(creator.snapshot) // (interleave + 1))
    for part, frame in enumerate(creator.snapshot):
        await creator.agent.send(frame)
        counter.bump()
        if interleave and part % every == every - 1 and creator.next_delta < interleave:
            await send_delta(creator, counter)


async def send_deltas(creator: Creator, counter: Counter, gap_s: float = 0.02) -> None:
    while creator.next_delta < len(creator.deltas):
        await send_delta(creator, counter)
        await asyncio.sleep(gap_s)


class DrillAgent(ReliableAgent):
    """A `ReliableAgent` that also executes commands as the extension does: every
    `command_to_execute` it reads is counted, executed once per `commandId` (the extension's
    own record) and answered with a `command_result` `sent`, through the same outbox."""

    def __init__(self, gateway: Gateway, user: str) -> None:
        super().__init__(gateway, user)
        self.sockets: list[AgentClient] = []
        self.received: Tally[str] = Tally()  # commandId -> deliveries seen
        self.to_report: list[str] = []

    async def connected(self) -> AgentClient:
        client = await super().connected()
        if not self.sockets or self.sockets[-1] is not client:
            self.sockets.append(client)
        return client

    def _collect(self) -> None:
        for client in self.sockets:
            while client.commands:
                command_id = str(client.commands.pop(0)["commandId"])
                self.received[command_id] += 1
                if self.received[command_id] == 1:
                    self.to_report.append(command_id)

    async def send(self, frame: bytes) -> None:
        await super().send(frame)
        await self.report()

    async def report(self) -> None:
        self._collect()
        while self.to_report:
            command_id = self.to_report.pop(0)
            result = {
                "type": "command_result",
                "payload": {"commandId": command_id, "status": "sent", "detail": {}},
                "ref": f"r-{command_id}",
            }
            await super().send(json.dumps(result).encode())
            self._collect()

    async def listen(self, seconds: float) -> None:
        """Read the current socket for `seconds` (commands arrive between frames too)."""
        client = await self.connected()
        try:
            client.commands.extend(await commands_within(client, seconds))
        except (ConnectionClosed, OSError):
            self.client = None
        await self.report()


def connect_agents(stack: Stack, creators: list[Creator]) -> None:
    for creator in creators:
        creator.agent = DrillAgent(stack.gateway, creator.user)


async def post_command(gateway: Gateway, creator: Creator, chat: int, within_s: float = 30) -> None:
    """Post a command over REST, re-posting (same commandId) while the gateway is down."""
    body = command(creator.user, chat=chat, text=f"drill {uuid.uuid4().hex[:8]}")
    creator.commands.append(body["commandId"])
    token = gateway.token("analyst", creator.user)
    async with asyncio.timeout(within_s), httpx.AsyncClient(base_url=gateway.http) as http:
        while True:
            with contextlib.suppress(httpx.HTTPError):
                reply = await http.post(
                    f"/api/v1/users/{creator.user}/commands",
                    json=body,
                    params={"token": token},
                    timeout=10,
                )
                if reply.status_code == 202:
                    return
            await asyncio.sleep(0.3)


async def post_commands(
    gateway: Gateway, creators: list[Creator], done: asyncio.Event, every_s: float = 0.25
) -> None:
    """Until `done`, post a command every `every_s`, round-robin over creators and chats."""
    n = 0
    while not done.is_set():
        creator = creators[n % len(creators)]
        chats = creator.inbox.chats
        fan = chats[(n // len(creators)) % len(chats)]["withUser"]["id"]
        await post_command(gateway, creator, int(fan))
        n += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), every_s)


async def check_commands(
    stack: Stack, creators: list[Creator], may_lose: bool, within_s: float = 30
) -> tuple[int, int]:
    """Every posted command reached an Agent at most once, and each one an Agent got ends
    `sent`. One that no Agent got may only end `delivered` (a delivery the fault interrupted
    is never retried: at most once), and only when `may_lose`. Returns (sent, lost)."""
    states: dict[str, str] = {}
    settled_at = time.monotonic() + 5  # an undelivered command has had time to be retried
    deadline = time.monotonic() + within_s

    def lost(creator: Creator, command_id: str) -> bool:
        assert creator.agent is not None
        return states.get(command_id) == "delivered" and not creator.agent.received[command_id]

    async with httpx.AsyncClient(base_url=stack.gateway.http, timeout=10) as http:
        while True:
            await asyncio.gather(*(c.agent.listen(0.3) for c in creators if c.agent))
            for creator in creators:
                token = stack.gateway.token("analyst", creator.user)
                for command_id in creator.commands:
                    if states.get(command_id) == "sent":
                        continue
                    with contextlib.suppress(httpx.HTTPError):
                        reply = await http.get(
                            f"/api/v1/users/{creator.user}/commands/{command_id}",
                            params={"token": token},
                        )
                        if reply.status_code == 200:
                            states[command_id] = reply.json()["state"]
            open_ = [
                (c.user, i)
                for c in creators
                for i in c.commands
                if states.get(i) != "sent" and not lost(c, i)
            ]
            all_sent = all(states.get(i) == "sent" for c in creators for i in c.commands)
            if all_sent or (not open_ and time.monotonic() > settled_at):
                break
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"commands not settled: {[(i, states.get(i)) for _, i in open_]}"
                )
    sent = gone = 0
    for creator in creators:
        assert creator.agent is not None
        for command_id in creator.commands:
            got = creator.agent.received[command_id]
            assert got <= 1, f"command {command_id} reached an Agent {got} times"
            if states[command_id] == "sent":
                sent += 1
            else:
                assert may_lose, f"command {command_id} never reached an Agent"
                gone += 1
    return sent, gone


async def close_agents(creators: list[Creator]) -> None:
    for creator in creators:
        if creator.agent is not None:
            with contextlib.suppress(Exception):
                await creator.agent.close()


def digest(state: Truth) -> str:
    lines = sorted(f"{c}:{m}:{t}" for c, msgs in state.items() for m, t in msgs.items())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


@dataclass
class RestState:
    messages: Truth
    chats: int
    repeated: int  # ids seen more than once in a chat's pages
    unscored: int  # messages with text and no sentiment (enrichment did not reach them)


async def rest_state(gateway: Gateway, user: str, chats: list[int]) -> RestState:
    """What the Brain shows over REST; raises httpx.HTTPError or RuntimeError while it cannot
    answer."""
    token = gateway.token("analyst", user)
    state: Truth = {}
    repeated = unscored = 0
    async with httpx.AsyncClient(base_url=gateway.http, timeout=15) as http:
        page = await http.get(f"/api/v1/users/{user}/chats", params={"token": token, "limit": 1})
        if page.status_code != 200:
            raise RuntimeError(f"chats: HTTP {page.status_code}")
        total = int(page.json()["total"])
        for chat in chats:
            got: dict[int, str] = {}
            before: str | None = None
            while True:
                params: dict[str, Any] = {"token": token, "limit": 200}
                if before:
                    params["before"] = before
                reply = await http.get(f"/api/v1/users/{user}/chats/{chat}/messages", params=params)
                if reply.status_code == 404:
                    break  # the chat is not there (yet)
                if reply.status_code != 200:
                    raise RuntimeError(f"messages: HTTP {reply.status_code}")
                body = reply.json()
                for item in body["items"]:
                    repeated += int(item["id"]) in got
                    got[int(item["id"])] = item["text"]
                    unscored += bool(item["text"].strip()) and item["sentiment"] is None
                before = body["nextCursor"]
                if not before:
                    break
            state[chat] = got
    return RestState(state, total, repeated, unscored)


def _diff(truth: Truth, got: Truth) -> str:
    missing = sum(len(set(ids) - set(got.get(c, {}))) for c, ids in truth.items())
    extra = sum(len(set(ids) - set(truth.get(c, {}))) for c, ids in got.items())
    changed = sum(
        1 for c, ids in truth.items() for m, t in ids.items() if m in got.get(c, {}) and
        got[c][m] != t
    )  # fmt: skip
    return f"missing {missing}, extra {extra}, changed text {changed}"


async def check_creator(stack: Stack, creator: Creator, within_s: float = 60) -> None:
    """Wait until REST shows exactly the ground truth (and enrichment scored every message
    with text), then check the event log."""
    truth = creator.truth()
    chats = sorted(truth)
    problem = "no answer"
    deadline = time.monotonic() + within_s
    while True:
        try:
            got = await rest_state(stack.gateway, creator.user, chats)
        except (httpx.HTTPError, RuntimeError) as exc:
            problem = f"REST: {exc!r}"
        else:
            if (got.messages, got.chats, got.repeated, got.unscored) == (
                truth,
                creator.chats,
                0,
                0,
            ):
                break
            problem = (
                f"REST {digest(got.messages)} vs truth {digest(truth)}: "
                f"{_diff(truth, got.messages)}, chats {got.chats}/{creator.chats}, "
                f"repeated ids {got.repeated}, unscored {got.unscored}"
            )
        if time.monotonic() > deadline:
            raise AssertionError(f"creator {creator.user}: {problem}")
        if os.environ.get("OFCA_DRILL_DEBUG"):
            print(f"{time.monotonic():.1f} waiting: {problem}")
        await asyncio.sleep(0.5)

    log = await read_log(stack.nc, creator.user)
    added = [e for _, e in log if isinstance(e, MessageAdded)]
    ids = [e.message_id for e in added]
    twice = len(ids) - len(set(ids))
    assert twice == 0, f"creator {creator.user}: {twice} MessageAdded written twice"
    logged: Truth = {}
    for event in added:
        logged.setdefault(event.chat_id, {})[event.message_id] = event.text_plain
    assert logged == truth, f"event log vs truth: {_diff(truth, logged)}"


def delta_order_in_log(log_events: list[MessageAdded], creator: Creator) -> dict[int, list[int]]:
    """Per chat, the delta message ids in the order their MessageAdded reached the log."""
    delta_ids = {m for _, m, _ in creator.deltas}
    order: dict[int, list[int]] = {}
    for event in log_events:
        if event.message_id in delta_ids:
            order.setdefault(event.chat_id, []).append(event.message_id)
    return order


def delta_order_sent(creator: Creator) -> dict[int, list[int]]:
    order: dict[int, list[int]] = {}
    for chat, message_id, _ in creator.deltas:
        order.setdefault(chat, []).append(message_id)
    return order
