"""`chat_update` and `capture_state` frames → events, and their place in a creator's lane."""

import json

import msgspec
import pytest

from contracts.events import (
    CaptureProgressed,
    ChatCoverageSeen,
    ChatSeen,
    FanProfileSeen,
    MessageAdded,
    RecordRejected,
)
from services.ingest.capture import normalize_capture_state, normalize_chat_update
from services.ingest.lane import CreatorLane
from services.ingest.progress import MemoryProgressStore
from tests.ingest.fakes import FakeDelivery, MemorySink, demo_inbox, snapshot_deliveries

CREATOR = 300000
FAN = 400001


def chat(unread: int, name: str = "Ana", last_id: int | None = 77) -> dict[str, object]:
    item: dict[str, object] = {
        "withUser": {"id": FAN, "name": name, "username": "ana"},
        "unreadMessagesCount": unread,
        "lastReadMessageId": 70,
    }
    if last_id is not None:
        item["lastMessage"] = {
            "id": last_id,
            "fromUser": {"id": FAN},
            "text": "<p>hi</p>",
            "createdAt": "2026-12-01T10:00:00+00:00",
        }
    return item


def chat_update(*chats: object) -> bytes:
    return json.dumps(
        {"type": "chat_update", "ref": "c", "payload": {"chats": list(chats)}}
    ).encode()


def capture_state(at: int, chats: list[dict[str, object]], state: str = "running") -> bytes:
    payload = {
        "at": at,
        "chatList": {"complete": True, "chatsKnown": 12},
        "backfill": {"state": state, "chatsDone": 3, "chatsTotal": 12, "requests": 40},
        "lastCaptureAt": at - 5,
        "chats": chats,
    }
    return json.dumps({"type": "capture_state", "payload": payload}).encode()


def test_a_chat_update_gives_the_profile_the_chat_state_the_read_pointer_and_last_message() -> None:
    events = normalize_chat_update(CREATOR, chat_update(chat(2)), capture_seq=41)
    kinds = [type(e) for e in events]
    assert MessageAdded in kinds and FanProfileSeen in kinds and ChatSeen in kinds
    seen = next(e for e in events if isinstance(e, ChatSeen))
    profile = next(e for e in events if isinstance(e, FanProfileSeen))
    assert (seen.chat_id, seen.unread_count, seen.capture_seq) == (FAN, 2, 41)
    assert (profile.name, profile.capture_seq) == ("Ana", 41)


def test_a_state_that_comes_back_is_a_new_event_each_time() -> None:
    ids = [
        next(
            e.event_id
            for e in normalize_chat_update(CREATOR, chat_update(chat(n)), seq)
            if isinstance(e, ChatSeen)
        )
        for seq, n in ((1, 0), (2, 3), (3, 0))
    ]
    assert len(set(ids)) == 3
    # The same frame read twice (a redelivery) is the same events.
    again = normalize_chat_update(CREATOR, chat_update(chat(0)), 3)
    assert ids[2] in {e.event_id for e in again}


def test_a_malformed_chat_is_rejected_and_the_others_go_on() -> None:
    events = normalize_chat_update(CREATOR, chat_update({"withUser": "nobody"}, chat(1)), 5)
    rejected = [e for e in events if isinstance(e, RecordRejected)]
    assert [(r.record_kind, r.position, r.reason) for r in rejected] == [("chat", 0, "malformed")]
    assert any(isinstance(e, ChatSeen) and e.chat_id == FAN for e in events)


def test_an_unreadable_envelope_raises_for_the_lane_to_report() -> None:
    with pytest.raises(msgspec.DecodeError):
        normalize_chat_update(CREATOR, b'{"payload": {"chats": 3}}', 1)
    with pytest.raises(msgspec.DecodeError):
        normalize_capture_state(CREATOR, b'{"payload": {"at": "soon"}}')


def test_capture_state_gives_progress_then_one_coverage_event_per_chat() -> None:
    covered = [
        {"chatId": FAN, "complete": True, "oldestMessageId": 5, "oldestAt": 1000, "messages": 40},
        {
            "chatId": "400002",
            "complete": False,
            "oldestMessageId": 90,
            "oldestAt": 9000,
            "messages": 7,
        },
    ]
    events = normalize_capture_state(CREATOR, capture_state(50_000, covered))
    progress, *chats = events
    assert isinstance(progress, CaptureProgressed)
    assert (progress.backfill_state, progress.chats_done, progress.chats_total) == (
        "running",
        3,
        12,
    )
    assert (progress.list_complete, progress.chats_known, progress.requests) == (True, 12, 40)
    assert all(isinstance(c, ChatCoverageSeen) for c in chats)
    assert [(c.chat_id, c.complete, c.oldest_at, c.messages) for c in chats] == [  # type: ignore[union-attr]
        (FAN, True, 1000, 40),
        (400002, False, 9000, 7),
    ]


async def test_live_frames_wait_for_an_open_snapshot_then_apply_in_order() -> None:
    inbox = demo_inbox(CREATOR)
    parts = snapshot_deliveries(inbox, 12_000, "snap-c")
    assert len(parts) >= 2
    sink = MemorySink()
    lane = CreatorLane(str(CREATOR), sink, MemoryProgressStore(), snapshot_timeout_s=60)  # type: ignore[arg-type]
    await lane.handle(parts[0])
    live = [
        FakeDelivery(chat_update(chat(4)), "chat_update", seq=900),
        FakeDelivery(capture_state(60_000, []), "capture_state", seq=901),
    ]
    for delivery in live:
        await lane.handle(delivery)
    assert [d.acked for d in live] == [0, 0]  # held, unacked, while the snapshot is open
    assert not any(isinstance(e, CaptureProgressed) for _, e in sink.log)
    for delivery in parts[1:]:
        await lane.handle(delivery)
    assert [d.acked for d in live] == [1, 1]
    kinds = sink.kinds()
    assert kinds.index("SnapshotReplaced") < kinds.index("CaptureProgressed")
    assert ("delta", next(e for _, e in sink.log if isinstance(e, CaptureProgressed))) in sink.log


async def test_an_unreadable_live_frame_is_reported_and_acked() -> None:
    sink = MemorySink()
    lane = CreatorLane(str(CREATOR), sink, MemoryProgressStore(), snapshot_timeout_s=60)  # type: ignore[arg-type]
    bad = FakeDelivery(b'{"payload": {"at": "soon"}}', "capture_state", seq=3)
    await lane.handle(bad)
    assert bad.acked == 1
    assert [c.value for c in sink.error_codes()] == ["invalid_payload"]
