"""Partition consumers: each owned partition of `AGENT_IN`, in stream order, into lanes.

A partition is consumed by exactly one instance through a durable pull consumer. On start the
consumer is re-created from just after its ack floor: JetStream would otherwise hand out new
messages before redelivering the ones a crashed process left unacked, breaking per-creator
order. Whatever was applied after the floor is applied again, which the dedup ids make a no-op.
"""

import asyncio
import contextlib

import structlog
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import ConnectionClosedError
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from contracts import subjects
from contracts.runtime.pull import BoundedPull
from contracts.streams import AGENT_IN, KV_INGEST_SNAPSHOTS, owned_partitions
from services.ingest.lane import CreatorLane
from services.ingest.metrics import LANES
from services.ingest.progress import KvProgressStore, ProgressStore
from services.ingest.settings import IngestSettings
from services.ingest.sink import EventSink, JetStreamSink

log = structlog.get_logger()
ACK_WAIT_S = 60.0
FETCH_RETRY_S = 0.5


def consumer_name(partition: int) -> str:
    return f"ingest-p{partition}"


async def reset_consumer(nc: Client, partition: int, *, from_start: bool = False) -> BoundedPull:
    """(Re)create the partition's durable consumer just after its ack floor (or at the start of
    the stream, for a replay) and bind to it."""
    js = nc.jetstream()
    name = consumer_name(partition)
    floor = 0
    try:
        info = await js.consumer_info(AGENT_IN.name, name)
        floor = info.ack_floor.stream_seq if info.ack_floor and not from_start else 0
        await js.delete_consumer(AGENT_IN.name, name)
    except NotFoundError:
        pass
    config = ConsumerConfig(
        durable_name=name,
        filter_subject=subjects.agent_in_stored(partition=partition),
        ack_policy=AckPolicy.EXPLICIT,
        ack_wait=ACK_WAIT_S,
        max_ack_pending=20_000,
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE if floor else DeliverPolicy.ALL,
        opt_start_seq=floor + 1 if floor else None,
    )
    await js.add_consumer(AGENT_IN.name, config)
    # Snapshot parts are megabytes each: a pull bounded by count alone could put more on the
    # wire than the server buffers for a client, which then cuts us off as a slow consumer.
    return await BoundedPull(nc, AGENT_IN.name, name, max_bytes=FETCH_BYTES).start()


FETCH_BYTES = 16 * 1024 * 1024


class InflightBytes:
    """Caps the bytes of frames fetched but not yet handled, across all lanes.

    Snapshot parts are megabytes each; without a cap, full lane queues could hold gigabytes.
    A frame larger than the cap on its own is let through when nothing else is in flight.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._changed = asyncio.Condition()

    async def acquire(self, size: int) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self.used == 0 or self.used + size <= self.limit)
            self.used += size

    async def release(self, size: int) -> None:
        async with self._changed:
            self.used -= size
            self._changed.notify_all()


class Ingest:
    """Routes each frame to its creator's lane; lanes run concurrently."""

    def __init__(self, sink: EventSink, store: ProgressStore, settings: IngestSettings) -> None:
        self.sink = sink
        self.store = store
        self.settings = settings
        self.lanes: dict[str, CreatorLane] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.inflight = InflightBytes(settings.inflight_bytes)
        self.failures: list[BaseException] = []

    async def dispatch(self, msg: Msg) -> None:
        await self.inflight.acquire(len(msg.data))
        user_id = subjects.user_of(msg.subject)
        lane = self.lanes.get(user_id)
        if lane is None:
            lane = CreatorLane(
                user_id,
                self.sink,
                self.store,
                snapshot_timeout_s=self.settings.snapshot_timeout_s,
                queue_size=self.settings.lane_queue,
                on_handled=self.inflight.release,
            )
            self.lanes[user_id] = lane
            LANES.inc()
            task = asyncio.create_task(self._run_lane(lane), name=f"lane-{user_id}")
            self.tasks.add(task)
            task.add_done_callback(self._lane_done)
        await lane.queue.put(msg)

    def _lane_done(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.failures.append(task.exception())  # type: ignore[arg-type]

    def forget(self, user_id: str) -> None:
        """Drop a deleted creator's lane: its held frames and the ids it has seen."""
        lane = self.lanes.pop(user_id, None)
        if lane is None:
            return
        LANES.dec()
        for task in self.tasks:
            if task.get_name() == f"lane-{user_id}":
                task.cancel()

    async def _run_lane(self, lane: CreatorLane) -> None:
        def may_end() -> bool:
            # No await between this check and the removal: dispatch cannot slip in between.
            if lane.queue.empty():
                self.lanes.pop(lane.user_id, None)
                LANES.dec()
                return True
            return False

        await lane.run(may_end)

    async def consume(self, psub: BoundedPull, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                msgs = await psub.fetch(self.settings.fetch_batch, wait_s=1.0)
            except ConnectionClosedError as exc:
                # The connection is re-establishing (a timeout or a failing-over node is an
                # empty pull in `BoundedPull`, not an error): the durable consumer keeps our
                # place; wait and fetch again rather than crash.
                log.warning("fetch_unavailable", error=type(exc).__name__)
                await asyncio.sleep(FETCH_RETRY_S)
                continue
            for msg in msgs:
                await self.dispatch(msg)

    async def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self.tasks, return_exceptions=True)


async def run_ingest(nc: Client, stop: asyncio.Event, settings: IngestSettings) -> None:
    """The service body: consume owned partitions until `stop`; crash on a lane failure.

    `ctl.ingest.replay` (from `ofca replay --service ingest`) restarts consumption from the
    start of `AGENT_IN`, re-deriving every event still retained there (after a parser fix).
    """
    js = nc.jetstream()
    store = KvProgressStore(await js.key_value(KV_INGEST_SNAPSHOTS))
    replay = asyncio.Event()

    async def on_replay(msg: Msg) -> None:
        replay.set()
        if msg.reply:
            await msg.respond(settings.instance.encode() or b"ingest")

    current: list[Ingest] = []

    async def on_forget(msg: Msg) -> None:
        for ingest in current:
            ingest.forget(msg.data.decode())

    ctl = await nc.subscribe(subjects.control("ingest", "replay"), cb=on_replay)
    forget = await nc.subscribe(subjects.control("ingest", "forget"), cb=on_forget)
    from_start = False
    try:
        while not stop.is_set():
            current[:] = [Ingest(JetStreamSink(nc, settings.event_batch_bytes), store, settings)]
            await _consume_until(current[0], nc, settings, stop, replay, from_start=from_start)
            if replay.is_set():
                log.info("ingest_replay_from_start")
                replay.clear()
                from_start = True
    finally:
        await ctl.unsubscribe()
        await forget.unsubscribe()


async def _consume_until(
    ingest: Ingest,
    nc: Client,
    settings: IngestSettings,
    stop: asyncio.Event,
    replay: asyncio.Event,
    *,
    from_start: bool,
) -> None:
    partitions = owned_partitions(settings.ingest_instances, settings.ingest_index)
    subs = [await reset_consumer(nc, p, from_start=from_start) for p in partitions]
    log.info("ingest_consuming", partitions=partitions, from_start=from_start)
    consumers = [asyncio.create_task(ingest.consume(s, stop)) for s in subs]
    try:
        while not stop.is_set() and not replay.is_set():
            if ingest.failures:
                # The process exits; its supervisor restarts it and the lane's unacked frames
                # are redelivered, in order, to the new process.
                raise RuntimeError("a creator lane failed") from ingest.failures[0]
            done, _ = await asyncio.wait(consumers, timeout=0.5, return_when="FIRST_COMPLETED")
            for task in done:
                task.result()
    finally:
        for task in consumers:
            task.cancel()
        await asyncio.gather(*consumers, return_exceptions=True)
        await ingest.close()
        for sub in subs:
            # nats-py's drain waits forever on a pull subscription with a cancelled fetch.
            with contextlib.suppress(Exception):
                await sub.unsubscribe()
