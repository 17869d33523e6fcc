"""Domain events on the wire: JSON round trip, kind and version, immutability."""

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
from tests.ingest.raw_records import (
    FAN,
    chat,
    delta,
    message,
    only_added,
    ppv,
    snapshot,
)

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
