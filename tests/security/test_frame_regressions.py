"""Parser bugs the socket fuzzer found, pinned without a server."""

import pytest

from contracts.models.core import ErrorCode, WssError
from services.gateway.frames import parse_frame, peek_ref

MAX = 1_000_000
SNAPSHOT = (
    b'{"type":"cache_update","payload":{"snapshot_id":"s","part":0,"parts":1,"messages":[%s]}}'
)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"type":"keepalive\xff"}',  # in the envelope's `type`: msgspec raised UnicodeDecodeError
        b'{"type\xf8\x88\x80\x80": "command_result", "payload": {}}',  # in a key
        b'{"type":"keepalive","ref":"\xc3\x28"}',
        SNAPSHOT % b'{"a\xff": 1}',  # in a record's key
        SNAPSHOT % b'{"text": "\xed\xa0\x80"}',  # in a record's value: was stored as valid
    ],
)
def test_binary_frame_that_is_not_utf8_is_refused_not_raised(raw: bytes) -> None:
    result = parse_frame(raw, "agent", MAX)
    assert isinstance(result, WssError) and result.code is ErrorCode.INVALID_JSON
    assert peek_ref(raw, MAX) is None


def test_text_frames_skip_the_utf8_pass_and_still_parse() -> None:
    raw = SNAPSHOT % b'{"text": "caf\xc3\xa9"}'
    frame = parse_frame(raw, "agent", MAX, utf8=True)
    assert not isinstance(frame, WssError) and frame.record_count == 1
    assert parse_frame(raw, "agent", MAX) == frame


def test_peek_ref_finds_the_ref_of_a_frame_it_does_not_parse() -> None:
    assert peek_ref(b'{"type":"new_raw_message","ref":"m:1","payload":{"x":[1,2]}}', MAX) == "m:1"
    assert peek_ref(b'{"type":"x","ref":"' + b"r" * 200 + b'"}', MAX) is None
    assert peek_ref(b"not json", MAX) is None
    assert peek_ref(b'{"type":"x","ref":"m:1"}', 10) is None  # too large to look into
