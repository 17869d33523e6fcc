"""One creator's ordered lane: snapshot parts, then the deltas that arrived meanwhile.

Each creator has an `asyncio.Queue` and one worker, so a creator's frames are applied in arrival
order while different creators never wait for each other. While a snapshot is incomplete, the
creator's deltas are held (not acked) and applied, in arrival order, once the last part is in
or the snapshot is abandoned. A frame is acked only after its events are durably stored.
"""

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Protocol

import msgspec
import structlog
from nats.errors import Error as NatsError

from contracts import subjects
from contracts.events import (
    Event,
    RecordRejected,
    SnapshotAbandoned,
    make_event_id,
)
from contracts.models.core import BrainState, ErrorCode, SystemStatus, WssError
from contracts.wire import SystemErrorMessage, SystemStatusMessage
from services.ingest.capture import normalize_capture_state, normalize_chat_update
from services.ingest.metrics import FRAMES, HELD, RECORDS_REJECTED, SNAPSHOTS
from services.ingest.normalize import normalize_delta, normalize_snapshot_part, snapshot_completed
from services.ingest.onlyfans_types import (
    decode_cache_update_frame,
    decode_new_raw_message_frame,
)
from services.ingest.progress import ProgressStore, SnapshotProgress
from services.ingest.sink import EventSink

log = structlog.get_logger()
_BAD_FRAME = (msgspec.DecodeError, RecursionError)
HEARTBEAT_S = 15.0
IDLE_EXIT_S = 300.0
SEEN_CAP = 5_000_000
# Frames applied after the snapshot in progress, in arrival order, like `new_raw_message`.
DELTA_FRAMES = frozenset({"new_raw_message", "chat_update", "capture_state"})


class SeenEvents:
    """Ids of events this lane already published, as 64-bit ints (~60 bytes each).

    A message reaching ingest in two frames (snapshot and delta, fetch and websocket, a chat's
    `lastMessage` and the message itself in another part) carries the same event ids inside
    differently composed frames, so frame-level dedup misses it; this filter keeps the log to
    one copy. After a restart it starts empty: a frame re-processed then may publish events
    again, which projections absorb since they fold by `event_id`.
    """

    def __init__(self, cap: int = SEEN_CAP) -> None:
        self.cap = cap
        self.ids: set[int] = set()

    @staticmethod
    def key(event_id: str) -> int:
        return int(event_id[:16], 16)

    def seed(self, keys: list[int]) -> None:
        self.ids.update(keys)

    def fresh(self, events: list[Event]) -> list[Event]:
        """Record `events` and return those not seen before."""
        ids = self.ids
        if len(ids) > self.cap:
            ids.clear()
        kept = []
        for event in events:
            key = self.key(event.event_id)
            if key not in ids:
                ids.add(key)
                kept.append(event)
        return kept


class Delivery(Protocol):
    """What the lane needs of a JetStream message (nats-py's `Msg` is one)."""

    @property
    def data(self) -> bytes: ...
    @property
    def headers(self) -> dict[str, str] | None: ...
    async def ack(self) -> None: ...
    async def in_progress(self) -> None: ...


def _stored_seq(delivery: Delivery) -> int:
    """The frame's sequence in `AGENT_IN` (0 for a delivery that is not a JetStream message)."""
    try:
        return int(getattr(delivery, "metadata", None).sequence.stream)  # type: ignore[union-attr]
    except (AttributeError, TypeError, ValueError, NatsError):
        return 0


class CreatorLane:
    def __init__(
        self,
        user_id: str,
        sink: EventSink,
        store: ProgressStore,
        *,
        snapshot_timeout_s: float,
        queue_size: int = 1000,
        clock: Callable[[], float] = time.time,
        on_handled: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        self.user_id = user_id
        self.creator_id = int(user_id) if user_id.isdigit() else None
        self.sink = sink
        self.store = store
        self.timeout_s = snapshot_timeout_s
        self.clock = clock
        self.queue: asyncio.Queue[Delivery] = asyncio.Queue(queue_size)
        self.open: SnapshotProgress | None = None
        self.held: list[Delivery] = []
        self.seen = SeenEvents()
        self.on_handled = on_handled
        self._loaded = False

    # -- worker -----------------------------------------------------------------------------
    async def run(self, on_idle: Callable[[], bool]) -> None:
        """Process frames until idle; `on_idle()` returns True when the lane may end."""
        idle_since = time.monotonic()
        while True:
            try:
                delivery = await asyncio.wait_for(self.queue.get(), self._wait_s())
            except TimeoutError:
                await self.tick()
                idle = not self.held and self.open is None and self.queue.empty()
                if idle and time.monotonic() - idle_since > IDLE_EXIT_S and on_idle():
                    return
                continue
            idle_since = time.monotonic()
            try:
                await self.handle(delivery)
            finally:
                if self.on_handled is not None:
                    await self.on_handled(len(delivery.data))

    def _wait_s(self) -> float:
        if self.open is None:
            return HEARTBEAT_S
        left = self.open.updated_at + self.timeout_s - self.clock()
        return max(0.01, min(HEARTBEAT_S, left))

    async def tick(self) -> None:
        """Abandon an overdue snapshot; keep held frames from being redelivered meanwhile."""
        if self.open is not None and self.clock() - self.open.updated_at >= self.timeout_s:
            await self.abandon("timeout")
        for delivery in self.held:
            with contextlib.suppress(Exception):
                await delivery.in_progress()

    # -- frames -----------------------------------------------------------------------------
    async def handle(self, delivery: Delivery) -> None:
        if not self._loaded:
            await self._load_open()
        frame_type = (delivery.headers or {}).get(subjects.HEADER_FRAME_TYPE, "")
        if self.creator_id is None:
            log.warning("ingest_non_numeric_creator", user_id=self.user_id)
            FRAMES.labels(type=frame_type, outcome="rejected").inc()
            await delivery.ack()
        elif frame_type == "cache_update":
            await self.on_part(delivery)
        elif frame_type in DELTA_FRAMES:
            if self.open is not None:
                self.held.append(delivery)
                HELD.inc()
                return
            await self.apply_delta(delivery)
        else:
            FRAMES.labels(type=frame_type or "none", outcome="ignored").inc()
            await delivery.ack()

    async def _load_open(self) -> None:
        self._loaded = True
        snapshot_id = await self.store.open_snapshot(self.user_id)
        if snapshot_id is not None:
            progress = await self.store.load(self.user_id, snapshot_id)
            if progress is not None and progress.state == "open":
                self.open = progress
                self.seen.seed(progress.last_message_keys)
                if len(progress.done) >= progress.parts and self.creator_id is not None:
                    # The process died between the last part and the completion: no part will
                    # come again to finish it (a redelivered one is a duplicate), so do it now.
                    await self.complete(progress)

    async def on_part(self, delivery: Delivery) -> None:
        assert self.creator_id is not None
        try:
            frame = decode_cache_update_frame(delivery.data)
        except _BAD_FRAME as exc:
            await self._frame_rejected(delivery, "cache_update", exc)
            return
        if self.open is not None and self.open.snapshot_id != frame.snapshot_id:
            await self.abandon("superseded")
        progress = self.open
        if progress is None:
            progress = await self.store.load(self.user_id, frame.snapshot_id)
            if progress is not None:
                self.seen.seed(progress.last_message_keys)
        if progress is None:
            progress = SnapshotProgress(frame.snapshot_id, frame.parts, updated_at=self.clock())
        if frame.part in progress.done or progress.state == "complete":
            FRAMES.labels(type="cache_update", outcome="duplicate").inc()
            await delivery.ack()
            return
        if progress.state == "open" and self.open is None:
            self.open = progress
            await self.store.set_open(self.user_id, frame.snapshot_id)
            await self._status(BrainState.PROCESSING_SNAPSHOT, f"snapshot {frame.part + 1}/…")
        result = normalize_snapshot_part(
            self.creator_id,
            frame.snapshot_id,
            frame.chats,
            frame.messages,
            progress.offsets(frame.part),
        )
        fresh = [*self.seen.fresh(result.events), *result.rejected]
        await self.sink.publish(self.user_id, "snapshot", f"snap:{frame.snapshot_id}", fresh)
        progress.done.append(frame.part)
        progress.part_records[frame.part] = (len(frame.chats), len(frame.messages))
        progress.last_message_keys += [SeenEvents.key(i) for i in result.last_message_event_ids]
        progress.chats += result.chat_count
        progress.messages += result.message_count
        progress.rejected += len(result.rejected)
        progress.updated_at = self.clock()
        await self.store.save(self.user_id, progress)
        await delivery.ack()
        FRAMES.labels(type="cache_update", outcome="applied").inc()
        if result.rejected:
            await self._report_rejected(result.rejected)
        if progress.state == "open" and len(progress.done) >= progress.parts:
            await self.complete(progress)

    async def complete(self, progress: SnapshotProgress) -> None:
        assert self.creator_id is not None
        head = snapshot_completed(
            self.creator_id, progress.snapshot_id, progress.chats, progress.messages
        )
        await self.sink.publish(self.user_id, "control", f"done:{progress.snapshot_id}", [head])
        progress.state = "complete"
        await self.store.save(self.user_id, progress)
        await self.store.set_open(self.user_id, None)
        self.open = None
        SNAPSHOTS.labels(outcome="complete").inc()
        log.info("snapshot_complete", parts=progress.parts, messages=progress.messages)
        await self._status(BrainState.REALTIME, None)
        await self.release_held()

    async def abandon(self, reason: str) -> None:
        """Give up on the open snapshot: its parts' facts stay, held deltas go on."""
        progress = self.open
        if progress is None or self.creator_id is None:
            return
        key = f"{self.creator_id}:snapshot:{progress.snapshot_id}:snapshot_abandoned:0"
        event = SnapshotAbandoned(
            event_id=make_event_id(key),
            creator_id=self.creator_id,
            snapshot_id=progress.snapshot_id,
            parts_received=len(progress.done),
            parts=progress.parts,
            reason="timeout" if reason == "timeout" else "superseded",
        )
        await self.sink.publish(self.user_id, "control", f"abandon:{progress.snapshot_id}", [event])
        progress.state = "abandoned"
        await self.store.save(self.user_id, progress)
        await self.store.set_open(self.user_id, None)
        self.open = None
        SNAPSHOTS.labels(outcome=f"abandoned_{reason}").inc()
        log.warning(
            "snapshot_abandoned", reason=reason, parts=f"{len(progress.done)}/{progress.parts}"
        )
        message = (
            f"snapshot {progress.snapshot_id[:32]} abandoned ({reason}) with "
            f"{len(progress.done)} of {progress.parts} parts"
        )
        await self.sink.notify(
            self.user_id,
            SystemErrorMessage(
                payload=WssError(code=ErrorCode.SNAPSHOT_ABANDONED, message=message)
            ),
        )
        if reason == "timeout":
            await self.release_held()

    async def release_held(self) -> None:
        held, self.held = self.held, []
        HELD.dec(len(held))
        for delivery in held:
            await self.apply_delta(delivery)

    async def apply_delta(self, delivery: Delivery) -> None:
        assert self.creator_id is not None
        frame_type = (delivery.headers or {}).get(subjects.HEADER_FRAME_TYPE, "new_raw_message")
        try:
            events = self._delta_events(frame_type, delivery)
        except _BAD_FRAME as exc:
            await self._frame_rejected(delivery, frame_type, exc)
            return
        await self.sink.publish(self.user_id, "delta", "d", self.seen.fresh(events))
        await delivery.ack()
        rejected = [e for e in events if isinstance(e, RecordRejected)]
        FRAMES.labels(type=frame_type, outcome="rejected" if rejected else "applied").inc()
        if rejected:
            await self._report_rejected(rejected)

    def _delta_events(self, frame_type: str, delivery: Delivery) -> list[Event]:
        assert self.creator_id is not None
        if frame_type == "chat_update":
            return normalize_chat_update(self.creator_id, delivery.data, _stored_seq(delivery))
        if frame_type == "capture_state":
            return normalize_capture_state(self.creator_id, delivery.data)
        frame = decode_new_raw_message_frame(delivery.data)
        return normalize_delta(self.creator_id, frame.chat_id, frame.source, frame.message)

    # -- reporting --------------------------------------------------------------------------
    async def _frame_rejected(self, delivery: Delivery, frame_type: str, exc: Exception) -> None:
        log.warning("ingest_frame_undecodable", frame_type=frame_type, error=type(exc).__name__)
        FRAMES.labels(type=frame_type, outcome="undecodable").inc()
        await delivery.ack()
        error = WssError(code=ErrorCode.INVALID_PAYLOAD, message=f"{frame_type} could not be read")
        await self.sink.notify(self.user_id, SystemErrorMessage(payload=error))

    async def _report_rejected(self, rejected: list[RecordRejected]) -> None:
        for record in rejected:
            RECORDS_REJECTED.labels(reason=record.reason).inc()
            log.warning(
                "record_rejected",
                kind=record.record_kind,
                position=record.position,
                reason=record.reason,
                snapshot_id=record.snapshot_id,
            )
        details: list[dict[str, object]] = [
            {"kind": r.record_kind, "position": r.position, "reason": r.reason}
            for r in rejected[:10]
        ]
        error = WssError(
            code=ErrorCode.RECORD_REJECTED,
            message=f"{len(rejected)} record(s) could not be read and were skipped",
            details=details,
        )
        await self.sink.notify(self.user_id, SystemErrorMessage(payload=error))

    async def _status(self, state: BrainState, detail: str | None) -> None:
        status = SystemStatus(
            user_id=self.user_id, state=state, detail=detail, at=datetime.now(UTC)
        )
        await self.sink.notify(self.user_id, SystemStatusMessage(payload=status))
