"""Raw OnlyFans JSON → domain events: mapping, rejections, stable ids, ordering."""

from typing import Any, TypeVar

import msgspec
import pytest

from contracts.events import (
    ChatSeen,
    Event,
    FanProfileSeen,
    MessageAdded,
    MessageDeleted,
    MessageEdited,
    MessageRead,
    PpvPurchased,
    PpvSent,
    RecordRejected,
    SnapshotReplaced,
    TipReceived,
    decode_event,
    encode_event,
)
from contracts.models.ingest import CacheUpdatePayload, NewRawMessagePayload
from services.ingest.normalize import (
    CacheUpdateRaw,
    NewRawMessageRaw,
    decode_cache_update,
    decode_new_raw_message,
    normalize_delta,
    normalize_snapshot,
)

CREATOR = 300_000
FAN = 400_001
OTHER_FAN = 400_002


def message(**fields: Any) -> dict[str, Any]:
    """An OnlyFans message from the fan, as in /work/shared/of-traffic.md; override any field."""
    base: dict[str, Any] = {
        "responseType": "message", "id": 5_100_000_000_002, "text": "<p>see you tonight?</p>",
        "giphyId": None, "lockedText": False, "isFree": True, "price": 0, "mediaCount": 0,
        "media": [], "previews": [], "isTip": False, "isFromQueue": False, "queueId": 0,
        "fromUser": {"id": FAN, "_view": "m"}, "isOpened": True, "isNew": True,
        "isLiked": False, "canPurchase": False, "canReport": True, "releaseForms": [],
        "createdAt": "2024-05-01T18:22:10+00:00", "changedAt": "2024-05-01T18:22:10+00:00",
        "someFieldOnlyFansAddsTomorrow": {"x": [1, 2]},
    }  # fmt: skip
    return base | fields


def ppv(**fields: Any) -> dict[str, Any]:
    """The creator's paid message with one photo."""
    return message(
        id=5_100_000_000_001, text="<p>new set, just for you</p>", isFree=False, price=9.99,
        mediaCount=1, media=[{"id": 7_700_001, "type": "photo", "canView": False}],
        fromUser={"id": CREATOR, "_view": "m"}, isOpened=False, canPurchase=False,
        createdAt="2024-05-01T17:05:00+00:00", changedAt="2024-05-01T17:05:00+00:00",
    ) | fields  # fmt: skip


def chat(fan: int = FAN, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "withUser": {"id": fan, "_view": "m"}, "lastMessage": None, "unreadMessagesCount": 1,
        "lastReadMessageId": 5_100_000_000_001, "hasPurchasedFeed": False,
        "countPinnedMessages": 0, "canGoToProfile": True, "canSendMessage": True,
        "canNotSendReason": False, "hasUnreadTips": False, "isMutedNotifications": False,
    }  # fmt: skip
    return base | fields


def enc(value: Any) -> bytes:
    return msgspec.json.encode(value)


def delta(msg: dict[str, Any], chat_id: int | None = FAN, source: str = "fetch") -> list[Event]:
    return normalize_delta(CREATOR, chat_id, source, enc(msg))


E = TypeVar("E")


def of_kind(events: list[Event], kind: type[E]) -> list[E]:
    return [e for e in events if isinstance(e, kind)]


def only_added(events: list[Event]) -> MessageAdded:
    (added,) = of_kind(events, MessageAdded)
    return added


def rejection(events: list[Event]) -> RecordRejected:
    (rejected,) = events
    assert isinstance(rejected, RecordRejected)
    return rejected


# --- one message ---------------------------------------------------------------------------


def test_fan_message_becomes_message_added_with_plain_text_and_epoch_ms() -> None:
    events = delta(message())
    assert events == [only_added(events)]
    added = only_added(events)
    assert (added.creator_id, added.chat_id, added.message_id) == (CREATOR, FAN, 5_100_000_000_002)
    assert (added.direction, added.sender_id) == ("in", FAN)
    assert added.created_at == 1_714_587_730_000
    assert added.text_html == "<p>see you tonight?</p>"
    assert added.text_plain == "see you tonight?"
    assert (added.price, added.is_free, added.is_tip, added.is_ppv) == (0.0, True, False, False)
    assert (added.media_count, added.media_types, added.is_opened) == (0, (), True)
    assert (added.source, added.v, added.is_from_queue) == ("fetch", 1, False)


def test_creator_ppv_becomes_message_added_and_ppv_sent() -> None:
    events = delta(ppv(), source="xhr")
    added = only_added(events)
    assert (added.direction, added.is_ppv, added.price, added.is_free) == ("out", True, 9.99, False)
    assert (added.media_count, added.media_types) == (1, ("photo",))
    (sent,) = of_kind(events, PpvSent)
    assert (sent.chat_id, sent.message_id, sent.price, sent.media_count) == (
        FAN, 5_100_000_000_001, 9.99, 1,
    )  # fmt: skip
    assert sent.created_at == added.created_at
    assert of_kind(events, PpvPurchased) == []


@pytest.mark.parametrize("opened", [{"isOpened": True}, {"isOpened": None, "isOpen": True}])
def test_opened_creator_ppv_is_purchased_once(opened: dict[str, bool | None]) -> None:
    (bought,) = of_kind(delta(ppv(**opened)), PpvPurchased)
    assert (bought.chat_id, bought.fan_id, bought.price) == (FAN, FAN, 9.99)
    later = delta(ppv(**opened, changedAt="2024-05-02T10:00:00Z"))
    assert [e.event_id for e in of_kind(later, PpvPurchased)] == [bought.event_id]


def test_ppv_the_fan_can_still_buy_is_not_purchased() -> None:
    assert of_kind(delta(ppv(isOpened=True, canPurchase=True)), PpvPurchased) == []


def test_tip_gives_tip_received_with_amount_from_price_and_full_profile() -> None:
    full_user = {"id": FAN, "name": "Fan One", "username": "fanone", "avatar": None}
    tip = message(id=5_100_000_000_003, price=5, isTip=True, fromUser=full_user)
    events = normalize_delta(CREATOR, None, "websocket", enc(tip))
    added = only_added(events)
    assert (added.is_tip, added.is_ppv, added.chat_id, added.source) == (
        True, False, FAN, "websocket",
    )  # fmt: skip
    (received,) = of_kind(events, TipReceived)
    assert (received.fan_id, received.amount, received.message_id) == (FAN, 5.0, 5_100_000_000_003)
    (profile,) = of_kind(events, FanProfileSeen)
    assert (profile.fan_id, profile.name, profile.username) == (FAN, "Fan One", "fanone")


@pytest.mark.parametrize(
    ("fields", "price", "message_id"),
    [
        ({"price": "9.99"}, 9.99, 5_100_000_000_001),
        ({"price": 10}, 10.0, 5_100_000_000_001),
        ({"id": "5100000000001"}, 9.99, 5_100_000_000_001),
        ({"fromUser": {"id": str(CREATOR)}}, 9.99, 5_100_000_000_001),
    ],
)
def test_numbers_arrive_as_int_float_or_numeric_string(
    fields: dict[str, Any], price: float, message_id: int
) -> None:
    added = only_added(delta(ppv(**fields)))
    assert (added.price, added.message_id, added.direction) == (price, message_id, "out")


def test_missing_optional_fields_are_tolerated() -> None:
    bare = {"id": 7, "fromUser": {"id": FAN}, "createdAt": 1_714_587_730}
    added = only_added(delta(bare))
    assert (added.text_plain, added.price, added.is_free, added.is_opened) == ("", 0.0, True, False)
    assert added.created_at == 1_714_587_730_000


def test_edit_gives_one_message_edited_per_changed_at() -> None:
    first = delta(message(text="<p>typo</p>", changedAt="2024-05-01T18:30:00+00:00"))
    second = delta(message(text="<p>fixed</p>", changedAt="2024-05-01T18:31:00+00:00"))
    (edit1,), (edit2,) = of_kind(first, MessageEdited), of_kind(second, MessageEdited)
    assert (edit1.changed_at, edit2.text_plain) == (1_714_588_200_000, "fixed")
    assert edit1.event_id != edit2.event_id
    assert only_added(first).event_id == only_added(second).event_id
    assert of_kind(delta(message()), MessageEdited) == []


@pytest.mark.parametrize("deleted", [{"isDeleted": True}, {"deletedAt": "2024-05-01T19:00:00Z"}])
def test_deletion_marker_gives_message_deleted(deleted: dict[str, Any]) -> None:
    (gone,) = of_kind(delta(message(**deleted)), MessageDeleted)
    assert (gone.chat_id, gone.message_id) == (FAN, 5_100_000_000_002)


def test_sender_neither_creator_nor_fan_is_rejected_as_foreign_sender() -> None:
    rejected = rejection(delta(message(fromUser={"id": OTHER_FAN})))
    assert (rejected.reason, rejected.record_kind, rejected.position) == (
        "foreign_sender", "delta", 0,
    )  # fmt: skip


def test_creator_message_without_any_chat_id_is_rejected() -> None:
    assert rejection(delta(ppv(), chat_id=None, source="websocket")).reason == "no_chat_id"


def test_creator_websocket_message_takes_chat_from_payload() -> None:
    added = only_added(delta(ppv(), chat_id=FAN, source="websocket"))
    assert (added.chat_id, added.direction) == (FAN, "out")


def test_fan_message_without_chat_id_is_in_the_senders_chat() -> None:
    assert only_added(delta(message(), chat_id=None)).chat_id == FAN


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "invalid_json"),
        (b"[]", "malformed"),
        (enc(message(id=-3)), "malformed"),
        (enc(message(price="free")), "malformed"),
        (enc(message(price=-1)), "bad_price"),
        (enc(message(fromUser=None)), "no_sender"),
        (enc(message(createdAt="yesterday")), "bad_timestamp"),
        (enc(message(createdAt=None)), "bad_timestamp"),
    ],
)
def test_malformed_delta_is_one_record_rejected(raw: bytes, reason: str) -> None:
    rejected = rejection(normalize_delta(CREATOR, FAN, "fetch", raw))
    assert (rejected.reason, rejected.creator_id) == (reason, CREATOR)
    assert rejection(normalize_delta(CREATOR, FAN, "fetch", raw)).event_id == rejected.event_id


def test_unknown_source_is_rejected() -> None:
    assert rejection(delta(message(), source="telepathy")).reason == "unknown_source"


# --- snapshot ------------------------------------------------------------------------------


def snapshot(chats: list[Any], messages: list[Any], snapshot_id: str = "snap-1") -> Any:
    raws = [r if isinstance(r, bytes) else enc(r) for r in messages]
    return normalize_snapshot(CREATOR, snapshot_id, [enc(c) for c in chats], raws)


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


# --- frames --------------------------------------------------------------------------------


def test_cache_update_keeps_records_raw_so_one_bad_record_does_not_fail_the_frame() -> None:
    payload = (
        b'{"snapshot_id":"s1","part":0,"parts":1,"chats":[' + enc(chat()) + b',{"withUser":7}],'
        b'"messages":[' + enc(message(chatId=FAN)) + b',[1,2],"x"],"extra":true}'
    )
    frame = decode_cache_update(payload)
    assert isinstance(frame, CacheUpdateRaw)
    assert (frame.snapshot_id, frame.part, frame.parts) == ("s1", 0, 1)
    assert (len(frame.chats), len(frame.messages)) == (2, 3)
    result = normalize_snapshot(CREATOR, frame.snapshot_id, frame.chats, frame.messages)
    assert [(r.record_kind, r.position) for r in result.rejected] == [
        ("chat", 1), ("message", 1), ("message", 2),
    ]  # fmt: skip


@pytest.mark.parametrize("payload", [b"{", b'{"part":0}', b'{"snapshot_id":"s","part":0}'])
def test_bad_cache_update_envelope_raises_msgspec_error(payload: bytes) -> None:
    with pytest.raises(msgspec.DecodeError):
        decode_cache_update(payload)


def test_new_raw_message_frame_decodes_chat_id_and_defers_the_message() -> None:
    frame = decode_new_raw_message(
        b'{"chatId":"400001","source":"websocket","message":' + enc(message()) + b"}"
    )
    assert isinstance(frame, NewRawMessageRaw)
    assert (frame.chat_id, frame.source) == (FAN, "websocket")
    events = normalize_delta(CREATOR, frame.chat_id, frame.source, frame.message)
    assert only_added(events).source == "websocket"


def test_new_raw_message_without_chat_id() -> None:
    frame = decode_new_raw_message(b'{"source":"xhr","message":{"id":1}}')
    assert frame.chat_id is None


def test_payload_field_names_match_the_pydantic_wire_models() -> None:
    """The msgspec Structs mirror `contracts.models.ingest`: catch drift."""
    cache_fields = {f.encode_name for f in msgspec.structs.fields(CacheUpdateRaw)}
    raw_fields = {f.encode_name for f in msgspec.structs.fields(NewRawMessageRaw)}
    assert cache_fields == set(CacheUpdatePayload.model_fields)
    assert raw_fields == set(NewRawMessagePayload.model_fields)


# --- event encoding ------------------------------------------------------------------------


def every_kind_of_event() -> list[Event]:
    result = snapshot(
        [chat(lastMessage=ppv(isOpened=True))],
        [
            message(chatId=FAN, fromUser={"id": FAN, "name": "Fan", "username": "fan"}),
            message(id=3, chatId=FAN, isTip=True, price=5),
            message(id=4, chatId=FAN, isDeleted=True, changedAt="2024-05-02T00:00:00Z"),
            b"{",
        ],
    )
    return [*result.events, *result.rejected]


def test_every_event_kind_round_trips_through_json() -> None:
    events = every_kind_of_event()
    kinds = {type(e) for e in events}
    assert kinds == {
        SnapshotReplaced, FanProfileSeen, ChatSeen, MessageAdded, PpvSent, PpvPurchased,
        TipReceived, MessageEdited, MessageDeleted, MessageRead, RecordRejected,
    }  # fmt: skip
    for event in events:
        assert decode_event(encode_event(event)) == event


def test_encoded_event_names_its_kind_and_version() -> None:
    decoded = msgspec.json.decode(encode_event(only_added(delta(message()))))
    assert (decoded["kind"], decoded["v"]) == ("message_added", 1)


def test_events_are_frozen() -> None:
    added = only_added(delta(message()))
    with pytest.raises(AttributeError):
        added.price = 1.0  # type: ignore[misc]
