"""Raw OnlyFans snapshots → domain events: counts, ordering, stable ids."""

from contracts.events import (
    ChatSeen,
    MessageAdded,
    MessageRead,
    SnapshotReplaced,
    encode_event,
)
from tests.ingest.raw_records import (
    FAN,
    OTHER_FAN,
    chat,
    delta,
    message,
    of_kind,
    only_added,
    ppv,
    snapshot,
)

# --- snapshot ------------------------------------------------------------------------------


def test_snapshot_starts_with_snapshot_replaced_counting_accepted_records() -> None:
    result = snapshot(
        [chat(), chat(OTHER_FAN, lastReadMessageId=0)],
        [
            message(chatId=FAN),
            ppv(chatId=FAN),
            b"{oops",
            message(id=9, chatId=FAN, fromUser={"id": 1}),
        ],
    )
    head = result.events[0]
    assert isinstance(head, SnapshotReplaced)
    assert (head.snapshot_id, head.chat_count, head.message_count) == ("snap-1", 2, 2)
    assert [(r.record_kind, r.position, r.reason) for r in result.rejected] == [
        ("message", 2, "invalid_json"),
        ("message", 3, "foreign_sender"),
    ]


def test_snapshot_order_is_profiles_chats_messages_in_input_order_then_reads() -> None:
    result = snapshot([chat()], [message(chatId=FAN), ppv(chatId=FAN)])
    kinds = [type(e).__name__ for e in result.events]
    assert kinds == [
        "SnapshotReplaced", "FanProfileSeen", "ChatSeen",
        "MessageAdded", "MessageAdded", "PpvSent", "MessageRead",
    ]  # fmt: skip
    assert [e.message_id for e in of_kind(result.events, MessageAdded)] == [
        5_100_000_000_002,
        5_100_000_000_001,
    ]


def test_chat_gives_chat_seen_and_creator_read_pointer() -> None:
    result = snapshot([chat(unreadMessagesCount=3, isMutedNotifications=True)], [])
    (seen,) = of_kind(result.events, ChatSeen)
    assert (seen.chat_id, seen.unread_count, seen.is_muted) == (FAN, 3, True)
    assert seen.last_read_message_id == 5_100_000_000_001
    (read,) = of_kind(result.events, MessageRead)
    assert (read.chat_id, read.message_id, read.reader) == (FAN, 5_100_000_000_001, "creator")


def test_last_message_of_a_chat_counts_once_with_the_same_message_in_messages() -> None:
    result = snapshot([chat(lastMessage=message())], [message(chatId=FAN)])
    assert len(of_kind(result.events, MessageAdded)) == 1
    assert isinstance(result.events[0], SnapshotReplaced)
    assert result.events[0].message_count == 1
    (seen,) = of_kind(result.events, ChatSeen)
    assert seen.last_message_id == 5_100_000_000_002


def test_last_message_alone_still_becomes_a_message() -> None:
    result = snapshot([chat(lastMessage=message())], [])
    assert only_added(result.events).chat_id == FAN


def test_bad_chat_is_reported_and_the_rest_goes_on() -> None:
    result = snapshot([{"withUser": None}, chat()], [message(chatId=FAN)])
    assert [(r.record_kind, r.position, r.reason) for r in result.rejected] == [
        ("chat", 0, "malformed")
    ]
    assert len(of_kind(result.events, ChatSeen)) == 1
    assert len(of_kind(result.events, MessageAdded)) == 1


def test_snapshot_and_deltas_give_the_same_event_ids_for_the_same_message() -> None:
    from_snapshot = snapshot([], [ppv(chatId=FAN, isOpened=True)]).events[1:]
    from_fetch = delta(ppv(isOpened=True), source="fetch")
    from_socket = delta(ppv(isOpened=True), source="websocket")
    ids = [e.event_id for e in from_snapshot]
    assert ids == [e.event_id for e in from_fetch] == [e.event_id for e in from_socket]
    assert len(set(ids)) == 3  # MessageAdded, PpvSent, PpvPurchased


def test_snapshot_is_deterministic_and_its_events_do_not_depend_on_input_order() -> None:
    messages = [message(chatId=FAN), ppv(chatId=FAN), message(id=42, chatId=FAN, createdAt=0)]
    forward = snapshot([chat()], messages).events
    assert forward == snapshot([chat()], messages).events
    backward = snapshot([chat()], messages[::-1]).events
    assert sorted(encode_event(e) for e in forward) == sorted(encode_event(e) for e in backward)


def test_message_repeated_in_a_snapshot_gives_each_event_once() -> None:
    result = snapshot([], [ppv(chatId=FAN), message(chatId=FAN), ppv(chatId=FAN, isOpened=True)])
    ids = [e.event_id for e in result.events]
    assert len(ids) == len(set(ids))
    assert [type(e).__name__ for e in result.events[1:]] == [
        "MessageAdded", "PpvSent", "MessageAdded", "PpvPurchased",
    ]  # fmt: skip
    assert isinstance(result.events[0], SnapshotReplaced)
    assert result.events[0].message_count == 2


def test_snapshot_replaced_id_depends_only_on_creator_and_snapshot_id() -> None:
    one = snapshot([chat()], [], "snap-1").events[0]
    again = snapshot([], [message(chatId=FAN)], "snap-1").events[0]
    other = snapshot([chat()], [], "snap-2").events[0]
    assert one.event_id == again.event_id != other.event_id
