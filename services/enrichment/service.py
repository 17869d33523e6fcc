"""The enrichment service: read the event log, write what a chatter needs back into it.

Each owned partition of `EVENTS` is folded from the start by an ordered consumer (history is
what reply drafts are retrieved from and what fan scores are computed over), but only events
after the partition's progress mark (`enrichment_progress` KV) are scored and drafted: a restart
re-reads history cheaply and emits nothing twice. Outputs go to `events.<user>.enrichment` as
ordinary event batches (`message_scored`, `chat_scored`, `reply_suggested`) that the graph
folds like any other fact; new drafts are also pushed to the creator's Bridges at once.
Event ids are content-derived, so an output re-emitted after a crash is a duplicate everyone
ignores.
"""

import asyncio
import contextlib
import hashlib
import time
from dataclasses import dataclass, field

import structlog
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from nats.js.kv import KeyValue

from contracts import subjects
from contracts.events import (
    ChatScored,
    ChatSeen,
    CreatorDeleted,
    Event,
    FanProfileSeen,
    MessageAdded,
    MessageEdited,
    MessageScored,
    PpvPurchased,
    ReplySuggested,
    TipReceived,
    decode_batch,
    encode_batch,
    encode_event,
    make_event_id,
)
from contracts.models.queries import CreatorSettings
from contracts.runtime.kv import watch_keys
from contracts.runtime.nats import ORDERED_HEARTBEAT_S, TRANSIENT_NATS_ERRORS
from contracts.streams import (
    EVENTS,
    KV_CREATOR_SETTINGS,
    KV_ENRICHMENT_PROGRESS,
    owned_partitions,
)
from services.enrichment.drafts.drafter import Drafter
from services.enrichment.drafts.llm import LlmDrafter
from services.enrichment.drafts.safety import SafetyPolicy
from services.enrichment.fans import ChatFacts, Line, score_chat
from services.enrichment.metrics import DRAFTS, EMITTED, EVENTS_FOLDED
from services.enrichment.nlp import MODEL, score_text, taxonomy
from services.enrichment.pushes import push_suggestions
from services.enrichment.settings import EnrichmentSettings

log = structlog.get_logger()
LIVE_PENDING = 100
SETTINGS_TTL_S = 60.0
PPV_KEPT = 10
# The topic a draft answers when a message has several: the one a chatter must act on first.
INTENT_ORDER = (
    taxonomy.COMPLAINT,
    taxonomy.LEAVING,
    taxonomy.CUSTOM_REQUEST,
    taxonomy.PURCHASE_INTENT,
    taxonomy.PRICING,
    taxonomy.CONTENT_REQUEST,
    taxonomy.TIP,
    taxonomy.SCHEDULING,
    taxonomy.COMPLIMENT,
    taxonomy.GREETING,
    taxonomy.SMALL_TALK,
)


@dataclass
class CreatorFacts:
    creator_id: int
    chats: dict[int, ChatFacts] = field(default_factory=dict)
    drafted: dict[int, int] = field(default_factory=dict)  # chat -> message id drafted for
    last_score: dict[int, str] = field(default_factory=dict)  # chat -> digest of ChatScored

    def chat(self, chat_id: int) -> ChatFacts:
        facts = self.chats.get(chat_id)
        if facts is None:
            facts = self.chats[chat_id] = ChatFacts(chat_id)
        return facts


@dataclass
class PartitionState:
    seq: int = 0  # last folded
    mark: int = 0  # outputs emitted for everything up to here
    live: bool = False
    out: dict[str, list[Event]] = field(default_factory=dict)  # user -> events to publish
    touched: set[tuple[str, int]] = field(default_factory=set)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


def now_ms() -> int:
    return int(time.time() * 1000)


class EnrichmentService:
    def __init__(self, nc: Client, settings: EnrichmentSettings) -> None:
        self.nc = nc
        self.js = nc.jetstream()
        self.settings = settings
        parts = owned_partitions(settings.enrichment_instances, settings.enrichment_index)
        self.partitions = {p: PartitionState() for p in parts}
        self.creators: dict[str, CreatorFacts] = {}
        llm = None
        if settings.llm_url:
            llm = LlmDrafter(
                settings.llm_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout
            )
        self.drafter = Drafter(index_capacity=settings.draft_index_capacity, llm=llm)
        self.progress: KeyValue | None = None
        self.settings_kv: KeyValue | None = None
        self._policies: dict[str, tuple[float, SafetyPolicy]] = {}
        self.replaying = False

    # --- folding -----------------------------------------------------------------------------
    def fold(self, user_id: str, event: Event, emit: bool, part: PartitionState) -> None:
        """Apply one event; when `emit`, queue the scores it calls for."""
        if isinstance(event, CreatorDeleted):
            self.creators.pop(user_id, None)
            return
        creator = self.creators.get(user_id)
        if creator is None:
            creator = self.creators[user_id] = CreatorFacts(event.creator_id)
        if isinstance(event, MessageAdded):
            self._message(user_id, creator, event, emit, part)
        elif isinstance(event, MessageEdited):
            facts = creator.chat(event.chat_id)
            line = facts.line(event.message_id)
            if line is not None and line.text != event.text_plain:
                line.text = event.text_plain
                if emit:
                    self._score(user_id, creator, facts, line, part, revision=event.changed_at)
        elif isinstance(event, TipReceived):
            creator.chat(event.chat_id).tips += event.amount
            self._touch(user_id, event.chat_id, emit, part)
        elif isinstance(event, PpvPurchased):
            facts = creator.chat(event.chat_id)
            if not facts.ppv_offered.get(event.message_id, False):
                facts.ppv_paid += event.price
                facts.ppv_offered[event.message_id] = True
            self._touch(user_id, event.chat_id, emit, part)
        elif isinstance(event, FanProfileSeen):
            if event.name:
                creator.chat(event.fan_id).fan_name = event.name
        elif isinstance(event, ChatSeen):
            creator.chat(event.chat_id)
        elif isinstance(event, MessageScored):
            line = creator.chat(event.chat_id).line(event.message_id)
            if line is not None:
                line.sentiment, line.topics = event.sentiment, event.topics
        elif isinstance(event, ReplySuggested):
            creator.drafted[event.chat_id] = max(
                event.reply_to, creator.drafted.get(event.chat_id, 0)
            )
        elif isinstance(event, ChatScored):
            creator.last_score[event.chat_id] = _score_digest(event)

    def _message(
        self,
        user_id: str,
        creator: CreatorFacts,
        event: MessageAdded,
        emit: bool,
        part: PartitionState,
    ) -> None:
        facts = creator.chat(event.chat_id)
        paid = event.is_tip or (event.direction == "out" and event.price > 0 and not event.is_free)
        line = Line(event.created_at, event.message_id, event.direction, event.text_plain, paid)
        facts.add(line)
        if event.direction == "out" and event.is_ppv:
            facts.ppv_offered.setdefault(event.message_id, False)
            while len(facts.ppv_offered) > PPV_KEPT:
                del facts.ppv_offered[min(facts.ppv_offered)]
        if emit and event.text_plain.strip():
            self._score(user_id, creator, facts, line, part)
        self._touch(user_id, event.chat_id, emit, part)

    def _score(
        self,
        user_id: str,
        creator: CreatorFacts,
        facts: ChatFacts,
        line: Line,
        part: PartitionState,
        *,
        revision: int = 0,
    ) -> None:
        scores = score_text(line.text)
        line.sentiment, line.topics = scores.sentiment, scores.topics
        key = f"{user_id}:{facts.chat_id}:{line.message_id}:message_scored:{MODEL}:{revision}"
        scored = MessageScored(
            facts.chat_id,
            line.message_id,
            scores.sentiment,
            scores.topics,
            MODEL,
            scores.entities,
            event_id=make_event_id(key),
            creator_id=creator.creator_id,
        )
        part.out.setdefault(user_id, []).append(scored)

    @staticmethod
    def _touch(user_id: str, chat_id: int, emit: bool, part: PartitionState) -> None:
        if emit:
            part.touched.add((user_id, chat_id))

    # --- emitting ----------------------------------------------------------------------------
    async def on_batch(self, msg: Msg, partition: int) -> None:
        part = self.partitions[partition]
        meta = msg.metadata
        user_id = subjects.user_of(msg.subject)
        async with part.lock:
            seq = meta.sequence.stream
            if seq <= part.seq:
                return
            emit = seq > part.mark
            events = decode_batch(msg.data)
            for event in events:
                self.fold(user_id, event, emit, part)
            EVENTS_FOLDED.inc(len(events))
            part.seq = seq
            if meta.num_pending < LIVE_PENDING:
                part.live = True
            backlog = sum(len(v) for v in part.out.values())
            if backlog >= self.settings.enrichment_flush_events or (
                part.live and meta.num_pending == 0
            ):
                await self._flush(partition, part)

    async def flush_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.settings.enrichment_flush_interval)
            for partition, part in self.partitions.items():
                if part.live and (part.out or part.touched or part.seq > part.mark):
                    async with part.lock:
                        try:
                            await self._flush(partition, part)
                        except TRANSIENT_NATS_ERRORS as exc:
                            log.warning("enrichment_flush_failed", error=type(exc).__name__)

    async def _flush(self, partition: int, part: PartitionState) -> None:
        """Publish queued outputs (and the chat-level ones they call for), then move the mark.

        Chat scores and drafts wait until the partition is live: computing them for every
        batch of a million-message backlog would be wasted work.
        """
        drafts: dict[str, list[ReplySuggested]] = {}
        if part.live and part.touched:
            touched, part.touched = part.touched, set()
            try:
                for user_id, chat_id in sorted(touched):
                    for event in await self._chat_outputs(user_id, chat_id):
                        part.out.setdefault(user_id, []).append(event)
                        if isinstance(event, ReplySuggested):
                            drafts.setdefault(user_id, []).append(event)
            except BaseException:
                part.touched |= touched  # a chat read again emits nothing it already queued
                raise
        out, part.out = part.out, {}
        size = self.settings.enrichment_flush_events
        try:
            for user_id, events in out.items():
                for start in range(0, len(events), size):
                    chunk = [encode_event(e) for e in events[start : start + size]]
                    ids = ",".join(e.event_id for e in events[start : start + size])
                    msg_id = hashlib.blake2b(ids.encode(), digest_size=16).hexdigest()
                    await self.js.publish(
                        subjects.events(user_id, "enrichment"),
                        encode_batch(chunk),
                        stream=EVENTS.name,
                        headers={subjects.HEADER_MSG_ID: msg_id},
                    )
                EMITTED.inc(len(events))
        except BaseException:
            # NATS failed mid-flush: queue the outputs again, ahead of newer ones, so the next
            # flush publishes them and the mark never passes them (what did land is a
            # duplicate, ignored by event id).
            for user_id, events in out.items():
                part.out[user_id] = events + part.out.get(user_id, [])
            raise
        for user_id, suggestions in drafts.items():
            await push_suggestions(self.nc, user_id, suggestions)
        if part.seq > part.mark and not part.touched and not self.replaying:
            part.mark = part.seq
            assert self.progress is not None
            await self.progress.put(f"p{partition}", str(part.mark).encode())

    async def _chat_outputs(self, user_id: str, chat_id: int) -> list[Event]:
        creator = self.creators.get(user_id)
        if creator is None:
            return []
        facts = creator.chats.get(chat_id)
        if facts is None:
            return []
        outputs: list[Event] = []
        now = now_ms()
        for fan_text, reply, at in facts.new_pairs():
            self.drafter.learn(creator.creator_id, fan_text, reply, at, fan_name=facts.fan_name)
        score = score_chat(facts, now)
        digest = _digest(score.rfm, score.segment, score.churn_risk, score.priority)
        if creator.last_score.get(chat_id) != digest:
            creator.last_score[chat_id] = digest
            outputs.append(
                ChatScored(
                    chat_id,
                    score.lifetime_spend,
                    score.rfm,
                    score.segment,
                    score.churn_risk,
                    score.churn_reasons,
                    score.priority,
                    score.priority_reasons,
                    now,
                    MODEL,
                    event_id=make_event_id(f"{user_id}:{chat_id}:chat_scored:{digest}"),
                    creator_id=creator.creator_id,
                )
            )
        draft = await self._draft(user_id, creator, facts, now)
        if draft is not None:
            outputs.append(draft)
        return outputs

    async def _draft(
        self, user_id: str, creator: CreatorFacts, facts: ChatFacts, now: int
    ) -> ReplySuggested | None:
        last = facts.last
        if last is None or last.direction != "in" or not last.text.strip():
            return None
        if now - last.at > self.settings.draft_max_age * 1000:
            return None
        if creator.drafted.get(facts.chat_id, 0) >= last.message_id:
            return None
        history = [(line.direction, line.text) for line in facts.timeline[-8:]]
        intent = min(last.topics, key=INTENT_ORDER.index, default=None)
        draft = await self.drafter.suggest(
            creator.creator_id,
            fan_message=last.text,
            intent=intent,
            fan_name=facts.fan_name,
            history=history,
            seed=f"{user_id}:{facts.chat_id}:{last.message_id}",
            policy=await self.policy(user_id),
        )
        creator.drafted[facts.chat_id] = last.message_id
        event_id = make_event_id(
            f"{user_id}:{facts.chat_id}:{last.message_id}:reply_suggested:{MODEL}"
        )
        DRAFTS.labels(source=draft.source, blocked=str(draft.verdict.blocked).lower()).inc()
        return ReplySuggested(
            facts.chat_id,
            event_id,
            last.message_id,
            draft.text,
            draft.intent,
            draft.source,
            round(draft.confidence, 4),
            draft.verdict.blocked,
            draft.verdict.reasons,
            now,
            MODEL,
            event_id=event_id,
            creator_id=creator.creator_id,
        )

    async def watch_settings(self, stop: asyncio.Event) -> None:
        """Forget a creator's cached policy as soon as their settings change."""
        assert self.settings_kv is not None
        policies = self._policies
        await watch_keys(
            self.settings_kv, lambda key: policies.pop(key, None), stop, name="settings_watch"
        )

    async def policy(self, user_id: str) -> SafetyPolicy:
        """The creator's safety policy (restricted words), cached; a settings change is
        seen at once through `watch_settings`, the TTL is a safety net."""
        cached = self._policies.get(user_id)
        if cached is not None and time.monotonic() - cached[0] < SETTINGS_TTL_S:
            return cached[1]
        settings = CreatorSettings()
        if self.settings_kv is not None:
            with contextlib.suppress(NotFoundError):
                entry = await self.settings_kv.get(user_id)
                settings = CreatorSettings.model_validate_json(entry.value or b"{}")
        policy = SafetyPolicy(restricted_words=tuple(settings.restricted_words))
        self._policies[user_id] = (time.monotonic(), policy)
        return policy

    # --- wiring ------------------------------------------------------------------------------
    async def subscribe(self, partition: int) -> None:
        async def handler(msg: Msg) -> None:
            try:
                await self.on_batch(msg, partition)
            except TRANSIENT_NATS_ERRORS:
                raise
            except Exception:  # a poison batch must not stop the partition
                log.exception("enrichment_batch_failed", subject=msg.subject)

        await self.js.subscribe(
            subjects.events_stored(partition=partition),
            stream=EVENTS.name,
            cb=handler,
            ordered_consumer=True,
            idle_heartbeat=ORDERED_HEARTBEAT_S,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL),
        )

    async def run(self, stop: asyncio.Event) -> None:
        self.progress = await self.js.key_value(KV_ENRICHMENT_PROGRESS)
        self.settings_kv = await self.js.key_value(KV_CREATOR_SETTINGS)
        for partition, part in self.partitions.items():
            with contextlib.suppress(NotFoundError):
                entry = await self.progress.get(f"p{partition}")
                part.mark = int(entry.value or b"0")
            await self.subscribe(partition)
        log.info("enrichment_consuming", partitions=sorted(self.partitions), model=MODEL)

        async def on_replay(msg: Msg) -> None:
            """`ofca replay --service enrichment` cleared the progress marks: exit, so the
            restarted process scores the whole log again (outputs keep their ids)."""
            self.replaying = True
            if msg.reply:
                await msg.respond((self.settings.instance or "enrichment").encode())
            stop.set()

        ctl = await self.nc.subscribe(subjects.control("enrichment", "replay"), cb=on_replay)
        watcher = asyncio.create_task(self.watch_settings(stop))
        try:
            await self.flush_loop(stop)
        finally:
            await ctl.unsubscribe()
            await asyncio.gather(watcher, return_exceptions=True)
            await self.drafter.aclose()
            if self.replaying:  # a mark written while the request travelled must go too
                for partition in self.partitions:
                    with contextlib.suppress(Exception):
                        await self.progress.delete(f"p{partition}")


def _digest(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


def _score_digest(event: ChatScored) -> str:
    return _digest(event.rfm, event.segment, event.churn_risk, event.priority)


async def run_enrichment(nc: Client, stop: asyncio.Event, settings: EnrichmentSettings) -> None:
    await EnrichmentService(nc, settings).run(stop)
