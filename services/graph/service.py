"""The graph service: fold owned partitions of `EVENTS`, push to Bridges, answer queries.

Each owned partition is read by an ordered push consumer starting just after the sequence its
snapshot reflects, so order is the log's and no ack bookkeeping is needed: the projection's
position is stored with its state. While catching up (messages still pending) nothing is
pushed; once live, a delta pushes `append_message` for the chats it changed, a completed
snapshot pushes `full_sync_response`, and analytics follow, debounced per creator.
"""

import asyncio
import contextlib

import structlog
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.object_store import ObjectStore

from contracts import subjects
from contracts.events import SnapshotReplaced, decode_batch
from contracts.streams import EVENTS, OBJ_GRAPH_SNAPSHOTS, owned_partitions
from services.graph import pushes
from services.graph.metrics import EVENTS_APPLIED, LAG
from services.graph.projection import Projection
from services.graph.queries import Queries
from services.graph.settings import GraphSettings
from services.graph.views import NodeCache

log = structlog.get_logger()
LIVE_PENDING = 100  # fewer pending messages than this: the consumer is caught up


class GraphService:
    def __init__(self, nc: Client, settings: GraphSettings) -> None:
        self.nc = nc
        self.js = nc.jetstream()
        self.settings = settings
        partitions = owned_partitions(settings.graph_instances, settings.graph_index)
        self.projection = Projection(partitions)
        self.cache = NodeCache()
        self.queries = Queries(self.projection, self.cache, settings)
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
        elif kind == "delta" and changed:
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

    async def snapshot_loop(self, stop: asyncio.Event) -> None:
        assert self.store is not None
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.settings.snapshot_interval_s)
            saved = await self.projection.save(self.store)
            if saved:
                log.info("graph_snapshot_saved", partitions=saved)

    async def run(self, stop: asyncio.Event) -> None:
        self.store = await self.js.object_store(OBJ_GRAPH_SNAPSHOTS)
        await self.projection.load(self.store)
        rpc = await self.nc.subscribe("rpc.graph.>", cb=self.queries.handle)
        for partition in self.projection.partitions:
            await self.subscribe(partition)
        log.info("graph_consuming", partitions=sorted(self.projection.partitions))
        loops = [
            asyncio.create_task(self.analytics_loop(stop)),
            asyncio.create_task(self.snapshot_loop(stop)),
        ]
        try:
            await stop.wait()
        finally:
            await rpc.unsubscribe()
            await asyncio.gather(*loops, return_exceptions=True)
            await self.projection.save(self.store)


async def run_graph(nc: Client, stop: asyncio.Event, settings: GraphSettings) -> None:
    await GraphService(nc, settings).run(stop)
