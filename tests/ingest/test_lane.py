"""The per-creator lane: snapshot-then-delta ordering, dedup, timeouts (no NATS)."""

import copy

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.events import Event, MessageAdded, SnapshotAbandoned, SnapshotReplaced
from contracts.models.core import ErrorCode
from services.ingest.lane import CreatorLane
from services.ingest.normalize import normalize_snapshot
from services.ingest.onlyfans_types import decode_cache_update_frame
from services.ingest.progress import MemoryProgressStore
from tests.ingest.fakes import (
    FakeDelivery,
    MemorySink,
    delta_deliveries,
    demo_inbox,
    snapshot_deliveries,
)
from tools.ofsim import iter_messages

INBOX = demo_inbox()
PARTS = snapshot_deliveries(INBOX, 12_000, "snap-a")
DELTAS = delta_deliveries(INBOX, 5)


def lane_for(
    sink: MemorySink, store: MemoryProgressStore | None = None, **kw: object
) -> CreatorLane:
    return CreatorLane("300000", sink, store or MemoryProgressStore(), snapshot_timeout_s=60, **kw)  # type: ignore[arg-type]


async def run_in_order(deliveries: list[FakeDelivery]) -> MemorySink:
    sink = MemorySink()
    lane = lane_for(sink)
    for d in deliveries:
        await lane.handle(d)
    return sink


def fresh(deliveries: list[FakeDelivery]) -> list[FakeDelivery]:
    return [FakeDelivery(d.data, d.frame_type) for d in deliveries]


async def test_snapshot_in_parts_equals_the_whole_snapshot() -> None:
    assert len(PARTS) >= 3
    sink = await run_in_order(fresh(PARTS))
    messages = [msgspec.json.encode(m) for m in iter_messages(INBOX)]
    chats = [msgspec.json.encode(c) for c in INBOX.chats]
    whole = normalize_snapshot(300000, "snap-a", chats, messages)
    assert sink.event_ids() == {e.event_id for e in whole.events}
    assert sink.kinds()[-1] == "SnapshotReplaced"


async def test_deltas_during_a_snapshot_wait_for_its_last_part() -> None:
    parts, deltas = fresh(PARTS), fresh(DELTAS)
    sink = MemorySink()
    lane = lane_for(sink)
    await lane.handle(parts[0])
    await lane.handle(deltas[0])
    await lane.handle(deltas[1])
    assert deltas[0].acked == 0 and len(lane.held) == 2
    for part in parts[1:]:
        await lane.handle(part)
    assert all(d.acked == 1 for d in [*parts, deltas[0], deltas[1]])
    done_at = sink.kinds().index("SnapshotReplaced")
    delta_positions = [i for i, (kind, _) in enumerate(sink.log) if kind == "delta"]
    assert delta_positions and min(delta_positions) > done_at


async def test_a_message_seen_twice_is_published_once() -> None:
    sink = await run_in_order(
        [*fresh(PARTS), *fresh(DELTAS[:2]), *fresh(DELTAS[:2]), *fresh(PARTS[:1])]
    )
    added = [e.message_id for _, e in sink.log if isinstance(e, MessageAdded)]
    assert len(added) == len(set(added))


async def test_incomplete_snapshot_is_abandoned_after_the_timeout() -> None:
    now = [1000.0]
    sink = MemorySink()
    lane = CreatorLane(
        "300000", sink, MemoryProgressStore(), snapshot_timeout_s=30, clock=lambda: now[0]
    )
    await lane.handle(fresh(PARTS)[0])
    delta = fresh(DELTAS)[0]
    await lane.handle(delta)
    assert delta.acked == 0
    now[0] += 31
    await lane.tick()
    assert delta.acked == 1 and lane.open is None
    assert any(isinstance(e, SnapshotAbandoned) for _, e in sink.log)
    assert ErrorCode.SNAPSHOT_ABANDONED in sink.error_codes()


async def test_restart_mid_snapshot_resumes_from_stored_progress() -> None:
    store = MemoryProgressStore()
    sink = MemorySink()
    first = lane_for(sink, store)
    parts = fresh(PARTS)
    await first.handle(parts[0])
    # A new process: same store and log, empty memory; part 0 is redelivered.
    second = lane_for(sink, store)
    for part in fresh(PARTS):
        await second.handle(part)
    heads = [e for _, e in sink.log if isinstance(e, SnapshotReplaced)]
    assert len(heads) == 1
    total = sum(len(decode_cache_update_frame(p.data).messages) for p in PARTS)
    assert heads[0].message_count == total
    added = [e.message_id for _, e in sink.log if isinstance(e, MessageAdded)]
    assert len(added) == len(set(added)) == total


async def test_malformed_records_are_reported_and_the_rest_goes_on() -> None:
    bad = (
        b'{"type":"cache_update","payload":{"snapshot_id":"s2","part":0,"parts":1,'
        b'"chats":[],"messages":[{"id":"nope"},{"id":5100000000001,"chatId":1,'
        b'"fromUser":{"id":1},"createdAt":"2024-05-01T18:22:10+00:00","text":"<p>x</p>"}]}}'
    )
    sink = await run_in_order([FakeDelivery(bad, "cache_update")])
    kinds = sink.kinds()
    assert kinds.count("RecordRejected") == 1 and kinds.count("MessageAdded") == 1
    assert ErrorCode.RECORD_REJECTED in sink.error_codes()


@st.composite
def interleavings(draw: st.DrawFn) -> list[int]:
    """A merge of parts (0..P-1, in order) and deltas (P.., in order), with redeliveries."""
    parts = list(range(len(PARTS)))
    deltas = list(range(len(PARTS), len(PARTS) + len(DELTAS)))
    merged: list[int] = []
    while parts or deltas:
        take_part = parts and (not deltas or draw(st.booleans()))
        merged.append(parts.pop(0) if take_part else deltas.pop(0))
        if draw(st.integers(0, 9)) == 0:
            merged.append(merged[draw(st.integers(0, len(merged) - 1))])
    return merged


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(interleavings())
async def test_any_interleaving_equals_snapshot_then_deltas(order: list[int]) -> None:
    every = [*PARTS, *DELTAS]
    reference = await run_in_order(fresh(every))
    sink = await run_in_order([copy.copy(every[i]) for i in order])
    assert sink.event_ids() == reference.event_ids()
    # Deltas that arrived after the snapshot began land after its boundary, in arrival order.
    started = order.index(0)
    before = set(order[:started])
    during = [i for i in dict.fromkeys(order[started:]) if i >= len(PARTS) and i not in before]
    done_at = sink.kinds().index("SnapshotReplaced")
    first_seen: dict[str, int] = {}
    for position, (_, event) in enumerate(sink.log):
        first_seen.setdefault(event.event_id, position)
    snapshot_ids = {e.event_id for kind, e in reference.log if kind == "snapshot"}
    positions = []
    for i in during:
        own = [
            first_seen[e.event_id]
            for e in await delta_events(every[i])
            if isinstance(e, MessageAdded) and e.event_id not in snapshot_ids
        ]
        assert all(p > done_at for p in own)
        positions.append(min(own, default=None))
    landed = [p for p in positions if p is not None]
    assert landed == sorted(landed)


async def delta_events(delivery: FakeDelivery) -> list[Event]:
    sink = MemorySink()
    await lane_for(sink).handle(FakeDelivery(delivery.data, delivery.frame_type))
    return [e for _, e in sink.log]
