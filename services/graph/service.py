"""The graph service: fold owned partitions of `EVENTS`, push to Bridges, answer queries.

Each owned partition is read by an ordered push consumer starting just after the sequence its
snapshot reflects, so order is the log's and no ack bookkeeping is needed: the projection's
position is stored with its state. While catching up (messages still pending) nothing is
pushed; once live, a delta pushes `append_message` for the chats it changed, a completed
snapshot pushes `full_sync_response`, and analytics follow, debounced per creator.
"""

import asyncio
import contextlib
from datetime import UTC, datetime

import structlog
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.object_store import ObjectStore

from contracts import subjects
from contracts.events import CaptureProgressed, SnapshotAbandoned, SnapshotReplaced, decode_batch
from contracts.runtime.nats import ORDERED_HEARTBEAT_S
from contracts.streams import AGENT_IN, EVENTS, OBJ_EXPORTS, OBJ_GRAPH_SNAPSHOTS, owned_partitions
from services.graph import pushes
from services.graph.metrics import EVENTS_APPLIED, LAG
from services.graph.projection import Projection
from services.graph.queries import Queries
from services.graph.settings import GraphSettings
from services.graph.state import now_ms
from services.graph.views import NodeCache

log = structlog.get_logger()
LIVE_PENDING = 100  # fewer pending messages than this: the consumer is caught up
LIVE_SCORE_PUSH = 50  # an enrichment batch changing at most this many chats is pushed


class GraphService:
    def __init__(self, nc: Client, settings: GraphSettings) -> None:
        self.nc = nc
        self.js = nc.jetstream()
        self.settings = settings
        partitions = owned_partitions(settings.graph_instances, settings.graph_index)
        self.projection = Projection(partitions)
        self.cache = NodeCache()
        self.queries = Queries(self.projection, self.cache, settings)
        self.queries.max_reply_bytes = nc.max_payload - 64 * 1024
        self.dirty_analytics: set[str] = set()
        self.live: set[int] = set()
        self.store: ObjectStore | None = None

    async def on_event_batch(self, msg: Msg, partition: int) -> None:
        meta = msg.metadata
        user_id = subjects.user_of(msg.subject)
        kind = msg.subject.rsplit(".", 1)[-1]
        events = decode_batch(msg.data)
        changed = self.projection.partitions[partition].apply(user_id, events, meta.sequence.stream)
        EVENTS_APPLIED.inc(len(events))
        LAG.labels(partition=str(partition)).set(meta.num_pending)
        if meta.num_pending < LIVE_PENDING:
            self.live.add(partition)
        if partition not in self.live:
            return
        state = self.projection.state(user_id)
        if state is None:
            return
        if kind == "control" and any(isinstance(e, SnapshotReplaced) for e in events):
            await pushes.push_full_sync(self.nc, self.queries.full_sync(user_id))
        elif kind == "snapshot":
            # Analytics of a half-imported snapshot are wrong and, recomputed every few
            # seconds over a growing state, took 60% of the graph's time in a 1M-message
            # import. The full_sync_response at its end carries them; an abandoned one
            # marks them dirty below.
            return
        elif kind == "control" and any(isinstance(e, SnapshotAbandoned) for e in events):
            self.dirty_analytics.add(user_id)
        elif kind == "delta" and changed:
            await pushes.push_appends(self.nc, user_id, state, changed, self.cache)
            self.dirty_analytics.add(user_id)
        elif kind == "delta" and any(isinstance(e, CaptureProgressed) for e in events):
            self.dirty_analytics.add(user_id)  # coverage rides with the analytics
        elif kind == "enrichment" and changed and len(changed) <= LIVE_SCORE_PUSH:
            # Live re-scores (priority, tier, sentiment) reach the inbox at once; a bulk
            # re-scoring (a first run over a big snapshot) is left to analytics and the next
            # full sync rather than flooding Bridges with thousands of nodes.
            await pushes.push_appends(self.nc, user_id, state, changed, self.cache)
            self.dirty_analytics.add(user_id)
        elif changed:
            self.dirty_analytics.add(user_id)

    async def subscribe(self, partition: int) -> None:
        start = self.projection.partitions[partition].seq + 1

        async def handler(msg: Msg) -> None:
            try:
                await self.on_event_batch(msg, partition)
            except Exception:  # a poison batch must not stop the partition
                log.exception("event_batch_failed", subject=msg.subject)

        await self.js.subscribe(
            subjects.events_stored(partition=partition),
            stream=EVENTS.name,
            cb=handler,
            ordered_consumer=True,
            idle_heartbeat=ORDERED_HEARTBEAT_S,
            config=ConsumerConfig(
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=start
            ),
        )

    async def analytics_loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.settings.analytics_debounce_s)
            dirty, self.dirty_analytics = self.dirty_analytics, set()
            for user_id in dirty:
                state = self.projection.state(user_id)
                if state is not None:
                    await pushes.push_analytics(
                        self.nc, user_id, state, self.settings.analytics_window_days
                    )
                # Let waiting event batches in between creators: a hundred creators' analytics
                # in one go held every append behind them for ~100 ms (the deltas' p99).
                await asyncio.sleep(0)

    async def snapshot_loop(self, stop: asyncio.Event) -> None:
        assert self.store is not None
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.settings.snapshot_interval_s)
            saved = await self.projection.save(self.store)
            if saved:
                log.info("graph_snapshot_saved", partitions=saved)

    async def forget(self, user_id: str) -> None:
        """After a creator's deletion: no snapshot may still hold them."""
        if self.store is not None:
            await self.projection.save(self.store, force=True)

    async def retention_loop(self, stop: asyncio.Event) -> None:
        """Prune messages past each creator's retention, and purge the log behind them."""
        while not stop.is_set():
            for partition in self.projection.partitions.values():
                for user_id, state in list(partition.states.items()):
                    if state.retention_days is None:
                        continue
                    if state.prune(now_ms()):
                        self.dirty_analytics.add(user_id)
                    cutoff = now_ms() - state.retention_days * 86_400_000
                    await purge_before(self.js, user_id, cutoff)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.settings.retention_interval_s)

    async def run(self, stop: asyncio.Event) -> None:
        self.store = await self.js.object_store(OBJ_GRAPH_SNAPSHOTS)
        self.queries.exports = await self.js.object_store(OBJ_EXPORTS)
        self.queries.on_forget = self.forget
        await self.projection.load(self.js, self.store)
        rpc = await self.nc.subscribe("rpc.graph.>", cb=self.queries.handle)
        replaying = asyncio.Event()

        async def on_replay(msg: Msg) -> None:
            """`ofca replay --service graph`: it already cleared the snapshots; stop without
            saving (and drop any snapshot saved meanwhile) so the restarted process folds
            the whole log from the first event."""
            replaying.set()
            if msg.reply:
                await msg.respond((self.settings.instance or "graph").encode())
            stop.set()

        ctl = await self.nc.subscribe(subjects.control("graph", "replay"), cb=on_replay)
        for partition in self.projection.partitions:
            await self.subscribe(partition)
        log.info("graph_consuming", partitions=sorted(self.projection.partitions))
        loops = [
            asyncio.create_task(self.analytics_loop(stop)),
            asyncio.create_task(self.snapshot_loop(stop)),
            asyncio.create_task(self.retention_loop(stop)),
        ]
        try:
            await stop.wait()
        finally:
            await rpc.unsubscribe()
            await ctl.unsubscribe()
            await asyncio.gather(*loops, return_exceptions=True)
            if replaying.is_set():
                for partition in self.projection.partitions:
                    with contextlib.suppress(Exception):
                        await self.store.delete(f"p{partition}")
                log.info("graph_replay_requested_exiting")
            else:
                await self.projection.save(self.store)


async def purge_before(js: JetStreamContext, user_id: str, cutoff_ms: int) -> None:
    """Purge the creator's frames and events stored before `cutoff_ms`.

    Every message in a batch stored before the cutoff was created before it, so nothing still
    inside the retention period is lost. Retention settings live in KV too, and are re-sent.
    """
    start = datetime.fromtimestamp(cutoff_ms / 1000, tz=UTC)
    for stream, subject in (
        (AGENT_IN.name, subjects.agent_in_stored(user_id)),
        (EVENTS.name, subjects.events_stored(user_id, kind="snapshot")),
        (EVENTS.name, subjects.events_stored(user_id, kind="delta")),
    ):
        first = await first_seq_since(js, stream, subject, start)
        if first is None:
            continue
        await js.purge_stream(stream, subject=subject, seq=first)


async def first_seq_since(
    js: JetStreamContext, stream: str, subject: str, start: datetime
) -> int | None:
    """The sequence of the first message on `subject` stored at or after `start` (or, when
    none is, one past the stream's last); None when nothing was stored before `start`."""
    info = await js.stream_info(stream, subjects_filter=subject)
    if not (info.state.subjects or {}):
        return None
    sub = await js.pull_subscribe(
        subject,
        stream=stream,
        config=ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_TIME, opt_start_time=start),
    )
    try:
        msgs = await sub.fetch(1, timeout=1.0)
        return int(msgs[0].metadata.sequence.stream)
    except (NatsTimeoutError, TimeoutError):
        return int(info.state.last_seq) + 1
    finally:
        await sub.unsubscribe()


async def run_graph(nc: Client, stop: asyncio.Event, settings: GraphSettings) -> None:
    await GraphService(nc, settings).run(stop)
