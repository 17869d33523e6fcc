"""Frame validation without sockets, and the msgspec fast path agreeing with pydantic."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.models.core import ErrorCode, WssError
from services.gateway.frames import Frame, parse_frame, reference_check

MAX = 1_000_000


def code_of(raw: bytes, role: str = "agent") -> str | None:
    result = parse_frame(raw, role, MAX)
    return result.code.value if isinstance(result, WssError) else None


def test_each_kind_of_bad_frame_has_its_code() -> None:
    assert code_of(b"{nope") == ErrorCode.INVALID_JSON
    assert code_of(b"\xff\xfe\x00") == ErrorCode.INVALID_JSON
    assert code_of(b"[" * 50_000 + b"]" * 50_000) == ErrorCode.INVALID_JSON
    assert code_of(b'"just a string"') == ErrorCode.INVALID_ENVELOPE
    assert code_of(b'{"payload": {}}') == ErrorCode.INVALID_ENVELOPE
    assert code_of(b'{"type": "x"}') == ErrorCode.UNKNOWN_TYPE
    assert code_of(b'{"type": "cache_update"}', "analyst") == ErrorCode.NOT_ALLOWED
    assert code_of(b'{"type": "new_raw_message", "payload": {}}') == ErrorCode.INVALID_PAYLOAD
    assert code_of(b'{"type": "keepalive", "ref": "' + b"r" * MAX + b'"}') == "frame_too_large"


def test_deeply_nested_record_inside_a_snapshot_is_refused_not_crashed() -> None:
    deep = b"[" * 50_000 + b"]" * 50_000
    raw = (
        b'{"type":"cache_update","payload":{"snapshot_id":"s","part":0,"parts":1,"messages":[{"a":'
        + deep
        + b"}]}}"
    )
    assert code_of(raw) is not None


def test_error_echoes_the_senders_ref() -> None:
    result = parse_frame(b'{"type":"new_raw_message","payload":{},"ref":"r-9"}', "agent", MAX)
    assert isinstance(result, WssError) and result.ref == "r-9"


def test_cache_update_fast_path_counts_records() -> None:
    raw = json.dumps(
        {
            "type": "cache_update",
            "ref": "s:0",
            "payload": {
                "snapshot_id": "s",
                "part": 0,
                "parts": 1,
                "chats": [{"withUser": {"id": 1}}],
                "messages": [{"id": 1}, {"id": 2}],
            },
        }
    ).encode()
    frame = parse_frame(raw, "agent", MAX)
    assert isinstance(frame, Frame)
    assert (frame.snapshot_id, frame.part, frame.parts, frame.record_count) == ("s", 0, 1, 3)


json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.text(max_size=5))
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)
payloads = st.fixed_dictionaries(
    {},
    optional={
        "snapshot_id": st.one_of(st.text(max_size=3), st.integers(), st.just("x" * 129)),
        "part": st.one_of(st.integers(-2, 4), st.text(max_size=2), st.floats(allow_nan=False)),
        "parts": st.one_of(st.integers(-1, 4), st.none(), st.just(100_001)),
        "chats": st.one_of(
            st.lists(st.dictionaries(st.text(max_size=3), json_value, max_size=2), max_size=3),
            json_value,
        ),
        "messages": st.one_of(
            st.lists(st.dictionaries(st.text(max_size=3), json_value, max_size=2), max_size=3),
            json_value,
        ),
        "extra": json_value,
    },
)
envelopes = st.fixed_dictionaries(
    {"type": st.just("cache_update")},
    optional={
        "payload": st.one_of(payloads, json_value),
        "ref": st.one_of(st.none(), st.text(max_size=4), st.integers()),
        "junk": json_value,
    },
)


@settings(max_examples=600, deadline=None)
@given(envelopes)
def test_msgspec_fast_path_agrees_with_the_pydantic_union(envelope: dict[str, object]) -> None:
    raw = json.dumps(envelope).encode()
    fast_accepts = isinstance(parse_frame(raw, "agent", MAX), Frame)
    assert fast_accepts == reference_check(raw), raw
