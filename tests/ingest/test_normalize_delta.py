"""Raw OnlyFans message JSON → domain events: mapping, rejections, stable ids."""

from typing import Any

import pytest

from contracts.events import (
    FanProfileSeen,
    MessageDeleted,
    MessageEdited,
    PpvPurchased,
    PpvSent,
    TipReceived,
)
from services.ingest.normalize import (
    normalize_delta,
)
from tests.ingest.raw_records import (
    CREATOR,
    FAN,
    OTHER_FAN,
    delta,
    enc,
    message,
    of_kind,
    only_added,
    ppv,
    rejection,
)

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
