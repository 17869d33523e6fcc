"""Properties: normalization never raises, ids are stable, time forms agree, events round-trip."""

from datetime import UTC, datetime
from typing import Any

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.events import Event, MessageAdded, RecordRejected, decode_event, encode_event
from services.ingest.normalize import normalize_delta, normalize_snapshot

CREATOR = 300_000
FANS = [400_001, 400_002]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
ids = st.sampled_from([CREATOR, *FANS, 7, 0, -1, "400001", "x"]) | json_values
users = st.fixed_dictionaries({"id": ids}, optional={"name": json_values, "_view": st.just("m")})
timestamps = (
    st.sampled_from(
        ["2024-05-01T17:05:00+00:00", "2024-05-01T17:05:00Z", 1_714_583_100, 1_714_583_100_000, ""]
    )
    | json_values
)
# Keys OnlyFans uses, each with plausible and implausible values; plus arbitrary keys.
of_message_fields: dict[str, st.SearchStrategy[Any]] = {
    "id": ids,
    "chatId": ids,
    "fromUser": users | json_values,
    "text": st.sampled_from(["<p>hi</p>", "a<br>b &amp; c", "<p>x</p><p>y</p>"]) | json_values,
    "price": st.sampled_from([0, 4.99, "9.99", -1, "free"]) | json_values,
    "isFree": json_values,
    "isTip": json_values,
    "isOpened": json_values,
    "isOpen": json_values,
    "canPurchase": json_values,
    "mediaCount": json_values,
    "media": st.lists(st.fixed_dictionaries({}, optional={"type": json_values})) | json_values,
    "createdAt": timestamps,
    "changedAt": timestamps,
    "isDeleted": json_values,
}
of_messages = st.fixed_dictionaries({}, optional=of_message_fields).flatmap(
    lambda known: st.dictionaries(st.text(max_size=6), json_values, max_size=2).map(
        lambda extra: extra | known
    )
)
of_chats = st.fixed_dictionaries(
    {},
    optional={
        "withUser": users | json_values,
        "lastMessage": of_messages | json_values,
        "unreadMessagesCount": json_values,
        "lastReadMessageId": json_values,
    },
)
any_records = st.one_of(of_messages, json_values).map(msgspec.json.encode)


def assert_round_trips(events: list[Event]) -> None:
    for event in events:
        assert decode_event(encode_event(event)) == event


@given(any_records, st.sampled_from([None, *FANS]), st.sampled_from(["fetch", "websocket", "x"]))
def test_normalize_delta_never_raises_and_returns_events_or_one_rejection(
    raw: bytes, chat_id: int | None, source: str
) -> None:
    events = normalize_delta(CREATOR, chat_id, source, raw)
    assert events
    if isinstance(events[0], RecordRejected):
        assert len(events) == 1
    else:
        assert isinstance(events[0], MessageAdded)
    assert_round_trips(events)
    assert [e.event_id for e in normalize_delta(CREATOR, chat_id, source, raw)] == [
        e.event_id for e in events
    ]


@given(st.binary(max_size=64))
def test_normalize_delta_never_raises_on_arbitrary_bytes(raw: bytes) -> None:
    (rejected,) = normalize_delta(CREATOR, None, "xhr", raw)
    assert isinstance(rejected, RecordRejected)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(of_chats.map(msgspec.json.encode), max_size=4), st.lists(any_records, max_size=6))
def test_normalize_snapshot_never_raises_and_agrees_with_delta_on_each_message(
    chats: list[bytes], messages: list[bytes]
) -> None:
    result = normalize_snapshot(CREATOR, "snap", chats, messages)
    assert_round_trips(result.events)
    assert_round_trips(list(result.rejected))
    rejected = {r.position: r.reason for r in result.rejected if r.record_kind == "message"}
    snapshot_ids = {e.event_id for e in result.events}
    for position, raw in enumerate(messages):
        alone = normalize_delta(CREATOR, None, "fetch", raw)
        if isinstance(alone[0], RecordRejected):
            assert rejected[position] == alone[0].reason
        else:
            assert position not in rejected
            assert {e.event_id for e in alone} <= snapshot_ids


# --- valid messages: ids and time forms ----------------------------------------------------

seconds = st.integers(
    min_value=int(datetime(2020, 1, 1, tzinfo=UTC).timestamp()),
    max_value=int(datetime(2030, 1, 1, tzinfo=UTC).timestamp()),
)


@st.composite
def valid_messages(draw: st.DrawFn) -> tuple[dict[str, Any], int]:
    """A well-formed message (any direction, kind and extras) and its createdAt in seconds."""
    fan = draw(st.sampled_from(FANS))
    sender = draw(st.sampled_from([CREATOR, fan]))
    created = draw(seconds)
    price = draw(st.sampled_from([0, 3, 4.99, "12.5"]))
    message = {
        "id": draw(st.integers(min_value=1, max_value=2**53)),
        "chatId": fan,
        "fromUser": {"id": sender, "_view": "m"},
        "text": draw(st.text(max_size=30)),
        "price": price,
        "isFree": draw(st.booleans()),
        "isTip": draw(st.booleans()),
        "isOpened": draw(st.booleans()),
        "canPurchase": draw(st.booleans()),
        "createdAt": created,
        "changedAt": created + draw(st.sampled_from([0, 0, 60])),
    }
    return message, created


@given(valid_messages())
def test_same_message_gets_same_ids_from_snapshot_fetch_and_websocket(
    drawn: tuple[dict[str, Any], int],
) -> None:
    message, _ = drawn
    raw = msgspec.json.encode(message)
    from_fetch = [e.event_id for e in normalize_delta(CREATOR, message["chatId"], "fetch", raw)]
    from_socket = [e.event_id for e in normalize_delta(CREATOR, None, "websocket", raw)]
    from_snapshot = [e.event_id for e in normalize_snapshot(CREATOR, "s", [], [raw]).events[1:]]
    assert from_fetch == from_socket == from_snapshot
    assert len(set(from_fetch)) == len(from_fetch)


@given(valid_messages())
def test_created_at_in_any_form_gives_the_same_events(drawn: tuple[dict[str, Any], int]) -> None:
    message, created = drawn
    iso = datetime.fromtimestamp(created, UTC).isoformat()
    forms = [created, created * 1000, float(created), iso, iso.replace("+00:00", "Z")]
    results = [
        normalize_delta(CREATOR, None, "xhr", msgspec.json.encode(message | {"createdAt": form}))
        for form in forms
    ]
    assert all(events == results[0] for events in results)
    added = results[0][0]
    assert isinstance(added, MessageAdded)
    assert added.created_at == created * 1000
