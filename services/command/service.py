"""The command service: the only path from an approval to a message on a fan's screen.

It folds `COMMANDS` for the creators of its partitions (see `ledger`), decides each request
(rate limits, TTL, auto-send rules), delivers issued commands to one of the creator's Agent
sockets with a NATS request on `agent_user.<user>` and records every step as a lifecycle event.

At most once is built from two rules. A `delivering` step is stored *before* a delivery is
tried; a restart that finds it without an outcome counts the command as delivered and never
tries again. A command is delivered again only when the gateway proved it was not (no Agent
socket answered, or the socket could not take the frame).
"""

import asyncio
import contextlib
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import structlog
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import Error as NatsError
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from nats.js.kv import KeyValue
from pydantic import ValidationError

from contracts import subjects
from contracts.events import ReplySuggested, decode_batch
from contracts.models.commands import (
    CommandEvent,
    CommandRequest,
    CommandState,
    CommandStatusUpdate,
    SendMessageCommand,
)
from contracts.models.queries import CreatorSettings, QueryReply
from contracts.runtime.kv import watch_keys
from contracts.runtime.nats import ORDERED_HEARTBEAT_S, TRANSIENT_NATS_ERRORS
from contracts.runtime.probes import NOT_READY
from contracts.runtime.pull import BoundedPull
from contracts.streams import (
    COMMANDS,
    EVENTS,
    KV_AGENT_PRESENCE,
    KV_CREATOR_SETTINGS,
    PARTITIONS,
    owned_partitions,
)
from contracts.wire import CommandResultMessage, CommandStatusMessage, CommandToExecuteMessage
from services.command.ledger import Entry, Ledger
from services.command.metrics import COMMAND_STEPS, DELIVERIES, PENDING
from services.command.ratelimit import RateLimiter
from services.command.settings import CommandSettings
from services.command.verdict import answer_check

log = structlog.get_logger()
FETCH_BATCH = 256
FETCH_BYTES = 8 * 1024 * 1024
CATCHING_UP = "catching up with the COMMANDS stream"
SWEEP_S = 1.0


def _now() -> datetime:
    return datetime.now(UTC)


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


class CommandService:
    def __init__(self, nc: Client, settings: CommandSettings) -> None:
        self.nc = nc
        self.js = nc.jetstream()
        self.settings = settings
        self.partitions = owned_partitions(settings.command_instances, settings.command_index)
        self.ledger = Ledger()
        self.limiter = RateLimiter(settings.command_rate_creator, settings.command_rate_fan)
        self.ttl = timedelta(seconds=settings.command_ttl)
        self.locks: dict[str, asyncio.Lock] = {}
        self.live = False
        self.last_seq = 0
        self.settings_kv: KeyValue | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    def owns(self, user_id: str) -> bool:
        return subjects.partition_of(user_id, PARTITIONS) in self.partitions

    def lock(self, user_id: str) -> asyncio.Lock:
        return self.locks.setdefault(user_id, asyncio.Lock())

    # --- writing steps -----------------------------------------------------------------------
    async def write(self, entry: Entry, event: CommandEvent) -> None:
        """Store a step, apply it, tell the creator's Bridges. Raises if it was not stored."""
        await self._store(event)
        self.ledger.apply(event)
        COMMAND_STEPS.labels(step=event.step, state=event.state.value).inc()
        await self.push(entry, event)
        log.info(
            "command_step",
            user_id=event.user_id,
            command_id=event.command_id,
            state=event.state.value,
            step=event.step,
        )

    async def _store(self, event: CommandEvent) -> None:
        await self.js.publish(
            subjects.commands(event.user_id, "lifecycle"),
            event.model_dump_json(by_alias=True).encode(),
            stream=COMMANDS.name,
            headers={
                subjects.HEADER_MSG_ID: f"{event.user_id}:lc:{event.command_id}:{event.seq}",
                subjects.HEADER_USER: event.user_id,
            },
        )

    async def push(self, entry: Entry, event: CommandEvent) -> None:
        """Tell the creator's Bridges, wherever they are connected (best effort: live only)."""
        update = CommandStatusUpdate(
            command_id=event.command_id,
            chat_id=event.chat_id,
            state=event.state,
            at=event.at,
            detail=event.detail,
            origin=entry.record.command.origin,
            draft_id=entry.record.draft_id,
        )
        with contextlib.suppress(NatsError):
            await self.nc.publish(
                subjects.bridge(event.user_id),
                CommandStatusMessage(payload=update).model_dump_json(by_alias=True).encode(),
                headers={subjects.HEADER_FRAME_TYPE: "command_status"},
            )

    async def finish(self, entry: Entry, state: CommandState, actor: str, detail: str) -> None:
        await self.write(entry, entry.step(state, _now(), actor, detail))

    # --- folding the stream ------------------------------------------------------------------
    async def on_record(self, msg: Msg) -> None:
        user_id = subjects.user_of(msg.subject)
        kind = msg.subject.rsplit(".", 1)[-1]
        self.last_seq = msg.metadata.sequence.stream
        try:
            if kind == "request":
                request = CommandRequest.model_validate_json(msg.data)
                entry = self.ledger.request(user_id, request)
                if entry is not None and self.live:
                    await self.push(entry, entry.record.history[0])
                    await self.settle(entry)
            elif kind == "lifecycle":
                event = CommandEvent.model_validate_json(msg.data)
                applied = self.ledger.apply(event)
                if applied is not None and event.state == CommandState.ISSUED:
                    self.limiter.record(user_id, event.chat_id, _ms(event.at))
            elif kind == "result":
                result = CommandResultMessage.model_validate_json(msg.data).payload
                entry = self.ledger.result(user_id, result)
                if entry is not None and self.live:
                    await self.settle(entry)
        except (ValidationError, ValueError) as exc:
            log.warning("command_record_invalid", kind=kind, error=type(exc).__name__)

    async def settle(self, entry: Entry) -> None:
        """Take the next decision for an unfinished command, if one is due."""
        async with self.lock(entry.user_id):
            await self._settle(entry)

    async def _settle(self, entry: Entry) -> None:
        if entry.final:
            return
        record, now = entry.record, _now()
        if entry.result is not None:
            result = entry.result
            state = CommandState(result.status)
            detail = "" if result.detail is None else json.dumps(result.detail)[:500]
            await self.finish(entry, state, "agent", detail)
            return
        if entry.in_flight:  # a restart interrupted a delivery: never try it again
            await self.write(
                entry,
                entry.step(
                    CommandState.DELIVERED,
                    now,
                    "command",
                    "unconfirmed: the delivery was interrupted; not retried (at most once)",
                ),
            )
            return
        if record.state == CommandState.REQUESTED:
            await self._decide(entry, now)
        elif record.state == CommandState.ISSUED:
            if record.expires_at is not None and now >= record.expires_at:
                await self.finish(
                    entry, CommandState.EXPIRED, "command", "no Agent took it before the TTL"
                )
            elif time.monotonic() >= entry.next_attempt:
                await self._deliver(entry)
        elif record.state == CommandState.DELIVERED:
            grace = timedelta(seconds=self.settings.command_result_grace)
            if record.expires_at is not None and now >= record.expires_at + grace:
                await self.finish(
                    entry,
                    CommandState.EXPIRED,
                    "command",
                    "delivered, but the Agent reported no result",
                )

    async def _decide(self, entry: Entry, now: datetime) -> None:
        record, command = entry.record, entry.record.command
        if now >= record.requested_at + self.ttl:
            await self.finish(entry, CommandState.EXPIRED, "command", "requested too long ago")
            return
        if command.origin == "auto":
            refusal = await self.auto_send_refusal(entry.user_id)
            if refusal:
                await self.finish(entry, CommandState.REJECTED, "command", refusal)
                return
        refusal = self.limiter.refusal(entry.user_id, entry.chat_id, _ms(now))
        if refusal:
            await self.finish(entry, CommandState.REJECTED, "command", refusal)
            return
        self.limiter.record(entry.user_id, entry.chat_id, _ms(now))
        expires = record.requested_at + self.ttl
        await self.write(
            entry, entry.step(CommandState.ISSUED, now, "command", "", expires_at=expires)
        )
        await self._deliver(entry)

    async def auto_send_refusal(self, user_id: str) -> str | None:
        if not self.settings.auto_send_allowed:
            return "auto-send is switched off for this deployment (kill switch)"
        settings = await self.creator_settings(user_id)
        if not settings.auto_send:
            return "auto-send is off for this creator: a human must approve"
        return None

    async def creator_settings(self, user_id: str) -> CreatorSettings:
        assert self.settings_kv is not None
        try:
            entry = await self.settings_kv.get(user_id)
        except NotFoundError:
            return CreatorSettings()
        return CreatorSettings.model_validate_json(entry.value or b"{}")

    async def _deliver(self, entry: Entry) -> None:
        """One delivery attempt; a step is stored before the frame leaves."""
        command = entry.record.command
        if command.origin == "auto":
            refusal = await self.auto_send_refusal(entry.user_id)
            if refusal:
                await self.finish(entry, CommandState.REJECTED, "command", refusal)
                return
        await self.write(
            entry, entry.step(CommandState.ISSUED, _now(), "command", step="delivering")
        )
        frame = CommandToExecuteMessage(payload=command).model_dump_json(by_alias=True)
        try:
            reply = await self.nc.request(
                subjects.agent_user(entry.user_id),
                frame.encode(),
                timeout=self.settings.command_delivery_timeout,
                headers={subjects.HEADER_FRAME_TYPE: "command_to_execute"},
            )
        except NoRespondersError:
            DELIVERIES.labels(outcome="no_agent").inc()
            entry.next_attempt = time.monotonic() + self.settings.command_retry
            await self.write(
                entry,
                entry.step(
                    CommandState.ISSUED, _now(), "command", "no Agent online", step="returned"
                ),
            )
            return
        except (NatsTimeoutError, NatsError):
            DELIVERIES.labels(outcome="unconfirmed").inc()
            await self.write(
                entry,
                entry.step(
                    CommandState.DELIVERED,
                    _now(),
                    "gateway",
                    "unconfirmed: no gateway answered in time; not retried (at most once)",
                ),
            )
            return
        receipt: dict[str, Any] = msgspec.json.decode(reply.data) if reply.data else {}
        if receipt.get("delivered") is True:
            DELIVERIES.labels(outcome="delivered").inc()
            detail = f"to Agent socket {receipt.get('connectionId', '?')}"
            await self.write(entry, entry.step(CommandState.DELIVERED, _now(), "gateway", detail))
        else:
            DELIVERIES.labels(outcome="socket_closed").inc()
            entry.next_attempt = time.monotonic() + 0.5
            await self.write(
                entry,
                entry.step(
                    CommandState.ISSUED,
                    _now(),
                    "gateway",
                    "the Agent socket closed before taking it",
                    step="returned",
                ),
            )

    # --- loops -------------------------------------------------------------------------------
    async def consume(self, stop: asyncio.Event, caught_up: asyncio.Event) -> None:
        """Fold the owned partitions of COMMANDS in order, forever; recreate the consumer
        after a NATS outage from the last sequence seen."""
        while not stop.is_set():
            try:
                info = await self.js.add_consumer(
                    COMMANDS.name,
                    ConsumerConfig(
                        name=f"command-{uuid.uuid4().hex[:12]}",
                        filter_subjects=[
                            subjects.commands_stored(partition=p) for p in self.partitions
                        ],
                        ack_policy=AckPolicy.NONE,
                        deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
                        opt_start_seq=self.last_seq + 1,
                        inactive_threshold=60.0,
                    ),
                )
                # Returns as soon as a record is there (a count-only long poll would hold a
                # lone request until the batch filled or the poll expired).
                pull = await BoundedPull(
                    self.nc, COMMANDS.name, info.name, max_bytes=FETCH_BYTES
                ).start()
            except TRANSIENT_NATS_ERRORS:
                await asyncio.sleep(1)
                continue
            try:
                while not stop.is_set():
                    msgs = await pull.fetch(FETCH_BATCH, wait_s=0.5)
                    if not msgs:
                        caught_up.set()
                        continue
                    for msg in msgs:
                        await self.on_record(msg)
                    if msgs[-1].metadata.num_pending == 0:
                        caught_up.set()
            except TRANSIENT_NATS_ERRORS as exc:
                log.warning("command_consumer_restart", error=type(exc).__name__)
                await asyncio.sleep(1)
            finally:
                with contextlib.suppress(Exception):
                    await pull.unsubscribe()
                with contextlib.suppress(Exception):
                    await self.js.delete_consumer(COMMANDS.name, info.name)

    async def sweep(self, stop: asyncio.Event) -> None:
        """Retry deliveries, expire what waited too long, finish interrupted steps."""
        while not stop.is_set():
            unfinished = self.ledger.unfinished()
            PENDING.set(len(unfinished))
            for entry in unfinished:
                try:
                    await self.settle(entry)
                except TRANSIENT_NATS_ERRORS as exc:
                    log.warning("command_settle_failed", error=type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), SWEEP_S)

    async def on_agent_presence(self, user_id: str) -> None:
        """An Agent connected: try its waiting commands now instead of at the next retry."""
        if not self.owns(user_id):
            return
        for entry in self.ledger.unfinished(user_id):
            entry.next_attempt = 0.0
            with contextlib.suppress(*TRANSIENT_NATS_ERRORS):
                await self.settle(entry)

    async def watch_presence(self, stop: asyncio.Event) -> None:
        """Follow `agent_presence` (the gateway touches it on connect and every keepalive)."""
        kv = await self.js.key_value(KV_AGENT_PRESENCE)
        await watch_keys(
            kv,
            lambda key: self._spawn(self.on_agent_presence(key)),
            stop,
            ignore_deletes=True,
            name="presence_watch",
        )

    async def auto_send(self, stop: asyncio.Event) -> None:
        """Turn fresh, unblocked drafts into `auto` requests; the decision re-checks the rules.

        Only drafts that arrive while running are considered (deliver policy `new`): a draft
        from before a restart is stale, and a stale message to a fan is worse than none.
        """
        filters = [subjects.events_stored(partition=p, kind="enrichment") for p in self.partitions]
        sub = await self.js.subscribe(
            filters[0],
            stream=EVENTS.name,
            cb=self._on_enrichment,
            ordered_consumer=True,
            idle_heartbeat=ORDERED_HEARTBEAT_S,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW, filter_subjects=filters),
        )
        try:
            await stop.wait()
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def _on_enrichment(self, msg: Msg) -> None:
        if not self.settings.auto_send_allowed:
            return
        user_id = subjects.user_of(msg.subject)
        try:
            drafts = [e for e in decode_batch(msg.data) if isinstance(e, ReplySuggested)]
        except (msgspec.DecodeError, msgspec.ValidationError):
            return
        if not drafts or not (await self.creator_settings(user_id)).auto_send:
            return
        for draft in drafts:
            age_ms = _ms(_now()) - draft.at
            if draft.blocked or age_ms > self.ttl.total_seconds() * 1000:
                continue
            command = SendMessageCommand(
                command_id=f"auto-{draft.draft_id}",
                user_id=user_id,
                chat_id=str(draft.chat_id),
                text=draft.text,
                origin="auto",
                created_at=_now(),
            )
            request = CommandRequest(
                command=command,
                requested_by="auto",
                via="auto",
                at=_now(),
                draft_id=draft.draft_id,
            )
            with contextlib.suppress(*TRANSIENT_NATS_ERRORS):
                await self.js.publish(
                    subjects.commands(user_id, "request"),
                    request.model_dump_json(by_alias=True).encode(),
                    stream=COMMANDS.name,
                    headers={subjects.HEADER_MSG_ID: f"{user_id}:rq:{command.command_id}"},
                )

    # --- queries -----------------------------------------------------------------------------
    async def on_rpc(self, msg: Msg) -> None:
        parts = msg.subject.split(".")
        if len(parts) != 4 or not self.owns(parts[3]):
            return
        op, user_id = parts[2], parts[3]
        params: dict[str, Any] = msgspec.json.decode(msg.data) if msg.data else {}
        if op == "list":
            page = self.ledger.page(
                user_id,
                state=params.get("state"),
                chat_id=params.get("chat_id"),
                limit=int(params.get("limit", 100)),
                cursor=params.get("cursor"),
            )
            reply = QueryReply(ok=True, data=page.model_dump(mode="json", by_alias=True))
        elif op == "get":
            entry = self.ledger.get(user_id, str(params.get("command_id", "")))
            if entry is None:
                reply = QueryReply(ok=False, status=404, error="no such command")
            else:
                reply = QueryReply(ok=True, data=entry.record.model_dump(mode="json"))
        elif op == "audit_csv":
            reply = QueryReply(ok=True, data=self.ledger.audit_csv(user_id))
        elif op == "check":  # may wait for the creator's lock: not on the rpc callback
            self._spawn(answer_check(self, msg, user_id))
            return
        else:
            reply = QueryReply(ok=False, status=404, error=f"unknown query {op}")
        await msg.respond(reply.model_dump_json(by_alias=True).encode())

    async def on_forget(self, msg: Msg) -> None:
        user_id = msg.data.decode()
        self.ledger.forget(user_id)
        self.limiter.forget(user_id)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def run(self, stop: asyncio.Event) -> None:
        self.settings_kv = await self.js.key_value(KV_CREATOR_SETTINGS)
        rpc = await self.nc.subscribe("rpc.command.>", cb=self.on_rpc)
        forget = await self.nc.subscribe(subjects.control("command", "forget"), cb=self.on_forget)
        caught_up = asyncio.Event()
        NOT_READY.add(CATCHING_UP)
        consumer = asyncio.create_task(self.consume(stop, caught_up))
        waiting = [asyncio.create_task(caught_up.wait()), asyncio.create_task(stop.wait())]
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiting:
            waiter.cancel()
        if not caught_up.is_set():  # stopped (SIGTERM) before catching up: leave at once
            await asyncio.gather(consumer, return_exceptions=True)
            await rpc.unsubscribe()
            await forget.unsubscribe()
            return
        self.live = True
        NOT_READY.discard(CATCHING_UP)
        log.info("command_live", partitions=self.partitions, commands=len(self.ledger.entries))
        loops = [
            consumer,
            asyncio.create_task(self.sweep(stop)),
            asyncio.create_task(self.watch_presence(stop)),
            asyncio.create_task(self.auto_send(stop)),
        ]
        try:
            done, _ = await asyncio.wait(
                [*loops, asyncio.create_task(stop.wait())], return_when=asyncio.FIRST_COMPLETED
            )
            for task in done:
                task.result()
        finally:
            stop.set()
            await asyncio.gather(*loops, *self.tasks, return_exceptions=True)
            await rpc.unsubscribe()
            await forget.unsubscribe()


async def run_command(nc: Client, stop: asyncio.Event, settings: CommandSettings) -> None:
    await CommandService(nc, settings).run(stop)
